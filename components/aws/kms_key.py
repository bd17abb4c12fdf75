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

    `users` are IAM principal ARNs allowed to encrypt and decrypt; `services` are AWS service
    principals (for example `logs.eu-central-1.amazonaws.com`), limited to this account by an
    `aws:SourceAccount` condition. The account root may administer the key but not use it.
    """

    purpose: str
    account_id: str
    rotation_days: int = 90
    deletion_window_days: int = 30
    users: Sequence[pulumi.Input[str]] = ()
    services: Sequence[str] = ()
    grant_for_aws_resources: bool = False  # EBS and other services that work through grants
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
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
        policy = pulumi.Output.all(*args.users).apply(lambda users: key_policy(args, list(users)))
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"hardstack {args.purpose} key",
            enable_key_rotation=True,
            rotation_period_in_days=args.rotation_days,
            deletion_window_in_days=args.deletion_window_days,
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            multi_region=False,
            policy=policy,
            tags={**args.tags, "purpose": args.purpose},
            opts=child,
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias", name=f"alias/{name}", target_key_id=self.key.key_id, opts=child
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.key.arn, "alias": self.alias.name})


def key_policy(args: KmsKeyArgs, users: list[str]) -> str:
    root = f"arn:aws:iam::{args.account_id}:root"
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountAdministersNotUses",
        "Effect": "Allow",
        "Principal": {"AWS": root},
        "Action": ADMIN_ACTIONS,
        "Resource": "*",  # in a key policy "*" means this key and nothing else
    }]
    if users:
        statements.append({
            "Sid": "NamedPrincipalsUse",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(users)},
            "Action": USE_ACTIONS,
            "Resource": "*",
        })
        if args.grant_for_aws_resources:
            statements.append({
                "Sid": "NamedPrincipalsGrantToAwsResources",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(users)},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            })
    if args.services:
        statements.append({
            "Sid": "ServicesOfThisAccountUse",
            "Effect": "Allow",
            "Principal": {"Service": sorted(args.services)},
            "Action": USE_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": args.account_id}},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
