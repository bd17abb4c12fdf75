"""HS_AZ_13 - HS_AZ_16: diagnostic settings deliver to a Log Analytics workspace, the workspace
accepts only Entra ID callers and keeps its audit data a year, and VNet flow logs feed traffic
analytics. checkov has no ARM check for diagnostic settings, workspaces, tables or analytics."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_true, items
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

WORKSPACE = "Microsoft.OperationalInsights/workspaces"
TABLE = "Microsoft.OperationalInsights/workspaces/tables"
MIN_RETENTION_DAYS = 365


class AzureDiagnosticsToWorkspace(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure diagnostic settings send enabled logs or metrics to a Log Analytics workspace",
            id="HS_AZ_13", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.Insights/diagnosticSettings"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/workspaceId", "properties/logs", "properties/metrics"]
        entries = items(conf, "properties/logs") + items(conf, "properties/metrics")
        enabled = any(isinstance(e, dict) and is_true(e.get("enabled")) for e in entries)
        return CheckResult.PASSED if get(conf, "properties/workspaceId") and enabled else CheckResult.FAILED


class AzureWorkspaceLocalAuth(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Log Analytics workspaces disable local (shared key) authentication",
            id="HS_AZ_14", categories=[CheckCategories.IAM], supported_resources=[WORKSPACE],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/features/disableLocalAuth"]
        return CheckResult.PASSED if is_true(get(conf, self.evaluated_keys[0])) else CheckResult.FAILED


class AzureLogRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=f"Ensure Log Analytics workspaces and tables keep data at least {MIN_RETENTION_DAYS} days",
            id="HS_AZ_15", categories=[CheckCategories.LOGGING], supported_resources=[WORKSPACE, TABLE],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # A table's total retention (interactive, then long-term) is what it keeps; a workspace
        # without retentionInDays keeps 30 days.
        keys = ["properties/totalRetentionInDays", "properties/retentionInDays"]
        self.evaluated_keys = keys if self.entity_type == TABLE else keys[1:]
        kept = next((get(conf, k) for k in self.evaluated_keys if get(conf, k) is not None), None)
        try:
            kept_days = 30 if kept is None and self.entity_type == WORKSPACE else int(kept)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return CheckResult.FAILED
        return CheckResult.PASSED if kept_days >= MIN_RETENTION_DAYS else CheckResult.FAILED


class AzureFlowLogAnalytics(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure flow logs are enabled and analysed by traffic analytics in a workspace",
            id="HS_AZ_16", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.Network/networkWatchers/flowLogs"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        analytics = "properties/flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration"
        self.evaluated_keys = ["properties/enabled", analytics]
        ok = (is_true(get(conf, "properties/enabled")) and is_true(get(conf, f"{analytics}/enabled"))
              and bool(get(conf, f"{analytics}/workspaceResourceId")))
        return CheckResult.PASSED if ok else CheckResult.FAILED


diagnostics = AzureDiagnosticsToWorkspace()
local_auth = AzureWorkspaceLocalAuth()
retention = AzureLogRetention()
flow_log_analytics = AzureFlowLogAnalytics()
