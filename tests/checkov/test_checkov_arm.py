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
    odd = res("azure-native:web:WebApp", "app", {"name": "app"})
    exported = to_arm(graph(odd))
    assert exported.plan["resources"] == [] and exported.unmapped == [odd]
