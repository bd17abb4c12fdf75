"""The offline renderer drops resource aliases (hardstack/render/engine.py): the graph must not
change, and the SDK must no longer turn aliases into URNs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi.resource
import pytest

from hardstack.render import engine, render
from hardstack.spec import load

AZURE = Path(__file__).resolve().parents[1] / "stacks" / "Pulumi.azure-prod-eu.yaml"


def _count_collapses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = pulumi.resource.collapse_alias_to_urn

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(pulumi.resource, "collapse_alias_to_urn", counting)
    return calls


def test_graphs_are_identical_with_and_without_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load(AZURE)
    dropped = render(loaded).graph.to_dict()
    calls = _count_collapses(monkeypatch)
    monkeypatch.setattr(engine, "_without_aliases", lambda _args: None)
    kept = render(loaded).graph.to_dict()
    assert calls[0] > 500, "azure-native resources should carry aliases for earlier API versions"
    assert dropped == kept


def test_the_renderer_resolves_no_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_collapses(monkeypatch)
    graph = render(load(AZURE)).graph
    assert len(graph) > 50
    assert calls[0] == 0
