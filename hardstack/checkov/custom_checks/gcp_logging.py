"""HS_GCP_5: Cloud Logging buckets are encrypted with a customer-managed key.
HS_GCP_6: Cloud Logging buckets keep logs at least 365 days.
HS_GCP_7: the project audits ADMIN_READ, DATA_READ and DATA_WRITE for allServices, exempting
nobody (checkov's CKV2_GCP_5 needs a google_project resource, which a project-scoped stack lacks).

checkov has no check for google_logging_project_bucket_config."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

LOG_BUCKETS = ["google_logging_project_bucket_config", "google_logging_folder_bucket_config",
               "google_logging_organization_bucket_config"]
MINIMUM_DAYS = 365  # a year of audit records; HIPAA stacks keep 2190 (checked by the policy packs)
LOG_TYPES = {"ADMIN_READ", "DATA_READ", "DATA_WRITE"}


class GcpLogBucketCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud Logging buckets are encrypted with a customer-managed key",
            id="HS_GCP_5", categories=[CheckCategories.ENCRYPTION], supported_resources=LOG_BUCKETS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        key = first(block(conf, "cmek_settings").get("kms_key_name"))
        return CheckResult.PASSED if isinstance(key, str) and key else CheckResult.FAILED


class GcpLogBucketRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=f"Ensure Cloud Logging buckets keep logs at least {MINIMUM_DAYS} days",
            id="HS_GCP_6", categories=[CheckCategories.LOGGING], supported_resources=LOG_BUCKETS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        days = first(conf.get("retention_days"))
        # Cloud Logging keeps logs 30 days when retention_days is not set.
        return CheckResult.PASSED if int(days or 30) >= MINIMUM_DAYS else CheckResult.FAILED


class GcpAuditAllServices(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure audit logs record admin reads and data access for allServices, exempting nobody",
            id="HS_GCP_7", categories=[CheckCategories.LOGGING],
            supported_resources=["google_project_iam_audit_config", "google_folder_iam_audit_config",
                                 "google_organization_iam_audit_config"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if first(conf.get("service")) != "allServices":
            return CheckResult.FAILED
        configs = conf.get("audit_log_config") or []
        entries = [first(c) for c in configs if isinstance(first(c), dict)]
        logged = {first(e.get("log_type")) for e in entries}
        exempted = [e for e in entries if first(e.get("exempted_members"))]
        return CheckResult.PASSED if logged >= LOG_TYPES and not exempted else CheckResult.FAILED


key_check = GcpLogBucketCustomerKey()
retention_check = GcpLogBucketRetention()
audit_check = GcpAuditAllServices()
