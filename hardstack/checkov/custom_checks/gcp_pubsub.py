"""HS_GCP_15: Pub/Sub topics store messages only in named regions (data residency: checkov
checks a topic's key, CKV_GCP_83, not where its messages live).

Stored messages stay in `allowed_persistence_regions` whatever the publisher's region
(https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics#MessageStoragePolicy).
`enforce_in_transit` is not demanded: it rejects publishes received in other regions
(https://cloud.google.com/pubsub/docs/resource-location-restriction), which would drop the
findings Security Command Center publishes from its global or multi-region locations."""

from __future__ import annotations

from typing import Any

from _values import block
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
        regions = regions[0] if regions and isinstance(regions[0], list) else regions
        return CheckResult.PASSED if [r for r in regions if r] else CheckResult.FAILED


check = GcpPubSubMessageResidency()
