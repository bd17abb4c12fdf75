"""What the Azure containment responder may do: the built-in roles its plumbing needs, the exact
actions of its custom role, and the condition that limits which role assignments it may delete.
Kept apart from the component so the permissions can be read, reviewed and tested on their own."""

from __future__ import annotations

from collections.abc import Sequence

from hardstack.components.azure import roles

# Built-in roles (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
EVENT_HUBS_DATA_SENDER = "2b629674-e913-4c01-ae53-ef4638d8f975"
EVENT_HUBS_DATA_RECEIVER = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde"
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
# Exactly what azure_defender.py calls (tests pin each against the requests it makes).
RESPONDER_ACTIONS = (
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/networkInterfaces/write",
    # Attaching an NSG to a NIC needs join on the NSG (https://learn.microsoft.com/azure/
    # virtual-network/manage-network-security-group#permissions).
    "Microsoft.Network/networkSecurityGroups/join/action",
    "Microsoft.Authorization/roleAssignments/read",
    "Microsoft.Authorization/roleAssignments/delete",
    "Microsoft.Compute/disks/read",
    # Copying a disk into a snapshot reads it through a SAS, as the Disk Backup Reader role does.
    "Microsoft.Compute/disks/beginGetAccess/action",
    "Microsoft.Compute/snapshots/read",
    "Microsoft.Compute/snapshots/write",
    "Microsoft.Compute/diskEncryptionSets/read",
)


# The roles WorkloadIdentity grants (identity.grants): the only assignments the responder may delete.
WORKLOAD_ROLES = (roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, roles.STORAGE_BLOB_DATA_READER,
                  roles.STORAGE_BLOB_DATA_CONTRIBUTOR)


def delete_condition(role_ids: Sequence[str], principal_ids: Sequence[str]) -> str:
    """Role assignments may be deleted only when they grant one of `role_ids` to one of
    `principal_ids` (the workloads' identities); every other action of the role is unconstrained.
    Delete exposes both attributes (https://learn.microsoft.com/azure/role-based-access-control/
    conditions-authorization-actions-attributes); the form follows
    https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples."""
    attribute = "@Resource[Microsoft.Authorization/roleAssignments:{}] ForAnyOfAnyValues:GuidEquals {{{}}}"
    role = attribute.format("RoleDefinitionId", ", ".join(sorted(role_ids)))
    principal = attribute.format("PrincipalId", ", ".join(sorted(principal_ids)))
    return f"((!(ActionMatches{{'Microsoft.Authorization/roleAssignments/delete'}})) OR ({role} AND {principal}))"
