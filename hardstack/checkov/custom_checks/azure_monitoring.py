"""HS_AZ_17 - HS_AZ_19, HS_AZ_27: activity-log alerts are on and reach an action group, action
groups mail people, Defender's security contact mails alerts, and Key Vault key expiry events
raise Azure Monitor alerts. checkov's security contact checks read fields the 2023 API retired,
and it has no check for alerts, action groups or Event Grid subscriptions."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_false, is_true, items
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult


class AzureActivityLogAlert(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure activity-log alerts are enabled, have a condition and notify an action group",
            id="HS_AZ_17", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.Insights/activityLogAlerts"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/enabled", "properties/condition", "properties/actions/actionGroups"]
        groups = [g for g in items(conf, "properties/actions/actionGroups")
                  if isinstance(g, dict) and g.get("actionGroupId")]
        # ARM enables an alert unless told otherwise.
        ok = (not is_false(get(conf, "properties/enabled")) and bool(get(conf, "properties/condition"))
              and bool(groups))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureActionGroupEmail(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure action groups are enabled and mail at least one receiver",
            id="HS_AZ_18", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.Insights/actionGroups"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/enabled", "properties/emailReceivers"]
        mails = [r for r in items(conf, "properties/emailReceivers") if isinstance(r, dict) and r.get("emailAddress")]
        return CheckResult.PASSED if is_true(get(conf, "properties/enabled")) and mails else CheckResult.FAILED


class AzureSecurityContactAlerts(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Defender for Cloud security contact is enabled and mails security alerts",
            id="HS_AZ_19", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["Microsoft.Security/securityContacts"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/isEnabled", "properties/emails", "properties/notificationsSources"]
        alerts = [s for s in items(conf, "properties/notificationsSources")
                  if isinstance(s, dict) and s.get("sourceType") == "Alert"]
        ok = is_true(get(conf, "properties/isEnabled")) and bool(get(conf, "properties/emails")) and bool(alerts)
        return CheckResult.PASSED if ok else CheckResult.FAILED


# Key Vault's expiry events (https://learn.microsoft.com/azure/event-grid/event-schema-key-vault),
# which only a subscription turns into a notice; Azure Monitor alert destinations take severity,
# action groups and the CloudEvents v1.0 schema
# (https://learn.microsoft.com/azure/event-grid/handle-key-vault-events-using-azure-monitor-alerts).
KEY_EXPIRY_EVENTS = ("Microsoft.KeyVault.KeyNearExpiry", "Microsoft.KeyVault.KeyExpired")


class AzureKeyExpiryAlert(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Event Grid subscriptions for Key Vault key expiry raise Azure Monitor alerts to an action "
            "group",
            id="HS_AZ_27", categories=[CheckCategories.LOGGING],
            supported_resources=["Microsoft.EventGrid/systemTopics/eventSubscriptions"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/filter/includedEventTypes", "properties/destination",
                               "properties/eventDeliverySchema"]
        included = items(conf, "properties/filter/includedEventTypes")
        if included and not any(e in KEY_EXPIRY_EVENTS for e in included):
            return CheckResult.PASSED  # not about key expiry
        groups = [g for g in items(conf, "properties/destination/properties/actionGroups") if g]
        ok = (get(conf, "properties/destination/endpointType") == "MonitorAlert" and bool(groups)
              and bool(get(conf, "properties/destination/properties/severity"))
              and get(conf, "properties/eventDeliverySchema") == "CloudEventSchemaV1_0")
        return CheckResult.PASSED if ok else CheckResult.FAILED


activity_log_alert = AzureActivityLogAlert()
key_expiry_alert = AzureKeyExpiryAlert()
action_group_email = AzureActionGroupEmail()
security_contact = AzureSecurityContactAlerts()
