"""azure-native type tokens -> ARM resource types, and the names azure-native gives differently.

ARM types are matched exactly and case-sensitively by checkov; a type missing here is reported
as unjudged, never as passed.
"""

from __future__ import annotations

ARM_TYPES: dict[str, str] = {
    "azure-native:resources:ResourceGroup": "Microsoft.Resources/resourceGroups",
    "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults",
    "azure-native:keyvault:Key": "Microsoft.KeyVault/vaults/keys",
    "azure-native:compute:DiskEncryptionSet": "Microsoft.Compute/diskEncryptionSets",
    "azure-native:compute:VirtualMachine": "Microsoft.Compute/virtualMachines",
    "azure-native:compute:Disk": "Microsoft.Compute/disks",
    "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "azure-native:authorization:RoleAssignment": "Microsoft.Authorization/roleAssignments",
    "azure-native:monitor:ActionGroup": "Microsoft.Insights/actionGroups",
    "azure-native:monitor:ActivityLogAlert": "Microsoft.Insights/activityLogAlerts",
    "azure-native:monitor:DiagnosticSetting": "Microsoft.Insights/diagnosticSettings",
    "azure-native:monitor:DataCollectionRule": "Microsoft.Insights/dataCollectionRules",
    "azure-native:monitor:DataCollectionRuleAssociation": "Microsoft.Insights/dataCollectionRuleAssociations",
    "azure-native:monitor:SubscriptionDiagnosticSetting": "Microsoft.Insights/diagnosticSettings",
    "azure-native:network:FlowLog": "Microsoft.Network/networkWatchers/flowLogs",
    "azure-native:network:NetworkWatcher": "Microsoft.Network/networkWatchers",
    "azure-native:network:NetworkInterface": "Microsoft.Network/networkInterfaces",
    "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups",
    "azure-native:network:SecurityRule": "Microsoft.Network/networkSecurityGroups/securityRules",
    "azure-native:network:PrivateDnsZoneGroup": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "azure-native:network:PrivateEndpoint": "Microsoft.Network/privateEndpoints",
    "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/subnets",
    "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
    "azure-native:network:NatGateway": "Microsoft.Network/natGateways",
    "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses",
    "azure-native:operationalinsights:Table": "Microsoft.OperationalInsights/workspaces/tables",
    "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces",
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones",
    "azure-native:privatedns:VirtualNetworkLink": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "azure-native:security:Pricing": "Microsoft.Security/pricings",
    "azure-native:security:SecurityContact": "Microsoft.Security/securityContacts",
    "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts",
    "azure-native:storage:BlobServiceProperties": "Microsoft.Storage/storageAccounts/blobServices",
    "azure-native:storage:BlobContainer": "Microsoft.Storage/storageAccounts/blobServices/containers",
    "azure-native:storage:BlobContainerImmutabilityPolicy":
        "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
    "azure-native:storage:ManagementPolicy": "Microsoft.Storage/storageAccounts/managementPolicies",
    "azure-native:eventgrid:SystemTopic": "Microsoft.EventGrid/systemTopics",
    "azure-native:eventgrid:SystemTopicEventSubscription": "Microsoft.EventGrid/systemTopics/eventSubscriptions",
    # Containment (components/azure/containment.py)
    "azure-native:security:Automation": "Microsoft.Security/automations",
    "azure-native:eventhub:Namespace": "Microsoft.EventHub/namespaces",
    "azure-native:eventhub:NamespaceNetworkRuleSet": "Microsoft.EventHub/namespaces/networkRuleSets",
    "azure-native:eventhub:EventHub": "Microsoft.EventHub/namespaces/eventhubs",
    "azure-native:eventhub:ConsumerGroup": "Microsoft.EventHub/namespaces/eventhubs/consumergroups",
    "azure-native:web:AppServicePlan": "Microsoft.Web/serverfarms",
    "azure-native:web:WebApp": "Microsoft.Web/sites",
    # Both are the site's basicPublishingCredentialsPolicies, named "ftp" and "scm" in ARM.
    "azure-native:web:WebAppFtpAllowed": "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    "azure-native:web:WebAppScmAllowed": "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    "azure-native:applicationinsights:Component": "Microsoft.Insights/components",
    "azure-native:authorization:RoleDefinition": "Microsoft.Authorization/roleDefinitions",
    "azure-native:monitor:ScheduledQueryRule": "Microsoft.Insights/scheduledQueryRules",
    # The AI platform (components/azure/ml_workspace.py, ml_compute.py, openai.py)
    "azure-native:machinelearningservices:Workspace": "Microsoft.MachineLearningServices/workspaces",
    "azure-native:machinelearningservices:Compute": "Microsoft.MachineLearningServices/workspaces/computes",
    "azure-native:machinelearningservices:OnlineEndpoint":
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    "azure-native:containerregistry:Registry": "Microsoft.ContainerRegistry/registries",
    "azure-native:cognitiveservices:Account": "Microsoft.CognitiveServices/accounts",
    "azure-native:cognitiveservices:Deployment": "Microsoft.CognitiveServices/accounts/deployments",
    # The AKS cluster (components/azure/aks.py): checkov's AKS checks read both types.
    "azure-native:containerservice:ManagedCluster": "Microsoft.ContainerService/managedClusters",
    "azure-native:containerservice:AgentPool": "Microsoft.ContainerService/managedClusters/agentPools",
}

# Inputs that only address the resource in the ARM REST path: ARM templates carry none of them.
PATH_PARAMETERS = {
    "resourceGroupName", "vaultName", "keyName", "accountName", "vmName", "networkSecurityGroupName",
    "virtualNetworkName", "subnetName", "privateEndpointName", "privateZoneName", "resourceName",
    "workspaceName", "diskEncryptionSetName", "diskName", "actionGroupName", "activityLogAlertName",
    "networkWatcherName", "flowLogName", "networkInterfaceName", "containerName", "blobServicesName",
    "managementPolicyName", "immutabilityPolicyName", "tableName", "pricingName", "securityContactName",
    "virtualNetworkLinkName", "privateDnsZoneGroupName", "roleAssignmentName", "resourceUri",
    "natGatewayName", "publicIpAddressName", "securityRuleName", "subscriptionId", "ifMatch",
    "scopeId",  # security.Pricing: the subscription the plan applies to, a path segment in ARM
    "systemTopicName", "eventSubscriptionName",
    "automationName", "namespaceName", "eventHubName", "consumerGroupName", "ruleName",
    "computeName", "endpointName", "registryName", "deploymentName",
    "agentPoolName", "dataCollectionRuleName", "associationName",
}
# Path parameters naming the resource an extension resource attaches to: ARM templates write
# them as the resource's top-level `scope` (a diagnostic setting's `resourceUri`).
SCOPE_INPUTS = {"resourceUri"}
# ARM keeps these beside `properties`; azure-native's other inputs go inside `properties`.
TOP_LEVEL = {"name", "location", "tags", "sku", "kind", "identity", "zones", "plan", "extendedLocation",
             "scope"}
# azure-native renamed these ARM properties (it uses the REST specs' x-ms-client-name).
RENAMED = {
    ("Microsoft.Storage/storageAccounts", "enableHttpsTrafficOnly"): "supportsHttpsTrafficOnly",
    ("Microsoft.Storage/storageAccounts", "networkRuleSet"): "networkAcls",
    # Application Insights' REST spec (components_API.json) writes these capitalised; azure-native
    # camel-cases them (https://azure.github.io/azure-service-operator/reference/insights/v1api20200202/).
    ("Microsoft.Insights/components", "applicationType"): "Application_Type",
    ("Microsoft.Insights/components", "disableLocalAuth"): "DisableLocalAuth",
    ("Microsoft.Insights/components", "ingestionMode"): "IngestionMode",
    ("Microsoft.Insights/components", "workspaceResourceId"): "WorkspaceResourceId",
    ("Microsoft.Insights/components", "retentionInDays"): "RetentionInDays",
}
# The same, below the top level of `properties`: ARM type -> path of azure-native names -> ARM name.
# Storage writes its key reference in lower case (keyvaultproperties.keyname) and calls the
# encryption identity `identity`; Key Vault keys keep their expiry in `attributes.exp`.
NESTED_RENAMED: dict[str, dict[tuple[str, ...], str]] = {
    "Microsoft.Storage/storageAccounts": {
        ("encryption", "keyVaultProperties"): "keyvaultproperties",
        ("encryption", "keyVaultProperties", "keyName"): "keyname",
        ("encryption", "keyVaultProperties", "keyVaultUri"): "keyvaulturi",
        ("encryption", "keyVaultProperties", "keyVersion"): "keyversion",
        ("encryption", "encryptionIdentity"): "identity",
        ("encryption", "encryptionIdentity", "encryptionUserAssignedIdentity"): "userAssignedIdentity",
        ("encryption", "encryptionIdentity", "encryptionFederatedIdentityClientId"): "federatedIdentityClientId",
    },
    "Microsoft.KeyVault/vaults/keys": {
        ("attributes", "expires"): "exp",
        ("attributes", "notBefore"): "nbf",
    },
}
# ARM names a child resource by its whole path below the resource group ("vault/key"): the
# inputs that make up each segment, in order ("=x" is a literal segment azure-native implies).
# Without this two containers of one account, or two DNS zone groups named "default", would get
# the same checkov address and one of them would silently go unjudged.
NAME_PARTS: dict[str, tuple[str, ...]] = {
    "Microsoft.Resources/resourceGroups": ("resourceGroupName",),
    "Microsoft.KeyVault/vaults": ("vaultName",),
    "Microsoft.KeyVault/vaults/keys": ("vaultName", "keyName"),
    "Microsoft.Compute/diskEncryptionSets": ("diskEncryptionSetName",),
    "Microsoft.Compute/virtualMachines": ("vmName",),
    "Microsoft.Compute/disks": ("diskName",),
    "Microsoft.ManagedIdentity/userAssignedIdentities": ("resourceName",),
    "Microsoft.Authorization/roleAssignments": ("roleAssignmentName",),
    "Microsoft.Insights/actionGroups": ("actionGroupName",),
    "Microsoft.Insights/activityLogAlerts": ("activityLogAlertName",),
    "Microsoft.Insights/diagnosticSettings": ("name",),
    "Microsoft.Insights/dataCollectionRules": ("dataCollectionRuleName",),
    "Microsoft.Insights/dataCollectionRuleAssociations": ("associationName",),
    "Microsoft.Network/networkWatchers": ("networkWatcherName",),
    "Microsoft.Network/networkWatchers/flowLogs": ("networkWatcherName", "flowLogName"),
    "Microsoft.Network/networkInterfaces": ("networkInterfaceName",),
    "Microsoft.Network/networkSecurityGroups": ("networkSecurityGroupName",),
    "Microsoft.Network/networkSecurityGroups/securityRules": ("networkSecurityGroupName", "securityRuleName"),
    "Microsoft.Network/privateEndpoints": ("privateEndpointName",),
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups": ("privateEndpointName", "privateDnsZoneGroupName"),
    "Microsoft.Network/virtualNetworks": ("virtualNetworkName",),
    "Microsoft.Network/virtualNetworks/subnets": ("virtualNetworkName", "subnetName"),
    "Microsoft.Network/natGateways": ("natGatewayName",),
    "Microsoft.Network/publicIPAddresses": ("publicIpAddressName",),
    "Microsoft.OperationalInsights/workspaces": ("workspaceName",),
    "Microsoft.OperationalInsights/workspaces/tables": ("workspaceName", "tableName"),
    "Microsoft.Network/privateDnsZones": ("privateZoneName",),
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks": ("privateZoneName", "virtualNetworkLinkName"),
    "Microsoft.Security/pricings": ("pricingName",),
    "Microsoft.Security/securityContacts": ("securityContactName",),
    "Microsoft.Storage/storageAccounts": ("accountName",),
    "Microsoft.Storage/storageAccounts/blobServices": ("accountName", "blobServicesName"),
    "Microsoft.Storage/storageAccounts/blobServices/containers": ("accountName", "=default", "containerName"),
    "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies":
        ("accountName", "=default", "containerName", "immutabilityPolicyName"),
    "Microsoft.Storage/storageAccounts/managementPolicies": ("accountName", "managementPolicyName"),
    "Microsoft.EventGrid/systemTopics": ("systemTopicName",),
    "Microsoft.EventGrid/systemTopics/eventSubscriptions": ("systemTopicName", "eventSubscriptionName"),
    "Microsoft.Security/automations": ("automationName",),
    "Microsoft.EventHub/namespaces": ("namespaceName",),
    "Microsoft.EventHub/namespaces/networkRuleSets": ("namespaceName", "=default"),
    "Microsoft.EventHub/namespaces/eventhubs": ("namespaceName", "eventHubName"),
    "Microsoft.EventHub/namespaces/eventhubs/consumergroups": ("namespaceName", "eventHubName", "consumerGroupName"),
    "Microsoft.Web/serverfarms": ("name",),
    "Microsoft.Web/sites": ("name",),
    # ftp or scm: TOKEN_NAME_PARTS names the policy by the azure-native type.
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies": ("name", "=ftp"),
    "Microsoft.Insights/components": ("resourceName",),
    "Microsoft.Authorization/roleDefinitions": ("roleDefinitionId",),
    "Microsoft.Insights/scheduledQueryRules": ("ruleName",),
    "Microsoft.MachineLearningServices/workspaces": ("workspaceName",),
    "Microsoft.MachineLearningServices/workspaces/computes": ("workspaceName", "computeName"),
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints": ("workspaceName", "endpointName"),
    "Microsoft.ContainerRegistry/registries": ("registryName",),
    "Microsoft.CognitiveServices/accounts": ("accountName",),
    "Microsoft.CognitiveServices/accounts/deployments": ("accountName", "deploymentName"),
    "Microsoft.ContainerService/managedClusters": ("resourceName",),
    "Microsoft.ContainerService/managedClusters/agentPools": ("resourceName", "agentPoolName"),
}
# Where two azure-native types share an ARM type, the name parts by type token instead.
TOKEN_NAME_PARTS: dict[str, tuple[str, ...]] = {
    "azure-native:web:WebAppFtpAllowed": ("name", "=ftp"),
    "azure-native:web:WebAppScmAllowed": ("name", "=scm"),
}
# Polymorphic objects azure-native flattens but ARM nests: ARM type -> path -> the discriminator
# kept beside `properties`. An event subscription's destination is {endpointType, properties:
# {...}} in ARM (https://learn.microsoft.com/azure/event-grid/create-view-manage-system-topics-arm).
DISCRIMINATED: dict[str, dict[tuple[str, ...], str]] = {
    "Microsoft.EventGrid/systemTopics/eventSubscriptions": {("destination",): "endpointType"},
}
# Arrays of sub-resources: each item is {name, properties: {...}} in ARM.
SUB_RESOURCE_ARRAYS = {
    "securityRules", "subnets", "ipConfigurations", "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections", "privateDnsZoneConfigs", "frontendIPConfigurations",
}
