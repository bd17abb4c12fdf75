"""checkov's verdict on every stack of a check, reusing cached verdicts.

Only exports whose verdict is not cached are scanned, by one checkov process, or by one per core
in batches when there are many; the fresh reports are split
per export file and cached, keyed by the export's text, the installed checkov, the custom
checks and the flags. A stack's checkov results never depend on the other files in the run
(each plan or template is its own graph), which tests/test_check_cache.py pins.
"""

from __future__ import annotations

import tempfile
import threading
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
    reused: int = 0  # exports whose verdict came from the cache
    runs: int = 0  # checkov processes that scanned


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


# A checkov process costs seconds to start: a second one pays only when each scans this many.
STACKS_PER_CHECKOV = 16


def checkov_processes(stacks: int, cores: int) -> int:
    """How many checkov processes to scan `stacks` exports with, in parallel."""
    return max(1, min(cores, stacks // STACKS_PER_CHECKOV))


def _batches(todo: list[ExportText], count: int) -> list[list[ExportText]]:
    """`todo` in `count` batches of about equal size (checkov's time grows with the text)."""
    batches: list[list[ExportText]] = [[] for _ in range(count)]
    sizes = [0] * count
    for e in sorted(todo, key=lambda e: -len(e.text)):
        smallest = sizes.index(min(sizes))
        batches[smallest].append(e)
        sizes[smallest] += len(e.text)
    return [b for b in batches if b]


def _scan(checkovs: list[PrestartedCheckov], batches: list[list[ExportText]], root: Path) -> list[dict[str, Any]]:
    """Each batch scanned by its own checkov, all at once (threads only wait on the processes)."""
    started = checkovs + [PrestartedCheckov() for _ in range(len(batches) - len(checkovs))]
    for unused in started[len(batches):]:
        unused.close()
    outcomes: list[list[dict[str, Any]] | BaseException] = [[] for _ in batches]

    def run(i: int) -> None:
        try:
            outcomes[i] = started[i].scan(root / f"scan-{i}", [FRAMEWORK[e.format] for e in batches[i]])
        except BaseException as exc:  # re-raised below, in the caller's thread
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reports: list[dict[str, Any]] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        reports.extend(outcome)
    return reports


def judge(exports: list[ExportText], graphs: dict[str, Graph], checkovs: list[PrestartedCheckov],
          cache: Store | None) -> Judgement:
    """checkov's results for each export's stack. `checkovs` are started already (more are started
    if there are more batches to scan; ones without work are closed)."""
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
        batches = _batches(todo, max(1, len(checkovs))) if todo else []
        batch_of = {id(e): i for i, batch in enumerate(batches) for e in batch}
        written: list[ExportedStack] = [
            write_export(e, Path(tmp) / (f"scan-{batch_of[id(e)]}" if id(e) in batch_of else "reused"))
            for e in exports]
        if todo:
            fresh = _scan(checkovs, batches, Path(tmp))
            judgement.runs = len(batches)
            reports.extend(fresh)
            if cache is not None:
                for e in todo:
                    share = _split(fresh, e.file_name)
                    if share is not None:
                        cache.put(KIND, keys[e.stack], share)
        else:
            for checkov in checkovs:
                checkov.close()
        judgement.results = map_results(reports, written, graphs)
    return judgement
