"""AWS EC2 workloads: confidential computing, IMDSv2, no public IP, customer-key disks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from hardstack_rules.relations import of_type
from hardstack_rules.rule import resource_rule, stack_rule

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


@resource_rule(
    id="aws-ec2-confidential-computing", title="Workload instances run with AMD SEV-SNP",
    severity="high", cloud="aws", practice="encryption", types=[INSTANCE, LAUNCH_TEMPLATE],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SC-28"]},
    remediation="Use m6a, c6a or r6a with cpu_options.amd_sev_snp = enabled; AWS offers no TDX or "
    "confidential GPU, so a GPU workload needs an exemption with a reason.",
    aliases=["confidential-computing"],
)
def sev_snp(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("cpuOptions") or {}).get("amdSevSnp") != "enabled":
        yield f"{props.get('instanceType', 'instance')} runs without AMD SEV-SNP memory encryption"


@resource_rule(
    id="aws-ec2-imdsv2", title="Instances require IMDSv2 tokens with a hop limit of 1", severity="high",
    cloud="aws", practice="access", types=[INSTANCE, LAUNCH_TEMPLATE],
    controls={"nist-800-53": ["IA-5", "AC-3"], "hipaa": ["164.312(d)"]},
    remediation="Set metadata_options.http_tokens=required and http_put_response_hop_limit=1.",
)
def imdsv2(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    metadata = props.get("metadataOptions") or {}
    if metadata.get("httpTokens") != "required":
        yield "IMDSv1 is allowed: instance credentials can be read without a session token"
    if metadata.get("httpPutResponseHopLimit", 1) > 1:
        yield f"metadata hop limit {metadata['httpPutResponseHopLimit']} lets containers reach credentials"


@resource_rule(
    id="aws-ec2-no-public-ip", title="Instances have no public IP address", severity="critical",
    cloud="aws", practice="access", types=[INSTANCE],
    controls={"hipaa": ["164.312(e)(1)"], "gdpr": ["25"], "nist-800-53": ["SC-7"]},
    remediation="Set associate_public_ip_address=False; reach instances through Session Manager.",
)
def no_public_ip(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("associatePublicIpAddress") is not False:
        yield "may receive a public IP (associate_public_ip_address is not false)"


@resource_rule(
    id="aws-ec2-volumes-customer-key", title="Instance volumes are encrypted with a customer key",
    severity="high", cloud="aws", practice="encryption", types=[INSTANCE],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28"]},
    remediation="Set encrypted=True and kms_key_id on the root and every EBS block device.",
)
def volumes_encrypted(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    devices = [("root volume", props.get("rootBlockDevice") or {})]
    devices += [(d.get("deviceName", "volume"), d) for d in props.get("ebsBlockDevices") or []]
    for label, device in devices:
        if device.get("encrypted") is not True or not device.get("kmsKeyId"):
            yield f"{label} is not encrypted with a customer-managed key"


@stack_rule(
    id="aws-ebs-encryption-by-default", title="EBS encryption by default is on with a customer key",
    severity="high", cloud="aws", practice="encryption",
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["SC-28"]},
    remediation="Add ebs.EncryptionByDefault(enabled=True) and ebs.DefaultKmsKey with the compute key.",
)
def ebs_default(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, INSTANCE, LAUNCH_TEMPLATE):
        return
    enabled = [r for r in of_type(resources, "aws:ebs/encryptionByDefault:EncryptionByDefault")
               if r.props.get("enabled") is not False]
    if not enabled:
        yield "EBS encryption by default is not enabled in this account and region", None
    if not of_type(resources, "aws:ebs/defaultKmsKey:DefaultKmsKey"):
        yield "EBS default encryption uses the AWS-managed key, not a customer key", None
