"""Azure RBAC and managed identities: no privileged roles, no subscription- or group-wide grants,
workloads authenticate as managed identities (no stored credentials)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..azure.tokens import ROLE, VM, short
from ..rule import resource_rule

LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-6"]}
# Built-in role definition GUIDs, the same in every tenant.
PRIVILEGED_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
}
RESOURCE_SCOPE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/[^/]+/[^/]+/[^/]+", re.IGNORECASE)
GROUP_SCOPE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/?$", re.IGNORECASE)


@resource_rule(
    id="azure-role-no-privileged", title="No role assignment grants Owner, Contributor or access administration",
    severity="critical", cloud="azure", practice="access", types=[ROLE], controls=LEAST_PRIVILEGE,
    remediation="Grant the narrow built-in data role the principal needs (Key Vault Crypto Service Encryption User, "
    "Storage Blob Data Reader, ...); components.azure.roles refuses the privileged ones.",
)
def no_privileged(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    role = short(props.get("roleDefinitionId")).lower()
    if role in PRIVILEGED_ROLES:
        yield f"grants {PRIVILEGED_ROLES[role]} ({role})"


@resource_rule(
    id="azure-role-resource-scope", title="Role assignments are scoped to one resource", severity="high",
    cloud="azure", practice="access", types=[ROLE], controls=LEAST_PRIVILEGE,
    remediation="Scope the assignment to the one vault key, container or account the principal uses, never a "
    "subscription, management group or resource group.",
)
def resource_scope(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    scope = str(props.get("scope") or "")
    if RESOURCE_SCOPE.match(scope):
        return
    if GROUP_SCOPE.match(scope):
        what = "a whole resource group"
    elif "managementGroups" in scope or scope in ("", "/"):
        what = "a management group or the tenant root"
    else:
        what = "a whole subscription"
    yield f"scope {scope or '/'} is {what}, not one resource"


@resource_rule(
    id="azure-vm-managed-identity", title="VMs authenticate as a managed identity", severity="medium",
    cloud="azure", practice="access", types=[VM],
    controls={"hipaa": ["164.312(d)"], "nist-800-53": ["IA-2", "IA-5"], "gdpr": ["32(1)(b)"]},
    remediation="Give the VM a user-assigned identity (components.azure.WorkloadIdentity) and grant it data roles.",
)
def vm_identity(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    identity = props.get("identity") or {}
    if str(identity.get("type", "None")).lower() == "none":
        yield "no managed identity: the workload would need stored credentials to reach data and keys"
