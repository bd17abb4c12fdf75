"""AWS EC2 workloads: confidential computing, IMDSv2, no public IP, customer-key disks."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule
from ..values import is_map, number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

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
        yield f"metadata hop limit {number(metadata['httpPutResponseHopLimit'])} lets containers reach credentials"


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


# Auto Scaling launches encrypted volumes with the account's default EBS key as its
# service-linked role; that key's policy must name the role
# (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
ASG_SLR = "arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
ASG_USE = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
           "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey")


def _names_principal(st: Mapping[str, Any], arn: str) -> bool:
    """The statement applies to `arn`: named as principal, or the account root narrowed to it
    by an aws:PrincipalArn condition (how hardstack names principals that may not exist yet)."""
    principal = st.get("Principal")
    named = as_list(principal.get("AWS")) if is_map(principal) else as_list(principal)
    if arn in named:
        return True
    account_root = f"arn:aws:iam::{arn.split(':')[4]}:root"
    by_condition = [v for op in ("ArnEquals", "ArnLike", "StringEquals", "StringLike")
                    for v in as_list(((st.get("Condition") or {}).get(op) or {}).get("aws:PrincipalArn"))]
    return account_root in named and any(fnmatch.fnmatchcase(arn, str(v)) for v in by_condition)


def _only_principal_conditions(st: Mapping[str, Any], extra: Mapping[str, Mapping[str, str]] | None = None) -> bool:
    """No condition but the aws:PrincipalArn match (and the `extra` ones allowed, e.g. the
    kms:GrantIsForAWSResource the page puts on CreateGrant) can keep the statement from applying."""
    for op, keys in (st.get("Condition") or {}).items():
        for key, value in (keys or {}).items():
            if key != "aws:PrincipalArn" and ((extra or {}).get(op) or {}).get(key) != str(value).lower():
                return False
    return True


def _allows(statements: list[Mapping[str, Any]], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(a).lower())
               for st in statements for a in as_list(st.get("Action")))


def asg_slr_gaps(policy: Any, account: str) -> list[str]:
    """What the Auto Scaling service-linked role cannot do with a key of this policy."""
    slr = ASG_SLR.format(account=account)
    mine = [st for st in allows(policy) if _names_principal(st, slr)]
    use = [st for st in mine if _only_principal_conditions(st)]
    grants = [st for st in mine if _only_principal_conditions(st, {"Bool": {"kms:GrantIsForAWSResource": "true"}})]
    missing = [a for a in ASG_USE if not _allows(use, a)]
    if not _allows(grants, "kms:CreateGrant"):
        missing.append("kms:CreateGrant")
    return missing


@stack_rule(
    id="aws-ebs-encryption-by-default", title="EBS encryption by default is on; a default key serves Auto Scaling",
    severity="high", cloud="aws", practice="encryption",
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["SC-28"]},
    remediation="Add ebs.EncryptionByDefault(enabled=True). Do not make a stack's key the account default "
    "(ebs.DefaultKmsKey); if you must, its key policy needs the AWSServiceRoleForAutoScaling statements.",
)
def ebs_default(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, INSTANCE, LAUNCH_TEMPLATE):
        return
    enabled = [r for r in of_type(resources, "aws:ebs/encryptionByDefault:EncryptionByDefault")
               if r.props.get("enabled") is not False]
    if not enabled:
        yield "EBS encryption by default is not enabled in this account and region", None
    for default in of_type(resources, "aws:ebs/defaultKmsKey:DefaultKmsKey"):
        keys = referenced(default, "keyArn", "aws:kms/key:Key")
        account = str(default.props.get("keyArn") or "::::").split(":")[4]
        if not keys:
            yield (f"{default.name} makes a key outside this stack the account's default EBS key; its policy "
                   "cannot be checked for the Auto Scaling service-linked role"), default.urn
        for key in keys:
            slr = ASG_SLR.format(account=account or "<account>")
            missing = asg_slr_gaps(key.props.get("policy"), account)
            if missing:
                yield (f"{default.name} makes {key.name} the account's default EBS key, but its policy does not "
                       f"let {slr} use it ({', '.join(missing)}): every Auto Scaling launch in the account "
                       "would fail"), default.urn
