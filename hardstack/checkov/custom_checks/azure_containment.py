"""HS_AZ_28 - HS_AZ_31: automated containment (components/azure/containment.py). checkov has no
ARM check for Defender workflow automations, Event Hubs local (SAS) authentication, Application
Insights authentication, or the actions of custom roles beyond subscription-owner look-alikes
(CKV_AZURE_39)."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_true, items
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult


class AzureAutomationTrustedEventHub(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Defender workflow automations deliver to Event Hubs as a trusted service, without a "
                 "connection string",
            id="HS_AZ_28", categories=[CheckCategories.IAM],
            supported_resources=["Microsoft.Security/automations"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/actions"]
        hubs = [a for a in items(conf, "properties/actions")
                if isinstance(a, dict) and a.get("actionType") == "EventHub"]
        ok = all(is_true(a.get("isTrustedServiceEnabled")) and not a.get("connectionString") for a in hubs)
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureEventHubNamespaceLocalAuth(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Event Hubs namespaces disable local (SAS key) authentication",
            id="HS_AZ_29", categories=[CheckCategories.IAM],
            supported_resources=["Microsoft.EventHub/namespaces"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/disableLocalAuth"]
        return CheckResult.PASSED if is_true(get(conf, "properties/disableLocalAuth")) else CheckResult.FAILED


class AzureInsightsWorkspaceEntraOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Application Insights is workspace-based and accepts Entra ID authenticated telemetry only",
            id="HS_AZ_30", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.Insights/components"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # The components API writes these properties capitalised (WorkspaceResourceId, ...).
        self.evaluated_keys = ["properties/WorkspaceResourceId", "properties/IngestionMode",
                               "properties/DisableLocalAuth"]
        ok = (bool(get(conf, "properties/WorkspaceResourceId")) and get(conf, "properties/IngestionMode") ==
              "LogAnalytics" and is_true(get(conf, "properties/DisableLocalAuth")))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureCustomRoleExactActions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure custom roles list exact actions (no wildcards, no role assignment writes) and are "
                 "assignable at resource groups only",
            id="HS_AZ_31", categories=[CheckCategories.IAM],
            supported_resources=["Microsoft.Authorization/roleDefinitions"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/permissions", "properties/assignableScopes"]
        actions = [str(a) for p in items(conf, "properties/permissions") if isinstance(p, dict)
                   for a in p.get("actions") or []]
        scopes = [str(s) for s in items(conf, "properties/assignableScopes")]
        ok = (bool(actions) and not any("*" in a or a.lower() == "microsoft.authorization/roleassignments/write"
                                        for a in actions)
              and bool(scopes) and all("/resourcegroups/" in s.lower() for s in scopes))
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = AzureAutomationTrustedEventHub()
check_events = AzureEventHubNamespaceLocalAuth()
check_insights = AzureInsightsWorkspaceEntraOnly()
check_roles = AzureCustomRoleExactActions()
