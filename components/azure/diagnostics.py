"""One way to send a resource's platform logs and metrics to the audit workspace.

Every component that owns a resource with Azure Monitor diagnostics calls `send_to_workspace`
with the workspace id it was given, so no resource is created without its audit trail.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
from pulumi_azure_native import monitor

# Category groups: "allLogs" is every log category the resource type has, "audit" the subset
# Microsoft marks as audit-relevant. Resource types without log categories (VMs, NICs) take
# metrics only.
ALL_LOGS = "allLogs"
# Most resource types export all their platform metrics as the one category "AllMetrics"
# (https://learn.microsoft.com/azure/azure-monitor/essentials/resource-manager-diagnostic-settings).
ALL_METRICS = ("AllMetrics",)
# Storage accounts and their services name their metric categories instead, Capacity and
# Transaction, and reject "AllMetrics" ("Metric category 'AllMetrics' is not supported",
# github.com/Azure/azure-powershell/issues/6520). Only Transaction metrics are exportable by
# diagnostic settings ("DS Export: Yes"), per the supported-metrics references of
# Microsoft.Storage/storageAccounts and .../blobServices:
# https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-storage-storageaccounts-metrics
# https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-storage-storageaccounts-blobservices-metrics
STORAGE_METRICS = ("Transaction",)


def send_to_workspace(name: str, resource_id: pulumi.Input[str], workspace_id: pulumi.Input[str],
                      parent: pulumi.Resource, logs: bool = True,
                      metrics: Sequence[str] = ALL_METRICS) -> monitor.DiagnosticSetting:
    """`metrics` names the metric categories to send (empty: none)."""
    if not (logs or metrics):
        raise ValueError(f"{name}: a diagnostic setting must send logs, metrics or both")
    return monitor.DiagnosticSetting(
        name,
        name=name,  # unique per stack, so exports and reports can tell the settings apart
        resource_uri=resource_id,
        workspace_id=workspace_id,
        # Resource-specific tables where the type supports them: typed columns, per-table retention.
        log_analytics_destination_type="Dedicated",
        logs=[{"category_group": ALL_LOGS, "enabled": True}] if logs else None,
        metrics=[{"category": c, "enabled": True} for c in metrics] or None,
        opts=pulumi.ResourceOptions(parent=parent),
    )
