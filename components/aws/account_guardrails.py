"""Account-wide guardrails in the environment's region: EBS encryption by default, and S3
public access blocked for the whole account.

Both are account singletons that other stacks and teams rely on, so `pulumi destroy` of one
environment leaves them in place (retain_on_delete) rather than weakening the account.

No stack makes its own key the account's default EBS key (ebs.DefaultKmsKey): every Auto
Scaling launch in the account (other teams' included) would then need that key's policy to
name the Auto Scaling service-linked role
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html),
a role that exists only after the account's first Auto Scaling group, while KMS rejects key
policies naming principals that do not exist; two environments in one account and region would
fight over the setting, and destroying one would leave the default on a key pending deletion.
Volumes nobody keyed fall back to the AWS-managed aws/ebs key; every volume hardstack creates
names the compute key explicitly (rule aws-ec2-volumes-customer-key).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class AccountGuardrailsArgs:
    account_id: str


class AccountGuardrails(pulumi.ComponentResource):
    def __init__(self, name: str, args: AccountGuardrailsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:AccountGuardrails", name, None, opts)
        retained = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        aws.ebs.EncryptionByDefault(f"{name}-ebs-encryption", enabled=True, opts=retained)
        aws.s3.AccountPublicAccessBlock(
            f"{name}-s3-public-access-block", account_id=args.account_id,
            block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=retained,
        )
        self.register_outputs({})
