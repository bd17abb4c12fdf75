"""Shared by the state-export and preview tests: the real Pulumi files and variants of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "pulumi"


def raw(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def write(tmp_path: Path, data: Any, name: str) -> Path:
    """`data` (JSON-encoded unless it is text already) as the file `name` in `tmp_path`."""
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def without_defaults(value: Any) -> Any:
    """`value` without the bridge's `__defaults` bookkeeping keys, at every depth."""
    if isinstance(value, dict):
        return {k: without_defaults(v) for k, v in value.items() if k != "__defaults"}
    if isinstance(value, list):
        return [without_defaults(v) for v in value]
    return value
