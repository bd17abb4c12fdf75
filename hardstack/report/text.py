"""The human summary: per stack, what failed, what is exempted and why, what was not judged."""

from __future__ import annotations

from hardstack.check import CheckReport, StackReport
from hardstack.findings import Finding


def _where(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")


def _stack(report: StackReport) -> list[str]:
    lines = [f"== {report.stack} ({report.file})"]
    if report.issues:
        lines.append(f"  ✗ bad input: {len(report.issues)} problem(s)")
        lines += [f"    {i.format()}" for i in report.issues]
    if report.render_error:
        lines.append(f"  ✗ render failed: {report.render_error}")
    if report.graph is None:
        return lines
    policy = report.policy
    rules = policy.rules_evaluated if policy else 0
    lines.append(f"  rendered {len(report.graph)} resources in {report.render_seconds:.2f}s; "
                 f"{rules} policy rules evaluated")
    if report.checkov is not None:
        ck = report.checkov
        lines.append(f"  checkov: {ck.resource_count} resources, {len(ck.distinct_passed)} distinct checks passed, "
                     f"{len([f for f in report.findings if f.source == 'checkov' and f.status == 'failed'])} failed")
        if ck.indirect:
            lines.append(f"  judged through a connected resource only: {len(ck.indirect)} resources")
        if ck.unjudged:
            types = sorted({t for _, t in ck.unjudged})
            lines.append(f"  unjudged by checkov (no check applies): {len(ck.unjudged)} resources of "
                         f"{len(types)} types: {', '.join(types)}")
    elif report.checkov_note:
        lines.append(f"  {report.checkov_note}")
    for f in report.failed:
        lines.append(f"  ✗ {f.source}:{f.rule_id} [{f.severity}] {f.resource_name or '-'}: {f.message}")
        lines.append(f"      at {_where(f)}; fix: {f.remediation}" if f.remediation else f"      at {_where(f)}")
    for f in report.advisories:
        lines.append(f"  ! advisory {f.source}:{f.rule_id} {f.resource_name or '-'}: {f.message}")
    for f in report.exempted:
        e = f.exemption or {}
        lines.append(f"  ~ exempted {f.source}:{f.rule_id} {f.resource_name or '-'} until {e.get('expires')}: "
                     f"{' '.join(str(e.get('reason', '')).split())}")
    verdict = "FAIL" if report.failed or report.issues or report.render_error else "PASS"
    lines.append(f"  {verdict}: {len(report.failed)} failed, {len(report.advisories)} advisory, "
                 f"{len(report.exempted)} exempted")
    return lines


def to_text(check: CheckReport) -> str:
    lines: list[str] = []
    for report in check.stacks:
        lines += _stack(report)
    if check.checkov_error:
        lines.append(f"✗ checkov could not run: {check.checkov_error}")
    failed = sum(len(s.failed) for s in check.stacks)
    lines.append(f"{len(check.stacks)} stack(s), {failed} mandatory failure(s); checkov runs: {check.checkov_runs} "
                 f"({check.checkov_seconds:.1f}s); total {check.seconds:.1f}s")
    return "\n".join(lines) + "\n"
