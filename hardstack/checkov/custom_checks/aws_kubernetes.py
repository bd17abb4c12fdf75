"""The EKS settings checkov has no check for (its CKV_AWS_37/38/39/58/100/339 judge the cluster's logs,
endpoint, secrets flag, SSH and version; CKV_AWS_79/341 and HS_AWS_2 a launch template's metadata options):
HS_AWS_11: a managed node group launches from a launch template (else EKS's generated one: hop limit 2,
           the account's default EBS key), whose settings the launch template checks then judge;
HS_AWS_12: a launch template encrypts every volume it maps with a customer-managed key;
HS_AWS_13: an EKS cluster encrypts secrets with a customer-managed key (CKV_AWS_58 checks the resource list only);
HS_AWS_14: an EKS cluster grants access through access entries only (authentication mode API)."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def blocks(conf: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """A repeated block as a list of dicts, however deeply checkov wrapped it."""
    found = first(conf.get(name))
    items = found if isinstance(found, list) else [found]
    return [first(i) for i in items if isinstance(first(i), dict)]


class AwsEksNodeGroupLaunchTemplate(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the EKS node group launches from a launch template",
            id="HS_AWS_11", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=["aws_eks_node_group"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = block(conf, "launch_template")
        return CheckResult.PASSED if first(template.get("id")) or first(template.get("name")) else CheckResult.FAILED


class AwsLaunchTemplateVolumesCmk(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the launch template encrypts every volume with a customer-managed KMS key",
            id="HS_AWS_12", categories=[CheckCategories.ENCRYPTION], supported_resources=["aws_launch_template"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        mappings = blocks(conf, "block_device_mapping")
        if not mappings:
            return CheckResult.FAILED
        for mapping in mappings:
            ebs = block(mapping, "ebs")
            if str(first(ebs.get("encrypted"))).lower() != "true" or not first(ebs.get("kms_key_id")):
                return CheckResult.FAILED
        return CheckResult.PASSED


class AwsEksSecretsCmk(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the EKS cluster encrypts secrets with a customer-managed KMS key",
            id="HS_AWS_13", categories=[CheckCategories.ENCRYPTION], supported_resources=["aws_eks_cluster"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        for config in blocks(conf, "encryption_config"):
            resources = first(config.get("resources"))
            resources = resources if isinstance(resources, list) else [resources]
            if "secrets" in resources and first(block(config, "provider").get("key_arn")):
                return CheckResult.PASSED
        return CheckResult.FAILED


class AwsEksAccessEntries(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the EKS cluster grants access through access entries only (authentication mode API)",
            id="HS_AWS_14", categories=[CheckCategories.IAM], supported_resources=["aws_eks_cluster"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        mode = first(block(conf, "access_config").get("authentication_mode"))
        return CheckResult.PASSED if mode == "API" else CheckResult.FAILED


node_group_launch_template = AwsEksNodeGroupLaunchTemplate()
launch_template_volumes = AwsLaunchTemplateVolumesCmk()
secrets_cmk = AwsEksSecretsCmk()
access_entries = AwsEksAccessEntries()
