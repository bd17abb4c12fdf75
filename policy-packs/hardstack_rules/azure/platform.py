"""Azure Machine Learning (components/azure/ml_workspace.py, ml_compute.py): a private workspace in
a managed network that allows only approved outbound traffic, encrypted with the environment's
key (which its metadata store must be able to unwrap), high-business-impact, identity-based
datastores; compute instances without public IP, SSH or local accounts; online endpoints
private and Entra-only.

Sources: https://learn.microsoft.com/azure/machine-learning/how-to-managed-network (isolation
modes; FQDN rules open the managed network to internet hosts through Azure Firewall),
https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys (hbi flag; the
Azure Cosmos DB identity needs wrap/unwrap/get on the key),
https://learn.microsoft.com/azure/machine-learning/how-to-authenticate-online-endpoint (aad_token)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import DNS_GROUP, ENDPOINT, IDENTITY, ROLE
from ..relations import of_type, references
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-17"]}
EGRESS = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)", "44"], "nist-800-53": ["SC-7", "AC-4"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
KEYLESS = {"hipaa": ["164.312(d)", "164.308(a)(4)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["IA-2", "AC-6"]}


@resource_rule(
    id="azure-ml-workspace-private", title="Azure Machine Learning workspaces have no public endpoint",
    severity="high", cloud="azure", practice="access", types=[ML_WORKSPACE], controls=PRIVATE,
    remediation="Set public_network_access='Disabled' and allow_public_access_when_behind_vnet=False; reach the "
    "workspace through a private endpoint (group amlworkspace) in the environment's VNet.",
)
def ml_workspace_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("publicNetworkAccess") != "Disabled":
        yield f"public network access is {props.get('publicNetworkAccess', 'Enabled (the default)')}"
    if props.get("allowPublicAccessWhenBehindVnet") is True:
        yield "the workspace allows public access although it is behind a VNet"


@resource_rule(
    id="azure-ml-managed-network-approved", title="The workspace's managed network allows only approved outbound",
    severity="high", cloud="azure", practice="access", types=[ML_WORKSPACE], controls=EGRESS,
    remediation="Set managed_network.isolation_mode='AllowOnlyApprovedOutbound' and add outbound rules of type "
    "PrivateEndpoint only, to the services the notebooks and endpoints call; no FQDN rule (each opens an internet "
    "host through Azure Firewall); serverless_compute_settings.serverless_compute_no_public_ip=True.",
)
def ml_managed_network(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    network = props.get("managedNetwork") or {}
    mode = network.get("isolationMode", "Disabled")
    if mode != "AllowOnlyApprovedOutbound":
        yield f"managed network isolation is {mode}: compute may reach the internet"
    for name, rule in (network.get("outboundRules") or {}).items():
        if rule.get("type") == "FQDN":
            yield f"outbound rule {name} opens the internet host {rule.get('destination')}"
    if (props.get("serverlessComputeSettings") or {}).get("serverlessComputeNoPublicIP") is not True:
        yield "serverless compute gets public IP addresses"


@resource_rule(
    id="azure-ml-workspace-encrypted", title="Workspaces are encrypted with the environment's key, in HBI mode",
    severity="high", cloud="azure", practice="encryption", types=[ML_WORKSPACE], controls=AT_REST,
    remediation="Set encryption status 'Enabled' with key_vault_properties (the environment's vault and key) and "
    "a user-assigned identity that unwraps it, hbi_workspace=True (only possible at creation), and keep "
    "enable_service_side_cmk_encryption off.",
)
def ml_workspace_encrypted(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    encryption = props.get("encryption") or {}
    vault = encryption.get("keyVaultProperties") or {}
    if encryption.get("status") != "Enabled" or not vault.get("keyIdentifier") or not vault.get("keyVaultArmId"):
        yield "workspace metadata is encrypted with Microsoft's keys, not a customer-managed key"
    elif not (encryption.get("identity") or {}).get("userAssignedIdentity"):
        yield "no user-assigned identity is named to unwrap the workspace key"
    if props.get("hbiWorkspace") is not True:
        yield "high-business-impact mode is off: scratch disks unencrypted, more diagnostics leave the workspace"
    if props.get("enableServiceSideCMKEncryption") is True:
        yield ("service-side encryption (preview) cannot use a key in a vault with public network access disabled, "
               "which every vault of this environment has")


@resource_rule(
    id="azure-ml-identity-datastores", title="The workspace reaches its storage with identities, never account keys",
    severity="medium", cloud="azure", practice="access", types=[ML_WORKSPACE], controls=KEYLESS,
    remediation="Set system_datastores_auth_mode='identity' and keep shared keys off on the workspace's account.",
)
def ml_identity_datastores(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    mode = str(props.get("systemDatastoresAuthMode") or "accessKey")
    if mode.lower() != "identity":
        yield f"system datastores authenticate with {mode}, not the workspace's identity"


def _grants_on(resources: Sequence[PolicyResource], key_ids: set[str]) -> list[PolicyResource]:
    return [r for r in of_type(resources, ROLE)
            if str(r.props.get("roleDefinitionId", "")).endswith(CRYPTO_SERVICE_ENCRYPTION_USER)
            and str(r.props.get("scope", "")) in key_ids]


@stack_rule(
    id="azure-ml-workspace-key-usable", title="A workspace's customer-managed key can be unwrapped by what uses it",
    severity="high", cloud="azure", practice="encryption", controls=AT_REST,
    remediation="Grant Key Vault Crypto Service Encryption User on the key to the workspace's encryption identity "
    "and to the tenant's 'Azure Cosmos DB' service principal (app a232010e-820c-4083-83bb-3ace5fc29d0b; its "
    "object id: az ad sp show --id a232010e-820c-4083-83bb-3ace5fc29d0b --query id -o tsv), before the workspace.",
)
def ml_workspace_key_usable(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    identities = {str(i.props.get("principalId") or ""): i for i in of_type(resources, IDENTITY)}
    for workspace in of_type(resources, ML_WORKSPACE):
        encryption = workspace.props.get("encryption") or {}
        key_uri = str((encryption.get("keyVaultProperties") or {}).get("keyIdentifier") or "")
        if encryption.get("status") != "Enabled" or not key_uri:
            continue
        key_name = key_uri.rstrip("/").split("/keys/", 1)[-1].split("/", 1)[0]
        key_ids = {str(g.props.get("scope")) for g in of_type(resources, ROLE)
                   if str(g.props.get("scope", "")).endswith(f"/keys/{key_name}")}
        grants = _grants_on(resources, key_ids)
        unwrapping = [i for i in of_type(resources, IDENTITY) if references(workspace, "encryption", i)]
        holder = [g for g in grants if any(references(g, "principalId", i) for i in unwrapping)]
        if not holder:
            yield (f"workspace {workspace.name}: its encryption identity holds no Key Vault Crypto Service Encryption "
                   "User grant on the key"), workspace.urn
        services = [g for g in grants if str(g.props.get("principalId", "")) not in identities
                    and not any(references(g, "principalId", i) for i in of_type(resources, IDENTITY))]
        if not services:
            yield (f"workspace {workspace.name}: no grant on its key for the Azure Cosmos DB service principal, so "
                   "the workspace's metadata store cannot unwrap it"), workspace.urn


@stack_rule(
    id="azure-ml-workspace-endpoint", title="Workspaces are reached through a private endpoint with both DNS zones",
    severity="high", cloud="azure", practice="access", controls=PRIVATE,
    remediation="Add a private endpoint (group amlworkspace) to the workspace with a DNS zone group holding "
    "privatelink.api.azureml.ms and privatelink.notebooks.azure.net (components.azure.PrivateEndpoint).",
)
def ml_workspace_endpoint(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for workspace in of_type(resources, ML_WORKSPACE):
        endpoints = [e for e in of_type(resources, ENDPOINT)
                     if references(e, "privateLinkServiceConnections", workspace)
                     and any("amlworkspace" in (c.get("groupIds") or [])
                             for c in e.props.get("privateLinkServiceConnections") or [])]
        if not endpoints:
            yield f"workspace {workspace.name} has no private endpoint (group amlworkspace)", workspace.urn
            continue
        zones = {str(z.get("name")) for g in of_type(resources, DNS_GROUP)
                 if any(references(g, "privateEndpointName", e) for e in endpoints)
                 for z in g.props.get("privateDnsZoneConfigs") or []}
        missing = {"privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"} - zones
        if missing:
            yield (f"workspace {workspace.name}: its private endpoint registers no name in {', '.join(sorted(missing))}"
                   ), workspace.urn


@resource_rule(
    id="azure-ml-compute-hardened", title="Compute instances have no public IP, no SSH and no local accounts",
    severity="high", cloud="azure", practice="access", types=[COMPUTE], controls=PRIVATE,
    remediation="Set disable_local_auth=True and, in the compute instance's properties, enable_node_public_ip=False, "
    "ssh_settings.ssh_public_access='Disabled' and idle_time_before_shutdown (e.g. PT60M).",
)
def ml_compute_hardened(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    compute = props.get("properties") or {}
    if compute.get("computeType") != "ComputeInstance":
        return
    inner = compute.get("properties") or {}
    if compute.get("disableLocalAuth") is not True:
        yield "local authentication is on (keys instead of Entra ID)"
    if inner.get("enableNodePublicIp") is not False:
        yield "the compute instance gets a public IP"
    if (inner.get("sshSettings") or {}).get("sshPublicAccess", "Disabled") != "Disabled":
        yield "SSH access to the compute instance is enabled"
    if not inner.get("idleTimeBeforeShutdown"):
        yield "the compute instance never shuts down when idle"


@resource_rule(
    id="azure-ml-endpoint-private", title="Online endpoints are private and accept Entra tokens only",
    severity="high", cloud="azure", practice="access", types=[ONLINE_ENDPOINT], controls=KEYLESS,
    remediation="Set properties.public_network_access='Disabled', properties.auth_mode='AADToken' and a managed "
    "identity on the endpoint.",
)
def ml_endpoint_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    endpoint = props.get("properties") or {}
    if endpoint.get("publicNetworkAccess") != "Disabled":
        yield f"the endpoint is reachable publicly ({endpoint.get('publicNetworkAccess', 'Enabled by default')})"
    if endpoint.get("authMode") != "AADToken":
        yield f"the endpoint accepts {endpoint.get('authMode')} credentials instead of Entra tokens"
    if not str((props.get("identity") or {}).get("type", "")).replace("None", ""):
        yield "the endpoint has no managed identity"
