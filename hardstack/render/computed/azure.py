"""Computed attributes of azure-native resources: ARM resource ids and common properties."""

from __future__ import annotations

from typing import Any

from hardstack.render.computed import Target, module_and_kind, short_hash

# Path parameters azure-native uses for a resource's own name, in the order to try.
_NAME_KEYS = (
    "vaultName", "keyName", "accountName", "resourceName", "workspaceName", "vmName",
    "virtualNetworkName", "subnetName", "networkSecurityGroupName", "privateEndpointName",
    "privateZoneName", "diskEncryptionSetName", "actionGroupName", "activityLogAlertName",
    "natGatewayName", "name",
)


def computed(token: str, name: str, inputs: dict[str, Any], target: Target) -> dict[str, Any]:
    module, kind = module_and_kind(token)
    physical = next((str(inputs[k]) for k in _NAME_KEYS if inputs.get(k)), name)
    group = str(inputs.get("resourceGroupName") or f"rg-{target.region}")
    namespace = f"Microsoft.{module[0].upper()}{module[1:]}"
    collection = f"{kind[0].lower()}{kind[1:]}s"
    sub = f"/subscriptions/{target.account}"
    rid = f"{sub}/resourceGroups/{group}/providers/{namespace}/{collection}/{physical}"
    out: dict[str, Any] = {"name": physical}
    if kind == "ResourceGroup":
        rid = f"{sub}/resourceGroups/{physical}"
    elif kind == "Vault":
        out["properties"] = {"vaultUri": f"https://{physical}.vault.azure.net/"}
    elif kind == "Key":
        uri = f"https://{inputs.get('vaultName', 'vault')}.vault.azure.net/keys/{physical}"
        out.update(keyUri=uri, keyUriWithVersion=f"{uri}/{short_hash(name, length=32)}")
    elif kind == "UserAssignedIdentity":
        out.update(principalId=short_hash("p", name, length=32), clientId=short_hash("c", name, length=32))
    out["id"] = rid
    return out
