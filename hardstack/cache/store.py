"""The cache directory: one JSON file per entry, written atomically, never trusted blindly.

Where: $HARDSTACK_CACHE_DIR, else $XDG_CACHE_HOME/hardstack, else ~/.cache/hardstack. An entry
that cannot be read or parsed is a miss (and is removed); a directory that cannot be written
only costs the reuse, never the check.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

# Entries unused this long are removed when a check stores new ones.
MAX_AGE_SECONDS = 30 * 24 * 3600


def default_directory() -> Path:
    configured = os.environ.get("HARDSTACK_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "hardstack"


class Store:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_directory()
        self.misses = 0  # entries not found: the check then writes new ones (and prunes)
        self.write_errors: list[str] = []

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        path = self._path(kind, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError):
            self.misses += 1
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            self.misses += 1
            return None
        with contextlib.suppress(OSError):  # mark it used, so pruning keeps it
            os.utime(path)
        return data

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp",
                                             delete=False) as tmp:
                json.dump({**data, "key": key}, tmp, separators=(",", ":"))
            os.replace(tmp.name, path)
        except OSError as exc:
            self.write_errors.append(f"{path}: {exc.strerror or exc}")
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp.name)

    def prune(self, max_age: float = MAX_AGE_SECONDS) -> int:
        """Remove entries unused for `max_age` seconds; the number removed."""
        cutoff = time.time() - max_age
        removed = 0
        for path in self.directory.glob("*/*/*.json"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed
