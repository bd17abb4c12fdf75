"""A faked Azure Resource Manager for the containment responder's tests: a real azure-core
HttpTransport that answers the azure-mgmt clients from a dict of resources and records every
request, and a credential that hands out a fixed token. The clients, their serialization,
polling and paging all run for real; only the wire is fake."""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest._requests_basic import RestRequestsTransportResponse
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient

from hardstack.components.responders.azure_defender import AzureResponder
from hardstack.components.responders.decision import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SUB = "20ff7fc3-e762-44dd-bd96-b71116dcdc23"  # the subscription of Microsoft's sample alert
RG = "myRg1"
BASE = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers"
VM_ID = f"{BASE}/Microsoft.Compute/virtualMachines/vm1"
NIC_ID = f"{BASE}/Microsoft.Network/networkInterfaces/nic-vm1"
WORKLOAD_NSG = f"{BASE}/Microsoft.Network/networkSecurityGroups/nsg-workload"
QUARANTINE_NSG = f"{BASE}/Microsoft.Network/networkSecurityGroups/nsg-quarantine"
OS_DISK_ID = f"{BASE}/Microsoft.Compute/disks/osdisk-vm1"
DATA_DISK_ID = f"{BASE}/Microsoft.Compute/disks/data-vm1"
CONFIDENTIAL_DES = f"{BASE}/Microsoft.Compute/diskEncryptionSets/des-disks"
STANDARD_DES = f"{BASE}/Microsoft.Compute/diskEncryptionSets/des-disks-std"
IDENTITY_ID = f"{BASE}/Microsoft.ManagedIdentity/userAssignedIdentities/id-vm1"
PRINCIPAL = "6b1c3a2e-0000-4000-8000-00000000c0de"
KEY_SCOPE = f"{BASE}/Microsoft.KeyVault/vaults/kv-prod/keys/data"
CONTAINER_SCOPE = f"{BASE}/Microsoft.Storage/storageAccounts/stdata/blobServices/default/containers/models"


def sample_alert() -> dict[str, Any]:
    """Microsoft's sample alert (the alerts API example), about vm1 in myRg1."""
    return json.loads((FIXTURES / "defender_alert_vm.json").read_text())["alert"]


class FakeCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", 4102444800)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo
        return AccessTokenInfo("fake-token", 4102444800)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeArm(HttpTransport):  # type: ignore[misc]
    """Resources by lower-cased ARM id; role assignments listed by principal filter."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def __enter__(self) -> FakeArm:
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method in ("PUT", "PATCH", "DELETE", "POST")]

    def send(self, request: Any, **kwargs: Any) -> Any:
        url = urlparse(request.url)
        query = dict(parse_qsl(url.query))
        body = json.loads(request.content) if getattr(request, "content", None) else None
        self.calls.append(Call(request.method, url.path, query, body))
        status, payload = self._answer(request.method, url.path, query, body)
        raw = requests.Response()
        raw.status_code = status
        raw.raw = io.BytesIO(json.dumps(payload).encode() if payload is not None else b"")
        raw.headers["Content-Type"] = "application/json"
        raw.url = request.url
        raw.reason = "OK" if status < 400 else "Error"
        return RestRequestsTransportResponse(request=request, internal_response=raw)

    def _answer(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        key = path.lower()
        if method == "GET" and key.endswith("/providers/microsoft.authorization/roleassignments"):
            principal = re.search(r"principalId eq '([^']+)'", query.get("$filter", ""))
            items = [r for r in self.resources.values() if r.get("type") == "Microsoft.Authorization/roleAssignments"
                     and principal and r["properties"]["principalId"] == principal.group(1)]
            return 200, {"value": copy.deepcopy(items)}
        if method == "GET":
            found = self.resources.get(key)
            if found is None:
                return 404, {"error": {"code": "ResourceNotFound", "message": f"{path} not found"}}
            return 200, copy.deepcopy(found)
        if method == "PUT":
            stored = {**copy.deepcopy(body), "id": path, "name": path.rsplit("/", 1)[-1]}
            stored.setdefault("properties", {})["provisioningState"] = "Succeeded"
            self.resources[key] = stored
            return 200, copy.deepcopy(stored)
        if method == "DELETE":
            return (200, self.resources.pop(key)) if key in self.resources else (204, None)
        return 405, {"error": {"code": "MethodNotAllowed", "message": method}}


def arm(*, environment: str = "azure-prod-eu", quarantined: bool = False, confidential: bool = True,
        with_vm: bool = True) -> FakeArm:
    """vm1 of `environment` with one NIC, an OS disk (confidential or not), a data disk, and a
    user-assigned identity holding two data-plane role assignments."""
    fake = FakeArm()
    res = fake.resources
    if with_vm:
        res[VM_ID.lower()] = {
            "id": VM_ID, "name": "vm1", "location": "westeurope", "type": "Microsoft.Compute/virtualMachines",
            "tags": {"hardstack-environment": environment, "workload": "inference"},
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {
                IDENTITY_ID: {"principalId": PRINCIPAL, "clientId": "c1"}}},
            "properties": {
                "networkProfile": {"networkInterfaces": [{"id": NIC_ID, "properties": {"primary": True}}]},
                "storageProfile": {
                    "osDisk": {"name": "osdisk-vm1", "createOption": "FromImage",
                               "managedDisk": {"id": OS_DISK_ID}},
                    "dataDisks": [{"lun": 0, "name": "data-vm1", "createOption": "Empty",
                                   "managedDisk": {"id": DATA_DISK_ID}}],
                },
            },
        }
    res[NIC_ID.lower()] = {
        "id": NIC_ID, "name": "nic-vm1", "location": "westeurope",
        "properties": {
            "ipConfigurations": [{"name": "primary", "properties": {
                "primary": True, "privateIPAllocationMethod": "Dynamic",
                "subnet": {"id": f"{BASE}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-workload"}}}],
            **({"networkSecurityGroup": {"id": QUARANTINE_NSG}} if quarantined else {}),
        },
    }
    os_props: dict[str, Any] = {"diskSizeGB": 100, "osType": "Linux"}
    if confidential:
        os_props["securityProfile"] = {"securityType": "ConfidentialVM_DiskEncryptedWithCustomerKey",
                                       "secureVMDiskEncryptionSetId": CONFIDENTIAL_DES}
        os_props["encryption"] = {"type": "EncryptionAtRestWithPlatformKey"}
    else:
        os_props["encryption"] = {"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": STANDARD_DES}
    res[OS_DISK_ID.lower()] = {"id": OS_DISK_ID, "name": "osdisk-vm1", "location": "westeurope",
                               "properties": os_props}
    data_encryption = {"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": STANDARD_DES}
    res[DATA_DISK_ID.lower()] = {"id": DATA_DISK_ID, "name": "data-vm1", "location": "westeurope",
                                 "properties": {"diskSizeGB": 64, "encryption": data_encryption}}
    for name, scope, role in (("ra-key", KEY_SCOPE, "e147488a-f6f5-4113-8e2d-b22465e65bf6"),
                              ("ra-models", CONTAINER_SCOPE, "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")):
        rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        res[rid.lower()] = {
            "id": rid, "name": name, "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": scope, "principalId": PRINCIPAL, "principalType": "ServicePrincipal",
                           "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/"
                                               f"roleDefinitions/{role}"},
        }
    return fake


def responder(fake: FakeArm, *, mode: str = "isolate", min_severity: str = "high", dry_run: bool = False,
              environment: str = "azure-prod-eu") -> AzureResponder:
    cred = FakeCredential()
    opts: dict[str, Any] = {"transport": fake, "polling_interval": 0}
    return AzureResponder(
        Settings(environment, mode, min_severity, dry_run), QUARANTINE_NSG,
        compute=ComputeManagementClient(cred, SUB, **opts),
        network=NetworkManagementClient(cred, SUB, **opts),
        authorization=AuthorizationManagementClient(cred, SUB, **opts),
    )


def requests_of(fake: FakeArm) -> Iterator[tuple[str, str]]:
    for call in fake.writes():
        yield call.method, call.path
