"""Reading ARM resources in hardstack's Azure checks (HS_AZ_n): paths into `properties`, ARM's
string booleans, ISO 8601 durations. Not a check itself; the checks import it by module name,
as checkov puts this directory on the import path."""

from __future__ import annotations

import re
from typing import Any

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def get(conf: dict[str, Any], path: str) -> Any:
    """The value at a "/"-separated path ("properties/securityProfile/securityType"), or None."""
    value: Any = conf
    for part in path.split("/"):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def items(conf: dict[str, Any], path: str) -> list[Any]:
    value = get(conf, path)
    return value if isinstance(value, list) else []


def is_true(value: Any) -> bool:
    # ARM templates may carry booleans as JSON booleans or as strings.
    return str(value).lower() == "true"


def is_false(value: Any) -> bool:
    return str(value).lower() == "false"


def days(duration: Any) -> int | None:
    """Days in an ISO 8601 date duration (P90D, P3M, P1Y); months count 30, years 365 days.
    None when it is not one (a time-only duration such as PT1H is not a rotation period)."""
    match = DURATION.match(str(duration or ""))
    if not match or not any(match.groups()):
        return None
    years, months, weeks, day = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + day
