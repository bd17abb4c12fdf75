"""The tags every resource carries, in each cloud's own tag or label syntax."""

from __future__ import annotations

import re

from hardstack.spec import Environment


def aws_tags(env: Environment) -> dict[str, str]:
    # AWS tag values allow letters, digits, spaces and + - = . _ : / @, so frameworks are
    # joined with '+'.
    return {
        "hardstack:environment": env.name,
        "owner": env.owner,
        "data-classification": env.data_classification,
        "compliance": "+".join(env.compliance) or "none",
        "managed-by": "hardstack",
    }


def gcp_labels(env: Environment) -> dict[str, str]:
    # GCP labels: lower-case letters, digits, '_' and '-', at most 63 characters.
    def label(value: str) -> str:
        return re.sub(r"[^a-z0-9_-]", "_", value.lower())[:63]

    return {
        "hardstack-environment": label(env.name),
        "owner": label(env.owner),
        "data-classification": env.data_classification,
        "compliance": label("_".join(env.compliance) or "none"),
        "managed-by": "hardstack",
    }


def azure_tags(env: Environment) -> dict[str, str]:
    return {
        "hardstack-environment": env.name,
        "owner": env.owner,
        "data-classification": env.data_classification,
        "compliance": ",".join(env.compliance) or "none",
        "managed-by": "hardstack",
    }
