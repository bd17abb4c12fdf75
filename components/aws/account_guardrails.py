"""Account-wide guardrails in the environment's region: EBS encryption by default with the
compute key, and S3 public access blocked for the whole account."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class AccountGuardrailsArgs:
    account_id: str
    ebs_key_arn: pulumi.Input[str]


class AccountGuardrails(pulumi.ComponentResource):
    def __init__(self, name: str, args: AccountGuardrailsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:AccountGuardrails", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        aws.ebs.EncryptionByDefault(f"{name}-ebs-encryption", enabled=True, opts=child)
        aws.ebs.DefaultKmsKey(f"{name}-ebs-key", key_arn=args.ebs_key_arn, opts=child)
        aws.s3.AccountPublicAccessBlock(
            f"{name}-s3-public-access-block", account_id=args.account_id,
            block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child,
        )
        self.register_outputs({})
