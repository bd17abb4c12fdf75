"""Time `hardstack check`: validate, render, policies and checkov, per stack and for many stacks.

Run: .venv/bin/python benchmarks/check.py [--copies N]
The many-stacks case checks N renamed copies of every example stack in one run (one checkov
start), to show how the cost grows with the number of stacks.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from pathlib import Path

from hardstack.check import run_check

ROOT = Path(__file__).resolve().parents[1]


def timed_check(files: list[Path]) -> None:
    started = time.perf_counter()
    report = run_check(files)
    wall = time.perf_counter() - started
    validate = sum(s.validate_seconds for s in report.stacks)
    render = sum(s.render_seconds for s in report.stacks)
    policies = sum(s.policy_seconds for s in report.stacks)
    print(f"  {len(files)} stack(s): wall {wall:.2f}s = validate {validate:.2f}s + render {render:.2f}s + "
          f"policies {policies:.2f}s + checkov {report.checkov_seconds:.2f}s in {report.checkov_runs} run(s) "
          f"+ other; exit {report.exit_code}")
    if len(files) > 6:
        return
    for s in report.stacks:
        passed = len(s.checkov.distinct_passed) if s.checkov else 0
        print(f"    {s.stack:<16} {len(s.graph) if s.graph else 0:>4} resources  validate {s.validate_seconds:.3f}s  "
              f"render {s.render_seconds:.2f}s  policies {s.policy_seconds:.2f}s "
              f"({s.policy.rules_evaluated if s.policy else 0} rules)  checkov passed {passed:>3} distinct  "
              f"failed {len(s.failed)}  exempted {len(s.exempted)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=10)
    args = parser.parse_args()
    stacks = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
    print("each example stack alone:")
    for file in stacks:
        timed_check([file])
    print("all example stacks together:")
    timed_check(stacks)
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for file in stacks:
            text = file.read_text()
            name = re.search(r"^\s+name: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
            for i in range(args.copies):
                copy = Path(tmp) / f"Pulumi.{name}-{i}.yaml"
                renamed = f"{name[:24]}-{i}"
                copy.write_text(text.replace(f"name: {name}", f"name: {renamed}", 1)
                                .replace(f"resource: {name}\n", f"resource: {renamed}\n"))
                copies.append(copy)
        print(f"{len(copies)} stacks ({args.copies} copies of each example):")
        timed_check(copies)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
