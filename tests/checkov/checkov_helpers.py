"""Shared by the checkov tests: render the example stacks once, run checkov over exports."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from hardstack.checkov import runner
from hardstack.checkov.export import export
from hardstack.checkov.results import CheckovStackResult, map_results
from hardstack.policy import apply_exemptions
from hardstack.render import Graph, Resource
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"


def judge(graphs: list[Graph]) -> tuple[dict[str, CheckovStackResult], int]:
    """One checkov run over all graphs; (results by stack, runs made)."""
    with tempfile.TemporaryDirectory() as tmp:
        exported = [export(g, Path(tmp)) for g in graphs]
        reports = runner.run(Path(tmp), [e.framework for e in exported])
        return map_results(reports, exported, {g.stack: g for g in graphs}), 1


def first(graph: Graph, token: str, part: str = "") -> Resource:
    return next(r for r in graph if r.type == token and part in r.name)


def setting(token: str, key: str, change: Callable[[object], object], part: str = "") -> Callable[[Graph], str]:
    """Weaken one input of the first matching resource; returns the resource checkov must fail."""
    def mutate(graph: Graph) -> str:
        res = first(graph, token, part)
        res.inputs[key] = change(res.inputs.get(key))
        if res.inputs[key] is None:  # the setting is gone, and with it the reference to the key
            res.propertyDependencies.pop(key, None)
        return res.name
    return mutate


def set_input(token: str, path: str, value: Any, part: str = "") -> Callable[[Graph], str]:
    """Set (None: remove) the input at a "/"-separated path (numbers index lists) of the first
    matching resource; returns the resource checkov must fail."""
    def mutate(graph: Graph) -> str:
        res = first(graph, token, part)
        *parents, last = path.split("/")
        node: Any = res.inputs
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
        return res.name
    return mutate


def passed_by_type(graph: Graph, result: CheckovStackResult, type_of: Mapping[str, str],
                   wanted: Collection[str]) -> dict[str, set[str]]:
    """Exported type (type_of maps Pulumi tokens to it) -> the checks that passed on every resource
    of that type, for the types in `wanted`."""
    by_resource: dict[str, set[str]] = {}
    for check, urn in result.passed:
        by_resource.setdefault(urn, set()).add(check)
    out: dict[str, set[str]] = {}
    for res in graph:
        exported = type_of.get(res.type, "")
        if exported in wanted:
            checks = by_resource.get(res.urn, set())
            out[exported] = checks if exported not in out else out[exported] & checks
    return out


def weakened_failure(judged: tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]],
                     check_id: str) -> tuple[tuple[str, str], list[tuple[str, str | None]]]:
    """What a weakening must fail, (check, resource), and what its weakened copy failed."""
    results, blamed = judged
    stack, resource = blamed[check_id]
    return (check_id, resource), [(f.rule_id, f.resource_name) for f in results[stack].findings]


def unexempted(result: CheckovStackResult, graph: Graph) -> list[tuple[str, str | None]]:
    """(check, resource) of each failure the stack's own exemptions do not cover, matched the way
    `hardstack check` matches them."""
    env = load(STACKS / f"Pulumi.{graph.stack}.yaml").environment
    applied = apply_exemptions(copy.deepcopy(result.findings), env, graph)
    return [(f.rule_id, f.resource_name) for f in applied if f.status != "exempted"]


def exported_count(graph: Graph) -> int:
    return sum(1 for r in graph if r.is_cloud_resource)


def judge_weakened(base: Graph, weakenings: Mapping[str, Callable[[Graph], str]], prefix: str,
                   others: list[Graph]) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    """One checkov run over `others` and a weakened copy of `base` per check id: (results by
    stack, check id -> (weakened stack, resource the check must fail on))."""
    graphs, blamed = list(others), {}
    for index, (check, weaken) in enumerate(sorted(weakenings.items())):
        weak = copy.deepcopy(base)
        weak.stack = f"{prefix}-{index}"
        blamed[check] = (weak.stack, weaken(weak))
        graphs.append(weak)
    results, runs = judge(graphs)
    assert runs == 1
    return results, blamed
