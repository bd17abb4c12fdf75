"""What the policy packs found on one stack: importable without pulumi_policy, so that a result
read back from the cache costs nothing to hold."""

from __future__ import annotations

from dataclasses import dataclass, field

from hardstack.findings import Finding


@dataclass
class PolicyResult:
    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[str, int] = field(default_factory=dict)  # rule id -> resources checked

    @property
    def rules_evaluated(self) -> int:
        return len(self.evaluated)
