"""Plausible computed attributes for mocked resources, per cloud.

References such as `kms_key_id=key.arn` only survive into the graph if the mocked resource
returns an `arn`; these functions return what the real provider would compute.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """Where the mocked resources live: the spec's cloud, region and account."""

    cloud: str
    region: str
    account: str


def short_hash(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def module_and_kind(token: str) -> tuple[str, str]:
    """`aws:kms/key:Key` -> ("kms", "Key"); `azure-native:keyvault:Vault` -> ("keyvault", "Vault")."""
    _, module, kind = token.split(":", 2)
    return module.split("/")[0], kind
