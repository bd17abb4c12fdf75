"""Reading checkov's parsed values: Terraform attributes arrive wrapped in lists."""

from __future__ import annotations

from typing import Any


def first(value: Any) -> Any:
    """checkov wraps plan and HCL values in one-element lists; unwrap one level."""
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def block(conf: dict[str, Any], name: str) -> dict[str, Any]:
    found = first(conf.get(name))
    return found if isinstance(found, dict) else {}
