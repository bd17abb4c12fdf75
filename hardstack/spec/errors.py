"""Spec problems as users see them: file, line, field path, what is wrong and what fits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SpecIssue:
    file: Path
    line: int  # 1-based; 0 when the file could not be read at all
    field: str  # dotted path inside hardstack:environment, e.g. workloads[0].confidential
    message: str

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.field or '<spec>'}: {self.message}"


class SpecError(Exception):
    """Raised when a stack file does not hold a valid environment spec."""

    def __init__(self, issues: list[SpecIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(i.format() for i in issues))


def dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
