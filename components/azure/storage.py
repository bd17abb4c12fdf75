"""A storage account that cannot be read in the clear, reached from the internet, or changed
without a trace.

Always: encryption with a customer-managed key (the given user-assigned identity is granted Key
Vault Crypto Service Encryption User on that one key before the account exists) plus
infrastructure encryption, HTTPS only,
TLS 1.2 minimum, no anonymous blob access, no shared keys (Entra ID only), no cross-tenant
replication, network default Deny, blob versioning, change feed (lineage of every write), soft
delete of blobs and containers, and blob logs and metrics to the audit workspace.

`network_access` "private" (the default) disables public network access and adds a private
endpoint; "trusted-services" keeps the public endpoint behind a Deny-all firewall that only
trusted Azure services pass, which is how Network Watcher delivers flow logs to a log account
(a disabled public endpoint ignores the trusted-services exception).

Redundancy: geo-zone-redundant (GZRS) where the region has a paired region, zone-redundant
otherwise (`redundancy`); the paired region of every EU/EEA region is itself in the EU/EEA.

Containers listed with `immutable_days` get version-level immutability with a time-based
default policy: every version written there is locked for that many days (WORM).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi_azure_native import storage

from hardstack.components.azure import roles
from hardstack.components.azure.diagnostics import STORAGE_METRICS, send_to_workspace
from hardstack.components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs

# Regions without a paired region: no geo-redundant storage there.
UNPAIRED_REGIONS = frozenset({
    "italynorth", "polandcentral", "spaincentral", "austriaeast", "belgiumcentral", "denmarkeast",
    "israelcentral", "qatarcentral", "mexicocentral",
})


def redundancy(location: str) -> str:
    return "Standard_ZRS" if location in UNPAIRED_REGIONS else "Standard_GZRS"


@dataclass(frozen=True)
class Container:
    name: str
    immutable_days: int | None = None  # version-level WORM retention; None = mutable
    # What the container holds (datasets, models); its metadata says so, which policies read
    # to find the containers that must be write-once. The name if None.
    purpose: str | None = None


@dataclass
class SecureStorageAccountArgs:
    account_name: str  # globally unique, 3-24 lower-case letters and digits (naming.storage_account_name)
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    key_id: pulumi.Input[str]  # ARM id of the customer-managed key (scope of the identity's grant)
    key_name: pulumi.Input[str]
    key_vault_uri: pulumi.Input[str]
    cmk_identity_id: pulumi.Input[str]  # user-assigned identity the account unwraps its key with
    cmk_identity_principal_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    containers: Sequence[Container] = ()
    network_access: Literal["private", "trusted-services"] = "private"
    endpoint_subnet_id: pulumi.Input[str] | None = None  # required when network_access is "private"
    dns_zone_id: pulumi.Input[str] | None = None  # privatelink.blob.core.windows.net
    soft_delete_days: int = 30
    noncurrent_version_days: int = 365  # old versions are deleted after this many days
    delete_after_days: int | None = None  # current blobs too (log accounts); None keeps them
    sku: str | None = None  # redundancy(location) if None
    # False when the caller already granted cmk_identity on key_id (one identity and key shared by
    # several services: ARM refuses a second assignment of the same role, principal and scope).
    grant_key: bool = True
    after: Sequence[pulumi.Resource] = ()  # what the account waits for (the caller's grant)
    # Extra private endpoints beside blob ("file" for Azure Machine Learning's notebooks share).
    more_endpoints: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)  # group id -> DNS zone id
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.network_access == "private" and (self.endpoint_subnet_id is None or self.dns_zone_id is None):
            raise ValueError(f"{self.account_name}: a private account needs endpoint_subnet_id and dns_zone_id")
        if not 1 <= self.soft_delete_days <= 365:
            raise ValueError(f"soft_delete_days must be 1..365, got {self.soft_delete_days}")
        for c in self.containers:
            if c.immutable_days is not None and not 1 <= c.immutable_days <= 146000:
                raise ValueError(f"container {c.name}: immutable_days must be 1..146000")


class SecureStorageAccount(pulumi.ComponentResource):
    account: storage.StorageAccount
    containers: dict[str, storage.BlobContainer]
    id: pulumi.Output[str]

    def __init__(self, name: str, args: SecureStorageAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:SecureStorageAccount", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, tags = args.resource_group_name, dict(args.tags)
        # A customer-managed key is checked when the account is created: the grant comes first.
        waits: list[pulumi.Resource] = list(args.after)
        if args.grant_key:
            waits.append(roles.assign(
                f"{name}-cmk", args.subscription_id, args.cmk_identity_principal_id,
                roles.Grant(roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, args.key_id), parent=self,
            ))
        private = args.network_access == "private"
        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=args.account_name,
            resource_group_name=rg,
            location=args.location,
            kind="StorageV2",
            sku={"name": args.sku or redundancy(args.location)},
            access_tier="Hot",
            identity={"type": "UserAssigned", "user_assigned_identities": [args.cmk_identity_id]},
            encryption={
                "key_source": "Microsoft.Keyvault",
                # Versionless: the account follows the key's rotation within a day.
                "key_vault_properties": {"key_name": args.key_name, "key_vault_uri": args.key_vault_uri},
                "encryption_identity": {"encryption_user_assigned_identity": args.cmk_identity_id},
                "require_infrastructure_encryption": True,
                "services": {s: {"enabled": True, "key_type": "Account"} for s in ("blob", "file", "queue", "table")},
            },
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            allowed_copy_scope="PrivateLink" if private else "AAD",
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            public_network_access="Disabled" if private else "Enabled",
            # The trusted-services exception only matters while the public endpoint exists
            # (trusted-services mode); with public access disabled Azure ignores it.
            network_rule_set={"default_action": "Deny", "bypass": "AzureServices",
                              "ip_rules": [], "virtual_network_rules": []},
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits),
        )
        self.id = self.account.id
        blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            blob_services_name="default",
            account_name=self.account.name,
            resource_group_name=rg,
            is_versioning_enabled=True,
            change_feed={"enabled": True, "retention_in_days": max(args.noncurrent_version_days, 1)},
            delete_retention_policy={"enabled": True, "days": args.soft_delete_days, "allow_permanent_delete": False},
            container_delete_retention_policy={"enabled": True, "days": args.soft_delete_days},
            opts=child,
        )
        self.containers = {}
        for c in args.containers:
            self.containers[c.name] = self._container(name, args, c, blob_service)
        storage.ManagementPolicy(
            f"{name}-lifecycle", management_policy_name="default", account_name=self.account.name,
            resource_group_name=rg, policy={"rules": [self._lifecycle_rule(args)]}, opts=child,
        )
        if private:
            assert args.endpoint_subnet_id is not None and args.dns_zone_id is not None
            self.endpoint = PrivateEndpoint(f"{name}-blob", PrivateEndpointArgs(
                resource_group_name=rg, location=args.location, target_id=self.account.id, group_id="blob",
                subnet_id=args.endpoint_subnet_id, dns_zone_id=args.dns_zone_id, tags=tags,
            ), opts=child)
            self.more_endpoints = {group: PrivateEndpoint(f"{name}-{group}", PrivateEndpointArgs(
                resource_group_name=rg, location=args.location, target_id=self.account.id, group_id=group,
                subnet_id=args.endpoint_subnet_id, dns_zone_id=zone, tags=tags,
            ), opts=child) for group, zone in args.more_endpoints.items()}
        # Blob reads, writes and deletes are logged on the blob service, not the account.
        send_to_workspace(f"{name}-blob-diag", blob_service.id, args.workspace_id, parent=self, metrics=STORAGE_METRICS)
        send_to_workspace(f"{name}-account-diag", self.account.id, args.workspace_id, parent=self, logs=False,
                          metrics=STORAGE_METRICS)
        self.register_outputs({"id": self.account.id, "name": self.account.name})

    def _container(self, name: str, args: SecureStorageAccountArgs, c: Container,
                   blob_service: storage.BlobServiceProperties) -> storage.BlobContainer:
        after_service = pulumi.ResourceOptions(parent=self, depends_on=[blob_service])
        container = storage.BlobContainer(
            f"{name}-{c.name}",
            container_name=c.name,
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            public_access="None",
            immutable_storage_with_versioning={"enabled": True} if c.immutable_days else None,
            metadata={"purpose": c.purpose or c.name},
            opts=after_service,
        )
        if c.immutable_days:
            storage.BlobContainerImmutabilityPolicy(
                f"{name}-{c.name}-worm",
                immutability_policy_name="default",
                account_name=self.account.name,
                container_name=container.name,
                resource_group_name=args.resource_group_name,
                immutability_period_since_creation_in_days=c.immutable_days,
                allow_protected_append_writes=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
        return container

    @staticmethod
    def _lifecycle_rule(args: SecureStorageAccountArgs) -> dict[str, Any]:
        old_versions = {"delete": {"days_after_creation_greater_than": args.noncurrent_version_days}}
        actions: dict[str, Any] = {"version": old_versions}
        if args.delete_after_days is not None:
            actions["base_blob"] = {"delete": {"days_after_modification_greater_than": args.delete_after_days}}
        return {
            "name": "retention", "enabled": True, "type": "Lifecycle",
            "definition": {"filters": {"blob_types": ["blockBlob"]}, "actions": actions},
        }
