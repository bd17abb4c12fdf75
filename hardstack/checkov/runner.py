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


def run(directory: Path, frameworks: list[str], timeout: float = 900,
        baseline: Path | None = None) -> list[dict[str, Any]]:
    """checkov's JSON reports (one per framework) for every file under `directory`; with
    `baseline`, as checkov reports with `--baseline` (failures the baseline lists dropped)."""
    command = [
        str(executable()), "-d", str(directory), "--framework", *sorted(set(frameworks)),
        # --compact leaves out each result's code block: a third of the JSON to parse, and no field
        # the result mapping reads (check id, resource, file path, name, guideline) changes.
        "-o", "json", "--compact", "--skip-download", "--external-checks-dir", str(CUSTOM_CHECKS),
        *(["--baseline", str(baseline)] if baseline is not None else []),
    ]
    # No update check, no mapping download: checkov makes no network call at all.
    env = {**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE",
           "LOG_LEVEL": "ERROR"}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    if proc.returncode not in (0, 1):
        raise CheckovFailedError(f"checkov exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    try:
        parsed = json.loads(proc.stdout)
    except ValueError as exc:
        raise CheckovFailedError(f"checkov printed no JSON report: {proc.stdout[:500]}{proc.stderr[-500:]}") from exc
    reports = parsed if isinstance(parsed, list) else [parsed]
    return [r for r in reports if isinstance(r, dict) and "results" in r]
