"""One user-assigned managed identity per workload, with data-plane grants on exactly the
containers and key it uses.

VMs get short-lived tokens for this identity from the instance metadata service: there are no
secrets, keys or passwords anywhere. Training reads datasets and writes models; inference reads
models. Both may wrap and unwrap with the data key (envelope encryption of what they write or
read), which is all Key Vault Crypto Service Encryption User allows. Every scope is one
container or one key: no vault-, account-, group- or subscription-wide grant, and never Owner
or Contributor (roles.Grant refuses both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import authorization, managedidentity

from hardstack.components.azure import roles


@dataclass
class WorkloadIdentityArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    role: Literal["training", "inference"]
    data_key_id: pulumi.Input[str]
    dataset_container_ids: Sequence[pulumi.Input[str]] = ()
    model_container_ids: Sequence[pulumi.Input[str]] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def grants(args: WorkloadIdentityArgs) -> dict[str, roles.Grant]:
    """The grants by purpose-revealing name: what the workload's role needs and nothing else."""
    out: dict[str, roles.Grant] = {"data-key": roles.Grant(roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
                                                            args.data_key_id)}
    model_role = roles.STORAGE_BLOB_DATA_CONTRIBUTOR if args.role == "training" else roles.STORAGE_BLOB_DATA_READER
    for i, container in enumerate(args.model_container_ids):
        out[f"models-{i}"] = roles.Grant(model_role, container)
    if args.role == "training":
        for i, container in enumerate(args.dataset_container_ids):
            out[f"datasets-{i}"] = roles.Grant(roles.STORAGE_BLOB_DATA_READER, container)
    return out


class WorkloadIdentity(pulumi.ComponentResource):
    identity: managedidentity.UserAssignedIdentity
    assignments: dict[str, authorization.RoleAssignment]
    id: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:WorkloadIdentity", name, None, opts)
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-id", resource_name_=f"id-{name}", resource_group_name=args.resource_group_name,
            location=args.location, tags=dict(args.tags), opts=pulumi.ResourceOptions(parent=self),
        )
        self.id = self.identity.id
        self.principal_id = self.identity.principal_id
        self.assignments = {
            purpose: roles.assign(f"{name}-{purpose}", args.subscription_id, self.identity.principal_id, grant,
                                  parent=self)
            for purpose, grant in grants(args).items()
        }
        self.register_outputs({"id": self.identity.id, "principal_id": self.identity.principal_id})


@dataclass
class ServiceIdentitiesArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    purposes: Sequence[str]  # e.g. "data-cmk", "logs-cmk", "disks": one identity each
    tags: Mapping[str, str] = field(default_factory=dict)


class ServiceIdentities(pulumi.ComponentResource):
    """User-assigned identities Azure services act as: storage accounts unwrapping their
    customer-managed keys, disk encryption sets unwrapping disk keys. Created before the vault,
    so their grants can be made on keys as soon as the keys exist; `tenant_id` (the tenant
    the identities, and so the subscription, belong to) lets the vault name its tenant without
    a data-source call."""

    identities: dict[str, managedidentity.UserAssignedIdentity]
    tenant_id: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:ServiceIdentities", name, None, opts)
        if not args.purposes:
            raise ValueError("ServiceIdentities needs at least one purpose")
        self.identities = {
            purpose: managedidentity.UserAssignedIdentity(
                f"{name}-{purpose}", resource_name_=f"id-{name}-{purpose}",
                resource_group_name=args.resource_group_name, location=args.location,
                tags={**args.tags, "purpose": purpose}, opts=pulumi.ResourceOptions(parent=self),
            )
            for purpose in args.purposes
        }
        self.tenant_id = next(iter(self.identities.values())).tenant_id
        self.register_outputs({p: i.id for p, i in self.identities.items()})
