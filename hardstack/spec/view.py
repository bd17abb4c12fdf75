"""What the spec's cross-field rules read: the parts of a spec that are valid on their own,
and the problems they report. Shared by rules.py and placement.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hardstack.spec.kubernetes.models import NodePool
    from hardstack.spec.models import AzureTenant, Data, Environment, Exemption, Keys, Logging, Monitoring, Workload
    from hardstack.spec.platforms.models import Platform

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str


@dataclass
class SpecView:
    """The parts of a spec that are individually valid; None where a part is broken."""

    name: str | None = None
    cloud: str | None = None
    region: str | None = None
    account: str | None = None
    project_number: str | None = None
    azure: AzureTenant | None = None
    azure_given: bool = False
    compliance: list[str] | None = None
    keys: Keys | None = None
    logging: Logging | None = None
    monitoring: Monitoring | None = None
    data: Data | None = None
    workloads: list[tuple[int, Workload]] = field(default_factory=list)
    platform: Platform | None = None
    # The kubernetes section's pools that are valid on their own, and its version (None: broken).
    node_pools: list[tuple[int, NodePool]] = field(default_factory=list)
    kubernetes_version: str | None = None
    # The section's admins ([] none given, None broken) and whether the section is there at all.
    kubernetes_admins: list[str] | None = field(default_factory=list)
    kubernetes_given: bool = False
    exemptions: list[tuple[int, Exemption]] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def of(cls, env: Environment) -> SpecView:
        return cls(
            name=env.name, cloud=env.cloud, region=env.region, account=env.account,
            project_number=env.project_number, azure=env.azure, azure_given=env.azure is not None,
            compliance=list(env.compliance), keys=env.keys, logging=env.logging,
            monitoring=env.monitoring, data=env.data, workloads=list(enumerate(env.workloads)), platform=env.platform,
            node_pools=list(enumerate(env.kubernetes.node_pools)) if env.kubernetes else [],
            kubernetes_version=env.kubernetes.version if env.kubernetes else None,
            kubernetes_admins=list(env.kubernetes.admins or []) if env.kubernetes else [],
            kubernetes_given=env.kubernetes is not None,
            exemptions=list(enumerate(env.exemptions)),
        )

    def exempted(self, rule: str, resource: str | None) -> bool:
        return resource is not None and any(
            e.rule == rule and e.resource == resource and e.expires >= self.today
            for _, e in self.exemptions
        )

    def expired(self, rule: str, resource: str | None) -> Exemption | None:
        """The latest exemption for rule and resource that has run out, if any."""
        lapsed = [e for _, e in self.exemptions if e.rule == rule and e.resource == resource and e.expires < self.today]
        return max(lapsed, key=lambda e: e.expires, default=None)

    def lapsed(self, rule: str, resource: str | None) -> str:
        """' (the exemption ... expired on DATE: ...)' when one ran out, else ''."""
        old = self.expired(rule, resource)
        if old is None:
            return ""
        return (f"; the exemption {{rule: {rule}, resource: {resource}}} expired on {old.expires.isoformat()}: "
                "review it and set a new expires, or remove it")
