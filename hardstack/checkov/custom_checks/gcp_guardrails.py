"""HS_GCP_8: organization policies enforce their constraint (no allow_all, no enforce = FALSE,
no reset, not a dry run only). A list constraint restricts with denied values or with an
allow-list: "For a custom allow policy, you explicitly allow a list of models and implicitly deny
all other models" (vertexai.allowedModels,
https://cloud.google.com/vertex-ai/generative-ai/docs/control-model-access).
HS_GCP_9: alert policies are enabled and notify at least one channel.

checkov has no check for google_org_policy_policy or google_monitoring_alert_policy."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _true(value: Any) -> bool:
    return str(first(value)).upper() == "TRUE"


def _restricts(rule: dict[str, Any]) -> bool:
    if _true(rule.get("allow_all")) or str(first(rule.get("enforce"))).upper() == "FALSE":
        return False
    values = block(rule, "values")
    denied, allowed = first(values.get("denied_values")), first(values.get("allowed_values"))
    return _true(rule.get("enforce")) or _true(rule.get("deny_all")) or bool(denied) or bool(allowed)


class GcpOrgPolicyEnforced(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure organization policies enforce their constraint",
            id="HS_GCP_8", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["google_org_policy_policy"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        spec = block(conf, "spec")
        rules = [first(r) for r in spec.get("rules") or []]
        if _true(spec.get("reset")) or not rules:
            return CheckResult.FAILED
        return CheckResult.PASSED if all(isinstance(r, dict) and _restricts(r) for r in rules) else CheckResult.FAILED


class GcpAlertPolicyNotifies(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure alert policies are enabled and notify a channel",
            id="HS_GCP_9", categories=[CheckCategories.LOGGING],
            supported_resources=["google_monitoring_alert_policy"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if first(conf.get("enabled")) is False:
            return CheckResult.FAILED
        channels = conf.get("notification_channels") or []
        channels = first(channels) if channels and isinstance(channels[0], list) else channels
        return CheckResult.PASSED if channels else CheckResult.FAILED


org_policy_check = GcpOrgPolicyEnforced()
alert_check = GcpAlertPolicyNotifies()
