"""The managed AI platform settings checkov has no check for:
HS_AWS_7: a SageMaker domain sends its apps' traffic through the VPC (VpcOnly);
HS_AWS_8: a Bedrock guardrail is encrypted with a customer-managed key;
HS_AWS_9: a Bedrock guardrail filters content at HIGH strength and filters personal data;
HS_AWS_10: a SageMaker model runs in the VPC (checkov's CKV_AWS_370 checks network isolation only)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

CONTENT_TYPES = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")


def blocks(conf: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A repeated block as a list of dicts, however deeply checkov wrapped it."""
    found = first(conf.get(name))
    items = found if isinstance(found, list) else [found]
    return [first(i) for i in items if isinstance(first(i), dict)]


class AwsSageMakerDomainVpcOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the SageMaker domain sends app traffic through the VPC (VpcOnly)",
            id="HS_AWS_7", categories=[CheckCategories.NETWORKING], supported_resources=["aws_sagemaker_domain"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf.get("app_network_access_type")) == "VpcOnly" else CheckResult.FAILED


class AwsBedrockGuardrailCmk(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Bedrock guardrail is encrypted with a customer-managed KMS key",
            id="HS_AWS_8", categories=[CheckCategories.ENCRYPTION], supported_resources=["aws_bedrock_guardrail"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf.get("kms_key_arn")) else CheckResult.FAILED


class AwsBedrockGuardrailFilters(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Bedrock guardrail filters harmful content at HIGH strength and filters personal data",
            id="HS_AWS_9", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_bedrock_guardrail"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        content = block(conf, "content_policy_config")
        filters = {first(f.get("type")): f for f in blocks(content, "filters_config")}
        for kind in CONTENT_TYPES:
            found = filters.get(kind) or {}
            if first(found.get("input_strength")) != "HIGH" or first(found.get("output_strength")) != "HIGH":
                return CheckResult.FAILED
        if first((filters.get("PROMPT_ATTACK") or {}).get("input_strength")) != "HIGH":
            return CheckResult.FAILED
        sensitive = block(conf, "sensitive_information_policy_config")
        if not (blocks(sensitive, "pii_entities_config") or blocks(sensitive, "regexes_config")):
            return CheckResult.FAILED
        return CheckResult.PASSED


class AwsSageMakerModelInVpc(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the SageMaker model runs in a VPC (vpc_config with subnets and security groups)",
            id="HS_AWS_10", categories=[CheckCategories.NETWORKING], supported_resources=["aws_sagemaker_model"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        vpc = block(conf, "vpc_config")
        return CheckResult.PASSED if vpc.get("subnets") and vpc.get("security_group_ids") else CheckResult.FAILED


domain_vpc_only = AwsSageMakerDomainVpcOnly()
guardrail_cmk = AwsBedrockGuardrailCmk()
guardrail_filters = AwsBedrockGuardrailFilters()
model_in_vpc = AwsSageMakerModelInVpc()
