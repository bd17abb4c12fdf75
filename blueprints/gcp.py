"""The hardened AI environment on GCP (skeleton: provider and environment root so far)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from blueprints.tags import gcp_labels
from hardstack.spec import Environment


class GcpEnvironment(pulumi.ComponentResource):
    def __init__(self, env: Environment, provider: gcp.Provider) -> None:
        super().__init__(
            "hardstack:gcp:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        self.labels = gcp_labels(env)
        self.register_outputs({})


def provider(env: Environment) -> gcp.Provider:
    return gcp.Provider(
        f"{env.name}-gcp",
        project=env.account,
        region=env.region,
        default_labels=gcp_labels(env),
    )


def build(env: Environment) -> dict[str, Any]:
    GcpEnvironment(env, provider(env))
    return {}
