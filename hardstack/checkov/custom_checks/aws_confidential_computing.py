"""HS_AWS_1: EC2 instances run with AMD SEV-SNP (checkov has no confidential-computing check)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AwsConfidentialComputing(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure EC2 instances run with AMD SEV-SNP confidential computing",
            id="HS_AWS_1", categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_instance", "aws_launch_template"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        cpu = block(conf, "cpu_options")
        return CheckResult.PASSED if first(cpu.get("amd_sev_snp")) == "enabled" else CheckResult.FAILED


check = AwsConfidentialComputing()
