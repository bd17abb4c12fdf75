"""Map checkov's results back to Pulumi resources, and tell judged from unjudged resources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardstack.checkov.export import ExportedStack
from hardstack.findings import Finding
from hardstack.render.graph import Graph


@dataclass
class CheckovStackResult:
    stack: str
    resource_count: int = 0  # resources checkov parsed from the export: must equal what we exported
    findings: list[Finding] = field(default_factory=list)
    passed: set[tuple[str, str]] = field(default_factory=set)  # (check id, pulumi urn)
    # Resources no check evaluated directly, but connected to one that was (a bucket's versioning
    # is judged by the bucket's graph checks): (name, pulumi type).
    indirect: list[tuple[str, str]] = field(default_factory=list)
    unjudged: list[tuple[str, str]] = field(default_factory=list)  # connected to nothing judged
    names: dict[str, str] = field(default_factory=dict)  # check id -> check name, of every check that ran
    version: str | None = None  # checkov's version, from its report's summary

    @property
    def distinct_passed(self) -> set[str]:
        return {check for check, _ in self.passed}


def _severity(result: dict[str, Any]) -> str:
    # checkov reports severities only with a platform key; offline they are None.
    return str(result.get("severity") or "medium").lower()


def map_results(reports: Iterable[dict[str, Any]], exported: Iterable[ExportedStack],
                graphs: dict[str, Graph]) -> dict[str, CheckovStackResult]:
    by_file = {e.path.name: e for e in exported}
    out = {e.stack: CheckovStackResult(e.stack) for e in by_file.values()}
    seen: dict[str, set[str]] = {e.stack: set() for e in by_file.values()}
    for report in reports:
        version = (report.get("summary") or {}).get("checkov_version")
        for result in out.values():
            result.version = result.version or version
        results = report.get("results", {})
        for status in ("passed_checks", "failed_checks"):
            for item in results.get(status, []):
                stack = by_file.get(Path(str(item.get("file_path", ""))).name)
                if stack is None:
                    continue
                urn = stack.addresses.get(item.get("resource", ""))
                if urn is None:
                    continue
                seen[stack.stack].add(urn)
                out[stack.stack].names.setdefault(item["check_id"], str(item.get("check_name") or ""))
                if status == "passed_checks":
                    out[stack.stack].passed.add((item["check_id"], urn))
                    continue
                res = graphs[stack.stack].by_urn(urn)
                out[stack.stack].findings.append(Finding(
                    source="checkov", rule_id=item["check_id"], title=item.get("check_name", ""),
                    severity=_severity(item), enforcement="mandatory", stack=stack.stack,
                    message=f"{item.get('check_name', item['check_id'])} ({item.get('resource')})",
                    resource_urn=urn, resource_name=res.name if res else None,
                    resource_type=res.type if res else None,
                    remediation=str(item.get("guideline") or ""),
                ))
    for e in by_file.values():
        result = out[e.stack]
        result.resource_count = len(e.addresses)
        graph = graphs[e.stack]
        judged = seen[e.stack]
        for urn in e.addresses.values():
            res = graph.by_urn(urn)
            if urn in judged or res is None:
                continue
            if _neighbours(graph, urn) & judged:
                result.indirect.append((res.name, res.type))
            else:
                result.unjudged.append((res.name, res.type))
        result.unjudged += [(r.name, r.type) for r in e.unmapped]
    return out


def _neighbours(graph: Graph, urn: str) -> set[str]:
    """Resources whose data this one uses or that use its data (property references only:
    an ordering-only depends_on says nothing about configuration a check could have judged)."""
    res = graph.by_urn(urn)
    out = {u for urns in res.propertyDependencies.values() for u in urns} if res else set()
    for other in graph:
        if any(urn in urns for urns in other.propertyDependencies.values()):
            out.add(other.urn)
    return out


def resource_counts(reports: Iterable[dict[str, Any]]) -> int:
    return sum(int((r.get("summary") or {}).get("resource_count", 0)) for r in reports)
