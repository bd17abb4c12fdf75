"""Finding stack files and writing outputs without losing anything the user had."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

DEFAULT_STACKS_DIR = Path("stacks")


def stack_files(paths: tuple[Path, ...], stacks_dir: Path = DEFAULT_STACKS_DIR) -> list[Path]:
    """Expand FILES-or-DIRS into stack files; default: every stack under ./stacks."""
    if not paths:
        if not stacks_dir.is_dir():
            raise click.UsageError(
                f"no stack files: there is no {stacks_dir}/ directory here; pass stack files, "
                "or run from the project root (create a stack with 'hardstack new NAME')"
            )
        paths = (stacks_dir,)
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("Pulumi.*.yaml")))
        else:
            found.append(path)
    if not found:
        where = ", ".join(str(p) for p in paths)
        raise click.UsageError(
            f"no stack files (Pulumi.*.yaml) in {where}; create one with 'hardstack new NAME'"
        )
    return found


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step, so an interrupted write never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
