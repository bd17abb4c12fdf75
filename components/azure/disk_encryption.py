"""The disk encryption set VM disks are sealed with, always with a customer-managed key.

`confidential` (the default) makes it the set confidential VMs need, of type
ConfidentialVmEncryptedWithCustomerKey; otherwise EncryptionAtRestWithCustomerKey, for VMs
that run without confidential computing under an exemption. Either way the set uses the given
user-assigned identity, which this component lets wrap and unwrap with the one disk key (Key
Vault Crypto Service Encryption User on that key, nothing else). The Confidential VM service
releases the key to attested VMs as the "Confidential VM Orchestrator" service principal (app
id bf7b6499-ff71-4aa2-97a4-f372087be7f0), which needs Key Vault Crypto Service Release User on
the key; its object id differs per tenant, so the caller passes it (`release_principal_id`).

Confidential sets pin one key version and never follow rotation: "Automatic key rotation isn't
currently supported for confidential VMs"
(https://learn.microsoft.com/azure/confidential-computing/key-rotation-offline).
The disk key is rotated offline (VaultKey rotation "offline"): its version expires
`keys.rotation_days` after creation, and "when a key is either disabled, deleted, or expired,
any VMs with either OS or data disks using that key will automatically shut down"
(https://learn.microsoft.com/azure/virtual-machines/disk-encryption). KeyExpiryAlerts mails the
security team when Key Vault raises KeyNearExpiry (30 days before the deadline); then, in a
maintenance window before the deadline (OFFLINE_ROTATION_RUNBOOK):

1. `az keyvault key rotate --vault-name <vault> --name disks` (the new version gets the policy's expiry);
2. stop (deallocate) every VM of the set: "If one or more VMs isn't in the stopped state, then
   none of the VMs can receive the new key";
3. `pulumi refresh` then `pulumi up`: the set's key URL follows the key's new current version
   (or `az disk-encryption-set update --key-url <new version>`);
4. start the VMs; if some kept the old key, repeat step 3 ("Retry key rotation").

Non-confidential sets follow the key's automatic rotation (rotation_to_latest_key_version_enabled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import compute

from hardstack.components.azure import roles

CVM_ORCHESTRATOR_APP_ID = "bf7b6499-ff71-4aa2-97a4-f372087be7f0"
# The offline rotation of a confidential set's key, step by step (exported by the blueprint).
OFFLINE_ROTATION_RUNBOOK = (
    "az keyvault key rotate --vault-name {vault} --name {key}",
    "az vm deallocate --ids <every VM of disk encryption set {des}>",
    "pulumi refresh && pulumi up  # the set's key URL follows the key's new version",
    "az vm start --ids <the same VMs>; repeat the update if any VM kept the old key",
)


def rotation_runbook(vault: str, key: str, des: str) -> list[str]:
    return [step.format(vault=vault, key=key, des=des) for step in OFFLINE_ROTATION_RUNBOOK]


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
