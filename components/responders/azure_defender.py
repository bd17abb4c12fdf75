"""Azure containment responder: a Defender for Cloud alert about a VM of the environment ->
quarantine its network, revoke its identity's role assignments, snapshot its disks, report.

Runs inside the environment's Function (components/azure/containment.py). Defender's workflow
automation exports alerts to an Event Hub; the Function's Event Hubs trigger hands each event
body here. Continuous export to Event Hubs uses the schema of the alerts API
(https://learn.microsoft.com/azure/defender-for-cloud/alerts-schemas, "Continuous export" tab),
so the parser reads the alerts API's `properties` (severity, alertDisplayName,
resourceIdentifiers[].azureResourceId).

Every action reads state first, so a second delivery of the same alert changes nothing:
a NIC already on the quarantine NSG is "already", a principal without role assignments is
"already", a snapshot named after the alert and disk that exists is "already". In outcome
"report" (mode notify or dry run) every action is listed as "planned" and nothing is written.
The report goes to the log as one line starting with REPORT_MARKER: Application Insights keeps
it in the workspace, where a scheduled query alert sends it to the action group.

Standard library, azure-core and the azure-mgmt clients only (they ship with the Function).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from .decision import Decision, Finding, Report, Settings, decide

LOG = logging.getLogger("hardstack.containment")
# The scheduled query alert in components/azure/containment.py matches this prefix.
REPORT_MARKER = "hardstack-containment"
# Tag name hardstack puts on every Azure resource (blueprints/tags.py azure_tags).
ENVIRONMENT_TAG = "hardstack-environment"
# Defender for Cloud's alert severities are Informational, Low, Medium, High
# (https://learn.microsoft.com/rest/api/defenderforcloud/alerts/get-subscription-level-alert,
# AlertSeverity); Informational is not a finding about a compromise and never triggers.
SEVERITIES = {"low": "low", "medium": "medium", "high": "high"}
_VM_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/"
    r"Microsoft\.Compute/virtualMachines/(?P<name>[^/]+)$", re.IGNORECASE,
)
# Role assignments list with $filter=principalId eq {id} returns "all role assignments at, above or
# below the scope for the specified principal" (azure-mgmt-authorization 2022-04-01,
# RoleAssignmentsOperations.list_for_resource_group).
PRINCIPAL_FILTER = "principalId eq '{}'"


class AlertError(ValueError):
    """The event is not a Defender for Cloud alert this responder can read."""


@dataclass(frozen=True)
class VmRef:
    subscription_id: str
    resource_group: str
    name: str


def alerts_in(body: Any) -> list[Mapping[str, Any]]:
    """The alerts in one Event Hubs event: an alert object, a list of them, or {"records": [...]}."""
    if isinstance(body, (bytes, str)):
        body = json.loads(body)
    if isinstance(body, Mapping) and isinstance(body.get("records"), list):
        body = body["records"]
    items = body if isinstance(body, list) else [body]
    if not all(isinstance(i, Mapping) for i in items):
        raise AlertError("an event must hold alert objects")
    return items


def parse_alert(alert: Mapping[str, Any]) -> Finding | None:
    """The finding an alert reports, or None when it is informational or names no VM."""
    props = alert.get("properties")
    if not isinstance(props, Mapping):
        raise AlertError("not an alerts API object: no properties")
    severity = SEVERITIES.get(str(props.get("severity", "")).lower())
    vm = next((r["azureResourceId"] for r in props.get("resourceIdentifiers") or []
               if isinstance(r, Mapping) and r.get("type") == "AzureResource"
               and _VM_ID.match(str(r.get("azureResourceId", "")))), None)
    if severity is None or vm is None:
        return None
    alert_id = str(props.get("systemAlertId") or alert.get("name") or alert.get("id") or "")
    if not alert_id:
        raise AlertError("the alert has no id")
    return Finding(id=alert_id, severity=severity, title=str(props.get("alertDisplayName", "")), resource=vm)


def vm_ref(resource_id: str) -> VmRef:
    match = _VM_ID.match(resource_id)
    if match is None:
        raise AlertError(f"{resource_id} is not a virtual machine id")
    return VmRef(match["sub"], match["rg"], match["name"])


def snapshot_name(finding_id: str, disk_name: str) -> str:
    """One snapshot per alert and disk: the same alert delivered twice finds its snapshot."""
    digest = hashlib.sha256(finding_id.encode()).hexdigest()[:10]
    return f"snap-{disk_name}"[:68] + f"-{digest}"


def _get(obj: Any, *path: str) -> Any:
    """Read a nested field from an SDK model or dict, in the SDK's snake_case names."""
    for key in path:
        if obj is None:
            return None
        obj = obj.get(key) if isinstance(obj, Mapping) and not hasattr(obj, key) else getattr(obj, key, None)
    return obj


def _text(value: Any) -> str:
    """An SDK enum's wire value (str() of an enum member is its Python name)."""
    return str(getattr(value, "value", value))


def same_id(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and str(a).lower() == str(b).lower()  # ARM ids are case-insensitive


class AzureResponder:
    """Acts with the Function's managed identity through the azure-mgmt clients it is given."""

    def __init__(self, settings: Settings, quarantine_nsg_id: str, compute: Any, network: Any,
                 authorization: Any) -> None:
        self.settings = settings
        self.quarantine_nsg_id = quarantine_nsg_id
        self.compute, self.network, self.authorization = compute, network, authorization

    def handle(self, alert: Mapping[str, Any]) -> Report | None:
        finding = parse_alert(alert)
        if finding is None:
            return None
        ref = vm_ref(finding.resource)
        vm = self._vm(ref)
        environment = (_get(vm, "tags") or {}).get(ENVIRONMENT_TAG) if vm is not None else None
        decision = decide(finding, self.settings, environment)
        report = Report(finding, decision, self.settings.environment)
        if decision.outcome != "ignore" and vm is not None:
            self._contain(report, ref, vm, decision)
        LOG.warning("%s %s", REPORT_MARKER, report.to_json())
        return report

    def _vm(self, ref: VmRef) -> Any:
        try:
            return self.compute.virtual_machines.get(ref.resource_group, ref.name)
        except ResourceNotFoundError:
            return None

    def _contain(self, report: Report, ref: VmRef, vm: Any, decision: Decision) -> None:
        act = decision.outcome == "isolate"
        # Network first: it stops exfiltration now; revocation and forensics follow.
        steps = {"quarantine-network": self._quarantine, "revoke-access": self._revoke, "snapshot": self._snapshot}
        for name, step in steps.items():
            try:
                step(report, ref, vm, act)
            except HttpResponseError as err:  # one failed step must not stop the others
                report.add(name, ref.name, "failed", f"{err.status_code}: {err.message}")

    def _quarantine(self, report: Report, ref: VmRef, vm: Any, act: bool) -> None:
        for nic_ref in _get(vm, "properties", "network_profile", "network_interfaces") or []:
            nic_id = str(_get(nic_ref, "id"))
            rg, name = nic_id.split("/")[4], nic_id.rsplit("/", 1)[-1]
            nic = self.network.network_interfaces.get(rg, name)
            current = _get(nic, "properties", "network_security_group", "id")
            if same_id(current, self.quarantine_nsg_id):
                report.add("quarantine-network", nic_id, "already", f"NIC NSG is {self.quarantine_nsg_id}")
                continue
            detail = f"NIC NSG {current or 'none'} -> {self.quarantine_nsg_id}"
            if not act:
                report.add("quarantine-network", nic_id, "planned", detail)
                continue
            body = nic.as_dict() if hasattr(nic, "as_dict") else dict(nic)
            # A NIC-level NSG is evaluated with the subnet's: deny-all on the NIC isolates the VM
            # whatever the subnet allows (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works).
            body.setdefault("properties", {})["networkSecurityGroup"] = {"id": self.quarantine_nsg_id}
            self.network.network_interfaces.begin_create_or_update(rg, name, body).result()
            report.add("quarantine-network", nic_id, "done", detail)

    def _principals(self, vm: Any) -> list[str]:
        identity = _get(vm, "identity") or {}
        ids = [_get(identity, "principal_id")]
        ids += [_get(v, "principal_id") for v in (_get(identity, "user_assigned_identities") or {}).values()]
        return [str(i) for i in ids if i]

    def _revoke(self, report: Report, ref: VmRef, vm: Any, act: bool) -> None:
        for principal in self._principals(vm):
            assignments = list(self.authorization.role_assignments.list_for_resource_group(
                ref.resource_group, filter=PRINCIPAL_FILTER.format(principal)))
            # Only what is inside the environment's resource group: the Function holds no rights above it.
            group = f"/subscriptions/{ref.subscription_id}/resourcegroups/{ref.resource_group}".lower()
            own = [a for a in assignments if f"{str(a.scope).lower()}/".startswith(f"{group}/")]
            if not own:
                report.add("revoke-access", principal, "already", "no role assignments in the resource group")
                continue
            for assignment in own:
                # Everything needed to recreate the assignment (runbook: docs/runbooks/containment-azure.md).
                detail = json.dumps({"scope": assignment.scope, "roleDefinitionId": assignment.role_definition_id,
                                     "principalId": principal, "name": assignment.name}, sort_keys=True)
                if act:
                    self.authorization.role_assignments.delete_by_id(assignment.id)
                report.add("revoke-access", str(assignment.id), "done" if act else "planned", detail)

    def _disks(self, vm: Any) -> Iterable[str]:
        storage = _get(vm, "properties", "storage_profile") or {}
        os_disk = _get(storage, "os_disk", "managed_disk", "id")
        data = [_get(d, "managed_disk", "id") for d in _get(storage, "data_disks") or []]
        return [str(d) for d in [os_disk, *data] if d]

    def _snapshot(self, report: Report, ref: VmRef, vm: Any, act: bool) -> None:
        location = _get(vm, "location")
        for disk_id in self._disks(vm):
            rg, disk_name = disk_id.split("/")[4], disk_id.rsplit("/", 1)[-1]
            name = snapshot_name(report.finding.id, disk_name)
            try:
                self.compute.snapshots.get(rg, name)
                report.add("snapshot", name, "already", f"snapshot of {disk_id} exists")
                continue
            except ResourceNotFoundError:
                pass
            disk = self.compute.disks.get(rg, disk_name)
            body = snapshot_body(disk, disk_id, location, self.settings.environment, report.finding.id)
            if not act:
                report.add("snapshot", name, "planned", json.dumps(body["properties"].get("encryption")
                                                                     or body["properties"].get("securityProfile")))
                continue
            self.compute.snapshots.begin_create_or_update(rg, name, body).result()
            report.add("snapshot", name, "done", f"full copy of {disk_id}")


def snapshot_body(disk: Any, disk_id: str, location: str, environment: str, finding_id: str) -> dict[str, Any]:
    """A full copy of the disk, encrypted with the disk's own disk encryption set.

    A confidential OS disk (DiskWithVMGuestState) names its set in securityProfile
    (secureVMDiskEncryptionSetId, "ResourceId of the disk encryption set associated to Confidential
    VM supported disk encrypted with customer managed key", Microsoft.Compute disks API); the
    snapshot keeps that security type and set. Other disks name theirs in encryption."""
    properties: dict[str, Any] = {
        "creationData": {"createOption": "Copy", "sourceResourceId": disk_id},
        "incremental": False,  # a forensic copy must not depend on the disk it copies
        "networkAccessPolicy": "DenyAll", "publicNetworkAccess": "Disabled",
    }
    security_type = _get(disk, "properties", "security_profile", "security_type")
    secure_set = _get(disk, "properties", "security_profile", "secure_vm_disk_encryption_set_id")
    if security_type and secure_set:
        properties["securityProfile"] = {"securityType": _text(security_type),
                                         "secureVMDiskEncryptionSetId": secure_set}
    des = _get(disk, "properties", "encryption", "disk_encryption_set_id")
    if des:
        kind = _get(disk, "properties", "encryption", "type") or "EncryptionAtRestWithCustomerKey"
        properties["encryption"] = {"type": _text(kind), "diskEncryptionSetId": des}
    return {"location": location, "properties": properties,
            "tags": {ENVIRONMENT_TAG: environment, "hardstack-finding": finding_id[:256]}}


def respond(body: Any, responder: AzureResponder) -> list[Report]:
    """Handle one Event Hubs event body; alerts that are not about a VM are skipped."""
    return [r for r in (responder.handle(a) for a in alerts_in(body)) if r is not None]
