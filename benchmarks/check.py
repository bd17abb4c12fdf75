"""`hardstack check` against bare checkov on the same exports, and the CLI's start-up.

Run: .venv/bin/python benchmarks/check.py [--reps N] [--copies N] [--skip-many]

Everything is measured in this one run, interleaved (bare checkov, cold check, warm check, then
again), as wall time of separate processes, with medians over --reps:
- 5 stacks: the examples; 100 stacks: --copies renamed copies of each example (20 -> 100).
- bare checkov: the checkov console script over the exports of exactly those stacks, with the
  arguments the check passes (hardstack.checkov.runner.arguments) and the custom checks.
- cold: `hardstack check` with an empty cache directory; warm: again, nothing changed (all of
  it is then hardstack's own time: no render and no checkov run).
- peak memory: the largest sum of resident memory over the process and all its children,
  sampled every 20 ms (the check, its render workers and checkov together).
- start-up: `hardstack --help`, `hardstack validate` of one stack, against `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from hardstack.checkov import runner
from hardstack.checkov.export import export
from hardstack.render import render
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[1]
HARDSTACK = [str(Path(sys.executable).parent / "hardstack")]
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak tree memory in bytes, exit code) of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - started
    sampler.join()
    return wall, peak[0], code


def copies_of_examples(directory: Path, copies: int) -> list[Path]:
    """`copies` renamed copies of every example stack (distinct stacks: nothing is reused)."""
    made = []
    for file in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        text = file.read_text()
        name = re.search(r"^\s+name: (\S+)", text, re.M).group(1)  # type: ignore[union-attr]
        for i in range(copies):
            renamed = f"{name[:24]}-{i}"
            copy = directory / f"Pulumi.{renamed}.yaml"
            copy.write_text(text.replace(f"name: {name}", f"name: {renamed}", 1)
                            .replace(f"resource: {name}\n", f"resource: {renamed}\n"))
            made.append(copy)
    return made


def exports_of(stacks: list[Path], directory: Path) -> list[str]:
    frameworks = []
    for file in stacks:
        frameworks.append(export(render(load(file)).graph, directory).framework)
    return frameworks


def compare(label: str, stacks_dir: Path, stacks: list[Path], reps: int, work: Path) -> None:
    exports = work / f"exports-{len(stacks)}"
    frameworks = exports_of(stacks, exports)
    bare = [str(runner.executable()), *runner.arguments(exports, frameworks)]
    check = [*HARDSTACK, "check", str(stacks_dir), "--soft-fail", "--format", "json", "-o", str(work / "r.json")]
    rows: dict[str, list[tuple[float, int]]] = {"bare checkov": [], "check, cold cache": [], "check, warm cache": []}
    for rep in range(reps):
        cache = work / f"cache-{len(stacks)}-{rep}"
        for name, command, env in (("bare checkov", bare, runner.environment()),
                                   ("check, cold cache", check, {"HARDSTACK_CACHE_DIR": str(cache)}),
                                   ("check, warm cache", check, {"HARDSTACK_CACHE_DIR": str(cache)})):
            wall, peak, code = timed(command, env)
            if code not in (0, 1):
                raise SystemExit(f"{name} exited {code}: {' '.join(command)}")
            rows[name].append((wall, peak))
        shutil.rmtree(cache, ignore_errors=True)
    base = statistics.median(w for w, _ in rows["bare checkov"])
    print(f"{label}: {len(stacks)} stacks, median of {reps}")
    for name, runs in rows.items():
        wall = statistics.median(w for w, _ in runs)
        peak = max(p for _, p in runs) / 2**20
        print(f"  {name:<18} {wall:7.2f} s  ({wall / base:4.2f}x bare checkov)  peak {peak:6.0f} MiB  "
              f"runs: {', '.join(f'{w:.2f}' for w, _ in runs)}")


def startup(reps: int) -> None:
    one = str(ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml")
    commands = {"python -c pass": [sys.executable, "-c", "pass"], "hardstack --help": [*HARDSTACK, "--help"],
                "hardstack validate (1 stack)": [*HARDSTACK, "validate", one]}
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(reps):
        for name, command in commands.items():
            walls[name].append(timed(command)[0])
    print(f"start-up: median of {reps}")
    for name, runs in walls.items():
        print(f"  {name:<28} {statistics.median(runs):6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--copies", type=int, default=20, help="copies of each example for the many-stacks case")
    parser.add_argument("--skip-many", action="store_true", help="only the 5 examples and the start-up")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; checkov {runner.executable()}")
    startup(max(args.reps, 5))
    with tempfile.TemporaryDirectory(prefix="hardstack-bench-") as tmp:
        work = Path(tmp)
        compare("examples", ROOT / "stacks", sorted((ROOT / "stacks").glob("Pulumi.*.yaml")), args.reps, work)
        if not args.skip_many:
            many = work / "stacks"
            many.mkdir()
            compare("copies", many, copies_of_examples(many, args.copies), args.reps, work)


if __name__ == "__main__":
    main()
