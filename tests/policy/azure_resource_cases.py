"""A passing and a failing fixture for every Azure resource rule: (type, good props, bad props,
expected message fragment). Props are azure-native inputs as policies see them: camelCase, ARM's
`properties` flattened except for Key Vault vaults and keys."""

from __future__ import annotations

import copy
from typing import Any

SUB = "/subscriptions/00000000-0000-4000-8000-000000000000"
RG = f"{SUB}/resourceGroups/rg-e"
KEY_ID = f"{RG}/providers/Microsoft.KeyVault/vaults/kv-e/keys/data"
DES_ID = f"{RG}/providers/Microsoft.Compute/diskEncryptionSets/des-e"
IDENTITY_ID = f"{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-e"
WORKSPACE_ID = f"{RG}/providers/Microsoft.OperationalInsights/workspaces/log-e"
TAGS = {"hardstack-environment": "e", "owner": "o", "data-classification": "restricted", "compliance": "gdpr"}

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
VM = "azure-native:compute:VirtualMachine"
DES = "azure-native:compute:DiskEncryptionSet"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
FLOW_LOG = "azure-native:network:FlowLog"
ACCOUNT = "azure-native:storage:StorageAccount"
CONTAINER = "azure-native:storage:BlobContainer"
ROLE = "azure-native:authorization:RoleAssignment"
WORKSPACE = "azure-native:operationalinsights:Workspace"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
CONTACT = "azure-native:security:SecurityContact"


def changed(props: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `props` with the value at a "/"-separated path replaced (None removes it)."""
    out = copy.deepcopy(props)
    *parents, last = path.split("/")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return out


VAULT_OK: dict[str, Any] = {"properties": {
    "tenantId": "t", "sku": {"family": "A", "name": "premium"}, "enableRbacAuthorization": True,
    "enableSoftDelete": True, "softDeleteRetentionInDays": 30, "enablePurgeProtection": True,
    "publicNetworkAccess": "Disabled", "enabledForDeployment": False, "enabledForTemplateDeployment": False,
    "enabledForDiskEncryption": False,
    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []},
}, "tags": TAGS}
KEY_OK: dict[str, Any] = {"properties": {
    "kty": "RSA-HSM", "keySize": 3072, "keyOps": ["wrapKey", "unwrapKey"],
    "attributes": {"enabled": True, "expires": 1806019200},
    "rotationPolicy": {"attributes": {"expiryTime": "P120D"}, "lifetimeActions": [
        {"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}},
        {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}}]},
}, "tags": TAGS}
RELEASABLE_KEY = changed(changed(KEY_OK, "properties/attributes/exportable", True), "properties/releasePolicy",
                         {"contentType": "application/json; charset=utf-8", "data": "eyJ2ZXJzaW9uIjoiMS4wLjAifQ"})
# A confidential VM disk key as components.azure.VaultKey makes it: rotated offline, so no rotate
# action; each version expires after the rotation period and Key Vault announces it 30 days ahead.
OFFLINE_KEY = changed(RELEASABLE_KEY, "properties/rotationPolicy", {
    "attributes": {"expiryTime": "P90D"},
    "lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}}]})
VM_OK: dict[str, Any] = {
    "hardwareProfile": {"vmSize": "Standard_DC4es_v5"},
    "identity": {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY_ID]},
    "securityProfile": {"securityType": "ConfidentialVM", "encryptionAtHost": True,
                        "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True}},
    "storageProfile": {"osDisk": {"createOption": "FromImage", "managedDisk": {
        "storageAccountType": "Premium_LRS",
        "securityProfile": {"securityEncryptionType": "DiskWithVMGuestState", "diskEncryptionSet": {"id": DES_ID}}}}},
    "osProfile": {"adminUsername": "azureuser", "allowExtensionOperations": False,
                  "linuxConfiguration": {"disablePasswordAuthentication": True}},
    "tags": TAGS,
}
NIC_OK: dict[str, Any] = {"ipConfigurations": [{"name": "primary", "privateIPAllocationMethod": "Dynamic",
                                                "subnet": {"id": f"{RG}/providers/Microsoft.Network/virtualNetworks/v/"
                                                                 "subnets/s"}}],
                          "enableIPForwarding": False, "tags": TAGS}


def nsg_rule(name: str, priority: int, direction: str, access: str, source: str, destination: str = "*",
             port: str = "*", protocol: str = "*") -> dict[str, Any]:
    return {"name": name, "priority": priority, "direction": direction, "access": access, "protocol": protocol,
            "sourceAddressPrefix": source, "sourcePortRange": "*", "destinationAddressPrefix": destination,
            "destinationPortRange": port}


DENY_ALL = [nsg_rule("deny-all-inbound", 4096, "Inbound", "Deny", "*"),
            nsg_rule("deny-all-outbound", 4096, "Outbound", "Deny", "*")]
NSG_OK: dict[str, Any] = {"securityRules": [
    nsg_rule("allow-ssh-from-vnet", 100, "Inbound", "Allow", "VirtualNetwork", "10.0.0.0/18", "22", "Tcp"),
    *DENY_ALL], "tags": TAGS}
FLOW_LOG_OK: dict[str, Any] = {"enabled": True, "flowAnalyticsConfiguration": {
    "networkWatcherFlowAnalyticsConfiguration": {"enabled": True, "workspaceResourceId": WORKSPACE_ID,
                                                 "workspaceId": "guid", "trafficAnalyticsInterval": 10}}}
ACCOUNT_OK: dict[str, Any] = {
    "kind": "StorageV2", "enableHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
    "allowSharedKeyAccess": False, "allowCrossTenantReplication": False, "publicNetworkAccess": "Disabled",
    "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": []},
    "encryption": {"keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": True,
                   "keyVaultProperties": {"keyName": "data", "keyVaultUri": "https://kv-e.vault.azure.net/"}},
    "tags": TAGS,
}
CONTACT_OK: dict[str, Any] = {"emails": "secops@example.com", "isEnabled": True,
                              "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"}]}
DIAGNOSTIC_OK: dict[str, Any] = {"workspaceId": WORKSPACE_ID, "logs": [{"categoryGroup": "allLogs", "enabled": True}]}
ROLE_OK: dict[str, Any] = {
    "roleDefinitionId": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "scope": KEY_ID, "principalId": "p", "principalType": "ServicePrincipal"}
OWNER = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

WEBAPP = "azure-native:web:WebApp"
INSIGHTS = "azure-native:applicationinsights:Component"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
# The containment responder's Function app, as components/azure/containment.py renders it.
FUNCTION_OK: dict[str, Any] = {
    "kind": "functionapp,linux", "httpsOnly": True, "publicNetworkAccess": "Disabled",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY_ID]},
    "siteConfig": {"minTlsVersion": "1.2", "ftpsState": "Disabled", "appSettings": [
        {"name": "AzureWebJobsStorage__accountName", "value": "stfunce"},
        {"name": "AzureWebJobsStorage__credential", "value": "managedidentity"},
        {"name": "DefenderAlerts__fullyQualifiedNamespace", "value": "evhns-e.servicebus.windows.net"}]},
    "tags": TAGS,
}
INSIGHTS_OK: dict[str, Any] = {"kind": "web", "applicationType": "web", "workspaceResourceId": WORKSPACE_ID,
                               "ingestionMode": "LogAnalytics", "disableLocalAuth": True, "tags": TAGS}
ROLE_DEFINITION_OK: dict[str, Any] = {
    "roleName": "responder", "roleType": "CustomRole", "assignableScopes": [RG],
    "permissions": [{"actions": ["Microsoft.Network/networkInterfaces/write",
                                 "Microsoft.Authorization/roleAssignments/delete"],
                     "notActions": [], "dataActions": [], "notDataActions": []}],
}
KEYED_STORAGE = ("DefaultEndpointsProtocol=https;AccountName=stfunce;"
                 "AccountKey=bm90LWEta2V5;EndpointSuffix=core.windows.net")

# The AI platform (policy-packs/hardstack_rules/azure/platform.py, platform_models.py).
ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"
PLATFORM_KEY_URI = "https://kv-e.vault.azure.net/keys/platform"
ML_WORKSPACE_OK: dict[str, Any] = {
    "publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False, "hbiWorkspace": True,
    "systemDatastoresAuthMode": "identity", "serverlessComputeSettings": {"serverlessComputeNoPublicIP": True},
    "encryption": {"status": "Enabled", "identity": {"userAssignedIdentity": IDENTITY_ID},
                   "keyVaultProperties": {"keyVaultArmId": f"{RG}/providers/Microsoft.KeyVault/vaults/kv-e",
                                          "keyIdentifier": PLATFORM_KEY_URI}},
    "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": {
        "openai": {"type": "PrivateEndpoint", "category": "UserDefined",
                   "destination": {"serviceResourceId": "oai", "subresourceTarget": "account"}}}},
    "tags": TAGS,
}
COMPUTE_OK: dict[str, Any] = {"properties": {
    "computeType": "ComputeInstance", "disableLocalAuth": True,
    "properties": {"vmSize": "Standard_DS3_v2", "enableNodePublicIp": False,
                   "sshSettings": {"sshPublicAccess": "Disabled"}, "idleTimeBeforeShutdown": "PT60M"}}}
ONLINE_ENDPOINT_OK: dict[str, Any] = {"kind": "Managed", "identity": {"type": "SystemAssigned"},
                                      "properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}
OPENAI_OK: dict[str, Any] = {
    "kind": "OpenAI", "sku": {"name": "S0"},
    "identity": {"type": "UserAssigned", "userAssignedIdentities": [IDENTITY_ID]},
    "properties": {
        "customSubDomainName": "oai-e", "disableLocalAuth": True, "publicNetworkAccess": "Disabled",
        "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": [], "virtualNetworkRules": []},
        "restrictOutboundNetworkAccess": True, "allowedFqdnList": ["stdata.blob.core.windows.net"],
        "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": {
            "keyName": "platform", "keyVaultUri": "https://kv-e.vault.azure.net/", "identityClientId": "c"}}},
}
DEPLOYMENT_OK: dict[str, Any] = {"sku": {"name": "DataZoneStandard", "capacity": 10}, "properties": {
    "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}, "versionUpgradeOption": "NoAutoUpgrade"}}
REGISTRY_OK: dict[str, Any] = {
    "sku": {"name": "Premium"}, "adminUserEnabled": False, "anonymousPullEnabled": False,
    "publicNetworkAccess": "Disabled", "policies": {"exportPolicy": {"status": "disabled"}},
    "encryption": {"status": "enabled", "keyVaultProperties": {"keyIdentifier": PLATFORM_KEY_URI, "identity": "c"}},
}

CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "azure-keyvault-purge-protection": (VAULT, VAULT_OK, changed(VAULT_OK, "properties/enablePurgeProtection", False),
                                        "purge protection is off"),
    "azure-keyvault-soft-delete": (VAULT, VAULT_OK, changed(VAULT_OK, "properties/enableSoftDelete", False),
                                   "soft delete is off"),
    "azure-keyvault-rbac": (VAULT, VAULT_OK, changed(VAULT_OK, "properties/enableRbacAuthorization", False),
                            "access policies, not Azure RBAC"),
    "azure-keyvault-public-network-disabled": (VAULT, VAULT_OK, changed(VAULT_OK, "properties/publicNetworkAccess",
                                                                        None),
                                               "public network access is enabled (the default)"),
    "azure-keyvault-network-acl-deny": (VAULT, VAULT_OK, changed(VAULT_OK, "properties/networkAcls/defaultAction",
                                                                 "Allow"),
                                        "default action is Allow"),
    "azure-keyvault-no-platform-access": (
        VAULT, VAULT_OK, changed(VAULT_OK, "properties/enabledForTemplateDeployment", True),
        "ARM deployments may read the vault's secrets"),
    "azure-key-rotation": (KEY, KEY_OK, changed(KEY_OK, "properties/rotationPolicy", None),
                           "no rotation policy rotates the key"),
    "azure-key-rotation-period": (
        KEY, KEY_OK, changed(KEY_OK, "properties/rotationPolicy/lifetimeActions",
                             [{"trigger": {"timeAfterCreate": "P2Y"}, "action": {"type": "Rotate"}}]),
        "rotates 730 days after creation; the maximum is 365"),
    "azure-key-expiry": (KEY, KEY_OK, changed(KEY_OK, "properties/attributes/expires", None),
                         "first version never expires"),
    "azure-key-software-advisory": (KEY, KEY_OK, changed(KEY_OK, "properties/kty", "RSA"),
                                    "key material is RSA, not held in an HSM"),
    "azure-key-release-hsm": (KEY, RELEASABLE_KEY, changed(RELEASABLE_KEY, "properties/kty", "RSA"),
                              "a releasable key is RSA, not HSM-backed"),
    "azure-vm-confidential-computing": (VM, VM_OK, changed(VM_OK, "securityProfile/securityType", "TrustedLaunch"),
                                        "Standard_DC4es_v5 runs as TrustedLaunch, not a confidential VM"),
    "azure-vm-secure-boot-vtpm": (VM, VM_OK, changed(VM_OK, "securityProfile/uefiSettings/vTpmEnabled", False),
                                  "no vTPM"),
    "azure-vm-encryption-at-host": (VM, VM_OK, changed(VM_OK, "securityProfile/encryptionAtHost", None),
                                    "encryption at host is off"),
    "azure-vm-password-auth-disabled": (
        VM, VM_OK, changed(VM_OK, "osProfile/linuxConfiguration/disablePasswordAuthentication", False),
        "password login is allowed"),
    "azure-vm-no-extensions": (VM, VM_OK, changed(VM_OK, "osProfile/allowExtensionOperations", True),
                               "VM extensions are allowed"),
    "azure-vm-disks-customer-key": (
        VM, VM_OK, changed(VM_OK, "storageProfile/osDisk/managedDisk/securityProfile/diskEncryptionSet", None),
        "the OS disk is encrypted with a platform key"),
    "azure-vm-managed-identity": (VM, VM_OK, changed(VM_OK, "identity", None), "no managed identity"),
    "azure-disk-encryption-set-customer-key": (
        DES, {"encryptionType": "ConfidentialVmEncryptedWithCustomerKey", "activeKey": {"keyUrl": "https://k"}},
        {"encryptionType": "ConfidentialVmEncryptedWithPlatformKey", "activeKey": {"keyUrl": "https://k"}},
        "encryption type ConfidentialVmEncryptedWithPlatformKey does not use a customer-managed key"),
    "azure-nic-no-public-ip": (NIC, NIC_OK, changed(NIC_OK, "ipConfigurations", [
        {**NIC_OK["ipConfigurations"][0], "publicIPAddress": {"id": "pip"}}]),
        "ip configuration primary has a public IP address"),
    "azure-nic-no-ip-forwarding": (NIC, NIC_OK, changed(NIC_OK, "enableIPForwarding", True), "IP forwarding is on"),
    "azure-nsg-no-inbound-from-internet": (
        NSG, NSG_OK, changed(NSG_OK, "securityRules", [
            nsg_rule("ssh", 100, "Inbound", "Allow", "Internet", port="22", protocol="Tcp"), *DENY_ALL]),
        "rule ssh allows inbound from Internet on ports 22"),
    "azure-nsg-deny-all": (NSG, NSG_OK, changed(NSG_OK, "securityRules", NSG_OK["securityRules"][:2]),
                           "no deny-all outbound rule"),
    "azure-subnet-nsg": (SUBNET, {"networkSecurityGroup": {"id": "nsg"}, "defaultOutboundAccess": False},
                         {"defaultOutboundAccess": False}, "no network security group"),
    "azure-subnet-no-default-outbound": (
        SUBNET, {"networkSecurityGroup": {"id": "nsg"}, "defaultOutboundAccess": False},
        {"networkSecurityGroup": {"id": "nsg"}}, "default outbound access"),
    "azure-flow-log-analytics": (FLOW_LOG, FLOW_LOG_OK, changed(
        FLOW_LOG_OK, "flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration/enabled", False),
        "traffic analytics is off"),
    "azure-role-no-privileged": (ROLE, ROLE_OK, changed(ROLE_OK, "roleDefinitionId", OWNER),
                                 "grants Owner (8e3af657"),
    "azure-role-resource-scope": (ROLE, ROLE_OK, changed(ROLE_OK, "scope", RG),
                                  f"scope {RG} is a whole resource group, not one resource"),
    "azure-storage-customer-key": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "encryption/keySource",
                                                                "Microsoft.Storage"),
                                   "encrypts with Microsoft.Storage"),
    "azure-storage-infrastructure-encryption": (
        ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "encryption/requireInfrastructureEncryption", None),
        "encrypted once"),
    "azure-storage-https-only": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "enableHttpsTrafficOnly", False),
                                 "HTTPS-only is not enforced"),
    "azure-storage-min-tls": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "minimumTlsVersion", "TLS1_0"),
                              "accepts TLS1_0 clients"),
    "azure-storage-no-public-blob": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "allowBlobPublicAccess", None),
                                     "anonymous blob access can be turned on"),
    "azure-storage-no-shared-key": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "allowSharedKeyAccess", True),
                                    "shared keys (account keys and SAS tokens) are accepted"),
    "azure-storage-public-network-disabled": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "publicNetworkAccess",
                                                                           "Enabled"),
                                              "public network access is Enabled"),
    "azure-storage-network-deny": (ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "networkRuleSet/defaultAction", "Allow"),
                                   "default action is Allow"),
    "azure-storage-no-tenant-replication": (
        ACCOUNT, ACCOUNT_OK, changed(ACCOUNT_OK, "allowCrossTenantReplication", None), "other Entra tenants"),
    "azure-blob-container-private": (CONTAINER, {"publicAccess": "None"}, {"publicAccess": "Container"},
                                     "anonymous Container access is allowed"),
    "azure-log-analytics-local-auth-disabled": (
        WORKSPACE, {"features": {"disableLocalAuth": True}, "retentionInDays": 400},
        {"features": {"disableLocalAuth": False}, "retentionInDays": 400}, "local (shared key) authentication is on"),
    "azure-diagnostic-setting-to-workspace": (DIAGNOSTIC, DIAGNOSTIC_OK, changed(DIAGNOSTIC_OK, "logs", [
        {"categoryGroup": "allLogs", "enabled": False}]), "enables no log category and no metric"),
    "azure-defender-security-contact": (CONTACT, CONTACT_OK, changed(CONTACT_OK, "notificationsSources", []),
                                        "security alerts are not mailed"),
    "azure-required-tags": ("azure-native:resources:ResourceGroup", {"tags": TAGS}, {"tags": {"owner": "o"}},
                            "missing tags: hardstack-environment, data-classification, compliance"),
    "azure-function-private": (WEBAPP, FUNCTION_OK, changed(FUNCTION_OK, "publicNetworkAccess", "Enabled"),
                               "public endpoint"),
    "azure-function-keyless": (WEBAPP, FUNCTION_OK, changed(FUNCTION_OK, "siteConfig/appSettings", [
        {"name": "AzureWebJobsStorage", "value": KEYED_STORAGE}]), "app setting AzureWebJobsStorage holds a key"),
    "azure-function-logs-in-workspace": (INSIGHTS, INSIGHTS_OK, changed(INSIGHTS_OK, "disableLocalAuth", False),
                                         "local auth is on"),
    "azure-custom-role-narrow": (ROLE_DEFINITION, ROLE_DEFINITION_OK, changed(ROLE_DEFINITION_OK, "assignableScopes",
                                                                            [SUB]), "wider than a resource group"),
    "azure-ml-workspace-private": (ML_WORKSPACE, ML_WORKSPACE_OK, changed(ML_WORKSPACE_OK, "publicNetworkAccess", None),
                                   "public network access is Enabled (the default)"),
    "azure-ml-managed-network-approved": (
        ML_WORKSPACE, ML_WORKSPACE_OK,
        changed(ML_WORKSPACE_OK, "managedNetwork/isolationMode", "AllowInternetOutbound"),
        "managed network isolation is AllowInternetOutbound"),
    "azure-ml-workspace-encrypted": (ML_WORKSPACE, ML_WORKSPACE_OK, changed(ML_WORKSPACE_OK, "hbiWorkspace", False),
                                     "high-business-impact mode is off"),
    "azure-ml-identity-datastores": (ML_WORKSPACE, ML_WORKSPACE_OK, changed(ML_WORKSPACE_OK,
                                                                             "systemDatastoresAuthMode", None),
                                     "system datastores authenticate with accessKey"),
    "azure-ml-compute-hardened": (COMPUTE, COMPUTE_OK, changed(COMPUTE_OK, "properties/disableLocalAuth", False),
                                  "local authentication is on"),
    "azure-ml-endpoint-private": (ONLINE_ENDPOINT, ONLINE_ENDPOINT_OK, changed(ONLINE_ENDPOINT_OK,
                                                                                "properties/authMode", "Key"),
                                  "accepts Key credentials instead of Entra tokens"),
    "azure-openai-private": (OPENAI, OPENAI_OK, changed(OPENAI_OK, "properties/customSubDomainName", None),
                             "no custom subdomain"),
    "azure-openai-egress-restricted": (OPENAI, OPENAI_OK, changed(OPENAI_OK, "properties/allowedFqdnList", ["*"]),
                                       "allowed host * is a wildcard"),
    "azure-openai-own-key": (OPENAI, OPENAI_OK, changed(OPENAI_OK, "properties/encryption", None),
                             "encrypts with Microsoft.CognitiveServices keys"),
    "azure-openai-deployment-pinned": (DEPLOYMENT, DEPLOYMENT_OK, changed(DEPLOYMENT_OK, "sku/name", "GlobalStandard"),
                                       "may process prompts in any Azure region"),
    "azure-registry-private": (REGISTRY, REGISTRY_OK, changed(REGISTRY_OK, "adminUserEnabled", True),
                               "the admin account"),
}

# The AKS rules' fixtures live with the AKS weakenings (azure_kubernetes_cases.py).
from azure_kubernetes_cases import CASES as KUBERNETES_CASES  # noqa: E402

CASES.update(KUBERNETES_CASES)
