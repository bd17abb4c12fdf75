"""HS_AZ_17 - HS_AZ_19: activity-log alerts are on and reach an action group, action groups mail
people, and Defender's security contact mails alerts. checkov's security contact checks read
fields the 2023 API retired, and it has no check for alerts or action groups."""

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


activity_log_alert = AzureActivityLogAlert()
action_group_email = AzureActionGroupEmail()
security_contact = AzureSecurityContactAlerts()
