"""HS_AWS_3: KMS keys rotate at least every 90 days (CKV_AWS_7 checks that rotation is on, not
how often; AWS's default period is 365 days)."""

from __future__ import annotations

from typing import Any

from _values import first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AwsKmsRotationPeriod(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure KMS keys rotate at least every 90 days",
            id="HS_AWS_3", categories=[CheckCategories.ENCRYPTION], supported_resources=["aws_kms_key"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if first(conf.get("enable_key_rotation")) is not True:
            return CheckResult.FAILED
        days = first(conf.get("rotation_period_in_days"))
        return CheckResult.PASSED if days is not None and int(days) <= 90 else CheckResult.FAILED


check = AwsKmsRotationPeriod()
