"""A holding and a violating stack for every Azure stack rule, built as small resource graphs
with the property dependencies the engine reports (who references whom)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azure_resource_cases import (
    ACCOUNT_OK,
    DES_ID,
    FLOW_LOG_OK,
    KEY_ID,
    KEY_OK,
    ML_WORKSPACE_OK,
    OFFLINE_KEY,
    VAULT_OK,
    VM_OK,
    WORKSPACE_ID,
    changed,
)

from hardstack.render import Resource

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
VM = "azure-native:compute:VirtualMachine"
DES = "azure-native:compute:DiskEncryptionSet"
VNET = "azure-native:network:VirtualNetwork"
FLOW_LOG = "azure-native:network:FlowLog"
ENDPOINT = "azure-native:network:PrivateEndpoint"
DNS_GROUP = "azure-native:network:PrivateDnsZoneGroup"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY = "azure-native:storage:BlobContainerImmutabilityPolicy"
WORKSPACE = "azure-native:operationalinsights:Workspace"
TABLE = "azure-native:operationalinsights:Table"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT = "azure-native:monitor:ActivityLogAlert"
PRICING = "azure-native:security:Pricing"
NSG = "azure-native:network:NetworkSecurityGroup"
SYSTEM_TOPIC = "azure-native:eventgrid:SystemTopic"
EVENT_SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription"

CONFIDENTIAL_DES = "ConfidentialVmEncryptedWithCustomerKey"
LOGS = [{"categoryGroup": "allLogs", "enabled": True}]
METRICS = [{"category": "AllMetrics", "enabled": True}]


class Stack:
    def __init__(self) -> None:
        self.resources: list[Resource] = []

    def add(self, token: str, name: str, props: dict[str, Any] | None = None,
            refs: dict[str, Resource | list[Resource]] | None = None) -> Resource:
        deps = {k: [v] if isinstance(v, Resource) else v for k, v in (refs or {}).items()}
        res = Resource(
            urn=f"urn:pulumi:t::t::{token}::{name}", type=token, name=name, parent="", inputs=dict(props or {}),
            propertyDependencies={k: [r.urn for r in v] for k, v in deps.items()},
            dependencies=[r.urn for v in deps.values() for r in v],
        )
        self.resources.append(res)
        return res


def disk_stack(des_type: str = CONFIDENTIAL_DES, key_props: dict[str, Any] | None = None,
               own_key: bool = True, vault_sku: str = "premium", vault_location: str = "westeurope") -> list[Resource]:
    s = Stack()
    vault = s.add(VAULT, "vault", {**changed(VAULT_OK, "properties/sku/name", vault_sku), "location": vault_location})
    key = s.add(KEY, "disks-key", key_props or OFFLINE_KEY, {"vaultName": vault})
    des = s.add(DES, "des", {"encryptionType": des_type, "location": "westeurope",
                             "activeKey": {"keyUrl": "https://kv/keys/disks/1"}},
                {"activeKey": [vault, key] if own_key else [vault]})
    s.add(VM, "vm", VM_OK, {"storageProfile": des})
    return s.resources


def network_stack(flow_enabled: bool = True) -> list[Resource]:
    s = Stack()
    vnet = s.add(VNET, "vnet")
    s.add(FLOW_LOG, "flows", {"enabled": flow_enabled}, {"targetResourceId": vnet})
    return s.resources


def endpoint_stack(account_endpoint: bool = True, vault_dns: bool = True) -> list[Resource]:
    s = Stack()
    vault = s.add(VAULT, "vault")
    account = s.add(ACCOUNT, "data", ACCOUNT_OK)
    for target, group in ((vault, "vault"), (account, "blob")):
        if target is account and not account_endpoint:
            continue
        pe = s.add(ENDPOINT, f"{target.name}-pe", {"privateLinkServiceConnections": [{"groupIds": [group]}]},
                   {"privateLinkServiceConnections": target})
        if target is account or vault_dns:
            s.add(DNS_GROUP, f"{target.name}-dns", {"privateDnsZoneConfigs": [{"privateDnsZoneId": "zone"}]},
                  {"privateEndpointName": pe})
    return s.resources


def blob_stack(versioning: bool = True, locked: bool = True, appends: bool = False,
               purpose: str = "models") -> list[Resource]:
    s = Stack()
    account = s.add(ACCOUNT, "data", ACCOUNT_OK)
    s.add(BLOB_SERVICE, "blob-service", {
        "isVersioningEnabled": versioning, "deleteRetentionPolicy": {"enabled": True, "days": 30},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 30}}, {"accountName": account})
    models = s.add(CONTAINER, "models", {"containerName": "weights", "metadata": {"purpose": purpose},
                                         "immutableStorageWithVersioning": {"enabled": True}},
                   {"accountName": account})
    if locked:
        s.add(IMMUTABILITY, "models-worm", {"immutabilityPeriodSinceCreationInDays": 30,
                                            "allowProtectedAppendWrites": appends},
              {"accountName": account, "containerName": models})
    return s.resources


def retention_stack(workspace_days: int = 730, table_days: int = 2190, audit_tables: bool = True) -> list[Resource]:
    s = Stack()
    ws = s.add(WORKSPACE, "workspace", {"retentionInDays": workspace_days})
    for table in ("AzureActivity", "AZKVAuditLogs", "StorageBlobLogs", "AzureDiagnostics", "LAQueryLogs"):
        if audit_tables or table == "AzureActivity":
            s.add(TABLE, f"table-{table}", {"tableName": table, "retentionInDays": workspace_days,
                                            "totalRetentionInDays": table_days}, {"workspaceName": ws})
    return s.resources


def diagnostics_stack(vault_logs: bool = True, blob_logs: bool = True, foreign_workspace: bool = False
                      ) -> list[Resource]:
    s = Stack()
    ws = s.add(WORKSPACE, "workspace")
    vault, nsg = s.add(VAULT, "vault"), s.add(NSG, "nsg")
    vm, account = s.add(VM, "vm", VM_OK), s.add(ACCOUNT, "data", ACCOUNT_OK)
    blob = s.add(BLOB_SERVICE, "blob-service", {}, {"accountName": account})
    sink = {} if foreign_workspace else {"workspaceId": ws}
    for target, props in ((vault, {"logs": LOGS if vault_logs else [], "metrics": METRICS}), (nsg, {"logs": LOGS}),
                          (vm, {"metrics": METRICS}), (account, {"metrics": METRICS}),
                          (blob, {"logs": LOGS if blob_logs else []})):
        s.add(DIAGNOSTIC, f"{target.name}-diag", {"workspaceId": WORKSPACE_ID, **props},
              {"resourceUri": target, **sink})
    return s.resources


def activity_log_stack(categories: tuple[str, ...] = ("Administrative", "Security", "Policy")) -> list[Resource]:
    s = Stack()
    ws = s.add(WORKSPACE, "workspace")
    s.add(ACTIVITY_LOG, "activity-log", {"workspaceId": WORKSPACE_ID,
                                         "logs": [{"category": c, "enabled": True} for c in categories]},
          {"workspaceId": ws})
    return s.resources


def defender_stack(ai_tier: str = "Standard") -> list[Resource]:
    s = Stack()
    for plan in ("VirtualMachines", "StorageAccounts", "KeyVaults", "AI"):
        s.add(PRICING, f"defender-{plan.lower()}", {"pricingName": plan,
                                                    "pricingTier": ai_tier if plan == "AI" else "Standard"})
    return s.resources


def alert_stack(email: bool = True, role_alert: bool = True) -> list[Resource]:
    s = Stack()
    receivers = [{"name": "secops", "emailAddress": "secops@example.com"}] if email else []
    group = s.add(ACTION_GROUP, "action-group", {"enabled": True, "emailReceivers": receivers})
    watched = {"key-vault": "Microsoft.KeyVault/vaults/write"}
    if role_alert:
        watched["roles"] = "Microsoft.Authorization/roleAssignments/write"
    for name, operation in watched.items():
        s.add(ALERT, f"{name}-alert", {"enabled": True, "condition": {"allOf": [
            {"field": "category", "equals": "Administrative"}, {"field": "operationName", "equals": operation}]},
            "actions": {"actionGroups": [{"actionGroupId": "ag"}]}}, {"actions": group})
    return s.resources


def keyed_stack(own: bool = True) -> list[Resource]:
    s = Stack()
    key = s.add(KEY, "data-key", KEY_OK)
    account_props = ACCOUNT_OK if own else changed(ACCOUNT_OK, "encryption/keyVaultProperties/keyVaultUri",
                                                    "https://kv-other.vault.azure.net/")
    s.add(ACCOUNT, "data", account_props, {"encryption": key} if own else {})
    des = s.add(DES, "des", {"encryptionType": CONFIDENTIAL_DES, "activeKey": {"keyUrl": KEY_ID}},
                {"activeKey": key})
    s.add(VM, "vm", changed(VM_OK, "storageProfile/osDisk/managedDisk/securityProfile/diskEncryptionSet/id", DES_ID),
          {"storageProfile": des})
    return s.resources


def key_alert_stack(events: tuple[str, ...] = ("Microsoft.KeyVault.KeyNearExpiry", "Microsoft.KeyVault.KeyExpired"),
                    endpoint: str = "MonitorAlert", email: bool = True) -> list[Resource]:
    s = Stack()
    vault = s.add(VAULT, "vault", VAULT_OK)
    s.add(KEY, "disks-key", OFFLINE_KEY, {"vaultName": vault})
    receivers = [{"name": "secops", "emailAddress": "secops@example.com"}] if email else []
    group = s.add(ACTION_GROUP, "action-group", {"enabled": True, "emailReceivers": receivers})
    topic = s.add(SYSTEM_TOPIC, "vault-events", {"topicType": "Microsoft.KeyVault.vaults", "source": "kv"},
                  {"source": vault})
    for event in events:
        s.add(EVENT_SUBSCRIPTION, event.rsplit(".", 1)[-1], {
            "eventDeliverySchema": "CloudEventSchemaV1_0", "filter": {"includedEventTypes": [event]},
            "destination": {"endpointType": endpoint, "actionGroups": ["ag"], "severity": "Sev2"}},
            {"systemTopicName": topic, "destination": group})
    return s.resources


def flow_storage_stack(sku: str = "Standard_GZRS", location: str = "westeurope", bypass: str = "AzureServices"
                       ) -> list[Resource]:
    s = Stack()
    vnet = s.add(VNET, "vnet", {"location": "westeurope"})
    account = s.add(ACCOUNT, "logs", {**changed(ACCOUNT_OK, "networkRuleSet/bypass", bypass),
                                      "sku": {"name": sku}, "location": location, "publicNetworkAccess": "Enabled"})
    s.add(FLOW_LOG, "flows", {**FLOW_LOG_OK, "location": "westeurope"},
          {"targetResourceId": vnet, "storageId": account})
    return s.resources


def provider_stack(location: str) -> list[Resource]:
    s = Stack()
    s.add("pulumi:providers:azure-native", "azure-provider", {"location": location, "subscriptionId": "s"})
    return s.resources


def egress_stack(nat: bool) -> list[Resource]:
    resources = provider_stack("westeurope")
    if nat:
        s = Stack()
        s.add("azure-native:network:NatGateway", "egress-nat", {})
        resources += s.resources
    return resources


# rule id -> (holding stack, violating stack, message fragment, violating resource name or None)

AUTOMATION = "azure-native:security:Automation"
NAMESPACE = "azure-native:eventhub:Namespace"
HUB = "azure-native:eventhub:EventHub"
ROLE = "azure-native:authorization:RoleAssignment"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
DEFENDER_SENDER = "/providers/Microsoft.Authorization/roleDefinitions/2b629674-e913-4c01-ae53-ef4638d8f975"
DELETE_CONDITION = ("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
                    "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals "
                    "{e147488a-f6f5-4113-8e2d-b22465e65bf6} AND @Resource[Microsoft.Authorization/roleAssignments:"
                    "PrincipalId] ForAnyOfAnyValues:GuidEquals {6b1c3a2e-0000-4000-8000-00000000c0de}))")


def containment_stack(automation: bool = True, quarantine_first: bool = True) -> list[Resource]:
    """Threat detection on VMs with (or without) the Defender -> Event Hub -> Function path."""
    s = Stack()
    s.add(PRICING, "defender-vms", {"pricingName": "VirtualMachines", "pricingTier": "Standard"})
    s.add(VM, "vm", VM_OK)
    hub = s.add(HUB, "hub", {"eventHubName": "defender-alerts"})
    if automation:
        s.add(AUTOMATION, "containment-automation", {"isEnabled": True, "sources": [{"eventSource": "Alerts"}],
              "actions": [{"actionType": "EventHub", "eventHubResourceId": "hub-id", "isTrustedServiceEnabled": True}]},
              {"actions": hub})
    s.add("azure-native:web:WebApp", "responder", {"kind": "functionapp,linux"})
    first = "Deny" if quarantine_first else "Allow"
    s.add(NSG, "quarantine-nsg", {"securityRules": [
        {"name": "in", "priority": 100, "direction": "Inbound", "access": first, "protocol": "*",
         "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"},
        {"name": "out", "priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "*",
         "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}]})
    return s.resources


def delivery_stack(sender: bool = True, trusted: bool = True) -> list[Resource]:
    s = Stack()
    s.add(NAMESPACE, "ehns", {"disableLocalAuth": True})
    hub = s.add(HUB, "hub", {"eventHubName": "defender-alerts"})
    action = {"actionType": "EventHub", "eventHubResourceId": "hub-id", "isTrustedServiceEnabled": trusted}
    s.add(AUTOMATION, "automation", {"actions": [action]}, {"actions": hub})
    if sender:
        s.add(ROLE, "defender-sender", {"roleDefinitionId": f"/subscriptions/s{DEFENDER_SENDER}", "scope": "hub-id",
                                        "principalId": "rp"}, {"scope": hub})
    return s.resources


def deletion_stack(condition: str | None = DELETE_CONDITION) -> list[Resource]:
    s = Stack()
    role = s.add(ROLE_DEFINITION, "responder-role", {"permissions": [{"actions": [
        "Microsoft.Authorization/roleAssignments/read", "Microsoft.Authorization/roleAssignments/delete"]}]})
    props = {"roleDefinitionId": "role-id", "scope": "/subscriptions/s/resourceGroups/rg", "principalId": "fn"}
    if condition:
        props |= {"condition": condition, "conditionVersion": "2.0"}
    s.add(ROLE, "responder", props, {"roleDefinitionId": role})
    return s.resources



ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
PLATFORM_KEY = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-e/keys/platform"
CRYPTO_USER = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"
COSMOS_DB_OBJECT_ID = "7d2c6f21-0000-4000-8000-00000000c05d"


def ml_key_stack(identity_grant: bool = True, cosmos_grant: bool = True) -> list[Resource]:
    """A workspace encrypted with the platform key, and who may unwrap it."""
    s = Stack()
    identity = s.add(IDENTITY, "platform-cmk")
    key = s.add(KEY, "platform-key", KEY_OK)
    s.add(ML_WORKSPACE, "ml-ws", ML_WORKSPACE_OK, {"encryption": [identity, key]})
    if identity_grant:
        s.add(ROLE, "platform-cmk-grant", {"roleDefinitionId": CRYPTO_USER, "scope": PLATFORM_KEY},
              {"principalId": identity, "scope": key})
    if cosmos_grant:
        s.add(ROLE, "cosmos-cmk-grant", {"roleDefinitionId": CRYPTO_USER, "scope": PLATFORM_KEY,
                                         "principalId": COSMOS_DB_OBJECT_ID}, {"scope": key})
    return s.resources


def ml_endpoint_stack(notebooks_zone: bool = True) -> list[Resource]:
    s = Stack()
    workspace = s.add(ML_WORKSPACE, "ml-ws", ML_WORKSPACE_OK)
    pe = s.add(ENDPOINT, "ml-ws-pe", {"privateLinkServiceConnections": [{"groupIds": ["amlworkspace"]}]},
               {"privateLinkServiceConnections": workspace})
    zones = ["privatelink.api.azureml.ms"] + (["privatelink.notebooks.azure.net"] if notebooks_zone else [])
    s.add(DNS_GROUP, "ml-ws-dns", {"privateDnsZoneConfigs": [{"name": z, "privateDnsZoneId": z} for z in zones]},
          {"privateEndpointName": pe})
    return s.resources

AKS = "azure-native:containerservice:ManagedCluster"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
AKS_RBAC_CLUSTER_ADMIN = "/providers/Microsoft.Authorization/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
AKS_CLUSTER_USER = "/providers/Microsoft.Authorization/roleDefinitions/4abbcc35-e782-43d8-92c5-2d3f1bd2253f"


def aks_admin_stack(role: str = AKS_RBAC_CLUSTER_ADMIN) -> list[Resource]:
    s = Stack()
    entra_only = {"disableLocalAccounts": True, "aadProfile": {"managed": True, "enableAzureRBAC": True}}
    cluster = s.add(AKS, "aks", entra_only)
    s.add(ROLE_ASSIGNMENT, "aks-admin", {"roleDefinitionId": f"/subscriptions/s{role}", "principalType": "Group",
                                         "principalId": "00000000-0000-4000-8000-0000000000ad"}, {"scope": cluster})
    return s.resources


DCR = "azure-native:monitor:DataCollectionRule"
DCR_ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"


def aks_insights_stack(extension: str = "ContainerInsights") -> list[Resource]:
    s = Stack()
    cluster = s.add(AKS, "aks", {"addonProfiles": {"omsagent": {"enabled": True, "config": {"useAADAuth": "true"}}}})
    rule = s.add(DCR, "aks-ci-dcr", {
        "dataSources": {"extensions": [{"name": "ContainerInsightsExtension", "extensionName": extension,
                                        "streams": ["Microsoft-ContainerInsights-Group-Default"]}]},
        "destinations": {"logAnalytics": [{"name": "ciworkspace", "workspaceResourceId": WORKSPACE_ID}]}})
    s.add(DCR_ASSOCIATION, "aks-ci-dcra", {"associationName": "ContainerInsightsExtension"},
          {"resourceUri": cluster, "dataCollectionRuleId": rule})
    return s.resources


CASES: dict[str, tuple[Callable[[], list[Resource]], Callable[[], list[Resource]], str, str | None]] = {
    "azure-confidential-vm-disk-set": (
        disk_stack, lambda: disk_stack(des_type="EncryptionAtRestWithCustomerKey"),
        "seals its OS disk with des, of type EncryptionAtRestWithCustomerKey", "vm"),
    "azure-confidential-disk-key": (
        disk_stack, lambda: disk_stack(key_props=KEY_OK),
        "uses key disks-key, which is not an exportable HSM key with a release policy", "des"),
    "azure-key-expiry-alerts": (key_alert_stack, lambda: key_alert_stack(events=("Microsoft.KeyVault.KeyExpired",)),
                                "vault vault: KeyNearExpiry events reach no Azure Monitor alert", "vault"),
    "azure-flow-log-storage": (flow_storage_stack, lambda: flow_storage_stack(bypass="None"),
                               "flow log flows writes to logs, whose firewall denies by default", "flows"),
    "azure-vnet-flow-logs": (network_stack, lambda: network_stack(flow_enabled=False),
                             "VNet vnet has no enabled flow log", "vnet"),
    "azure-private-endpoints": (endpoint_stack, lambda: endpoint_stack(account_endpoint=False),
                                "storage account data has no private endpoint", "data"),
    "azure-storage-versioning-soft-delete": (blob_stack, lambda: blob_stack(versioning=False),
                                             "storage account data lacks blob versions", "data"),
    "azure-storage-write-once-models": (blob_stack, lambda: blob_stack(locked=False),
                                        "container models holds models but no immutability policy locks them",
                                        "models"),
    "azure-log-analytics-retention": (
        lambda: retention_stack(workspace_days=400, table_days=400),
        lambda: retention_stack(workspace_days=100, table_days=400, audit_tables=False),
        "workspace workspace keeps 100 days, and so do its audit tables AZKVAuditLogs", "workspace"),
    "azure-diagnostics-to-workspace": (diagnostics_stack, lambda: diagnostics_stack(vault_logs=False),
                                       "vault vault sends no audit logs to a workspace of this stack", "vault"),
    "azure-activity-log-to-workspace": (activity_log_stack, lambda: activity_log_stack(("Administrative",)),
                                        "categories Security, Policy reach no workspace", "activity-log"),
    "azure-defender-plans": (defender_stack, lambda: defender_stack(ai_tier="Free"),
                             "Defender plan AI is on the Free tier", "defender-ai"),
    "azure-activity-alerts": (alert_stack, lambda: alert_stack(email=False),
                              "alert key-vault-alert on Key Vault changes reaches no enabled action group with an "
                              "email receiver", "key-vault-alert"),
    "azure-data-encrypted-with-own-key": (keyed_stack, lambda: keyed_stack(own=False),
                                          "data: encryption does not use a Key Vault key defined in this stack",
                                          "data"),
    "internet-egress-advisory": (lambda: egress_stack(False), lambda: egress_stack(True),
                                 "NAT gateway egress-nat gives workloads a path to the internet", "egress-nat"),
    "gdpr-data-residency": (lambda: provider_stack("westeurope"), lambda: provider_stack("eastus"),
                            "deploys to eastus, outside the EU/EEA", "azure-provider"),
    "azure-containment-responder": (containment_stack, lambda: containment_stack(automation=False),
                                    "no enabled workflow automation sends Alerts to an Event Hub", "defender-vms"),
    "azure-containment-delivery": (delivery_stack, lambda: delivery_stack(sender=False),
                                   "no Azure Event Hubs Data Sender grant on its hub", "automation"),
    "azure-role-deletion-conditioned": (deletion_stack, lambda: deletion_stack(None),
                                        "may delete any role assignment in its scope", "responder"),
    "azure-ml-workspace-key-usable": (ml_key_stack, lambda: ml_key_stack(cosmos_grant=False),
                                      "no grant on its key for the Azure Cosmos DB service principal", "ml-ws"),
    # The Cluster User role only lists the kubeconfig: it grants nothing inside the cluster.
    "azure-aks-admins": (aks_admin_stack, lambda: aks_admin_stack(role=AKS_CLUSTER_USER),
                         "no principal holds an AKS RBAC admin role on it", "aks"),
    # A rule without the ContainerInsights extension (e.g. only syslog) feeds no Container insights table.
    "azure-aks-container-insights": (aks_insights_stack, lambda: aks_insights_stack(extension="Syslog"),
                                     "collects nothing", "aks"),
    "azure-ml-workspace-endpoint": (ml_endpoint_stack, lambda: ml_endpoint_stack(notebooks_zone=False),
                                    "registers no name in privatelink.notebooks.azure.net", "ml-ws"),
}
