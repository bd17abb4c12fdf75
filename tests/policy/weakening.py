"""Weakening a rendered example one setting at a time, and judging it with the stack's packs:
shared by the weakened-example tests of every cloud.

A weakening mutates a copy of the graph and returns the name of the resource the named rule
must then fail on ("" where the rule reports no resource)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hardstack.findings import Finding
from hardstack.policy import apply_exemptions, evaluate
from hardstack.render import Graph, Resource
from hardstack.rules.packs import packs_for
from hardstack.spec import LoadedSpec

Weakening = Callable[[Graph], str]


def first(graph: Graph, token: str, name_part: str = "") -> Resource:
    return next(r for r in graph if r.type == token and name_part in r.name)


def edit_input(token: str, key: str, change: Callable[[Any], Any], name_part: str = "") -> Weakening:
    def mutate(graph: Graph) -> str:
        res = first(graph, token, name_part)
        res.inputs[key] = change(copy.deepcopy(res.inputs.get(key)))
        return res.name
    return mutate


def set_input(token: str, key: str, value: Any, name_part: str = "") -> Weakening:
    return edit_input(token, key, lambda _: value, name_part)


def drop(token: str, name_part: str = "", blamed: Callable[[Graph], str] | None = None) -> Weakening:
    def mutate(graph: Graph) -> str:
        res = first(graph, token, name_part)
        name = blamed(graph) if blamed else ""
        graph.resources.remove(res)
        return name
    return mutate


def blame(mutate: Weakening, who: Callable[[Graph], str]) -> Weakening:
    """The same weakening, with the finding expected on another resource (a stack rule's subject)."""
    def run(graph: Graph) -> str:
        mutate(graph)
        return who(graph)
    return run


def named(token: str, name_part: str = "") -> Callable[[Graph], str]:
    return lambda graph: first(graph, token, name_part).name


def findings(loaded: LoadedSpec, graph: Graph) -> list[Finding]:
    """Every finding of the packs the spec calls for, exemptions applied."""
    result = evaluate(graph, packs_for(loaded.environment.compliance))
    return apply_exemptions(result.findings, loaded.environment, graph)


def weaken(loaded: LoadedSpec, graph: Graph, weakening: Weakening,
           rule_id: str) -> tuple[str, list[Finding], list[Finding]]:
    """Apply `weakening` to a copy of `graph`: (blamed resource, failures of `rule_id`, all failures)."""
    weakened = copy.deepcopy(graph)
    blamed = weakening(weakened)
    failed = [f for f in findings(loaded, weakened) if f.status == "failed"]
    return blamed, [f for f in failed if f.rule_id == rule_id], failed
