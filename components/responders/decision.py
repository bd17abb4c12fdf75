"""The shape every containment responder shares, on every cloud: a finding parsed from the
cloud's own format, the settings the environment deployed the responder with, the decision
taken from both, and the report of what was done.

Standard library only: this module is shipped into the cloud functions beside the responder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

SEVERITY_ORDER = ("low", "medium", "high", "critical")
MODES = ("isolate", "notify")

Outcome = Literal["ignore", "report", "isolate"]
Status = Literal["done", "already", "planned", "failed"]

# The function's configuration, set by the component from the spec's monitoring.response.
ENVIRONMENT = "HARDSTACK_ENVIRONMENT"
MODE = "HARDSTACK_RESPONSE_MODE"
MIN_SEVERITY = "HARDSTACK_MIN_SEVERITY"
DRY_RUN = "HARDSTACK_DRY_RUN"


class SettingsError(ValueError):
    """The function was deployed with configuration it cannot act on."""


@dataclass(frozen=True)
class Settings:
    environment: str
    mode: str = "isolate"
    min_severity: str = "high"
    dry_run: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        environment = env.get(ENVIRONMENT, "").strip()
        if not environment:
            raise SettingsError(f"{ENVIRONMENT} is not set: the responder cannot tell its environment's resources")
        mode = env.get(MODE, "isolate").strip().lower()
        if mode not in MODES:
            raise SettingsError(f"{MODE}={mode!r}: use one of {', '.join(MODES)}")
        severity = env.get(MIN_SEVERITY, "high").strip().lower()
        if severity not in SEVERITY_ORDER:
            raise SettingsError(f"{MIN_SEVERITY}={severity!r}: use one of {', '.join(SEVERITY_ORDER)}")
        dry_run = env.get(DRY_RUN, "false").strip().lower()
        if dry_run not in ("true", "false"):
            raise SettingsError(f"{DRY_RUN}={dry_run!r}: use true or false")
        return cls(environment, mode, severity, dry_run == "true")

    def as_env(self) -> dict[str, str]:
        """The function's environment variables for these settings (the inverse of from_env)."""
        return {ENVIRONMENT: self.environment, MODE: self.mode, MIN_SEVERITY: self.min_severity,
                DRY_RUN: "true" if self.dry_run else "false"}


@dataclass(frozen=True)
class Finding:
    """A threat detection finding about one workload, in the cloud's terms."""

    id: str
    severity: str  # one of SEVERITY_ORDER, mapped from the cloud's own scale by the parser
    title: str
    resource: str  # the workload's id in the cloud (instance id, instance name, VM resource id)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str


def decide(finding: Finding, settings: Settings, environment: str | None) -> Decision:
    """What to do about a finding, given the environment the workload's tags or labels name
    (None when it has none, or when the workload no longer exists)."""
    if SEVERITY_ORDER.index(finding.severity) < SEVERITY_ORDER.index(settings.min_severity):
        return Decision("ignore", f"severity {finding.severity} is below the threshold {settings.min_severity}")
    if environment != settings.environment:
        whose = f"environment {environment!r}" if environment else "no environment (or no longer exists)"
        return Decision("ignore", f"{finding.resource} belongs to {whose}, not {settings.environment!r}")
    if settings.mode == "notify":
        return Decision("report", "mode notify: the finding and what isolation would do are reported")
    if settings.dry_run:
        return Decision("report", "dry run: what isolation would do is reported, nothing is changed")
    return Decision("isolate", f"{finding.severity} finding about a workload of {settings.environment}")


@dataclass(frozen=True)
class Action:
    name: str  # e.g. quarantine-network, revoke-sessions, snapshot
    target: str
    status: Status
    detail: str = ""


@dataclass
class Report:
    finding: Finding
    decision: Decision
    environment: str
    actions: list[Action] = field(default_factory=list)

    def add(self, name: str, target: str, status: Status, detail: str = "") -> None:
        self.actions.append(Action(name, target, status, detail))

    @property
    def changed(self) -> bool:
        return any(a.status == "done" for a in self.actions)

    def subject(self) -> str:
        verb = {"isolate": "isolated", "report": "would isolate", "ignore": "ignored"}[self.decision.outcome]
        return f"[hardstack {self.environment}] {verb} {self.finding.resource} ({self.finding.severity})"[:100]

    def as_dict(self) -> dict[str, object]:
        return {"environment": self.environment, "finding": asdict(self.finding),
                "decision": asdict(self.decision), "actions": [asdict(a) for a in self.actions],
                "changed": self.changed}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)
