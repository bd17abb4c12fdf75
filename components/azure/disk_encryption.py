"""The disk encryption set VM disks are sealed with, always with a customer-managed key.

`confidential` (the default) makes it the set confidential VMs need, of type
ConfidentialVmEncryptedWithCustomerKey; otherwise EncryptionAtRestWithCustomerKey, for VMs
that run without confidential computing under an exemption. Either way the set uses the given
user-assigned identity, which this component lets wrap and unwrap with the one disk key (Key
Vault Crypto Service Encryption User on that key, nothing else). The Confidential VM service
releases the key to attested VMs as the "Confidential VM Orchestrator" service principal (app
id bf7b6499-ff71-4aa2-97a4-f372087be7f0), which needs Key Vault Crypto Service Release User on
the key; its object id differs per tenant, so the caller passes it (`release_principal_id`).

Automatic rotation to the latest key version is off for confidential sets: Azure rotates
confidential OS disk keys only offline (stop every VM of the set, then point the set at the new
version); the key's "notify" lifetime action raises the event that starts that procedure
before a version expires. Non-confidential sets follow the key's rotation automatically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import compute

from components.azure import roles

CVM_ORCHESTRATOR_APP_ID = "bf7b6499-ff71-4aa2-97a4-f372087be7f0"


@dataclass
class DiskEncryptionArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    vault_id: pulumi.Input[str]
    identity_id: pulumi.Input[str]  # user-assigned identity the set unwraps the key with
    identity_principal_id: pulumi.Input[str]
    key_id: pulumi.Input[str]  # ARM id of the disk key: the role assignments' scope
    key_uri_with_version: pulumi.Input[str]  # confidential sets pin a version
    key_uri: pulumi.Input[str] | None = None  # versionless: required when not confidential
    confidential: bool = True
    # Object id of the Confidential VM Orchestrator in this tenant; None leaves that grant to
    # the tenant's administrators (VM creation fails until it exists).
    release_principal_id: pulumi.Input[str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.confidential and self.key_uri is None:
            raise ValueError("a non-confidential disk encryption set follows rotation: pass the versionless key_uri")


class DiskEncryption(pulumi.ComponentResource):
    disk_encryption_set: compute.DiskEncryptionSet
    id: pulumi.Output[str]

    def __init__(self, name: str, args: DiskEncryptionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:DiskEncryption", name, None, opts)
        wrap = roles.assign(
            f"{name}-wrap", args.subscription_id, args.identity_principal_id,
            roles.Grant(roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, args.key_id), parent=self,
        )
        grants: list[pulumi.Resource] = [wrap]
        if args.confidential and args.release_principal_id is not None:
            grants.append(roles.assign(
                f"{name}-release", args.subscription_id, args.release_principal_id,
                roles.Grant(roles.KEY_VAULT_CRYPTO_SERVICE_RELEASE_USER, args.key_id), parent=self,
            ))
        self.disk_encryption_set = compute.DiskEncryptionSet(
            f"{name}-des",
            disk_encryption_set_name=f"des-{name}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            encryption_type=(
                "ConfidentialVmEncryptedWithCustomerKey" if args.confidential else "EncryptionAtRestWithCustomerKey"),
            identity={"type": "UserAssigned", "user_assigned_identities": [args.identity_id]},
            active_key={
                "key_url": args.key_uri_with_version if args.confidential else args.key_uri,
                "source_vault": {"id": args.vault_id},
            },
            rotation_to_latest_key_version_enabled=not args.confidential,
            tags=dict(args.tags),
            # The set can only unwrap once its identity holds the role on the key.
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        self.id = self.disk_encryption_set.id
        self.register_outputs({"id": self.disk_encryption_set.id})
