"""Run checkov once over every exported stack, from its own isolated environment, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import hardstack

CUSTOM_CHECKS = Path(__file__).resolve().parent / "custom_checks"
PROJECT_CHECKOV = Path(hardstack.__file__).resolve().parents[1] / ".checkov-venv" / "bin" / "checkov"


class CheckovMissingError(Exception):
    pass


class CheckovFailedError(Exception):
    pass


def executable() -> Path:
    """HARDSTACK_CHECKOV, else the project's isolated environment (made by `make setup`), else PATH."""
    configured = os.environ.get("HARDSTACK_CHECKOV")
    candidates = [Path(configured)] if configured else [PROJECT_CHECKOV]
    found = shutil.which("checkov")
    if not configured and found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise CheckovMissingError(
        "checkov not found: run `make setup` (it creates .checkov-venv with checkov 3.3.x), "
        "or point HARDSTACK_CHECKOV at a checkov executable"
    )


def arguments(directory: Path, frameworks: list[str], baseline: Path | None = None) -> list[str]:
    """checkov's command-line arguments, after the executable: every gate (the check, a
    pre-started checkov, the benchmark's bare run) passes exactly these."""
    return [
        "-d", str(directory), "--framework", *sorted(set(frameworks)),
        # --compact leaves out each result's code block: a third of the JSON to parse, and no field
        # the result mapping reads (check id, resource, file path, name, guideline) changes.
        "-o", "json", "--compact", "--skip-download", "--external-checks-dir", str(CUSTOM_CHECKS),
        *(["--baseline", str(baseline)] if baseline is not None else []),
    ]


def environment() -> dict[str, str]:
    # No update check, no mapping download: checkov makes no network call at all.
    return {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}


def parse(returncode: int, stdout: str, stderr: str) -> list[dict[str, Any]]:
    """checkov's JSON reports (one per framework) from a finished run's exit code and output."""
    if returncode not in (0, 1):
        raise CheckovFailedError(f"checkov exited {returncode}: {stderr.strip()[-2000:]}")
    try:
        parsed = json.loads(stdout)
    except ValueError as exc:
        raise CheckovFailedError(f"checkov printed no JSON report: {stdout[:500]}{stderr[-500:]}") from exc
    reports = parsed if isinstance(parsed, list) else [parsed]
    return [r for r in reports if isinstance(r, dict) and "results" in r]


def run(directory: Path, frameworks: list[str], timeout: float = 900,
        baseline: Path | None = None) -> list[dict[str, Any]]:
    """checkov's JSON reports (one per framework) for every file under `directory`; with
    `baseline`, as checkov reports with `--baseline` (failures the baseline lists dropped)."""
    command = [str(executable()), *arguments(directory, frameworks, baseline)]
    proc = subprocess.run(command, capture_output=True, text=True, env=environment(), timeout=timeout, check=False)
    return parse(proc.returncode, proc.stdout, proc.stderr)
