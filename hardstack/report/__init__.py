"""Check results as text, JSON, SARIF (code scanning), JUnit XML (CI test views) and Markdown
(a CI job summary), all seen through the same gates (hardstack/report/gates.py)."""

from __future__ import annotations

from collections.abc import Callable

from hardstack.check import CheckReport
from hardstack.report.gates import Verdict
from hardstack.report.json_report import to_json
from hardstack.report.junit import to_junit
from hardstack.report.markdown import to_markdown
from hardstack.report.sarif import to_sarif
from hardstack.report.text import to_text

Renderer = Callable[[CheckReport | Verdict], str]
FORMATS: dict[str, Renderer] = {
    "text": to_text, "json": to_json, "sarif": to_sarif, "junit": to_junit, "markdown": to_markdown,
}
# What `--output-dir DIR` writes, one file per format.
FILE_NAMES = {"text": "hardstack.txt", "json": "hardstack.json", "sarif": "hardstack.sarif",
              "junit": "hardstack.junit.xml", "markdown": "hardstack.md"}
# What `--output FILE` alone means when no --format is given: the file's extension decides.
EXTENSIONS = {".txt": "text", ".json": "json", ".sarif": "sarif", ".xml": "junit", ".md": "markdown"}

__all__ = ["EXTENSIONS", "FILE_NAMES", "FORMATS", "Verdict"]
