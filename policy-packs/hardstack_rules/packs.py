"""Packs are selections of rules plus configuration. Each pack directory's __main__.py calls
`serve(name)`; `hardstack check` uses `PACKS` directly, with the same selections and config."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hardstack_rules import rules
from hardstack_rules.rule import Rule


@dataclass(frozen=True)
class Pack:
    name: str
    description: str
    select: Callable[[Rule], bool]
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def rules(self) -> list[Rule]:
        return [r for r in rules() if self.select(r)]

    def enforcement(self, rule: Rule) -> str:
        return "advisory" if rule.severity == "low" else "mandatory"

    def rule_config(self, rule: Rule) -> dict[str, Any]:
        return {**rule.defaults(), **self.config.get(rule.id, {})}


PACKS: dict[str, Pack] = {
    "baseline": Pack(
        "baseline", "hardstack baseline for hardened AI environments (all clouds)",
        select=lambda r: r.cloud != "any",
    ),
    "hipaa": Pack(
        "hipaa", "HIPAA Security Rule (45 CFR 164.308-316) controls for AI environments",
        select=lambda r: "hipaa" in r.controls,
        config={
            "aws-kms-rotation-period": {"maximumDays": 90},
            "aws-logs-retention": {"minimumDays": 2190},
            "azure-key-rotation-period": {"maximumDays": 90},
            "azure-log-analytics-retention": {"minimumDays": 2190},
            "gcp-kms-rotation-period": {"maximumDays": 90},
            "gcp-log-bucket-retention": {"minimumDays": 2190},
            # HIPAA evidence must be tamper-evident: locked (irreversible) retention on audit
            # logs, model artifacts and access logs.
            "gcp-log-bucket-locked": {"requireLock": True},
            "gcp-storage-write-once": {"requireLock": True},
        },
    ),
    "gdpr": Pack(
        "gdpr", "GDPR articles 5(1)(f), 25, 32 and chapter V controls for AI environments",
        select=lambda r: "gdpr" in r.controls,
    ),
}


def packs_for(frameworks: list[str]) -> list[Pack]:
    """The packs a spec calls for: the baseline, plus one per framework that has a pack."""
    return [PACKS["baseline"], *(PACKS[f] for f in frameworks if f in PACKS)]


def serve(name: str) -> None:
    """Run a pack under the Pulumi policy engine. Blocks: call it only from a pack's __main__."""
    from pulumi_policy import EnforcementLevel, PolicyPack

    pack = PACKS[name]
    PolicyPack(
        name=f"hardstack-{name}",
        description=pack.description,
        policies=[r.policy(EnforcementLevel(pack.enforcement(r))) for r in pack.rules()],
        initial_config={rid: dict(cfg) for rid, cfg in pack.config.items()},
    )
