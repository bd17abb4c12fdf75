"""Azure stack relations: every data store is encrypted with a Key Vault key this environment
owns, directly (storage accounts, disk encryption sets) or through a disk encryption set of
this stack (VM disks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import ACCOUNT, DES, KEY, VM
from ..relations import of_type, referenced
from ..rule import stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

# (resource type, property holding its key or key holder, the type that must be referenced)
KEYED = (
    (ACCOUNT, "encryption", KEY),
    (DES, "activeKey", KEY),
    (VM, "storageProfile", DES),
)


@stack_rule(
    id="azure-data-encrypted-with-own-key", title="Every data store is encrypted with a key of this stack",
    severity="high", cloud="azure", practice="encryption",
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-28"]},
    remediation="Pass the environment's VaultKey (or its DiskEncryption) rather than a Microsoft-managed key, a "
    "hand-written URI or another environment's key.",
)
def own_key(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for token, prop, holder in KEYED:
        for res in of_type(resources, token):
            if not referenced(res, prop, holder):
                what = "Key Vault key" if holder == KEY else "disk encryption set"
                yield f"{res.name}: {prop} does not use a {what} defined in this stack", res.urn
