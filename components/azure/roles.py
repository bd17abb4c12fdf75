"""Azure RBAC: the built-in roles hardstack grants, and one way to grant them.

Only data-plane roles narrow to one purpose are listed; Owner, Contributor and User Access
Administrator are refused outright, and a grant must name a scope below the subscription, so
no identity created here can ever hold a subscription-wide or management role.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

# Built-in role definition ids (the same GUID in every tenant), from
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security (Key Vault)
# and https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage.
KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"  # read key, wrap/unwrap
KEY_VAULT_CRYPTO_SERVICE_RELEASE_USER = "08bbd89e-9f13-488c-ac41-acfcb10c90ab"  # release exportable keys
KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"  # encrypt/decrypt/wrap/unwrap/sign
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
# Call Azure OpenAI deployments (inference only: no keys, no deployments, no account settings), from
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/ai-machine-learning.
COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
# What an AKS cluster's own (control-plane) identity needs, each on one resource
# (components/azure/aks.py): join its node and API server subnets ("assign the Network Contributor
# role to the cluster identity on the API server subnet and the node subnet",
# https://learn.microsoft.com/azure/aks/api-server-vnet-integration and
# https://learn.microsoft.com/azure/aks/configure-azure-cni), hand nodes their kubelet identity
# (https://learn.microsoft.com/azure/aks/use-managed-identity: Managed Identity Operator on the
# kubelet identity), and open the private link to a private Key Vault for KMS
# (https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption, private key vault: Key Vault
# Contributor on the vault, as remembered from the page's private-vault steps; the stored excerpts
# stop before them, so only a deployment confirms it is needed). Built-in ids from
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles.
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
# What a cluster admin needs on one AKS cluster with Azure RBAC for Kubernetes authorization
# (https://learn.microsoft.com/azure/aks/manage-azure-rbac): every Kubernetes object (RBAC Cluster Admin,
# data actions Microsoft.ContainerService/managedClusters/*) and the user kubeconfig
# (Cluster User Role: listClusterUserCredential). Ids from
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers.
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
AKS_CLUSTER_USER = "4abbcc35-e782-43d8-92c5-2d3f1bd2253f"

ROLE_NAMES: dict[str, str] = {
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER: "Key Vault Crypto Service Encryption User",
    KEY_VAULT_CRYPTO_SERVICE_RELEASE_USER: "Key Vault Crypto Service Release User",
    KEY_VAULT_CRYPTO_USER: "Key Vault Crypto User",
    STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
    STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
    COGNITIVE_SERVICES_OPENAI_USER: "Cognitive Services OpenAI User",
    NETWORK_CONTRIBUTOR: "Network Contributor",
    MANAGED_IDENTITY_OPERATOR: "Managed Identity Operator",
    KEY_VAULT_CONTRIBUTOR: "Key Vault Contributor",
    AKS_RBAC_CLUSTER_ADMIN: "Azure Kubernetes Service RBAC Cluster Admin",
    AKS_CLUSTER_USER: "Azure Kubernetes Service Cluster User Role",
}
# Owner, Contributor, User Access Administrator, Role Based Access Control Administrator.
FORBIDDEN_ROLES = frozenset({
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
})
# Stable namespace for role assignment names: the same grant always gets the same GUID.
_ASSIGNMENTS = uuid.UUID("6a1b3f0e-5c2d-4e8a-9b7f-1d2c3e4f5a6b")


def role_definition_id(subscription_id: str, role_id: str) -> str:
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


@dataclass(frozen=True)
class Grant:
    """`role` (a built-in role id from this module) for one principal on one resource."""

    role: str
    scope: pulumi.Input[str]  # a resource id below a resource group, never the subscription

    def __post_init__(self) -> None:
        if self.role in FORBIDDEN_ROLES:
            raise ValueError(f"role {self.role} (Owner/Contributor/access administration) is never granted")
        if self.role not in ROLE_NAMES:
            raise ValueError(f"role {self.role} is not one of the narrow data roles hardstack grants: "
                             f"{', '.join(sorted(ROLE_NAMES.values()))}")
        if isinstance(self.scope, str) and not re.search(r"/resourceGroups/[^/]+/providers/.+", self.scope):
            raise ValueError(f"scope {self.scope!r} is not a resource (subscription, group or wider); "
                             "grant on the one resource the principal uses")


def assign(name: str, subscription_id: str, principal_id: pulumi.Input[str], grant: Grant,
           parent: pulumi.Resource, depends_on: list[pulumi.Resource] | None = None,
           principal_type: str = "ServicePrincipal") -> authorization.RoleAssignment:
    """Create one role assignment. Managed identities are service principals: saying so skips
    ARM's directory lookup, which fails for identities created moments before; ARM refuses a type
    that does not match the principal (Group for the admins' Entra groups)."""
    return authorization.RoleAssignment(
        name,
        role_assignment_name=str(uuid.uuid5(_ASSIGNMENTS, f"{subscription_id}/{name}")),
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=role_definition_id(subscription_id, grant.role),
        scope=grant.scope,
        description=f"hardstack: {ROLE_NAMES[grant.role]}",
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on or []),
    )
