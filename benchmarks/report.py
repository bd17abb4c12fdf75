"""What the evidence costs: `hardstack check` against `hardstack check --report-dir DIR` over
the 5 examples, interleaved, as wall time of separate processes (cold cache, medians over
--reps), and the evidence alone timed inside one process per stack (inventory, diagram, page,
summary, bill of materials).

Run: .venv/bin/python benchmarks/report.py [--reps N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARDSTACK = str(Path(sys.executable).parent / "hardstack")
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def _run(args: list[str], cache: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([HARDSTACK, "check", *args, *map(str, STACKS)], cwd=ROOT, capture_output=True,
                          env={**os.environ, "HARDSTACK_CACHE_DIR": str(cache)}, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"hardstack check failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds


def in_process() -> None:
    from hardstack.check import run_check
    from hardstack.evidence.reports import write_reports
    from hardstack.report.gates import Verdict

    verdict = Verdict(run_check(STACKS))
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        write_reports(verdict, Path(out))
        first = time.perf_counter() - start
        start = time.perf_counter()
        write_reports(verdict, Path(out))
        again = time.perf_counter() - start
    print(f"evidence of 5 stacks in one process: {first:.2f} s (with its imports), {again:.2f} s again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    reps = parser.parse_args().reps
    plain: list[float] = []
    evidence: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        for i in range(reps):
            plain.append(_run([], Path(work) / f"plain-{i}"))
            evidence.append(_run(["--report-dir", str(Path(work) / f"evidence-{i}")], Path(work) / f"evidence-{i}-c"))
    p, e = statistics.median(plain), statistics.median(evidence)
    print(f"hardstack check, 5 examples, cold cache, median of {reps}: {p:.2f} s "
          f"(runs: {', '.join(f'{x:.2f}' for x in plain)})")
    print(f"  with --report-dir: {e:.2f} s (runs: {', '.join(f'{x:.2f}' for x in evidence)})")
    print(f"  the evidence costs {e - p:.2f} s: {100 * (e - p) / p:.0f}% of the check (target: under 20%)")
    in_process()


if __name__ == "__main__":
    main()
