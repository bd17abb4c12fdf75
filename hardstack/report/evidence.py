"""Evidence of what passed: per stack, every policy rule and checkov check that ran with its
status, and every compliance control with the rules mapped to it.

A control lists the policy rules mapped to it and, as corroboration, the checkov checks that ran
on resources of the types those rules judge (checkov's offline output maps no control ids, so
this is evidence about the same resources, not a mapping checkov makes).

Statuses: `failed` (a mandatory failure, or an advisory --hard-fail-on names), `advisory` (only
advisories failed), `exempted` (every failure is exempted), `passed` (evaluated, no violation),
`not_applicable` (the stack has no resource the rule judges), `skipped` (left out by --check or
--skip-check). A control takes the worst status of its rules.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from hardstack.check import StackReport
from hardstack.findings import Finding
from hardstack.report.gates import Verdict
from hardstack.rules import REGISTRY
from hardstack.rules.controls import FRAMEWORKS, describe
from hardstack.rules.packs import packs_for

ORDER = ("failed", "advisory", "exempted", "passed", "skipped", "not_applicable")


def worst(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return next((s for s in ORDER if s in found), "not_applicable")


def _status(verdict: Verdict, selected: bool, findings: list[Finding], evaluated: int) -> str:
    if not selected:
        return "skipped"
    failed = [f for f in findings if f.status == "failed"]
    if any(f.enforcement == "mandatory" or verdict.gates.blocks(f) for f in failed):
        return "failed"
    if failed:
        return "advisory"
    if any(f.status == "exempted" for f in findings):
        return "exempted"
    return "passed" if evaluated else "not_applicable"


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {"failed": sum(f.status == "failed" for f in findings),
            "exempted": sum(f.status == "exempted" for f in findings)}


def policy_rules(verdict: Verdict, stack: StackReport) -> list[dict[str, Any]]:
    if stack.policy is None or stack.scope is None:
        return []
    packs = packs_for(stack.compliance)
    by_rule: dict[str, list[Finding]] = {}
    for f in stack.findings:
        if f.source == "policy":
            by_rule.setdefault(f.rule_id, []).append(f)
    out = []
    for rule_id, evaluated in sorted(stack.policy.evaluated.items()):
        rule = REGISTRY[rule_id]
        findings = by_rule.get(rule_id, [])
        selected = verdict.gates.selects(rule_id, rule.severity, rule.controls)
        out.append({
            "id": rule_id, "title": rule.title, "severity": rule.severity,
            "enforcement": packs[0].enforcement(rule), "packs": [p.name for p in packs if p.select(rule)],
            "controls": {k: list(v) for k, v in rule.controls.items()},
            "status": _status(verdict, selected, findings, evaluated),
            "blocking": selected and any(verdict.gates.blocks(f) for f in findings),
            "resources_evaluated": evaluated, **_counts(findings),
        })
    return out


def checkov_checks(verdict: Verdict, stack: StackReport) -> list[dict[str, Any]]:
    result = stack.checkov
    if result is None:
        return []
    passed = Counter(check for check, _ in result.passed)
    findings: dict[str, list[Finding]] = {}
    for f in stack.findings:
        if f.source == "checkov":
            findings.setdefault(f.rule_id, []).append(f)
    out = []
    for check in sorted(set(passed) | set(findings)):
        fs = findings.get(check, [])
        severity = fs[0].severity if fs else "medium"
        selected = verdict.gates.selects(check, severity)
        out.append({
            "id": check, "name": result.names.get(check) or (fs[0].title if fs else ""), "severity": severity,
            "status": _status(verdict, selected, fs, passed[check] + len(fs)),
            "blocking": selected and any(verdict.gates.blocks(f) for f in fs),
            "passed": passed[check], **_counts(fs),
        })
    return out


def _natural(control: str) -> list[Any]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", control)]


def _checkov_by_type(stack: StackReport, checks: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """resource type -> {checkov check id: its status in this stack}, for checks that ran on it."""
    result, graph = stack.checkov, stack.graph
    if result is None or graph is None:
        return {}
    status = {c["id"]: c["status"] for c in checks}
    types = {r.urn: r.type for r in graph}
    out: dict[str, dict[str, str]] = {}
    ran = [*result.passed, *((f.rule_id, f.resource_urn) for f in stack.findings if f.source == "checkov")]
    for check, urn in ran:
        kind = types.get(urn or "")
        if kind is not None and check in status:
            out.setdefault(kind, {})[check] = status[check]
    return out


def _corroborating(rule_ids: Iterable[str], by_type: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    found: dict[str, str] = {}
    for rule_id in rule_ids:
        for kind in REGISTRY[rule_id].resource_types:
            found.update(by_type.get(kind, {}))
    return [{"check": c, "status": found[c]} for c in sorted(found, key=_natural)]


def controls(stack: StackReport, rules: list[dict[str, Any]],
             checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Per framework the rules map to: each control id, its rules and their statuses, and the
    checkov checks on the same resource types."""
    compliance = stack.compliance
    by_type = _checkov_by_type(stack, checks or [])
    out: dict[str, Any] = {}
    for key, framework in FRAMEWORKS.items():
        mapped: dict[str, list[dict[str, str]]] = {}
        for rule in rules:
            for control in rule["controls"].get(key, []):
                mapped.setdefault(control, []).append({"rule": rule["id"], "status": rule["status"]})
        if not mapped:
            continue
        entries = [{"id": c, "title": describe(key, c), "status": worst(r["status"] for r in mapped[c]),
                    "rules": mapped[c], "checkov": _corroborating((r["rule"] for r in mapped[c]), by_type)}
                   for c in sorted(mapped, key=_natural)]
        out[key] = {
            "name": framework.name, "version": framework.version, "in_scope": key in compliance,
            "status": worst(e["status"] for e in entries),
            "summary": dict(Counter(e["status"] for e in entries)), "controls": entries,
        }
    return out


def summary(items: list[dict[str, Any]]) -> dict[str, int]:
    return {status: sum(i["status"] == status for i in items) for status in ORDER}


def stack_evidence(verdict: Verdict, stack: StackReport) -> dict[str, Any]:
    rules = policy_rules(verdict, stack)
    checks = checkov_checks(verdict, stack)
    return {
        "summary": {"policy_rules": summary(rules), "checkov_checks": summary(checks)},
        "policy_rules": rules, "checkov_checks": checks, "controls": controls(stack, rules, checks),
    }
