"""A customer-managed KMS key for one purpose, rotated, with a key policy naming its users."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey",
    "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
    "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
    "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
]
USE_ACTIONS = [
    "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
]


@dataclass
class KmsKeyArgs:
    """What a key is for and who may use it.

    `users` are IAM principal ARNs (plain strings) allowed to encrypt and decrypt. They are
    matched by an `aws:PrincipalArn` condition, so the key can be created before its users and
    both the key policy and the user's own IAM policy must allow each use.
    `services` are AWS service principals (for example `logs.eu-central-1.amazonaws.com`),
    limited to this account. `via_services` (for example `ec2`) lets principals of this account
    use the key only through that service in this region, with grants for AWS resources (EBS).
    The account root may administer the key but not use it directly.

    Two services need statements of their own, as AWS documents them:
    - `sns_event_sources`: AWS services publishing to SNS topics encrypted with this key
      (EventBridge: `events.amazonaws.com`). "Adding the aws:SourceAccount and aws:SourceArn to
      a AWS KMS policy is not supported for EventBridge-to-encrypted topics", so these get the
      two actions SNS needs and no condition
      (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "Enable compatibility
      between event sources from AWS services and encrypted topics").
    - `cloudtrail_trail_arns`: trails that encrypt their log files with this key, bound by
      aws:SourceArn and the CloudTrail encryption context; `cloudtrail_log_readers` are the
      principal ARNs (matched by aws:PrincipalArn, so they may be created later) that may
      decrypt those log files, and nothing else
      (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
    """

    purpose: str
    account_id: str
    region: str
    rotation_days: int = 90
    deletion_window_days: int = 30
    users: Sequence[str] = ()
    services: Sequence[str] = ()
    via_services: Sequence[str] = ()
    sns_event_sources: Sequence[str] = ()
    cloudtrail_trail_arns: Sequence[str] = ()
    cloudtrail_log_readers: Sequence[str] = ()
    # Service-linked roles (ARNs) that launch encrypted volumes with this key, e.g. Auto Scaling's for EKS
    # managed node groups: named as principals, as AWS documents it (see `_service_linked_statements`).
    service_linked_roles: Sequence[str] = ()
    # Principals (ARNs) that may list the key's grants, e.g. an EKS cluster role, whose hourly health check
    # calls kms:ListGrants on the secrets key (terraform-aws-modules/terraform-aws-eks#1913, #2371).
    grant_listers: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "cloudtrail.amazonaws.com" in self.services:
            raise ValueError("CloudTrail needs its documented statements: pass cloudtrail_trail_arns, not services")
        if "events.amazonaws.com" in self.services:
            raise ValueError("EventBridge publishing to encrypted SNS topics cannot be bound by "
                             "aws:SourceAccount: pass it in sns_event_sources, not services")
        if not 90 <= self.rotation_days <= 2560:
            raise ValueError(f"rotation_days must be 90..2560 for AWS KMS, got {self.rotation_days}")
        if not 7 <= self.deletion_window_days <= 30:
            raise ValueError(f"deletion_window_days must be 7..30, got {self.deletion_window_days}")


class KmsKey(pulumi.ComponentResource):
    key: aws.kms.Key
    alias: aws.kms.Alias
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: KmsKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:KmsKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"hardstack {args.purpose} key",
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_days,
            deletion_window_in_days=args.deletion_window_days,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            multi_region=False,
            policy=key_policy(args),
            tags={**args.tags, "purpose": args.purpose},
            opts=child,
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias", name=f"alias/{name}", target_key_id=self.key.key_id, opts=child
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.key.arn, "alias": self.alias.name})


def _service_condition(service: str, args: KmsKeyArgs) -> dict[str, Any]:
    if service.startswith("logs."):
        # CloudWatch Logs identifies itself by the log group in the encryption context.
        arn = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:*"
        return {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arn}}
    return {"StringEquals": {"aws:SourceAccount": args.account_id}}


def _cloudtrail_statements(args: KmsKeyArgs) -> list[dict[str, Any]]:
    """The sections create-kms-key-policy-for-cloudtrail.html names as required for trails."""
    if not args.cloudtrail_trail_arns:
        return []
    trails = sorted(args.cloudtrail_trail_arns)
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{args.account_id}:trail/*"}
    service = {"Service": "cloudtrail.amazonaws.com"}
    statements: list[dict[str, Any]] = [{
        # "Allow CloudTrail to encrypt logs". The page grants kms:GenerateDataKey*; CloudTrail and
        # S3 on its behalf call GenerateDataKey only
        # (https://docs.aws.amazon.com/kms/latest/developerguide/services-cloudtrail.html).
        "Sid": "CloudTrailEncryptsLogs", "Effect": "Allow", "Principal": service,
        "Action": ["kms:GenerateDataKey"], "Resource": "*",
        "Condition": {"StringLike": context, "StringEquals": {"aws:SourceArn": trails}},
    }, {
        "Sid": "CloudTrailDescribesKey", "Effect": "Allow", "Principal": service,
        "Action": ["kms:DescribeKey"], "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": trails}},
    }, {
        # "If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions
        # are required to create or update a trail with SSE-KMS encryption enabled."
        "Sid": "CloudTrailDecryptsForBucketKey", "Effect": "Allow", "Principal": service,
        "Action": ["kms:Decrypt"], "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceArn": trails}},
    }]
    if args.cloudtrail_log_readers:
        # "Allow principals in the account to decrypt log files", narrowed to named readers.
        statements.append({
            "Sid": "NamedReadersDecryptTrailLogs", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{args.account_id}:root"},
            "Action": ["kms:Decrypt"], "Resource": "*",
            "Condition": {
                "ArnEquals": {"aws:PrincipalArn": sorted(args.cloudtrail_log_readers)},
                "StringEquals": {"kms:CallerAccount": args.account_id},
                "StringLike": context,
            },
        })
    return statements


def _service_linked_statements(args: KmsKeyArgs) -> list[dict[str, Any]]:
    """Service-linked roles get no access to customer managed keys from their own policies, so the key
    policy names them: use of the key, and grants for AWS resources only. These are the two statements of
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html,
    with the actions named. The role must exist when the policy is written (AWS creates
    AWSServiceRoleForAutoScaling with the account's first Auto Scaling group, or
    `aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com`)."""
    if not args.service_linked_roles:
        return []
    roles = sorted(args.service_linked_roles)
    return [{
        "Sid": "ServiceLinkedRolesUse", "Effect": "Allow", "Principal": {"AWS": roles},
        "Action": USE_ACTIONS, "Resource": "*",
    }, {
        "Sid": "ServiceLinkedRolesAttachVolumes", "Effect": "Allow", "Principal": {"AWS": roles},
        "Action": ["kms:CreateGrant"], "Resource": "*",
        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    }]


def key_policy(args: KmsKeyArgs) -> str:
    root = f"arn:aws:iam::{args.account_id}:root"
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountAdministersNotUses",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": ADMIN_ACTIONS,
        "Resource": "*",  # in a key policy "*" means this key and nothing else
    }]
    if args.users:
        statements.append({
            "Sid": "NamedPrincipalsUse",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": USE_ACTIONS,
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:PrincipalArn": sorted(args.users)}},
        })
    if args.grant_listers:
        statements.append({
            "Sid": "NamedPrincipalsListGrants",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": ["kms:ListGrants"],
            "Resource": "*",
            "Condition": {"ArnEquals": {"aws:PrincipalArn": sorted(args.grant_listers)}},
        })
    if args.via_services:
        statements.append({
            "Sid": "AccountUsesThroughServices",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": [*USE_ACTIONS, "kms:CreateGrant"],
            "Resource": "*",
            "Condition": {"StringEquals": {
                "kms:CallerAccount": args.account_id,
                "kms:ViaService": sorted(f"{s}.{args.region}.amazonaws.com" for s in args.via_services),
            }},
        })
    for service in sorted(args.services):
        statements.append({
            "Sid": f"Service{service.split('.')[0].capitalize()}Uses",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": USE_ACTIONS,
            "Resource": "*",
            "Condition": _service_condition(service, args),
        })
    for service in sorted(args.sns_event_sources):
        statements.append({
            "Sid": f"Service{service.split('.')[0].capitalize()}PublishesToEncryptedTopics",
            "Effect": "Allow",
            "Principal": {"Service": service},
            # What SNS needs from a publisher of an encrypted topic; no condition (see class doc).
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
        })
    statements += _cloudtrail_statements(args)
    statements += _service_linked_statements(args)
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
