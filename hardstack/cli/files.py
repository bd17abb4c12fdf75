"""Finding stack files and writing outputs without losing anything the user had."""

from __future__ import annotations

import os
from pathlib import Path

import click

DEFAULT_STACKS_DIR = Path("stacks")


class OutputError(click.ClickException):
    """A file hardstack was asked to write could not be written: exit 2, like any failure to do
    what was asked (hardstack.exit_codes.EXIT_STATUS)."""

    exit_code = 2


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
    """Replace `path` in one step, so an interrupted write never leaves half a file.

    Click's atomic file writes a temporary file beside the target and renames it over: a new file
    gets the usual mode (0666 less the umask, so 0644 under umask 022), a replaced file keeps its
    mode. (A tempfile.mkstemp file would be 0600 whatever the umask.)
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # An absolute path, so a file named '-' is a file, not standard output.
        with click.open_file(os.fspath(path.absolute()), "w", encoding="utf-8", atomic=True) as handle:
            handle.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
