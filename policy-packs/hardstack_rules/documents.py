"""Reading IAM-style policy documents (AWS key, bucket, role and endpoint policies).

A document arrives as a JSON string or, under the engine, as pulumi_policy's dict proxy: `parse`
returns plain dicts and lists either way (hardstack_rules.values), so statements can be read,
compared and printed like the JSON they are."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .values import is_list, is_map, plain


def parse(document: Any) -> dict[str, Any] | None:
    """A policy document from a JSON string or dict; None when absent or unreadable."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return None
    return plain(document) if is_map(document) else None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if is_list(value) else [value]


def statements(document: Any) -> Iterator[dict[str, Any]]:
    parsed = parse(document)
    if parsed is None:
        return
    for st in as_list(parsed.get("Statement")):
        if is_map(st):
            yield st


def allows(document: Any) -> Iterator[dict[str, Any]]:
    return (st for st in statements(document) if st.get("Effect") == "Allow")


def wildcard_actions(st: dict[str, Any]) -> list[str]:
    """Actions that grant a whole service or everything: '*', 's3:*', 'kms:*'."""
    found = [a for a in as_list(st.get("Action")) if isinstance(a, str) and (a == "*" or a.endswith(":*"))]
    if "NotAction" in st:
        found.append("NotAction (allows everything not listed)")
    return found


def is_wildcard_principal(st: dict[str, Any]) -> bool:
    principal = st.get("Principal")
    if principal == "*":
        return True
    return is_map(principal) and "*" in as_list(principal.get("AWS"))


def has_condition(st: dict[str, Any]) -> bool:
    return bool(st.get("Condition"))
