"""Check results as text, JSON, SARIF (code scanning) and JUnit XML (CI test views)."""

from __future__ import annotations

from collections.abc import Callable

from hardstack.check import CheckReport
from hardstack.report.json_report import to_json
from hardstack.report.junit import to_junit
from hardstack.report.sarif import to_sarif
from hardstack.report.text import to_text

FORMATS: dict[str, Callable[[CheckReport], str]] = {
    "text": to_text, "json": to_json, "sarif": to_sarif, "junit": to_junit,
}

__all__ = ["FORMATS"]
