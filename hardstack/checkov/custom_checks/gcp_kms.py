"""HS_GCP_4: Cloud KMS keys are protected from destruction by a deployment.

checkov's CKV_GCP_82 reads `lifecycle.prevent_destroy`, which a Terraform plan does not carry;
the Google provider's own `deletion_policy = "PREVENT"` (in the plan) is checked here instead."""

from __future__ import annotations

from typing import Any

from _values import first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GcpKmsPreventDestroy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud KMS keys cannot be destroyed by a deployment (deletion_policy PREVENT)",
            id="HS_GCP_4", categories=[CheckCategories.ENCRYPTION], supported_resources=["google_kms_crypto_key"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf.get("deletion_policy")) == "PREVENT" else CheckResult.FAILED


check = GcpKmsPreventDestroy()
