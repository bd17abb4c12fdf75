"""Machine-readable results: every finding with its rule, resource, status and location."""

from __future__ import annotations

import json
from typing import Any

from hardstack.check import CheckReport


def to_dict(check: CheckReport) -> dict[str, Any]:
    return {
        "exit_code": check.exit_code,
        "seconds": round(check.seconds, 3),
        "checkov": {"runs": check.checkov_runs, "seconds": round(check.checkov_seconds, 3),
                    "error": check.checkov_error},
        "stacks": [{
            "stack": s.stack,
            "file": str(s.file),
            "issues": [{"line": i.line, "field": i.field, "message": i.message} for i in s.issues],
            "render_error": s.render_error,
            "resources": len(s.graph) if s.graph else 0,
            "policy_rules_evaluated": s.policy.rules_evaluated if s.policy else 0,
            "checkov": None if s.checkov is None else {
                "resources": s.checkov.resource_count,
                "distinct_checks_passed": sorted(s.checkov.distinct_passed),
                "indirect": [{"name": n, "type": t} for n, t in s.checkov.indirect],
                "unjudged": [{"name": n, "type": t} for n, t in s.checkov.unjudged],
            },
            "checkov_note": s.checkov_note,
            "findings": [f.to_dict() for f in s.findings],
        } for s in check.stacks],
    }


def to_json(check: CheckReport) -> str:
    return json.dumps(to_dict(check), indent=2, default=str) + "\n"
