"""The human summary: per stack, what blocks, what the gates let through, what is exempted and
why, what was not judged, and the verdict with its exit code. `compact`: one line per finding."""

from __future__ import annotations

from hardstack.check import CheckReport, StackReport
from hardstack.findings import Finding
from hardstack.report.evidence import policy_rules, summary
from hardstack.report.gates import Verdict, as_verdict

VERDICT = {"pass": "PASS", "fail": "FAIL", "invalid": "FAIL (invalid input)", "error": "ERROR (not judged)"}


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")


def _reason(f: Finding) -> str:
    return " ".join(str((f.exemption or {}).get("reason", "")).split())


def _findings(verdict: Verdict, report: StackReport) -> list[str]:
    lines: list[str] = []
    compact = verdict.compact
    for f in verdict.blocking(report):
        lines.append(f"  ✗ {f.source}:{f.rule_id} [{f.severity}] {f.resource_name or '-'}: {f.message}"
                     + (f" ({_where(f)})" if compact else ""))
        if not compact:
            lines.append(f"      at {_where(f)}; fix: {f.remediation}" if f.remediation else f"      at {_where(f)}")
    for f in verdict.soft_failed(report):
        lines.append(f"  - soft-failed {f.source}:{f.rule_id} [{f.severity}] {f.resource_name or '-'}: "
                     f"{f.message} ({_where(f)})")
    for f in verdict.advisories(report):
        lines.append(f"  ! advisory {f.source}:{f.rule_id} {f.resource_name or '-'}: {f.message}"
                     + (f" ({_where(f)})" if compact else ""))
    for f in verdict.exempted(report):
        e = f.exemption or {}
        if compact:
            lines.append(f"  ~ exempted {f.source}:{f.rule_id} {f.resource_name or '-'} until {e.get('expires')} "
                         f"({_where(f)})")
        else:
            signed = f", approved by {e['approved_by']}" if e.get("approved_by") else ""
            lines.append(f"  ~ exempted {f.source}:{f.rule_id} {f.resource_name or '-'} until {e.get('expires')}"
                         f"{signed}: {_reason(f)}")
    return lines


def _stack(verdict: Verdict, report: StackReport) -> list[str]:
    lines = [f"== {report.stack} ({report.file})"]
    if report.issues:
        lines.append(f"  ✗ invalid input: {len(report.issues)} problem(s)")
        lines += [f"    {i.format()}" for i in report.issues]
    if report.render_error:
        lines.append(f"  ✗ render failed: {report.render_error}")
    for index, e, line in report.stale:
        lines.append(f"  ? stale exemption {report.file}:{line}: exemptions[{index}] {{rule: {e.rule}, resource: "
                     f"{e.resource}}} covered no failure in this run; remove it (an error with --strict)")
    if report.graph is not None:
        rules = summary(policy_rules(verdict, report))
        counted = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in rules.items() if n)
        lines.append(f"  rendered {len(report.graph)} resources in {report.render_seconds:.2f}s; "
                     f"{report.policy.rules_evaluated if report.policy else 0} policy rules evaluated"
                     + (f": {counted}" if counted else ""))
        if report.checkov is not None:
            ck = report.checkov
            failed = sum(1 for f in verdict.findings(report) if f.source == "checkov" and f.status == "failed")
            lines.append(f"  checkov: {ck.resource_count} resources, {len(ck.distinct_passed)} distinct checks "
                         f"passed, {failed} failed")
            if ck.indirect:
                lines.append(f"  judged through a connected resource only: {len(ck.indirect)} resources")
            if ck.unjudged:
                types = sorted({t for _, t in ck.unjudged})
                lines.append(f"  unjudged by checkov (no check applies): {len(ck.unjudged)} resources of "
                             f"{len(types)} types: {', '.join(types)}")
        elif report.checkov_note:
            lines.append(f"  {report.checkov_note}")
        lines += _findings(verdict, report)
    lines.append(f"  {VERDICT[verdict.stack_verdict(report)]}: {len(verdict.blocking(report))} failed, "
                 f"{len(verdict.soft_failed(report))} soft-failed, {len(verdict.advisories(report))} advisory, "
                 f"{len(verdict.exempted(report))} exempted")
    return lines


def to_text(report: CheckReport | Verdict) -> str:
    verdict = as_verdict(report)
    check = verdict.check
    lines: list[str] = []
    for stack in check.stacks:
        lines += _stack(verdict, stack)
    if check.checkov_error:
        lines.append(f"✗ checkov could not run: {check.checkov_error}")
    blocking = sum(len(verdict.blocking(s)) for s in check.stacks)
    lines.append(f"{len(check.stacks)} stack(s), {blocking} blocking failure(s); checkov runs: {check.checkov_runs} "
                 f"({check.checkov_seconds:.1f}s); total {check.seconds:.1f}s; exit {verdict.exit_code}: "
                 f"{verdict.meaning}")
    return "\n".join(lines) + "\n"
