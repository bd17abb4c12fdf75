"""HS_AWS_2: the instance metadata hop limit is 1, so containers on the host cannot fetch the
instance's credentials (checkov's CKV_AWS_79 checks IMDSv2 tokens, not the hop limit)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class AwsImdsHopLimit(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the instance metadata response hop limit is 1",
            id="HS_AWS_2", categories=[CheckCategories.IAM],
            supported_resources=["aws_instance", "aws_launch_template"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        hops = first(block(conf, "metadata_options").get("http_put_response_hop_limit"))
        return CheckResult.PASSED if hops is not None and int(hops) <= 1 else CheckResult.FAILED


check = AwsImdsHopLimit()
