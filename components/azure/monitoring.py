"""Threat detection and alerting at the subscription.

Defender for Cloud plans for servers (P2), storage (malware scanning on upload, sensitive data
discovery), Key Vault and AI services; Defender's security contact mails the alert address.
An action group with that address receives activity-log alerts on every Key Vault change and
every role assignment written or removed anywhere in the subscription.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import monitor, security

# plan name -> (sub-plan, extensions)
DEFENDER_PLANS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "VirtualMachines": ("P2", ()),
    "StorageAccounts": ("DefenderForStorageV2", ("OnUploadMalwareScanning", "SensitiveDataDiscovery")),
    "KeyVaults": ("PerKeyVault", ()),
    "AI": (None, ()),
}
# alert -> the ARM operations that fire it
WATCHED_OPERATIONS: dict[str, tuple[str, ...]] = {
    "key-vault-changes": (
        "Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults/delete",
        "Microsoft.KeyVault/vaults/keys/write", "Microsoft.KeyVault/vaults/accessPolicies/write",
    ),
    "role-assignment-changes": (
        "Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete",
    ),
}


@dataclass
class ThreatMonitoringArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    alert_email: str
    # Off only when the spec says so; the alerts stay either way.
    threat_detection: bool = True
    # Defender for Containers, for an AKS cluster: the plan its sensor (the cluster's
    # securityProfile.defender) reports under
    # (https://learn.microsoft.com/azure/defender-for-cloud/defender-for-containers-enable).
    containers: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


def alert_condition(operations: tuple[str, ...]) -> dict[str, Any]:
    return {"all_of": [
        {"field": "category", "equals": "Administrative"},
        {"any_of": [{"field": "operationName", "equals": op} for op in operations]},
    ]}


class ThreatMonitoring(pulumi.ComponentResource):
    plans: dict[str, security.Pricing]
    action_group: monitor.ActionGroup
    alerts: dict[str, monitor.ActivityLogAlert]

    def __init__(self, name: str, args: ThreatMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:ThreatMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        scope = f"/subscriptions/{args.subscription_id}"
        tags = dict(args.tags)
        self.plans = {}
        if args.threat_detection:
            plans = {**DEFENDER_PLANS, **({"Containers": (None, ())} if args.containers else {})}
            for plan, (sub_plan, extensions) in plans.items():
                self.plans[plan] = security.Pricing(
                    f"{name}-defender-{plan.lower()}", pricing_name=plan, scope_id=scope, pricing_tier="Standard",
                    sub_plan=sub_plan, extensions=[{"name": e, "is_enabled": "True"} for e in extensions] or None,
                    opts=child,
                )
            security.SecurityContact(
                f"{name}-security-contact", security_contact_name="default", emails=args.alert_email,
                is_enabled=True, notifications_by_role={"state": "On", "roles": ["Owner"]},
                notifications_sources=[{"source_type": "Alert", "minimal_severity": "Medium"},
                                       {"source_type": "AttackPath", "minimal_risk_level": "Critical"}],
                opts=child,
            )
        self.action_group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=f"ag-{name}",
            group_short_name=name.replace("-", "")[:12],
            resource_group_name=args.resource_group_name,
            location="Global",
            enabled=True,
            email_receivers=[{"name": "security-team", "email_address": args.alert_email,
                              "use_common_alert_schema": True}],
            tags=tags,
            opts=child,
        )
        self.alerts = {
            alert: monitor.ActivityLogAlert(
                f"{name}-{alert}",
                activity_log_alert_name=f"alert-{name}-{alert}",
                resource_group_name=args.resource_group_name,
                location="Global",
                enabled=True,
                scopes=[scope],
                condition=alert_condition(operations),
                actions={"action_groups": [{"action_group_id": self.action_group.id}]},
                description=f"hardstack: {alert.replace('-', ' ')} in subscription {args.subscription_id}",
                tags=tags,
                opts=child,
            )
            for alert, operations in WATCHED_OPERATIONS.items()
        }
        self.register_outputs({"action_group_id": self.action_group.id})
