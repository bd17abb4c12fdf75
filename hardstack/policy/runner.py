"""Evaluate policy packs on a rendered graph, offline, through the rules' own validate functions.

This is the same code path `pulumi preview --policy-pack` drives: each rule is turned into its
CrossGuard policy and called with SDK argument objects built from the graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
from pulumi_policy.proxy import UnknownValueError

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


def _cannot_run(rule: Rule, exc: UnknownValueError) -> str:
    # The engine's own words (pulumi_policy.policy, analyze: "can't run policy ... during preview").
    return f"can't run policy '{rule.id}' during preview: {exc.message}"


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

            unknown: list[tuple[str, str | None]] = []
            if isinstance(policy, ResourceValidationPolicy):
                targets = [r for r in graph if r.type in rule.resource_types]
                for res in targets:
                    try:
                        policy.validate(resource_args(graph, res, config),
                                        lambda m, u=None, at=res.urn: report(m, u, default=at))
                    except UnknownValueError as exc:
                        unknown.append((_cannot_run(rule, exc), res.urn))
                result.evaluated[rule.id] = max(result.evaluated.get(rule.id, 0), len(targets))
            else:
                try:
                    policy.validate(stack_args(linked, config), report)
                except UnknownValueError as exc:
                    unknown.append((_cannot_run(rule, exc), None))
                result.evaluated[rule.id] = len(graph)
            for message, urn in unknown:
                # As the engine does: a value only known after the update (a preview) keeps the
                # rule from judging; that is said, as an advisory, never passed over in silence.
                finding = replace(_finding(rule, pack, graph, message, urn), enforcement="advisory")
                if finding.key() not in seen:
                    seen[finding.key()] = finding
                    result.findings.append(finding)
            for message, urn in reported:
                finding = _finding(rule, pack, graph, message, urn)
                if finding.key() in seen:
                    seen[finding.key()].packs.append(pack.name)
                else:
                    seen[finding.key()] = finding
                    result.findings.append(finding)
    return result
