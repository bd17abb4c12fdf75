"""HS_GCP_2: Cloud Storage buckets encrypt with a customer-managed key by default (checkov checks
CMEK for BigQuery, Pub/Sub and others, not for buckets).
HS_GCP_13: buckets labelled as model artifacts or access logs are write-once: a retention policy
forbids replacing or deleting objects inside its window (Cloud Storage refuses versioning next to
a retention policy, so CKV_GCP_78 cannot hold for them)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WRITE_ONCE_PURPOSES = ("models", "access-logs")


class GcpStorageCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud Storage buckets encrypt with a customer-managed key (CMEK) by default",
            id="HS_GCP_2", categories=[CheckCategories.ENCRYPTION], supported_resources=["google_storage_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        key = first(block(conf, "encryption").get("default_kms_key_name"))
        return CheckResult.PASSED if isinstance(key, str) and key else CheckResult.FAILED


class GcpStorageWriteOnce(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure model-artifact and access-log buckets have a retention policy (write-once)",
            id="HS_GCP_13", categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["google_storage_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        labels = first(conf.get("labels"))
        purpose = first(labels.get("purpose")) if isinstance(labels, dict) else None
        if purpose not in WRITE_ONCE_PURPOSES:
            return CheckResult.UNKNOWN  # the bucket's purpose asks for no retention
        period = first(block(conf, "retention_policy").get("retention_period"))
        try:
            seconds = int(str(period).removesuffix("s"))
        except ValueError:
            return CheckResult.FAILED
        return CheckResult.PASSED if seconds >= 86_400 else CheckResult.FAILED


cmek_check = GcpStorageCustomerKey()
write_once_check = GcpStorageWriteOnce()
