"""Packs are selections of rules plus configuration. Each pack directory's __main__.py calls
`serve(name)`; `hardstack check` uses `PACKS` directly, with the same selections and config.

Every served rule's config entry states its enforcement level (`Pack.entry`): an entry without
one would be read by the Pulumi CLI as protobuf's default, advisory, whatever the policy says.
`hardstack check` reads the same entries (`Pack.enforcement`, `Pack.rule_config`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import rules
from .rule import Rule


@dataclass(frozen=True)
class Pack:
    name: str
    description: str
    select: Callable[[Rule], bool]
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def rules(self) -> list[Rule]:
        return [r for r in rules() if self.select(r)]

    def enforcement(self, rule: Rule) -> str:
        """The level at every gate: the pack's config entry if it names one, else advisory for
        low severity (deliberate but risky choices) and mandatory for everything else."""
        given = self.config.get(rule.id, {}).get("enforcementLevel")
        return str(given) if given else ("advisory" if rule.severity == "low" else "mandatory")

    def rule_config(self, rule: Rule) -> dict[str, Any]:
        """The rule's properties: schema defaults, then the pack's settings."""
        given = {k: v for k, v in self.config.get(rule.id, {}).items() if k != "enforcementLevel"}
        return {**rule.defaults(), **given}

    def entry(self, rule: Rule) -> dict[str, Any]:
        """The rule's served config entry: its enforcement level, always, and the pack's settings."""
        return {**self.rule_config(rule), "enforcementLevel": self.enforcement(rule)}


PACKS: dict[str, Pack] = {
    "baseline": Pack(
        "baseline", "hardstack baseline for hardened AI environments (all clouds)",
        select=lambda r: r.cloud != "any",
    ),
    "hipaa": Pack(
        "hipaa", "HIPAA Security Rule (45 CFR 164.308-316) controls for AI environments",
        select=lambda r: "hipaa" in r.controls,
        # Each entry states its level, as served (Pack.entry adds it for rules without an entry).
        config={
            "aws-kms-rotation-period": {"enforcementLevel": "mandatory", "maximumDays": 90},
            "aws-logs-retention": {"enforcementLevel": "mandatory", "minimumDays": 2190},
            "azure-key-rotation-period": {"enforcementLevel": "mandatory", "maximumDays": 90},
            "azure-log-analytics-retention": {"enforcementLevel": "mandatory", "minimumDays": 2190},
            "gcp-kms-rotation-period": {"enforcementLevel": "mandatory", "maximumDays": 90},
            "gcp-log-bucket-retention": {"enforcementLevel": "mandatory", "minimumDays": 2190},
            # HIPAA evidence must be tamper-evident: locked (irreversible) retention on audit
            # logs, model artifacts and access logs.
            "gcp-log-bucket-locked": {"enforcementLevel": "mandatory", "requireLock": True},
            "gcp-storage-write-once": {"enforcementLevel": "mandatory", "requireLock": True},
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

    from .gate import EXEMPTIONS_POLICY, Gate, listen_for_stack_config

    pack = PACKS[name]
    gate = Gate()
    listen_for_stack_config(gate)
    initial: dict[str, Any] = {
        r.id: {**pack.entry(r), "enforcementLevel": EnforcementLevel(pack.enforcement(r))} for r in pack.rules()}
    initial[EXEMPTIONS_POLICY] = {"enforcementLevel": EnforcementLevel.ADVISORY}
    PolicyPack(
        name=f"hardstack-{name}",
        description=pack.description,
        policies=[*(r.policy(EnforcementLevel(pack.enforcement(r)), gate) for r in pack.rules()), gate.policy()],
        initial_config=initial,
    )
