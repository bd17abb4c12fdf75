"""checkov started before its input exists, so that its start-up (seconds of imports and check
registries) overlaps the renders instead of following them.

The process runs checkov's own entry point, exactly as its `checkov` console script does, with
the same arguments `runner.run` passes: only the moment the arguments arrive differs, so the
verdict is the one bare checkov gives (tests/checkov/test_checkov_prestart.py).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hardstack.checkov import runner

# checkov's console script, with argv read from standard input once the exports exist (an empty
# line means nothing needed judging), and one difference that changes no result: the garbage
# collector. checkov builds millions of long-lived objects (its checks, registries, graphs) that
# every full collection walks again; collecting less often and freezing what the imports built
# took checkov over the 5 examples from 5.5 s to 3.1 s with identical results
# (tests/checkov/test_checkov_prestart.py compares every result with bare checkov's).
_SERVE = r"""
import gc, json, sys, warnings
gc.set_threshold(50_000, 20, 100)
from checkov.main import Checkov
gc.freeze()
line = sys.stdin.readline()
if not line.strip():
    sys.exit(0)
argv = json.loads(line)
sys.argv = ["checkov", *argv]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    sys.exit(Checkov(argv=argv).run())
"""


def _interpreter(checkov: Path) -> Path | None:
    """The Python a `checkov` console script runs on (its #! line), if it is one."""
    try:
        with checkov.open("rb") as script:
            first = script.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    python = Path(first[2:].decode(errors="replace").strip())
    return python if python.is_file() and "python" in python.name else None


class PrestartedCheckov:
    """One checkov run, started now, given its arguments later with `scan`."""

    def __init__(self) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 closed by close()
        self.process: subprocess.Popen[str] | None = None
        python = _interpreter(runner.executable())
        if python is not None:
            self.process = subprocess.Popen(
                [str(python), "-c", _SERVE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                text=True, env=runner.environment())

    def scan(self, directory: Path, frameworks: list[str], baseline: Path | None = None,
             timeout: float = 900) -> list[dict[str, Any]]:
        """checkov's JSON reports, as `runner.run` returns them for the same arguments."""
        if self.process is None:  # not a Python console script: run it the ordinary way
            return runner.run(directory, frameworks, timeout=timeout, baseline=baseline)
        process, self.process = self.process, None
        argv = runner.arguments(directory, frameworks, baseline)
        try:
            stdout, _ = process.communicate(json.dumps(argv) + "\n", timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise runner.CheckovFailedError(f"checkov did not finish within {timeout:.0f} s") from None
        self._stderr.seek(0)
        return runner.parse(process.returncode, stdout, self._stderr.read())

    def close(self) -> None:
        """Stop a checkov that was never given work: it has judged nothing, so it is killed rather
        than left to finish its start-up."""
        if self.process is not None:
            process, self.process = self.process, None
            process.kill()
            process.communicate()
        self._stderr.close()

    def __enter__(self) -> PrestartedCheckov:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
