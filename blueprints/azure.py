"""The hardened AI environment on Azure (skeleton: provider and environment root so far)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_azure_native as azure_native

from blueprints.tags import azure_tags
from hardstack.spec import Environment


class AzureEnvironment(pulumi.ComponentResource):
    def __init__(self, env: Environment, provider: azure_native.Provider) -> None:
        super().__init__(
            "hardstack:azure:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        self.resource_group = azure_native.resources.ResourceGroup(
            f"{env.name}-rg",
            resource_group_name=f"rg-{env.name}",
            location=env.region,
            tags=azure_tags(env),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"resource_group": self.resource_group.name})


def provider(env: Environment) -> azure_native.Provider:
    return azure_native.Provider(
        f"{env.name}-azure",
        subscription_id=env.account,
        location=env.region,
    )


def build(env: Environment) -> dict[str, Any]:
    root = AzureEnvironment(env, provider(env))
    return {"resource_group": root.resource_group.name}
