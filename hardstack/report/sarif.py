"""SARIF 2.1.0 for GitHub code scanning.

Two runs, one per analysis tool, so a failure of one never closes the other's alerts: `hardstack`
(policy rules, invalid specs and exemptions, render failures) and `checkov` (its checks on the
exported stacks; left out when checkov did not run). Every rule that ran is described with
fullDescription, help (text and Markdown, with the remediation), helpUri (hardstack/report/links.py),
security-severity (critical 9.5, high 8.0, medium 5.5, low 3.0) and tags (at most 20, GitHub's
limit). Every result points at the stack-file line that asked for the resource and carries a
partialFingerprints hash of rule, stack, resource and message, so an alert stays one alert when
lines move. The result level is the gate's verdict (blocking: error, soft-failed: warning,
advisory: note); exempted findings are results with an in-source suppression (the exemption's
line) and its reason. The hardstack run's invocation records the exit code; an invalid spec is
still a located result, so a pull request shows it instead of an empty upload.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from hardstack import __version__
from hardstack.check import CheckReport, StackReport
from hardstack.findings import Finding
from hardstack.report import links
from hardstack.report.gates import ERROR, Verdict, as_verdict
from hardstack.rules import REGISTRY
from hardstack.rules.controls import FRAMEWORKS, describe
from hardstack.rules.packs import PACKS

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
RULE_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
GATE_LEVEL = {"blocking": "error", "soft-failed": "warning", "advisory": "note"}
EXPORTS = {"terraform": "Terraform plan JSON", "arm": "ARM template"}
TAG_LIMIT = 20  # GitHub rejects a rule with more tags
TEXT_LIMIT = 1024  # GitHub: shortDescription and fullDescription
INTERNAL: dict[str, tuple[str, str, str]] = {  # rule -> (title, README section, remediation)
    "hardstack/invalid-spec": (
        "The stack file holds a valid hardstack spec", "spec",
        "Fix the field the message names. `hardstack validate FILE` lists every problem with its line, "
        "`hardstack schema` prints the spec's JSON Schema and `hardstack new` writes a complete example."),
    "hardstack/invalid-exemption": (
        "Every exemption names a known rule and a resource of the stack", "exemptions",
        "Name a policy rule id, alias or checkov check id (`hardstack policies list`) and a resource, "
        "workload, bucket or the environment (`hardstack plan` lists resource names), with a reason a "
        "reviewer can sign and an expiry at most a year ahead."),
    "hardstack/render-failed": (
        "The blueprint renders the stack offline", "commands",
        "Run `hardstack plan FILE` for the whole error. A valid spec that does not render is a hardstack "
        "bug: report it with the stack file."),
}


def _clip(text: str, limit: int = TEXT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fingerprint(*parts: str | None) -> dict[str, str]:
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]
    return {"primaryLocationLineHash": f"{digest}:1"}


def _tags(*tags: str) -> list[str]:
    return list(dict.fromkeys(t for t in tags if t))[:TAG_LIMIT]


class _Sources:
    """Artifact locations relative to the working directory, regions spanning the line's text."""

    def __init__(self) -> None:
        self.cwd = Path.cwd().resolve()
        self._lines: dict[str, list[str]] = {}

    @property
    def root(self) -> str:
        return self.cwd.as_uri() + "/"

    def location(self, file: str, line: int | None) -> dict[str, Any]:
        path = Path(file)
        artifact: dict[str, Any] = {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}
        if path.is_absolute():
            try:
                artifact["uri"] = path.resolve().relative_to(self.cwd).as_posix()
            except ValueError:
                artifact = {"uri": path.resolve().as_uri()}
        number = max(line or 1, 1)
        if file not in self._lines:
            try:
                self._lines[file] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[file] = []
        text = self._lines[file][number - 1] if number <= len(self._lines[file]) else ""
        start = len(text) - len(text.lstrip()) + 1
        end = max(len(text.rstrip()) + 1, start)
        return {"physicalLocation": {"artifactLocation": artifact, "region": {
            "startLine": number, "startColumn": start, "endLine": number, "endColumn": end}}}


def _help(title: str, remediation: str, extra: str, uri: str | None) -> dict[str, Any]:
    more = f"\n\nDocumentation: {uri}" if uri else ""
    markdown_more = f"\n\n[Documentation]({uri})" if uri else ""
    return {"help": {"text": f"{title}\n\nRemediation: {remediation}\n\n{extra}{more}",
                     "markdown": f"**{title}**\n\n**Remediation:** {remediation}\n\n{extra}{markdown_more}"},
            **({"helpUri": uri} if uri else {})}


def _exemption_hint(rule_id: str) -> str:
    return (f"A deliberate exception is an exemption in the stack's spec (rule: {rule_id}, resource, "
            "reason, expires); it is reported as a suppressed result, never hidden.")


def _policy_rule(rule_id: str) -> dict[str, Any]:
    rule = REGISTRY[rule_id]
    enforcement = PACKS["baseline"].enforcement(rule)
    controls = "; ".join(f"{FRAMEWORKS[k].name} " + ", ".join(f"{c} ({describe(k, c)})" for c in v)
                         for k, v in rule.controls.items())
    full = (f"{rule.title}. Severity {rule.severity} ({enforcement}); {rule.cloud} {rule.practice} rule "
            f"of hardstack's policy packs, judged on the rendered stack. Controls: {controls or 'none'}.")
    return {
        "id": f"policy/{rule_id}", "name": rule_id,
        "shortDescription": {"text": _clip(rule.title)}, "fullDescription": {"text": _clip(full)},
        "defaultConfiguration": {"level": RULE_LEVEL[rule.severity]},
        **_help(rule.title, rule.remediation, f"Controls: {controls or 'none'}.\n\n{_exemption_hint(rule_id)}",
                links.policy_rule(rule_id)),
        "properties": {
            "security-severity": SECURITY_SEVERITY[rule.severity], "precision": "very-high",
            "tags": _tags("security", "hardstack-policy", rule.cloud, rule.practice, *rule.controls,
                          *rule.control_tags()),
        },
    }


def _checkov_rule(check_id: str, name: str, severity: str, framework: str, cloud: str,
                  version: str | None) -> dict[str, Any]:
    title = name or check_id
    uri = links.checkov_check(check_id, framework)
    full = (f"checkov {check_id}: {title}. Judged by checkov{' ' + version if version else ''} on hardstack's "
            f"{EXPORTS[framework]} export of the stack; a failure points at the stack-file line that asked "
            "for the resource.")
    remediation = (f"change the spec (or the component that builds the resource) so the exported resource "
                   f"passes {check_id}; checkov's policy index describes the check.")
    return {
        "id": f"checkov/{check_id}", "name": check_id,
        "shortDescription": {"text": _clip(title)}, "fullDescription": {"text": _clip(full)},
        "defaultConfiguration": {"level": RULE_LEVEL.get(severity, "warning")},
        **_help(title, remediation, _exemption_hint(check_id), uri),
        "properties": {"security-severity": SECURITY_SEVERITY.get(severity, "5.5"), "precision": "high",
                       "tags": _tags("security", "checkov", framework, cloud,
                                     "hardstack-custom-check" if check_id.startswith("HS_") else "")},
    }


def _internal_rule(rule_id: str) -> dict[str, Any]:
    title, section, remediation = INTERNAL[rule_id]
    return {
        "id": rule_id, "name": rule_id.split("/", 1)[1], "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title}: hardstack cannot judge a stack whose input is wrong, so the "
                                    "check fails until it is fixed."},
        "defaultConfiguration": {"level": "error"},
        **_help(title, remediation, "Reported at the stack-file line of the problem.", links.readme(section)),
        "properties": {"security-severity": SECURITY_SEVERITY["high"], "precision": "very-high",
                       "tags": ["security", "hardstack", "correctness"]},
    }


def _gate(verdict: Verdict, f: Finding) -> str:
    if f.status == "exempted":
        return "exempted"
    if verdict.gates.blocks(f):
        return "blocking"
    return "soft-failed" if f.enforcement == "mandatory" else "advisory"


def _finding_result(verdict: Verdict, s: StackReport, f: Finding, rule_id: str, index: dict[str, int],
                    sources: _Sources) -> dict[str, Any]:
    gate = _gate(verdict, f)
    level = GATE_LEVEL.get(gate) or (
        "error" if verdict.gates.blocks(f, as_failed=True) else "warning" if f.enforcement == "mandatory" else "note")
    location = sources.location(f.file or str(s.file), f.line)
    location["logicalLocations"] = [{"name": f.resource_name or f.stack, "kind": "resource",
                                     **({"fullyQualifiedName": f.resource_urn} if f.resource_urn else {})}]
    result: dict[str, Any] = {
        "ruleId": rule_id, "ruleIndex": index[rule_id], "level": level,
        "message": {"text": f"{f.resource_name or f.stack}: {f.message}"},
        "locations": [location],
        "partialFingerprints": _fingerprint(rule_id, f.stack, f.resource_urn, f.message.split(" (its exemption")[0]),
        "properties": {"stack": f.stack, "gate": gate, "severity": f.severity, "enforcement": f.enforcement,
                       "resourceType": f.resource_type, "controls": f.controls,
                       **({"exemption": f.exemption} if f.exemption else {})},
    }
    if f.status == "exempted" and f.exemption:
        e = f.exemption
        result["suppressions"] = [{
            "kind": "inSource", "status": "accepted", "location": sources.location(f.file or str(s.file), f.line),
            "justification": " ".join(str(e.get("reason", "")).split()) + f" (until {e.get('expires')}"
                             + (f", approved by {e['approved_by']})" if e.get("approved_by") else ")"),
        }]
    return result


def _hardstack_run(verdict: Verdict, sources: _Sources) -> dict[str, Any]:
    check = verdict.check
    ran = sorted({r for s in check.stacks if s.policy for r in s.policy.evaluated
                  if verdict.gates.selects(r, REGISTRY[r].severity, REGISTRY[r].controls)})
    rules = [_internal_rule(r) for r in INTERNAL] + [_policy_rule(r) for r in ran]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for s in check.stacks:
        for issue in s.issues:
            rule = "hardstack/invalid-exemption" if issue.field.startswith("exemptions") else "hardstack/invalid-spec"
            results.append({
                "ruleId": rule, "ruleIndex": index[rule], "level": "error",
                "message": {"text": f"{issue.field or '<spec>'}: {issue.message}"},
                "locations": [sources.location(str(issue.file), issue.line)],
                "partialFingerprints": _fingerprint(rule, str(issue.file), issue.field, issue.message),
                "properties": {"stack": s.stack, "field": issue.field},
            })
        if s.render_error:
            rule = "hardstack/render-failed"
            results.append({
                "ruleId": rule, "ruleIndex": index[rule], "level": "error",
                "message": {"text": f"{s.stack} does not render: {s.render_error}"},
                "locations": [sources.location(str(s.file), 1)],
                "partialFingerprints": _fingerprint(rule, str(s.file)), "properties": {"stack": s.stack},
            })
        for f in verdict.findings(s):
            if f.source == "policy":
                results.append(_finding_result(verdict, s, f, f"policy/{f.rule_id}", index, sources))
    notifications = [{"level": "error", "message": {"text": f"checkov could not run: {check.checkov_error}"}}] \
        if check.checkov_error else []
    code = verdict.exit_code
    driver: dict[str, Any] = {"name": "hardstack", "version": __version__, "semanticVersion": __version__,
                              "rules": rules}
    if links.information_uri():
        driver["informationUri"] = links.information_uri()
    return {
        "tool": {"driver": driver},
        "invocations": [{
            "executionSuccessful": code != ERROR, "exitCode": code, "exitCodeDescription": verdict.meaning,
            "workingDirectory": {"uri": sources.root}, "toolExecutionNotifications": notifications,
            "properties": {"gates": verdict.gates.to_dict(), "seconds": round(check.seconds, 3)},
        }],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": sources.root}},
        "results": results,
        "properties": {"stacks": [{"stack": s.stack, "file": str(s.file), "verdict": verdict.stack_verdict(s)}
                                  for s in check.stacks]},
    }


def _checkov_run(verdict: Verdict, sources: _Sources) -> dict[str, Any] | None:
    check = verdict.check
    judged = [s for s in check.stacks if s.checkov is not None]
    if check.checkov_error or not judged:
        return None
    seen: dict[str, tuple[str, str, str, str]] = {}  # check -> (name, severity, framework, cloud)
    for s in judged:
        assert s.checkov is not None and s.graph is not None
        framework = "arm" if s.graph.cloud == "azure" else "terraform"
        severities = {f.rule_id: f.severity for f in s.findings if f.source == "checkov"}
        for check_id in {c for c, _ in s.checkov.passed} | set(severities):
            name = s.checkov.names.get(check_id, "")
            seen.setdefault(check_id, (name, severities.get(check_id, "medium"), framework, s.graph.cloud or ""))
    version = next((s.checkov.version for s in judged if s.checkov and s.checkov.version), None)
    ids = sorted(c for c, (_, sev, _, _) in seen.items() if verdict.gates.selects(c, sev))
    rules = [_checkov_rule(c, *seen[c], version) for c in ids]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_finding_result(verdict, s, f, f"checkov/{f.rule_id}", index, sources)
               for s in judged for f in verdict.findings(s) if f.source == "checkov"]
    driver: dict[str, Any] = {"name": "checkov", "informationUri": "https://www.checkov.io/", "rules": rules}
    if version:
        driver["version"] = version
    return {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "workingDirectory": {"uri": sources.root},
                         "properties": {"runBy": f"hardstack {__version__}", "runs": check.checkov_runs,
                                        "seconds": round(check.checkov_seconds, 3)}}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": sources.root}},
        "results": results,
    }


def to_sarif(report: CheckReport | Verdict) -> str:
    verdict = as_verdict(report)
    sources = _Sources()
    runs = [_hardstack_run(verdict, sources)]
    checkov = _checkov_run(verdict, sources)
    if checkov is not None:
        runs.append(checkov)
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": runs}, indent=2) + "\n"
