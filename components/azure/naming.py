"""Names Azure makes globally unique (Key Vaults, storage accounts), derived deterministically.

A name is the environment's own name cut to fit, plus a short hash of subscription and
environment: the same spec always gets the same names, and two subscriptions never collide.
"""

from __future__ import annotations

import hashlib
import re


def _suffix(subscription_id: str, env_name: str, length: int) -> str:
    return hashlib.sha256(f"{subscription_id}/{env_name}".encode()).hexdigest()[:length]


def vault_name(env_name: str, subscription_id: str) -> str:
    """3-24 characters: letters, digits and single hyphens, starting with a letter."""
    stem = re.sub(r"-{2,}", "-", f"kv-{env_name}")[:17].rstrip("-")
    name = f"{stem}-{_suffix(subscription_id, env_name, 6)}"
    assert re.fullmatch(r"[a-z][a-z0-9-]{1,22}[a-z0-9]", name) and "--" not in name, name
    return name


def storage_account_name(env_name: str, subscription_id: str, purpose: str) -> str:
    """3-24 lower-case letters and digits only; `purpose` tells the accounts apart."""
    stem = re.sub(r"[^a-z0-9]", "", f"st{purpose[:4]}{env_name}")[:16]
    name = f"{stem}{_suffix(subscription_id, f'{env_name}/{purpose}', 8)}"
    assert re.fullmatch(r"[a-z0-9]{3,24}", name), name
    return name


def platform_name(env_name: str, subscription_id: str, purpose: str, max_length: int, hyphens: bool = True) -> str:
    """Names of the AI platform's globally unique resources (Azure OpenAI subdomain, container
    registry): `purpose` and the environment, cut to fit, plus a hash. `hyphens` False gives
    letters and digits only (registries)."""
    suffix = _suffix(subscription_id, f"{env_name}/{purpose}", 6)
    sep = "-" if hyphens else ""
    stem = f"{purpose}{sep}{env_name}" if hyphens else re.sub(r"[^a-z0-9]", "", f"{purpose}{env_name}")
    stem = re.sub(r"-{2,}", "-", stem)[: max_length - len(suffix) - len(sep)].rstrip("-")
    name = f"{stem}{sep}{suffix}"
    assert re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]" if hyphens else r"[a-z][a-z0-9]*", name), name
    return name


def regional_name(env_name: str, subscription_id: str, stem: str, max_length: int) -> str:
    """Names Azure Machine Learning makes unique per region across all subscriptions (online
    endpoints, compute instances): `stem` cut to fit, a hyphen and a hash of subscription,
    environment and stem."""
    suffix = _suffix(subscription_id, f"{env_name}/{stem}", 6)
    name = f"{stem[: max_length - len(suffix) - 1].rstrip('-')}-{suffix}"
    assert re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", name) and len(name) <= max_length, name
    return name
