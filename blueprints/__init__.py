"""Blueprints compose components into whole environments from a validated spec.

`build` is the one code path: `__main__.py` (run by `pulumi up`) and `hardstack plan`
(offline, under mocks) both call it with the same validated `Environment`. A spec that names its
own blueprint (`blueprint: package.module:Attribute`, see blueprints/custom.py) gets that one;
otherwise the built-in blueprint of its cloud.
"""

from __future__ import annotations

from typing import Any

from hardstack.spec import Environment


def build(env: Environment) -> dict[str, Any]:
    """Declare every resource of `env`; returns the stack outputs to export."""
    if env.blueprint is not None:
        from hardstack.blueprints import custom

        return custom.build(env)
    if env.cloud == "aws":
        from hardstack.blueprints import aws

        return aws.build(env)
    if env.cloud == "gcp":
        from hardstack.blueprints import gcp

        return gcp.build(env)
    from hardstack.blueprints import azure

    return azure.build(env)
