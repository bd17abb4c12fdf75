"""A Key Vault that only the environment's network and named identities can reach.

Always: purge protection, soft delete, RBAC authorization (no access policies), public network
access disabled, network ACLs default Deny, a private endpoint in the VNet, and audit logs to
the workspace. Trusted Azure services may still pass the firewall: disk encryption sets and
storage accounts unwrap their customer-managed keys that way, and only with a role this
environment granted them on the one key they use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import keyvault

from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs


@dataclass
class KeyVaultArgs:
    """`sku` premium keeps keys in HSMs (RSA-HSM), which confidential OS disks require.

    `tenant_id` is the Entra tenant of the subscription. Blueprints pass a managed identity's
    `tenant_id` output rather than calling a data source, so offline renders need no invokes.
    """

    vault_name: str  # globally unique, 3-24 characters (see naming.vault_name)
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    endpoint_subnet_id: pulumi.Input[str]
    dns_zone_id: pulumi.Input[str]  # privatelink.vaultcore.azure.net, linked to the VNet
    workspace_id: pulumi.Input[str]
    sku: Literal["standard", "premium"] = "premium"
    soft_delete_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 7 <= self.soft_delete_days <= 90:
            raise ValueError(f"soft_delete_days must be 7..90 for Key Vault, got {self.soft_delete_days}")
        if not 3 <= len(self.vault_name) <= 24:
            raise ValueError(f"Key Vault names are 3-24 characters; {self.vault_name!r} has {len(self.vault_name)}")


class KeyVault(pulumi.ComponentResource):
    vault: keyvault.Vault
    id: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:KeyVault", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            properties={
                "tenant_id": args.tenant_id,
                "sku": {"family": "A", "name": args.sku},
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": args.soft_delete_days,
                "enable_purge_protection": True,
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "AzureServices",
                                 "ip_rules": [], "virtual_network_rules": []},
                # Nothing may read secrets through ARM or VM provisioning; keys are used via RBAC only.
                "enabled_for_deployment": False,
                "enabled_for_template_deployment": False,
                "enabled_for_disk_encryption": False,
            },
            tags=dict(args.tags),
            # Purge protection makes a deleted vault unrecoverable-by-name for its retention:
            # deleting it is a decision, never a side effect of a refactor.
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.id = self.vault.id
        self.name = self.vault.name
        self.endpoint = PrivateEndpoint(f"{name}-vault", PrivateEndpointArgs(
            resource_group_name=args.resource_group_name, location=args.location, target_id=self.vault.id,
            group_id="vault", subnet_id=args.endpoint_subnet_id, dns_zone_id=args.dns_zone_id,
            tags=dict(args.tags),
        ), opts=child)
        self.diagnostics = send_to_workspace(f"{name}-vault-diag", self.vault.id, args.workspace_id, parent=self)
        self.register_outputs({"id": self.vault.id, "name": self.vault.name})
