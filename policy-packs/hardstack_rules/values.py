"""Property values as rules receive them, under the Pulumi engine and offline alike.

The Pulumi engine marshals a resource's properties into a protobuf Struct; pulumi_policy's
server deserialises them and wraps every list and dict in its own proxy classes
(`pulumi_policy.proxy._ListProxy` / `_DictProxy`: a `collections.abc.Sequence` / `Mapping`, NOT
a list or dict) that raise `UnknownValueError` when a value unknown during `pulumi preview` is
read. Numbers arrive as floats. hardstack's offline runner hands rules the same proxies, so:

- test kinds with `is_map` / `is_list`, never `isinstance(x, dict | list)`;
- call `plain()` before anything that needs a real list or dict: `json.dumps`, `+`, `==` with a
  list, `str()`, or copying (it reads every element, so an unknown raises as the SDK expects);
- format numbers in messages with `number()` (`90`, not `90.0`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def plain(value: Any) -> Any:
    """`value` with every proxy (and any other Mapping or Sequence) turned into dicts and lists."""
    if is_map(value):
        return {key: plain(value[key]) for key in value}
    if is_list(value):
        return [plain(item) for item in value]
    return value


def number(value: Any) -> str:
    """A number for a message: whole floats without their '.0' (the engine sends every number as a float)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
