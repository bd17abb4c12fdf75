"""SARIF 2.1.0 for code scanning: each finding annotates the stack-file line that asked for the
resource; exempted findings carry a suppression with the recorded reason."""

from __future__ import annotations

import json
from typing import Any

from hardstack import __version__
from hardstack.check import CheckReport
from hardstack.findings import Finding

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def _rule_key(f: Finding) -> str:
    return f"{f.source}/{f.rule_id}"


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": _rule_key(f), "ruleIndex": index[_rule_key(f)],
        "level": LEVEL.get(f.severity, "warning") if f.enforcement == "mandatory" else "note",
        "message": {"text": f"{f.resource_name or f.stack}: {f.message}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": f.file or ""},
            "region": {"startLine": max(f.line or 1, 1)},
        }, "logicalLocations": [{"name": f.resource_name or f.stack, "fullyQualifiedName": f.resource_urn or ""}]}],
        "properties": {"stack": f.stack, "resourceType": f.resource_type, "controls": f.controls},
    }
    if f.status == "exempted" and f.exemption:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": " ".join(str(f.exemption.get("reason", "")).split())}]
    return result


def to_sarif(check: CheckReport) -> str:
    findings = [f for s in check.stacks for f in s.findings if f.status in ("failed", "exempted")]
    rules: dict[str, Finding] = {}
    for f in findings:
        rules.setdefault(_rule_key(f), f)
    index = {key: i for i, key in enumerate(rules)}
    run = {
        "tool": {"driver": {
            "name": "hardstack", "version": __version__, "informationUri": "https://github.com/hardstack",
            "rules": [{
                "id": key, "name": f.rule_id, "shortDescription": {"text": f.title or f.rule_id},
                "help": {"text": f.remediation or f.title},
                "properties": {"tags": [f.source, *(f"{k}:{c}" for k, v in f.controls.items() for c in v)]},
            } for key, f in rules.items()],
        }},
        "results": [_result(f, index) for f in findings],
    }
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"
