"""An Azure Machine Learning workspace nobody reaches from the internet and that reaches out only
to what it was approved to reach.

Always: public network access disabled and a private endpoint in the environment's VNet (group
amlworkspace, zones privatelink.api.azureml.ms and privatelink.notebooks.azure.net); a managed
network in "allow only approved outbound" mode, provisioned with the workspace; a
customer-managed key (the platform identity unwraps it); high-business-impact mode; system
datastores reached with identities, never account keys; its own storage account, key vault
and Premium container registry, each private, keyless where the service allows, and with the
customer-managed key; and every log to the audit workspace.

Why (pinned by tests/azure/test_azure_platform*.py):
- https://learn.microsoft.com/azure/machine-learning/how-to-managed-network: in "allow only
  approved outbound" mode, private endpoint rules to the workspace and its storage, key vault
  and container registry are created automatically, "regardless of public network access mode",
  so the only user rules are private endpoints to what the notebooks and endpoints call (the
  environment's Azure OpenAI account and data account); no FQDN rule, hence no Azure Firewall.
  "To create an online deployment, you must manually provision the managed network": it is
  provisioned with the workspace (provision_network_now).
- https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys: the key vault
  must have soft delete and purge protection; the services' identities need get, wrap and unwrap
  (Key Vault Crypto Service Encryption User). The workspace's metadata store unwraps the key as
  the tenant's "Azure Cosmos DB" service principal (app a232010e-820c-4083-83bb-3ace5fc29d0b,
  "Allow Azure Cosmos DB to access the key": Get, Unwrap Key, Wrap Key;
  https://learn.microsoft.com/azure/machine-learning/how-to-setup-customer-managed-keys, which
  also requires the vault in the workspace's subscription; Azure Verified Modules' CMK example
  grants the role: github.com/Azure/terraform-azurerm-avm-res-machinelearningservices-workspace
  examples/user_assigned_id_cmk_encryption/main.tf). Service-side
  encryption (preview) "is currently not supported in reference to an Azure Key Vault ... that has
  public network access disabled", so it stays off and the environment's private vault is used.
  The hbi flag "can only be set when you create a workspace". The key is named without a version
  so the workspace follows Key Vault's rotation; Microsoft's examples show versioned key URLs,
  so only a deployment confirms ARM takes the versionless one (else pin key_uri_with_version
  and move it on each rotation, within the same vault: the docs allow no other).
- https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication:
  a registry Azure Machine Learning creates itself has the admin account on, so the workspace
  brings its own; private endpoints need the Premium tier
  (https://learn.microsoft.com/azure/container-registry/container-registry-private-link).
- Key Vault lets the trusted services it lists (Azure Machine Learning, Azure Cosmos DB,
  Container Registry) through its firewall:
  https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints#trusted-services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerregistry, machinelearningservices

from hardstack.components.azure import roles
from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.key_vault import KeyVault, KeyVaultArgs
from hardstack.components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from hardstack.components.azure.storage import SecureStorageAccount, SecureStorageAccountArgs

# DNS_ZONES keys the workspace's endpoints register in.
ZONES = ("vault", "blob", "file", "amlworkspace", "notebooks", "registry")


@dataclass(frozen=True)
class PlatformKey:
    """The customer-managed key of the platform and the identity every platform service unwraps it
    with (granted Key Vault Crypto Service Encryption User on the key by the caller: `grant`)."""

    key_id: pulumi.Input[str]
    key_name: str
    key_uri: pulumi.Input[str]  # versionless: services that accept it follow rotation
    vault_id: pulumi.Input[str]
    vault_uri: pulumi.Input[str]
    identity_id: pulumi.Input[str]
    identity_principal_id: pulumi.Input[str]
    identity_client_id: pulumi.Input[str]
    grant: pulumi.Resource


@dataclass(frozen=True)
class Outbound:
    """A private endpoint the managed network may open (an approved outbound rule)."""

    name: str
    resource_id: pulumi.Input[str]
    subresource: str  # "account" (Azure OpenAI), "blob", ...


@dataclass
class MlWorkspaceArgs:
    subscription_id: str
    name: str  # the workspace's name (3-33 characters)
    resource_group_name: pulumi.Input[str]
    location: str
    tenant_id: pulumi.Input[str]
    key: PlatformKey
    workspace_id: pulumi.Input[str]  # Log Analytics: diagnostics of everything here
    endpoint_subnet_id: pulumi.Input[str]
    dns_zone_ids: Mapping[str, pulumi.Input[str]]  # ZONES -> private DNS zone id
    storage_account_name: str
    vault_name: str
    registry_name: str  # 5-50 letters and digits, globally unique
    outbound: Sequence[Outbound] = ()
    # Object id of the tenant's "Azure Cosmos DB" service principal: the workspace's metadata store
    # unwraps the key as it. None leaves the grant out (the stack rule azure-ml-workspace-key-usable
    # fails until it is made).
    cosmos_db_principal_id: str | None = None
    soft_delete_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(ZONES) - set(self.dns_zone_ids)
        if missing:
            raise ValueError(f"the workspace's private endpoints need the DNS zones {sorted(missing)}")
        if not 3 <= len(self.name) <= 33:
            raise ValueError(f"workspace names are 3-33 characters; {self.name!r} has {len(self.name)}")
        if not (5 <= len(self.registry_name) <= 50 and self.registry_name.isalnum()):
            raise ValueError(f"registry names are 5-50 letters and digits: {self.registry_name!r}")


class MlWorkspace(pulumi.ComponentResource):
    workspace: machinelearningservices.Workspace
    registry: containerregistry.Registry
    storage: SecureStorageAccount
    vault: KeyVault
    id: pulumi.Output[str]
    principal_id: pulumi.Output[str]  # the workspace's system-assigned identity

    def __init__(self, name: str, args: MlWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:MlWorkspace", name, None, opts)
        self.args, self.name = args, name
        self.child = pulumi.ResourceOptions(parent=self)
        self.tags = {**args.tags, "purpose": "ml-platform"}
        self._dependencies()
        self._workspace()
        zones = args.dns_zone_ids
        self.endpoint = PrivateEndpoint(f"{name}-ws", PrivateEndpointArgs(
            resource_group_name=args.resource_group_name, location=args.location, target_id=self.workspace.id,
            group_id="amlworkspace", subnet_id=args.endpoint_subnet_id, dns_zone_id=zones["amlworkspace"],
            more_zone_ids={"notebooks": zones["notebooks"]}, tags=self.tags,
        ), opts=self.child)
        send_to_workspace(f"{name}-ws-diag", self.workspace.id, args.workspace_id, parent=self)
        self.register_outputs({"id": self.workspace.id, "registry_id": self.registry.id})

    def _dependencies(self) -> None:
        args, key, rg = self.args, self.args.key, self.args.resource_group_name
        zones = args.dns_zone_ids
        self.storage = SecureStorageAccount(f"{self.name}-storage", SecureStorageAccountArgs(
            account_name=args.storage_account_name, subscription_id=args.subscription_id, resource_group_name=rg,
            location=args.location, key_id=key.key_id, key_name=key.key_name, key_vault_uri=key.vault_uri,
            cmk_identity_id=key.identity_id, cmk_identity_principal_id=key.identity_principal_id,
            workspace_id=args.workspace_id, endpoint_subnet_id=args.endpoint_subnet_id, dns_zone_id=zones["blob"],
            # Notebooks live on the account's file share: people's clients reach it privately too.
            more_endpoints={"file": zones["file"]}, grant_key=False, after=[key.grant], tags=self.tags,
        ), opts=self.child)
        # The workspace keeps its connection secrets in a vault of its own, apart from the keys.
        self.vault = KeyVault(f"{self.name}-kv", KeyVaultArgs(
            vault_name=args.vault_name, resource_group_name=rg, location=args.location, tenant_id=args.tenant_id,
            endpoint_subnet_id=args.endpoint_subnet_id, dns_zone_id=zones["vault"], workspace_id=args.workspace_id,
            sku="standard", soft_delete_days=args.soft_delete_days, tags=self.tags,
        ), opts=self.child)
        self.registry = containerregistry.Registry(
            f"{self.name}-acr", registry_name=args.registry_name, resource_group_name=rg, location=args.location,
            sku={"name": "Premium"},
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled",
            network_rule_set={"default_action": "Deny"},
            # Azure Machine Learning pushes and pulls as a trusted service through the firewall.
            network_rule_bypass_options="AzureServices",
            data_endpoint_enabled=True,
            zone_redundancy="Enabled",
            # The registry takes its user-assigned identities as a map keyed by id, not a list.
            identity=containerregistry.IdentityPropertiesArgs(
                type="UserAssigned",
                user_assigned_identities=pulumi.Output.from_input(key.identity_id).apply(
                    lambda i: {i: containerregistry.UserIdentityPropertiesArgs()})),
            encryption={"status": "enabled", "key_vault_properties": {
                "key_identifier": key.key_uri, "identity": key.identity_client_id}},
            policies={
                "export_policy": {"status": "disabled"},  # images leave only through the private endpoint
                "retention_policy": {"status": "enabled", "days": 30},
                "trust_policy": {"status": "disabled", "type": "Notary"},
                "quarantine_policy": {"status": "disabled"},
            },
            tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key.grant]),
        )
        self.registry_endpoint = PrivateEndpoint(f"{self.name}-acr", PrivateEndpointArgs(
            resource_group_name=rg, location=args.location, target_id=self.registry.id, group_id="registry",
            subnet_id=args.endpoint_subnet_id, dns_zone_id=zones["registry"], tags=self.tags,
        ), opts=self.child)
        send_to_workspace(f"{self.name}-acr-diag", self.registry.id, args.workspace_id, parent=self)
        self.cosmos_grant = None
        if args.cosmos_db_principal_id is not None:
            self.cosmos_grant = roles.assign(
                f"{self.name}-cosmos-cmk", args.subscription_id, args.cosmos_db_principal_id,
                roles.Grant(roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, key.key_id), parent=self,
            )

    def _workspace(self) -> None:
        args, key = self.args, self.args.key
        rules: dict[str, object] = {
            o.name: {"type": "PrivateEndpoint", "category": "UserDefined",
                     "destination": {"service_resource_id": o.resource_id, "subresource_target": o.subresource,
                                     "spark_enabled": False}}
            for o in args.outbound
        }
        waits: list[pulumi.Resource] = [key.grant, self.storage, self.vault, self.registry]
        waits += [self.cosmos_grant] if self.cosmos_grant is not None else []
        self.workspace = machinelearningservices.Workspace(
            f"{self.name}-ws", workspace_name=args.name, resource_group_name=args.resource_group_name,
            location=args.location, kind="Default", sku={"name": "Basic", "tier": "Basic"},
            friendly_name=args.name,
            # The system identity reaches storage, vault and registry; the user-assigned one only
            # unwraps the key (encryption.identity).
            identity={"type": "SystemAssigned,UserAssigned", "user_assigned_identities": [key.identity_id]},
            storage_account=self.storage.id, key_vault=self.vault.id, container_registry=self.registry.id,
            public_network_access="Disabled",
            allow_public_access_when_behind_vnet=False,
            hbi_workspace=True,
            system_datastores_auth_mode="identity",
            enable_data_isolation=True,
            enable_service_side_cmk_encryption=False,
            encryption={
                "status": "Enabled",
                "identity": {"user_assigned_identity": key.identity_id},
                "key_vault_properties": {"key_vault_arm_id": key.vault_id, "key_identifier": key.key_uri},
            },
            managed_network={"isolation_mode": "AllowOnlyApprovedOutbound", "outbound_rules": rules},
            provision_network_now=True,
            # Serverless compute runs in the managed network too, without public addresses.
            serverless_compute_settings={"serverless_compute_no_public_ip": True},
            tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits),
        )
        self.id = self.workspace.id
        self.principal_id = self.workspace.identity.apply(lambda i: i.principal_id if i else "")
