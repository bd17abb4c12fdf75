"""One finding model for every judge (policy rules, checkov): what failed, where, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["failed", "exempted", "passed"]


@dataclass
class Finding:
    source: Literal["policy", "checkov"]
    rule_id: str
    title: str
    severity: str  # low | medium | high | critical
    enforcement: str  # mandatory | advisory
    stack: str
    message: str
    resource_urn: str | None = None
    resource_name: str | None = None
    resource_type: str | None = None
    status: Status = "failed"
    controls: dict[str, list[str]] = field(default_factory=dict)
    remediation: str = ""
    packs: list[str] = field(default_factory=list)
    exemption: dict[str, Any] | None = None
    file: str | None = None
    line: int | None = None

    @property
    def blocking(self) -> bool:
        return self.status == "failed" and self.enforcement == "mandatory"

    def key(self) -> tuple[str, str, str | None, str]:
        return (self.source, self.rule_id, self.resource_urn, self.message)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
