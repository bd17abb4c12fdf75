"""Evaluate policy packs on a rendered graph, offline, through the rules' own validate functions.

This is the same code path `pulumi preview --policy-pack` drives: each rule is turned into its
CrossGuard policy and called with SDK argument objects built from the graph.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from hardstack.findings import Finding
from hardstack.policy.adapter import policy_resources, resource_args, stack_args
from hardstack.policy.result import PolicyResult
from hardstack.render.graph import Graph
from hardstack.rules.packs import Pack
from hardstack.rules.rule import Rule


def _finding(rule: Rule, pack: Pack, graph: Graph, message: str, urn: str | None) -> Finding:
    res = graph.by_urn(urn) if urn else None
    return Finding(
        source="policy", rule_id=rule.id, title=rule.title, severity=rule.severity,
        enforcement=pack.enforcement(rule), stack=graph.stack, message=message,
        resource_urn=urn, resource_name=res.name if res else None, resource_type=res.type if res else None,
        controls={k: list(v) for k, v in rule.controls.items()}, remediation=rule.remediation,
        packs=[pack.name],
    )


def evaluate(graph: Graph, packs: Iterable[Pack]) -> PolicyResult:
    result = PolicyResult()
    seen: dict[tuple[str, str, str | None, str], Finding] = {}
    linked = policy_resources(graph)
    for pack in packs:
        for rule in pack.rules():
            if rule.cloud not in (graph.cloud, "any") and graph.cloud:
                continue  # another cloud's rule: nothing of its kind is in this graph
            config = pack.rule_config(rule)
            policy = rule.policy(EnforcementLevel(pack.enforcement(rule)))
            reported: list[tuple[str, str | None]] = []

            def report(message: str, urn: str | None = None, *, default: str | None = None,
                       into: list[tuple[str, str | None]] = reported) -> None:
                into.append((message, urn or default))

            if isinstance(policy, ResourceValidationPolicy):
                targets = [r for r in graph if r.type in rule.resource_types]
                for res in targets:
                    policy.validate(resource_args(graph, res, config),
                                    lambda m, u=None, at=res.urn: report(m, u, default=at))
                result.evaluated[rule.id] = max(result.evaluated.get(rule.id, 0), len(targets))
            else:
                policy.validate(stack_args(linked, config), report)
                result.evaluated[rule.id] = len(graph)
            for message, urn in reported:
                finding = _finding(rule, pack, graph, message, urn)
                if finding.key() in seen:
                    seen[finding.key()].packs.append(pack.name)
                else:
                    seen[finding.key()] = finding
                    result.findings.append(finding)
    return result
