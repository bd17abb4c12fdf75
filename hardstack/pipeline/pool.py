"""Run stacks' work in worker processes, one per core.

Workers are fresh interpreters (`python -m hardstack.pipeline.worker`, the `spawn` model): Pulumi's
runtime state is global, so no threads, and a process forked after a render deadlocked in a
prototype. Each cloud's SDK costs seconds to import in every process that renders it, so a
worker keeps to the clouds it has already loaded while they have stacks left (affinity), and
otherwise takes the cloud with most stacks left.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from hardstack.pipeline.work import StackWork, do_work
from hardstack.spec.models import Environment

# The worker command; tests replace it with one that dies.
WORKER = [sys.executable, "-m", "hardstack.pipeline.worker"]


@dataclass
class Job:
    index: int
    env: Environment
    stack: str

    @property
    def cloud(self) -> str:
        return self.env.cloud


@dataclass
class _Worker:
    number: int
    process: subprocess.Popen[bytes]
    clouds: set[str] = field(default_factory=set)
    busy: list[Job] = field(default_factory=list)  # handed out, in order; the first is being worked on


def _read(number: int, stream: IO[bytes], results: queue.Queue[tuple[int, Any]]) -> None:
    """Hand each result the worker writes to the main loop; None when the worker is gone."""
    with contextlib.suppress(EOFError, OSError, pickle.UnpicklingError):
        while True:
            results.put((number, pickle.load(stream)))
    results.put((number, None))


def _counts(jobs: list[Job]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for j in jobs:
        counts[j.cloud] = counts.get(j.cloud, 0) + 1
    return counts


def _next_job(worker: _Worker, pending: list[Job]) -> Job | None:
    if not pending:
        return None
    familiar = [j for j in pending if j.cloud in worker.clouds]
    if familiar:
        job = familiar[0]
    else:
        counts = _counts(pending)
        cloud = max(sorted(counts), key=lambda c: counts[c])
        job = next(j for j in pending if j.cloud == cloud)
    pending.remove(job)
    return job


# Jobs a worker holds at once: the one it works on and the next, so that it never waits for the
# main process to take in a result (writing the cache) before it can start on another.
IN_FLIGHT = 2


def _dispatch(worker: _Worker, pending: list[Job]) -> None:
    while len(worker.busy) < IN_FLIGHT:
        job = _next_job(worker, pending)
        if job is None:
            return
        worker.busy.append(job)
        assert worker.process.stdin is not None
        worker.clouds.add(job.cloud)
        # A worker that already died: its reader reports the end, and its jobs are reported lost.
        with contextlib.suppress(BrokenPipeError, OSError):
            pickle.dump(job, worker.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            worker.process.stdin.flush()


def _lost(job: Job, why: str) -> StackWork:
    return StackWork(stack=job.stack, render_error=f"stack {job.stack}: {why}; `hardstack check --workers 1` "
                                                   "renders in-process")


def run_parallel(jobs: list[Job], workers: int) -> Iterator[tuple[int, StackWork]]:
    """Yield (job index, work) as each job finishes, in `workers` worker processes."""
    results: queue.Queue[tuple[int, Any]] = queue.Queue()
    pending = list(jobs)
    pool: list[_Worker] = []
    counts = _counts(pending)
    first_clouds = sorted(counts, key=lambda c: (-counts[c], c))
    try:
        for number in range(max(1, min(workers, len(jobs)))):
            process = subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            worker = _Worker(number, process)
            if number < len(first_clouds):  # start each worker on a different cloud
                worker.clouds.add(first_clouds[number])
            pool.append(worker)
            assert process.stdout is not None
            threading.Thread(target=_read, args=(number, process.stdout, results), daemon=True).start()
            _dispatch(worker, pending)
        while any(w.busy for w in pool):
            number, message = results.get()
            worker = pool[number]
            if message is None:  # the worker died (killed, out of memory) with these in hand
                code = worker.process.wait()
                lost, worker.busy = worker.busy, []
                for job in lost:
                    yield job.index, _lost(job, f"the render worker exited with code {code}")
                continue
            worker.busy = [j for j in worker.busy if j.index != message[0]]
            _dispatch(worker, pending)  # before the result is handed on: the worker keeps busy
            yield message
        for job in pending:  # every worker died before these were handed out
            yield job.index, _lost(job, "no render worker was left to render it")
    finally:
        for worker in pool:
            with contextlib.suppress(OSError, ValueError):
                assert worker.process.stdin is not None
                worker.process.stdin.close()
        for worker in pool:
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


def run_serial(jobs: list[Job]) -> Iterator[tuple[int, StackWork]]:
    for job in jobs:
        yield job.index, do_work(job.env, job.stack)


def run(jobs: list[Job], workers: int) -> Iterator[tuple[int, StackWork]]:
    """Every job's work, as each finishes: in this process for one worker or one job."""
    if workers <= 1 or len(jobs) <= 1:
        return run_serial(jobs)
    return run_parallel(jobs, workers)
