"""checkov's verdict on every stack of a check, in one run, reusing cached verdicts.

Only exports whose verdict is not cached are written and scanned; the fresh reports are split
per export file and cached, keyed by the export's text, the installed checkov, the custom
checks and the flags. A stack's checkov results never depend on the other files in the run
(each plan or template is its own graph), which tests/test_check_cache.py pins.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardstack.cache import Store, checkov_key
from hardstack.checkov import runner
from hardstack.checkov.check_ids import fingerprint
from hardstack.checkov.export import FRAMEWORK, ExportedStack, ExportText, write_export
from hardstack.checkov.prestart import PrestartedCheckov
from hardstack.checkov.results import CheckovStackResult, map_results
from hardstack.render.graph import Graph

KIND = "checkov"
RESULT_LISTS = ("passed_checks", "failed_checks", "skipped_checks")


@dataclass
class Judgement:
    results: dict[str, CheckovStackResult] = field(default_factory=dict)  # by stack
    scanned: int = 0  # exports checkov scanned in this run
    reused: int = 0  # exports whose verdict came from the cache
    runs: int = 0
    error: str | None = None


def _flags(export: ExportText) -> list[str]:
    # The scanned directory is a fresh temporary one every run: it does not decide the verdict.
    return runner.arguments(Path("."), [FRAMEWORK[export.format]])[2:]


def _split(reports: list[dict[str, Any]], file_name: str) -> dict[str, Any] | None:
    """One export's share of checkov's reports; None if checkov could not parse it."""
    share: dict[str, Any] = {"reports": []}
    for report in reports:
        results = report.get("results", {})
        if any(Path(str(p)).name == file_name for p in report.get("parsing_errors", []) or []):
            return None
        mine = {status: [item for item in results.get(status, []) or []
                         if Path(str(item.get("file_path", ""))).name == file_name]
                for status in RESULT_LISTS}
        if any(mine.values()):
            share["reports"].append({"check_type": report.get("check_type"), "results": mine,
                                     "summary": {"checkov_version": (report.get("summary") or {})
                                                 .get("checkov_version")}})
    return share


def judge(exports: list[ExportText], graphs: dict[str, Graph], checkov: PrestartedCheckov | None,
          cache: Store | None) -> Judgement:
    """checkov's results for each export's stack. `checkov` is started (or None: start one now)."""
    judgement = Judgement()
    keys: dict[str, str] = {}
    reports: list[dict[str, Any]] = []
    todo: list[ExportText] = []
    if cache is not None:
        checkov_id = fingerprint(runner.executable())
        for e in exports:
            keys[e.stack] = checkov_key(e.text, checkov_id, _flags(e))
            hit = cache.get(KIND, keys[e.stack])
            if hit is None:
                todo.append(e)
            else:
                reports.extend(hit["reports"])
                judgement.reused += 1
    else:
        todo = list(exports)
    with tempfile.TemporaryDirectory(prefix="hardstack-checkov-") as tmp:
        # Every export is written: the mapping reads each stack's file name and addresses.
        scanning = {id(e) for e in todo}
        written: list[ExportedStack] = [write_export(e, Path(tmp) / ("scan" if id(e) in scanning else "reused"))
                                        for e in exports]
        if todo:
            fresh = (checkov or PrestartedCheckov()).scan(Path(tmp) / "scan", [FRAMEWORK[e.format] for e in todo])
            judgement.runs, judgement.scanned = 1, len(todo)
            reports.extend(fresh)
            if cache is not None:
                for e in todo:
                    share = _split(fresh, e.file_name)
                    if share is not None:
                        cache.put(KIND, keys[e.stack], share)
        elif checkov is not None:
            checkov.close()
        judgement.results = map_results(reports, written, graphs)
    return judgement
