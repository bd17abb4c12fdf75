"""The secure key release policy confidential OS disk keys need.

Azure's Confidential VM service releases the disk key only to a VM that Microsoft Azure
Attestation (MAA) attests as a compliant confidential VM. Microsoft's default policy
(github.com/Azure/confidential-computing-cvm, cvm_deployment/key/skr-policy.json) lists every
region's shared MAA provider and both TEE kinds; this one accepts only the environment's own
region and only the TEE kinds its workloads run, so a token minted elsewhere, or by a VM of
another kind, never unlocks the disks.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from hardstack.spec.catalog import AZURE_ATTESTATION as ATTESTATION_AUTHORITIES

# The spec's kinds -> MAA's `x-ms-attestation-type` claim values.
ATTESTATION_TYPES: dict[str, str] = {"tdx": "tdxvm", "sev-snp": "sevsnpvm"}
CONTENT_TYPE = "application/json; charset=utf-8"


def authority(location: str) -> str:
    try:
        return f"https://{ATTESTATION_AUTHORITIES[location]}.attest.azure.net/"
    except KeyError:
        raise ValueError(
            f"no shared Azure Attestation provider known for {location!r}; confidential OS disk keys "
            f"can be released in: {', '.join(sorted(ATTESTATION_AUTHORITIES))}"
        ) from None


def cvm_release_policy(location: str, kinds: Iterable[str]) -> dict[str, Any]:
    """Release to attested, Azure-compliant confidential VMs of `kinds` in `location` only."""
    types = sorted({ATTESTATION_TYPES[k] for k in kinds})
    if not types:
        raise ValueError("a confidential disk key needs at least one TEE kind (tdx or sev-snp)")
    return {
        "version": "1.0.0",
        "anyOf": [{
            "authority": authority(location),
            "allOf": [
                {"claim": "x-ms-compliance-status", "equals": "azure-compliant-cvm"},
                {"anyOf": [{"claim": "x-ms-attestation-type", "equals": t} for t in types]},
            ],
        }],
    }


def encode(policy: dict[str, Any]) -> str:
    """Key Vault takes the policy as base64url-encoded JSON."""
    raw = json.dumps(policy, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(data: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
