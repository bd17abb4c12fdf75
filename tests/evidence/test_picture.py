"""The README's picture stays current: the committed SVG was drawn from the Graphviz source the
AWS example renders to today (`make picture` redraws it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from hardstack.evidence.inventory import inventory
from hardstack.evidence.picture import EXAMPLE, drawn_from, picture, source_digest
from hardstack.render.graph import Graph
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[2]
PICTURE = ROOT / "docs" / "aws-prod-eu.svg"


def _example(example_graph: Callable[[Path], Graph]) -> str:
    held = inventory(example_graph(ROOT / EXAMPLE), region=load(ROOT / EXAMPLE).environment.region)
    return source_digest(held)


def test_the_committed_picture_shows_what_the_example_renders_to(example_graph: Callable[[Path], Graph]) -> None:
    text = PICTURE.read_text(encoding="utf-8")
    assert drawn_from(text) == _example(example_graph), "the README's picture is stale: run `make picture`"
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag.endswith("svg")


def test_the_readme_shows_the_picture() -> None:
    assert "](docs/aws-prod-eu.svg)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_changed_environment_changes_the_digest(example_graph: Callable[[Path], Graph]) -> None:
    graph = example_graph(ROOT / EXAMPLE)
    before = source_digest(inventory(graph))
    graph.resources = [r for r in graph.resources if r.type != "aws:kms/key:Key"]
    assert source_digest(inventory(graph)) != before
    assert drawn_from(picture(inventory(graph))) == source_digest(inventory(graph))
