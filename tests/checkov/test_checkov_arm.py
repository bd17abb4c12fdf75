"""The ARM exporter re-nests what azure-native flattened, so checkov reads real ARM shapes."""

from __future__ import annotations

from hardstack.checkov.arm import to_arm
from hardstack.render import Graph, Resource


def graph(*resources: Resource) -> Graph:
    return Graph(stack="s", project="p", cloud="azure", root="", resources=list(resources))


def res(token: str, name: str, inputs: dict) -> Resource:
    return Resource(urn=f"urn:pulumi:s::p::{token}::{name}", type=token, name=name, parent="", inputs=inputs)


def test_storage_account_properties_renested_and_renamed() -> None:
    account = res("azure-native:storage:StorageAccount", "data", {
        "accountName": "stdata", "resourceGroupName": "rg", "location": "westeurope", "kind": "StorageV2",
        "sku": {"name": "Standard_ZRS"}, "enableHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2",
        "allowBlobPublicAccess": False, "tags": {"owner": "x"},
    })
    (arm,) = to_arm(graph(account)).plan["resources"]
    assert arm["type"] == "Microsoft.Storage/storageAccounts" and arm["name"] == "stdata"
    assert arm["properties"]["supportsHttpsTrafficOnly"] is True  # ARM's name, not azure-native's
    assert arm["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert arm["sku"] == {"name": "Standard_ZRS"} and arm["tags"] == {"owner": "x"} and arm["kind"] == "StorageV2"
    assert "resourceGroupName" not in arm and "accountName" not in arm["properties"]
    assert "enableHttpsTrafficOnly" not in arm["properties"]


def test_sub_resource_arrays_get_their_own_properties() -> None:
    nsg = res("azure-native:network:NetworkSecurityGroup", "nsg", {
        "networkSecurityGroupName": "nsg-1", "securityRules": [{
            "name": "deny-internet", "access": "Deny", "direction": "Inbound", "priority": 4096,
            "sourceAddressPrefix": "Internet", "protocol": "*",
        }],
    })
    (arm,) = to_arm(graph(nsg)).plan["resources"]
    (rule,) = arm["properties"]["securityRules"]
    assert rule["name"] == "deny-internet"
    assert rule["properties"]["access"] == "Deny" and rule["properties"]["sourceAddressPrefix"] == "Internet"


def test_existing_properties_kept_and_template_has_schema() -> None:
    vault = res("azure-native:keyvault:Vault", "kv", {
        "vaultName": "kv-1", "properties": {"enablePurgeProtection": True, "tenantId": "t"}, "location": "westeurope",
    })
    exported = to_arm(graph(vault))
    assert exported.plan["$schema"] and exported.plan["contentVersion"]
    (arm,) = exported.plan["resources"]
    assert arm["properties"] == {"enablePurgeProtection": True, "tenantId": "t"}
    assert exported.addresses == {"Microsoft.KeyVault/vaults.kv-1": vault.urn}


def test_unknown_types_are_reported_not_dropped_silently() -> None:
    odd = res("azure-native:web:StaticSite", "app", {"name": "app"})
    exported = to_arm(graph(odd))
    assert exported.plan["resources"] == [] and exported.unmapped == [odd]


def test_child_resources_are_named_by_their_path() -> None:
    # Two containers of one account and two "default" DNS zone groups must not share an address.
    made = to_arm(graph(
        res("azure-native:storage:BlobContainer", "datasets", {"accountName": "st1", "containerName": "datasets"}),
        res("azure-native:storage:BlobContainer", "models", {"accountName": "st1", "containerName": "models"}),
        res("azure-native:network:PrivateDnsZoneGroup", "kv-dns",
            {"privateEndpointName": "pe-kv", "privateDnsZoneGroupName": "default"}),
        res("azure-native:network:PrivateDnsZoneGroup", "blob-dns",
            {"privateEndpointName": "pe-blob", "privateDnsZoneGroupName": "default"}),
        res("azure-native:keyvault:Key", "data-key", {"vaultName": "kv-1", "keyName": "data"}),
    ))
    names = [r["name"] for r in made.plan["resources"]]
    assert names == ["st1/default/datasets", "st1/default/models", "pe-kv/default", "pe-blob/default", "kv-1/data"]
    assert len(made.addresses) == 5
    assert made.addresses["Microsoft.KeyVault/vaults/keys.kv-1/data"].endswith("::data-key")


def test_same_path_in_two_resource_groups_keeps_both() -> None:
    made = to_arm(graph(
        res("azure-native:network:FlowLog", "a", {"networkWatcherName": "nw", "flowLogName": "fl", "enabled": True}),
        res("azure-native:network:FlowLog", "b", {"networkWatcherName": "nw", "flowLogName": "fl", "enabled": True}),
    ))
    assert [r["name"] for r in made.plan["resources"]] == ["nw/fl", "nw/fl-2"]
    assert len(made.addresses) == 2


def test_ftp_and_scm_publishing_policies_get_their_own_names() -> None:
    made = to_arm(graph(res("azure-native:web:WebAppFtpAllowed", "ftp", {"name": "func-1", "allow": False}),
                        res("azure-native:web:WebAppScmAllowed", "scm", {"name": "func-1", "allow": False})))
    assert [r["name"] for r in made.plan["resources"]] == ["func-1/ftp", "func-1/scm"]
    assert all(r["properties"] == {"allow": False} for r in made.plan["resources"])


def test_application_insights_properties_keep_arms_capitalised_names() -> None:
    made = to_arm(graph(res("azure-native:applicationinsights:Component", "appi", {
        "resourceName": "appi-1", "kind": "web", "disableLocalAuth": True, "workspaceResourceId": "/w",
        "ingestionMode": "LogAnalytics"})))
    (arm,) = made.plan["resources"]
    assert arm["properties"] == {"DisableLocalAuth": True, "WorkspaceResourceId": "/w", "IngestionMode": "LogAnalytics"}
    assert arm["kind"] == "web" and arm["name"] == "appi-1"


def test_every_mapped_type_has_an_arm_name() -> None:
    from hardstack.checkov.azure_types import ARM_TYPES, NAME_PARTS

    assert set(ARM_TYPES.values()) <= set(NAME_PARTS)
    for arm_type, parts in NAME_PARTS.items():
        # One name segment per type segment below the provider namespace.
        assert len(parts) == arm_type.count("/"), arm_type


def test_storage_encryption_uses_arm_names() -> None:
    account = res("azure-native:storage:StorageAccount", "data", {"accountName": "st", "encryption": {
        "keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": True,
        "keyVaultProperties": {"keyName": "data", "keyVaultUri": "https://kv.vault.azure.net/"},
        "encryptionIdentity": {"encryptionUserAssignedIdentity": "/id"},
    }})
    (arm,) = to_arm(graph(account)).plan["resources"]
    assert arm["properties"]["encryption"] == {
        "keySource": "Microsoft.Keyvault", "requireInfrastructureEncryption": True,
        "keyvaultproperties": {"keyname": "data", "keyvaulturi": "https://kv.vault.azure.net/"},
        "identity": {"userAssignedIdentity": "/id"},
    }


def test_key_expiry_uses_arm_names() -> None:
    key = res("azure-native:keyvault:Key", "k", {"vaultName": "kv", "keyName": "k", "properties": {
        "kty": "RSA-HSM", "attributes": {"enabled": True, "expires": 1806019200, "notBefore": 1},
        "rotationPolicy": {"attributes": {"expiryTime": "P120D"}}}})
    (arm,) = to_arm(graph(key)).plan["resources"]
    assert arm["properties"]["attributes"] == {"enabled": True, "exp": 1806019200, "nbf": 1}
    assert arm["properties"]["rotationPolicy"] == {"attributes": {"expiryTime": "P120D"}}  # same name in ARM


def test_user_assigned_identities_become_arms_map() -> None:
    vm = res("azure-native:compute:VirtualMachine", "vm", {
        "vmName": "vm-1", "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a", "/ids/b"]}})
    (arm,) = to_arm(graph(vm)).plan["resources"]
    assert arm["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {"/ids/a": {}, "/ids/b": {}}}


def test_extension_resources_carry_their_scope_and_no_path_parameters() -> None:
    diag = res("azure-native:monitor:DiagnosticSetting", "kv-diag", {
        "name": "kv-diag", "resourceUri": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "workspaceId": "/ws", "logs": [{"categoryGroup": "allLogs", "enabled": True}]})
    pricing = res("azure-native:security:Pricing", "vms", {
        "pricingName": "VirtualMachines", "scopeId": "/subscriptions/s", "pricingTier": "Standard"})
    diag_arm, pricing_arm = to_arm(graph(diag, pricing)).plan["resources"]
    assert diag_arm["scope"].endswith("/vaults/kv") and "resourceUri" not in diag_arm["properties"]
    assert diag_arm["properties"]["workspaceId"] == "/ws"
    assert pricing_arm["name"] == "VirtualMachines" and pricing_arm["properties"] == {"pricingTier": "Standard"}


def test_event_subscription_destination_nests_like_arm() -> None:
    # ARM writes a destination as {endpointType, properties: {...}}
    # (learn.microsoft.com/azure/event-grid/create-view-manage-system-topics-arm); azure-native
    # flattens it. Before, the type was unmapped and went unjudged.
    subscription = res("azure-native:eventgrid:SystemTopicEventSubscription", "near-expiry", {
        "systemTopicName": "evgt-vault", "eventSubscriptionName": "KeyNearExpiryToMonitorAlert",
        "resourceGroupName": "rg", "eventDeliverySchema": "CloudEventSchemaV1_0",
        "filter": {"includedEventTypes": ["Microsoft.KeyVault.KeyNearExpiry"]},
        "destination": {"endpointType": "MonitorAlert", "actionGroups": ["ag"], "severity": "Sev2"},
    })
    exported = to_arm(graph(subscription))
    (arm,) = exported.plan["resources"]
    assert arm["type"] == "Microsoft.EventGrid/systemTopics/eventSubscriptions"
    assert arm["name"] == "evgt-vault/KeyNearExpiryToMonitorAlert"
    assert arm["properties"]["destination"] == {"endpointType": "MonitorAlert",
                                                "properties": {"actionGroups": ["ag"], "severity": "Sev2"}}
    assert subscription.inputs["destination"]["severity"] == "Sev2"  # the graph keeps azure-native's shape
    assert exported.unmapped == []
