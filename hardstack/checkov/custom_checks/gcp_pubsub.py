"""HS_GCP_15: Pub/Sub topics store messages only in named regions, enforced in transit too
(data residency: checkov checks a topic's key, CKV_GCP_83, not where its messages live)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GcpPubSubMessageResidency(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Pub/Sub topics store messages only in named regions",
            id="HS_GCP_15", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=["google_pubsub_topic"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        policy = block(conf, "message_storage_policy")
        regions = policy.get("allowed_persistence_regions") or []
        regions = first(regions) if regions and isinstance(regions[0], list) else regions
        if not regions or first(policy.get("enforce_in_transit")) is not True:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GcpPubSubMessageResidency()
