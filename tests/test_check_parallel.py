"""Stacks render in worker processes (hardstack/pipeline/pool.py) with the verdict they get in
one process; a worker that dies costs its stack a clear error, never the check."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hardstack.check import run_check
from hardstack.pipeline import pool
from hardstack.spec import load

REPO = Path(__file__).resolve().parents[1]
STACKS = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))


def test_workers_give_the_verdict_and_graphs_of_one_process() -> None:
    serial = run_check(STACKS, with_checkov=False, workers=1)
    parallel = run_check(STACKS, with_checkov=False, workers=2)
    assert [s.stack for s in parallel.stacks] == [s.stack for s in serial.stacks]
    for one, many in zip(serial.stacks, parallel.stacks, strict=True):
        assert one.graph is not None and many.graph is not None, (one.render_error, many.render_error)
        assert one.graph.to_dict() == many.graph.to_dict()
        assert [(f.rule_id, f.status, f.resource_urn, f.line) for f in one.findings] == \
               [(f.rule_id, f.status, f.resource_urn, f.line) for f in many.findings]
        assert one.export is not None and many.export is not None and one.export.text == many.export.text
    assert parallel.exit_code == serial.exit_code


def _jobs() -> list[pool.Job]:
    loaded = [load(f) for f in STACKS]
    return [pool.Job(i, spec.environment, spec.stack) for i, spec in enumerate(loaded)]


def test_a_dead_worker_costs_its_stacks_an_error_not_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # Workers that exit at once, as a worker killed by the kernel would.
    monkeypatch.setattr(pool, "WORKER", [sys.executable, "-c", "import sys; sys.exit(3)"])
    jobs = _jobs()
    results = dict(pool.run_parallel(jobs, workers=2))
    assert sorted(results) == [j.index for j in jobs]
    for job in jobs:
        error = results[job.index].render_error
        assert error is not None and job.stack in error and "--workers 1" in error
    assert any("exited with code 3" in (w.render_error or "") for w in results.values())


def test_a_worker_keeps_to_the_clouds_it_has_loaded() -> None:
    jobs = _jobs()
    assert sorted(j.cloud for j in jobs) == ["aws"] * 3 + ["azure"] * 4 + ["gcp"] * 4, \
        "examples changed"
    worker = pool._Worker(0, None, clouds={"azure"})  # type: ignore[arg-type]
    pending = list(jobs)
    job = pool._next_job(worker, pending)
    assert job is not None and job.cloud == "azure" and job not in pending
    # A worker with no cloud loaded yet takes the cloud with the most stacks left.
    fresh = pool._Worker(1, None)  # type: ignore[arg-type]
    job = pool._next_job(fresh, [j for j in jobs if j.cloud != "azure"])
    assert job is not None and job.cloud == "gcp"


def test_many_stacks_are_scanned_by_several_checkovs_with_the_verdict_of_one(tmp_path: Path) -> None:
    from hardstack.pipeline import judge

    reports = run_check(STACKS, with_checkov=False, workers=1)
    exports = [s.export for s in reports.stacks if s.export is not None]
    graphs = {s.stack: s.graph for s in reports.stacks if s.graph is not None}
    one = judge.judge(exports, graphs, [], cache=None)
    two = judge.judge(exports, graphs, [judge.PrestartedCheckov(), judge.PrestartedCheckov()], cache=None)
    assert (one.runs, two.runs) == (1, 2)
    assert set(one.results) == set(two.results) == set(graphs)
    for stack in graphs:
        assert one.results[stack].passed == two.results[stack].passed
        # checkov runs graph checks concurrently: the order of its results varies from run to run
        assert sorted(f.key() for f in one.results[stack].findings) == \
               sorted(f.key() for f in two.results[stack].findings)
    assert judge.checkov_processes(5, 2) == 1 and judge.checkov_processes(100, 2) == 2
