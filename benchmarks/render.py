"""Time validation and offline rendering of every example stack.

Run: .venv/bin/python benchmarks/render.py [--repeat N]
Prints, per stack: resources (all / cloud), validate time, first render (includes the cloud
SDK imports) and the median of repeated renders in the same process.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from hardstack.render import render
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'stack':<20} {'resources':>9} {'cloud':>6} {'validate':>9} {'first':>8} {'median':>8}")
    for file in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        started = time.perf_counter()
        loaded = load(file)
        validate_s = time.perf_counter() - started
        first = render(loaded)
        times = [render(loaded).seconds for _ in range(args.repeat)]
        graph = first.graph
        print(f"{loaded.stack:<20} {len(graph):>9} {sum(r.custom for r in graph):>6} "
              f"{validate_s * 1000:>7.1f}ms {first.seconds:>7.2f}s {statistics.median(times):>7.2f}s")


if __name__ == "__main__":
    main()
