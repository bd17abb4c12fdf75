"""The audit workspace: where every diagnostic setting of the environment sends its logs.

Always: local (shared key) authentication off, so only Entra-authenticated principals ingest
or query; access by resource permissions; the subscription's activity log (administrative,
security, policy and alert events) flowing in; queries against the workspace itself audited.

Retention: a workspace keeps data interactively for at most 730 days, so the spec's retention
is applied per audit table as total retention (interactive, then long-term), up to 12 years.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import monitor, operationalinsights

from hardstack.components.azure.diagnostics import send_to_workspace

MAX_INTERACTIVE_DAYS = 730
MAX_TOTAL_DAYS = 4383
# Where the environment's audit trail lands (resource-specific tables where the source has them).
AUDIT_TABLES = ("AzureActivity", "AZKVAuditLogs", "StorageBlobLogs", "AzureDiagnostics", "NTANetAnalytics",
                "LAQueryLogs", "AzureMetrics")
ACTIVITY_CATEGORIES = ("Administrative", "Security", "Policy", "Alert")


@dataclass
class AuditWorkspaceArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    workspace_name: str
    retention_days: int = 365
    tables: Sequence[str] = AUDIT_TABLES
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 30 <= self.retention_days <= MAX_TOTAL_DAYS:
            raise ValueError(f"retention_days must be 30..{MAX_TOTAL_DAYS}, got {self.retention_days}")


class AuditWorkspace(pulumi.ComponentResource):
    workspace: operationalinsights.Workspace
    id: pulumi.Output[str]
    customer_id: pulumi.Output[str]

    def __init__(self, name: str, args: AuditWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:AuditWorkspace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        interactive = min(args.retention_days, MAX_INTERACTIVE_DAYS)
        self.workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            workspace_name=args.workspace_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku={"name": "PerGB2018"},
            retention_in_days=interactive,
            features={"disable_local_auth": True, "enable_log_access_using_only_resource_permissions": True},
            tags=dict(args.tags),
            # Deleting the audit trail is a decision, not a side effect of a refactor.
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.id = self.workspace.id
        self.customer_id = self.workspace.customer_id
        self.tables = [
            operationalinsights.Table(
                f"{name}-{table}", table_name=table, workspace_name=self.workspace.name,
                resource_group_name=args.resource_group_name, retention_in_days=interactive,
                total_retention_in_days=args.retention_days, opts=child,
            )
            for table in args.tables
        ]
        self.activity_log = monitor.SubscriptionDiagnosticSetting(
            f"{name}-activity-log",
            name=f"activity-to-{args.workspace_name}",
            workspace_id=self.workspace.id,
            logs=[{"category": c, "enabled": True} for c in ACTIVITY_CATEGORIES],
            opts=child,
        )
        send_to_workspace(f"{name}-workspace-diag", self.workspace.id, self.workspace.id, parent=self, metrics=())
        self.register_outputs({"id": self.workspace.id})
