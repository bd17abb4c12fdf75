"""Machine-readable results: the verdict and exit code, every finding with its rule, resource,
status, gate and location, and per stack the evidence of what passed (hardstack/report/evidence.py)."""

from __future__ import annotations

import json
from typing import Any

from hardstack import __version__
from hardstack.check import CheckReport, StackReport
from hardstack.report.evidence import stack_evidence
from hardstack.report.gates import Verdict, as_verdict


def _gate(verdict: Verdict, status: str, blocking: bool, mandatory: bool) -> str:
    if status == "exempted":
        return "exempted"
    if blocking:
        return "blocking"
    return "soft-failed" if mandatory else "advisory"


def _stack(verdict: Verdict, s: StackReport) -> dict[str, Any]:
    findings = verdict.findings(s)
    return {
        "stack": s.stack,
        "file": str(s.file),
        "verdict": verdict.stack_verdict(s),
        "summary": {"blocking": len(verdict.blocking(s)), "soft_failed": len(verdict.soft_failed(s)),
                    "advisory": len(verdict.advisories(s)), "exempted": len(verdict.exempted(s)),
                    "invalid_input": len(s.issues)},
        "issues": [{"file": str(i.file), "line": i.line, "field": i.field, "message": i.message} for i in s.issues],
        "stale_exemptions": [{"index": i, "rule": e.rule, "resource": e.resource, "line": line}
                             for i, e, line in s.stale],
        "render_error": s.render_error,
        "resources": len(s.graph) if s.graph else 0,
        "policy_rules_evaluated": s.policy.rules_evaluated if s.policy else 0,
        "checkov": None if s.checkov is None else {
            "version": s.checkov.version,
            "resources": s.checkov.resource_count,
            "distinct_checks_passed": sorted(s.checkov.distinct_passed),
            "indirect": [{"name": n, "type": t} for n, t in s.checkov.indirect],
            "unjudged": [{"name": n, "type": t} for n, t in s.checkov.unjudged],
        },
        "checkov_note": s.checkov_note,
        "evidence": stack_evidence(verdict, s),
        "findings": [{**f.to_dict(), "blocking": verdict.gates.blocks(f),
                      "gate": _gate(verdict, f.status, verdict.gates.blocks(f), f.enforcement == "mandatory")}
                     for f in findings],
    }


def to_dict(report: CheckReport | Verdict) -> dict[str, Any]:
    verdict = as_verdict(report)
    check = verdict.check
    return {
        "tool": {"name": "hardstack", "version": __version__},
        "exit_code": verdict.exit_code,
        "exit_meaning": verdict.meaning,
        "gates": verdict.gates.to_dict(),
        "seconds": round(check.seconds, 3),
        "checkov": {"runs": check.checkov_runs, "seconds": round(check.checkov_seconds, 3),
                    "error": check.checkov_error},
        "stacks": [_stack(verdict, s) for s in check.stacks],
    }


def to_json(report: CheckReport | Verdict) -> str:
    return json.dumps(to_dict(report), indent=2, default=str) + "\n"
