"""The hardened AI environment on AWS."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints.tags import aws_tags
from components.aws import KmsKey, KmsKeyArgs
from hardstack.spec import Environment


class AwsEnvironment(pulumi.ComponentResource):
    """The root of one environment: every resource of the stack hangs below it."""

    def __init__(self, env: Environment, provider: aws.Provider) -> None:
        super().__init__(
            "hardstack:aws:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        tags = aws_tags(env)
        child = pulumi.ResourceOptions(parent=self)
        self.keys = {
            purpose: KmsKey(
                f"{env.name}-{purpose}",
                KmsKeyArgs(
                    purpose=purpose,
                    account_id=env.account,
                    rotation_days=env.keys.rotation_days,
                    deletion_window_days=env.keys.deletion_window_days,
                    tags=tags,
                ),
                opts=child,
            )
            for purpose in ("data", "logs", "compute")
        }
        self.register_outputs({f"{p}_key_arn": k.arn for p, k in self.keys.items()})


def provider(env: Environment) -> aws.Provider:
    # An explicit provider pinned to the spec's account: a stack can never land in another
    # account by accident, and one program can hold several environments.
    return aws.Provider(
        f"{env.name}-aws",
        region=env.region,
        allowed_account_ids=[env.account],
    )


def build(env: Environment) -> dict[str, Any]:
    root = AwsEnvironment(env, provider(env))
    return {f"{p}_key_arn": k.arn for p, k in root.keys.items()}
