"""Shared by the checkov tests: render the example stacks once, run checkov over exports."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hardstack.checkov import runner
from hardstack.checkov.export import export
from hardstack.checkov.results import CheckovStackResult, map_results
from hardstack.render import Graph

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "stacks"


def judge(graphs: list[Graph]) -> tuple[dict[str, CheckovStackResult], int]:
    """One checkov run over all graphs; (results by stack, runs made)."""
    with tempfile.TemporaryDirectory() as tmp:
        exported = [export(g, Path(tmp)) for g in graphs]
        reports = runner.run(Path(tmp), [e.framework for e in exported])
        return map_results(reports, exported, {g.stack: g for g in graphs}), 1
