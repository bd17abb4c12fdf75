"""Computed attributes of azure-native resources: ARM resource ids and the properties ARM adds.

ARM ids nest: a key lives under its vault, a container under its account's blob service, a
diagnostic setting or role assignment under whatever resource it is scoped to. `_PATHS` spells
out the id of every type the blueprints use, so references such as `scope=key.id` or
`resource_uri=vault.id` reach the graph as the ids ARM would return (correct namespaces and
collection names, e.g. `Microsoft.Network/publicIPAddresses`, `Microsoft.Insights/...`).
Types not in the table get a generic id built from the token.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from hardstack.render.computed import Target, module_and_kind, short_hash

_RG = "/subscriptions/{subscription}/resourceGroups/{resourceGroupName}"
_NET = _RG + "/providers/Microsoft.Network"
_SUB = "/subscriptions/{subscription}"

# token (module:Kind) -> (id template over the engine's camelCase inputs, input holding the own name)
_PATHS: dict[str, tuple[str, str]] = {
    "resources:ResourceGroup": (_RG, "resourceGroupName"),
    "managedidentity:UserAssignedIdentity": (
        _RG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}", "resourceName"),
    "keyvault:Vault": (_RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}", "vaultName"),
    "keyvault:Key": (_RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}", "keyName"),
    "compute:DiskEncryptionSet": (
        _RG + "/providers/Microsoft.Compute/diskEncryptionSets/{diskEncryptionSetName}", "diskEncryptionSetName"),
    "compute:VirtualMachine": (_RG + "/providers/Microsoft.Compute/virtualMachines/{vmName}", "vmName"),
    "compute:VirtualMachineExtension": (
        _RG + "/providers/Microsoft.Compute/virtualMachines/{vmName}/extensions/{vmExtensionName}",
        "vmExtensionName"),
    "eventgrid:SystemTopic": (
        _RG + "/providers/Microsoft.EventGrid/systemTopics/{systemTopicName}", "systemTopicName"),
    "eventgrid:SystemTopicEventSubscription": (
        _RG + "/providers/Microsoft.EventGrid/systemTopics/{systemTopicName}/eventSubscriptions/"
        "{eventSubscriptionName}", "eventSubscriptionName"),
    "network:VirtualNetwork": (_NET + "/virtualNetworks/{virtualNetworkName}", "virtualNetworkName"),
    "network:Subnet": (_NET + "/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}", "subnetName"),
    "network:NetworkSecurityGroup": (
        _NET + "/networkSecurityGroups/{networkSecurityGroupName}", "networkSecurityGroupName"),
    "network:SecurityRule": (
        _NET + "/networkSecurityGroups/{networkSecurityGroupName}/securityRules/{securityRuleName}",
        "securityRuleName"),
    "network:NatGateway": (_NET + "/natGateways/{natGatewayName}", "natGatewayName"),
    "network:PublicIPAddress": (_NET + "/publicIPAddresses/{publicIpAddressName}", "publicIpAddressName"),
    "network:NetworkInterface": (_NET + "/networkInterfaces/{networkInterfaceName}", "networkInterfaceName"),
    "network:PrivateEndpoint": (_NET + "/privateEndpoints/{privateEndpointName}", "privateEndpointName"),
    "network:PrivateDnsZoneGroup": (
        _NET + "/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
        "privateDnsZoneGroupName"),
    "network:NetworkWatcher": (_NET + "/networkWatchers/{networkWatcherName}", "networkWatcherName"),
    "network:FlowLog": (_NET + "/networkWatchers/{networkWatcherName}/flowLogs/{flowLogName}", "flowLogName"),
    "privatedns:PrivateZone": (_NET + "/privateDnsZones/{privateZoneName}", "privateZoneName"),
    "privatedns:VirtualNetworkLink": (
        _NET + "/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
        "virtualNetworkLinkName"),
    "storage:StorageAccount": (_RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}", "accountName"),
    "storage:BlobServiceProperties": (
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/{blobServicesName}",
        "blobServicesName"),
    "storage:BlobContainer": (
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default"
        "/containers/{containerName}", "containerName"),
    "storage:BlobContainerImmutabilityPolicy": (
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default"
        "/containers/{containerName}/immutabilityPolicies/{immutabilityPolicyName}", "immutabilityPolicyName"),
    "storage:ManagementPolicy": (
        _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/"
        "{managementPolicyName}", "managementPolicyName"),
    "operationalinsights:Workspace": (
        _RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}", "workspaceName"),
    "operationalinsights:Table": (
        _RG + "/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}/tables/{tableName}",
        "tableName"),
    "monitor:DiagnosticSetting": ("{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}", "name"),
    "monitor:SubscriptionDiagnosticSetting": (
        _SUB + "/providers/Microsoft.Insights/diagnosticSettings/{name}", "name"),
    "monitor:ActionGroup": (_RG + "/providers/Microsoft.Insights/actionGroups/{actionGroupName}", "actionGroupName"),
    "monitor:DataCollectionRule": (
        _RG + "/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}", "dataCollectionRuleName"),
    "monitor:DataCollectionRuleAssociation": (
        "{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{associationName}",
        "associationName"),
    "monitor:ActivityLogAlert": (
        _RG + "/providers/Microsoft.Insights/activityLogAlerts/{activityLogAlertName}", "activityLogAlertName"),
    "security:Pricing": ("{scopeId}/providers/Microsoft.Security/pricings/{pricingName}", "pricingName"),
    "security:SecurityContact": (
        _SUB + "/providers/Microsoft.Security/securityContacts/{securityContactName}", "securityContactName"),
    "machinelearningservices:Workspace": (
        _RG + "/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}", "workspaceName"),
    "machinelearningservices:Compute": (
        _RG + "/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/computes/{computeName}",
        "computeName"),
    "machinelearningservices:OnlineEndpoint": (
        _RG + "/providers/Microsoft.MachineLearningServices/workspaces/{workspaceName}/onlineEndpoints/"
        "{endpointName}", "endpointName"),
    "containerregistry:Registry": (
        _RG + "/providers/Microsoft.ContainerRegistry/registries/{registryName}", "registryName"),
    "cognitiveservices:Account": (_RG + "/providers/Microsoft.CognitiveServices/accounts/{accountName}", "accountName"),
    "cognitiveservices:Deployment": (
        _RG + "/providers/Microsoft.CognitiveServices/accounts/{accountName}/deployments/{deploymentName}",
        "deploymentName"),
    "containerservice:ManagedCluster": (
        _RG + "/providers/Microsoft.ContainerService/managedClusters/{resourceName}", "resourceName"),
    "containerservice:AgentPool": (
        _RG + "/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
        "agentPoolName"),
    "authorization:RoleAssignment": (
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}", "roleAssignmentName"),
}

# Fixed names ARM gives singleton child resources when none is passed.
_SINGLETONS = {"blobServicesName": "default", "immutabilityPolicyName": "default", "managementPolicyName": "default"}


def guid(*parts: str) -> str:
    """A stable GUID for ids ARM generates (principal ids, role assignment names, ...)."""
    return str(uuid.UUID(hex=short_hash(*parts, length=32)))


class _Fill(dict[str, str]):
    """Template values: the inputs, then sensible stand-ins for anything the program left out."""

    def __init__(self, inputs: Mapping[str, Any], own_key: str, name: str, target: Target) -> None:
        super().__init__({k: str(v) for k, v in inputs.items() if isinstance(v, str | int | float) and v != ""})
        self["subscription"] = target.account
        self.setdefault("resourceGroupName", f"rg-{target.region}")
        self.own_key, self.name = own_key, name

    def __missing__(self, key: str) -> str:
        if key == self.own_key:
            return _SINGLETONS.get(key) or (guid("name", self.name) if key == "roleAssignmentName" else self.name)
        return _SINGLETONS.get(key, f"{key}-unknown")


def _own_name(token_key: str, inputs: Mapping[str, Any], name: str, target: Target) -> tuple[str, str]:
    template, own_key = _PATHS[token_key]
    fill = _Fill(inputs, own_key, name, target)
    return template.format_map(fill), fill[own_key]


def _reshape_in_place(inputs: dict[str, Any], rid: str, target: Target) -> None:
    """Where azure-native's output shape differs from its input shape, the echoed input would not
    deserialize: `identity.userAssignedIdentities` goes in as a list of ids and comes back as a
    map id -> {principalId, clientId}. `inputs` here is the mocks' own copy that becomes the
    outputs (see HardstackMocks.new_resource), so it is reshaped in place; the recorded graph
    keeps the inputs as the program sent them."""
    identity = inputs.get("identity")
    if isinstance(identity, dict):
        assigned = identity.get("userAssignedIdentities")
        if isinstance(assigned, list):
            identity["userAssignedIdentities"] = {
                str(i): {"principalId": guid("principal", str(i)), "clientId": guid("client", str(i))}
                for i in assigned
            }
        if "SystemAssigned" in str(identity.get("type", "")):
            identity.update(principalId=guid("system", rid), tenantId=guid("tenant", target.account))


def computed(token: str, name: str, inputs: dict[str, Any], target: Target) -> dict[str, Any]:
    module, kind = module_and_kind(token)
    key = f"{module}:{kind}"
    if key in _PATHS:
        rid, physical = _own_name(key, inputs, name, target)
    else:
        physical = str(inputs.get("name") or name)
        group = str(inputs.get("resourceGroupName") or f"rg-{target.region}")
        namespace = f"Microsoft.{module[0].upper()}{module[1:]}"
        rid = (f"/subscriptions/{target.account}/resourceGroups/{group}/providers/{namespace}/"
               f"{kind[0].lower()}{kind[1:]}s/{physical}")
    out: dict[str, Any] = {"id": rid, "name": physical}
    _reshape_in_place(inputs, rid, target)
    if kind == "Vault":
        vault_uri = f"https://{physical}.vault.azure.net/"
        if isinstance(inputs.get("properties"), dict):
            inputs["properties"].setdefault("vaultUri", vault_uri)  # shared with the echoed outputs
        out["properties"] = {"vaultUri": vault_uri}
    elif kind == "Key":
        uri = f"https://{inputs.get('vaultName', 'vault')}.vault.azure.net/keys/{physical}"
        out.update(keyUri=uri, keyUriWithVersion=f"{uri}/{short_hash('version', name, length=32)}")
    elif kind == "UserAssignedIdentity":
        out.update(principalId=guid("principal", name), clientId=guid("client", name),
                   tenantId=guid("tenant", target.account))
    elif kind == "StorageAccount":
        out["primaryEndpoints"] = {"blob": f"https://{physical}.blob.core.windows.net/",
                                   "dfs": f"https://{physical}.dfs.core.windows.net/"}
    elif key == "operationalinsights:Workspace":
        out["customerId"] = guid("workspace", name)
    elif key == "cognitiveservices:Account":
        # The account answers on its custom subdomain (https://<subdomain>.openai.azure.com/).
        props = inputs.get("properties") if isinstance(inputs.get("properties"), dict) else {}
        endpoint = f"https://{props.get('customSubDomainName', physical)}.openai.azure.com/"
        if isinstance(inputs.get("properties"), dict):
            inputs["properties"].setdefault("endpoint", endpoint)  # shared with the echoed outputs
        out["properties"] = {"endpoint": endpoint}
    elif key == "containerservice:ManagedCluster":
        # A private cluster answers on <dnsPrefix>-<hash>.<guid>.privatelink.<region>.azmk8s.io; the OIDC
        # issuer on https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/.
        cluster = guid("aks", name)
        out["privateFQDN"] = (f"{inputs.get('dnsPrefix', physical)}-{short_hash('fqdn', name, length=8)}."
                              f"{cluster}.privatelink.{target.region}.azmk8s.io")
        out["oidcIssuerProfile"] = {"enabled": True, "issuerURL": f"https://{target.region}.oic.prod-aks.azure.com/"
                                                                   f"{guid('tenant', target.account)}/{cluster}/"}
    elif kind == "VirtualMachine":
        out["vmId"] = guid("vm", name)
    elif kind == "RoleAssignment":
        out["principalType"] = str(inputs.get("principalType") or "ServicePrincipal")
    return out
