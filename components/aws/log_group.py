"""A CloudWatch log group encrypted with a customer key and kept for a set time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# CloudWatch accepts only these retention values; a spec's days are rounded up to the next.
RETENTION_STEPS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)


def retention_step(days: int) -> int:
    return next((step for step in RETENTION_STEPS if step >= days), RETENTION_STEPS[-1])


@dataclass
class EncryptedLogGroupArgs:
    kms_key_arn: pulumi.Input[str]
    retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)
    # A name an AWS service writes to by itself (/aws/sagemaker/Endpoints/<name>); None: /hardstack/<name>.
    group_name: str | None = None


class EncryptedLogGroup(pulumi.ComponentResource):
    group: aws.cloudwatch.LogGroup
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: EncryptedLogGroupArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:EncryptedLogGroup", name, None, opts)
        self.group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=args.group_name or f"/hardstack/{name}",
            kms_key_id=args.kms_key_arn,
            retention_in_days=retention_step(args.retention_days),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.group.arn
        self.name = self.group.name
        self.register_outputs({"arn": self.group.arn})
