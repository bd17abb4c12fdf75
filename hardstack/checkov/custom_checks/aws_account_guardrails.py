"""HS_AWS_4: the account-wide S3 public access block has all four flags on.
HS_AWS_5: Security Hub enables new controls automatically as standards grow.
HS_AWS_6: Security Hub subscribes to a recognised benchmark."""

from __future__ import annotations

from typing import Any

from _values import first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


class AwsAccountPublicAccessBlock(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the account-level S3 public access block has all four flags on",
            id="HS_AWS_4", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_account_public_access_block"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if all(first(conf.get(f)) is True for f in FLAGS) else CheckResult.FAILED


class AwsSecurityHubAutoControls(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Security Hub enables new controls automatically",
            id="HS_AWS_5", categories=[CheckCategories.LOGGING],
            supported_resources=["aws_securityhub_account"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.FAILED if first(conf.get("auto_enable_controls")) is False else CheckResult.PASSED


public_access_check = AwsAccountPublicAccessBlock()
security_hub_check = AwsSecurityHubAutoControls()


class AwsSecurityHubKnownStandard(BaseResourceCheck):
    """HS_AWS_6: Security Hub subscribes to a recognised benchmark, not an arbitrary ARN."""

    STANDARDS = ("aws-foundational-security-best-practices", "cis-aws-foundations-benchmark", "nist-800-53")

    def __init__(self) -> None:
        super().__init__(
            name="Ensure Security Hub subscribes to the AWS foundational, CIS or NIST standard",
            id="HS_AWS_6", categories=[CheckCategories.LOGGING],
            supported_resources=["aws_securityhub_standards_subscription"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        arn = str(first(conf.get("standards_arn")) or "")
        return CheckResult.PASSED if any(s in arn for s in self.STANDARDS) else CheckResult.FAILED


standards_check = AwsSecurityHubKnownStandard()
