"""The Azure responder against the real azure-mgmt clients over a faked ARM (azure_containment_fakes),
with Microsoft's sample Defender alert: the exact requests of an isolation, a second delivery that
changes nothing, and every case that must not touch anything."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from azure_containment_fakes import (
    CONFIDENTIAL_DES,
    CONTAINER_SCOPE,
    DATA_DISK_ID,
    KEY_SCOPE,
    NIC_ID,
    OS_DISK_ID,
    PRINCIPAL,
    QUARANTINE_NSG,
    STANDARD_DES,
    SUB,
    VM_ID,
    arm,
    responder,
    sample_alert,
)

from hardstack.components.azure.containment_permissions import RESPONDER_ACTIONS
from hardstack.components.responders.azure_defender import (
    REPORT_MARKER,
    AlertError,
    alerts_in,
    parse_alert,
    respond,
    snapshot_name,
)

ALERT_ID = "2518298467986649999_4d25bfef-2d77-4a08-adc0-3e35715cc92a"


def with_severity(severity: str) -> dict[str, Any]:
    alert = sample_alert()
    alert["properties"]["severity"] = severity
    return alert


# --- parsing Microsoft's sample ----------------------------------------------------------------

def test_the_documented_alert_parses_to_a_high_finding_about_vm1() -> None:
    finding = parse_alert(sample_alert())
    assert finding is not None
    assert (finding.id, finding.severity, finding.resource) == (ALERT_ID, "high", VM_ID)
    assert finding.title == "Azure Security Center test alert (not a threat)"


@pytest.mark.parametrize("severity,expected", [("Low", "low"), ("Medium", "medium"), ("High", "high")])
def test_defender_severities_map_onto_the_shared_scale(severity: str, expected: str) -> None:
    finding = parse_alert(with_severity(severity))
    assert finding is not None and finding.severity == expected


def test_informational_alerts_and_alerts_without_a_vm_are_not_findings() -> None:
    assert parse_alert(with_severity("Informational")) is None
    alert = sample_alert()
    alert["properties"]["resourceIdentifiers"] = [
        {"type": "AzureResource", "azureResourceId": KEY_SCOPE.rsplit("/keys/", 1)[0]}]
    assert parse_alert(alert) is None


def test_event_bodies_hold_one_alert_a_list_or_records() -> None:
    one = sample_alert()
    assert alerts_in(json.dumps(one).encode()) == [one]
    assert alerts_in([one, one]) == [one, one]
    assert alerts_in({"records": [one]}) == [one]
    with pytest.raises(AlertError):
        parse_alert({"id": "x"})


# --- isolation --------------------------------------------------------------------------------

def test_isolation_puts_the_quarantine_nsg_on_the_nic_revokes_and_snapshots() -> None:
    fake = arm()
    report = responder(fake).handle(sample_alert())
    assert report is not None and report.decision.outcome == "isolate" and report.changed
    writes = fake.writes()
    nic_puts = [c for c in writes if c.method == "PUT" and c.path == NIC_ID]
    assert len(nic_puts) == 1
    assert nic_puts[0].body["properties"]["networkSecurityGroup"] == {"id": QUARANTINE_NSG}
    # The NIC keeps its IP configuration: only the NSG changes.
    assert nic_puts[0].body["properties"]["ipConfigurations"][0]["name"] == "primary"
    listed = [c for c in fake.calls if c.path.endswith("/providers/Microsoft.Authorization/roleAssignments")]
    assert [c.query["$filter"] for c in listed] == [f"principalId eq '{PRINCIPAL}'"]
    deletes = sorted(c.path for c in writes if c.method == "DELETE")
    assert deletes == sorted(f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
                             for scope, name in ((KEY_SCOPE, "ra-key"), (CONTAINER_SCOPE, "ra-models")))
    snaps = {c.path.rsplit("/", 1)[-1]: c.body for c in writes if "/snapshots/" in c.path}
    os_snap, data_snap = snaps[snapshot_name(ALERT_ID, "osdisk-vm1")], snaps[snapshot_name(ALERT_ID, "data-vm1")]
    assert os_snap["properties"]["creationData"] == {"createOption": "Copy", "sourceResourceId": OS_DISK_ID}
    # The confidential OS disk's copy keeps its security type and confidential disk encryption set.
    assert os_snap["properties"]["securityProfile"] == {
        "securityType": "ConfidentialVM_DiskEncryptedWithCustomerKey", "secureVMDiskEncryptionSetId": CONFIDENTIAL_DES}
    assert data_snap["properties"]["creationData"]["sourceResourceId"] == DATA_DISK_ID
    assert data_snap["properties"]["encryption"] == {"type": "EncryptionAtRestWithCustomerKey",
                                                     "diskEncryptionSetId": STANDARD_DES}
    for snap in (os_snap, data_snap):
        assert snap["properties"]["incremental"] is False
        assert snap["properties"]["networkAccessPolicy"] == "DenyAll"
        assert snap["tags"]["hardstack-environment"] == "azure-prod-eu"
    assert len(writes) == 5
    assert {a.status for a in report.actions} == {"done"}


def test_a_second_delivery_of_the_same_alert_changes_nothing() -> None:
    fake = arm()
    first = responder(fake).handle(sample_alert())
    assert first is not None and first.changed
    before = len(fake.writes())
    second = responder(fake).handle(sample_alert())
    assert second is not None
    assert len(fake.writes()) == before
    assert not second.changed
    assert {a.status for a in second.actions} == {"already"}
    assert {a.name for a in second.actions} == {"quarantine-network", "revoke-access", "snapshot"}


def test_a_nic_already_in_quarantine_is_not_written() -> None:
    fake = arm(quarantined=True)
    report = responder(fake).handle(sample_alert())
    assert report is not None
    assert not any(c.path == NIC_ID for c in fake.writes())
    assert [a.status for a in report.actions if a.name == "quarantine-network"] == ["already"]


def test_a_non_confidential_os_disk_is_copied_with_its_own_disk_encryption_set() -> None:
    fake = arm(confidential=False)
    responder(fake).handle(sample_alert())
    os_snap = next(c.body for c in fake.writes() if c.path.endswith(snapshot_name(ALERT_ID, "osdisk-vm1")))
    assert "securityProfile" not in os_snap["properties"]
    assert os_snap["properties"]["encryption"]["diskEncryptionSetId"] == STANDARD_DES


def test_the_report_is_logged_with_the_marker_the_alert_query_matches(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hardstack.containment"):
        responder(arm()).handle(sample_alert())
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith(REPORT_MARKER + " ")]
    assert len(lines) == 1
    logged = json.loads(lines[0].split(" ", 1)[1])
    assert logged["decision"]["outcome"] == "isolate" and logged["finding"]["resource"] == VM_ID


def test_a_failed_step_is_reported_and_the_others_still_run() -> None:
    fake = arm()
    original = fake._answer

    def refuse_nic(method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if method == "PUT" and path == NIC_ID:
            return 403, {"error": {"code": "AuthorizationFailed", "message": "no join on the NSG"}}
        return original(method, path, query, body)

    fake._answer = refuse_nic  # type: ignore[method-assign]
    report = responder(fake).handle(sample_alert())
    assert report is not None
    assert [a.status for a in report.actions if a.name == "quarantine-network"] == ["failed"]
    assert any(c.method == "DELETE" for c in fake.writes())
    assert any("/snapshots/" in c.path for c in fake.writes())


# --- nothing is touched -----------------------------------------------------------------------

def test_another_environments_vm_is_left_alone() -> None:
    fake = arm(environment="azure-dev-eu")
    report = responder(fake).handle(sample_alert())
    assert report is not None and report.decision.outcome == "ignore"
    assert fake.writes() == [] and report.actions == []


def test_an_alert_below_the_threshold_changes_nothing() -> None:
    fake = arm()
    report = responder(fake, min_severity="high").handle(with_severity("Medium"))
    assert report is not None and report.decision.outcome == "ignore"
    assert fake.writes() == []


def test_a_vm_that_no_longer_exists_is_ignored() -> None:
    fake = arm(with_vm=False)
    report = responder(fake).handle(sample_alert())
    assert report is not None and report.decision.outcome == "ignore"
    assert fake.writes() == []


@pytest.mark.parametrize("kwargs", [{"dry_run": True}, {"mode": "notify"}])
def test_dry_run_and_notify_only_report_what_isolation_would_do(kwargs: dict[str, Any]) -> None:
    fake = arm()
    report = responder(fake, **kwargs).handle(sample_alert())
    assert report is not None and report.decision.outcome == "report"
    assert fake.writes() == []
    assert {a.status for a in report.actions} == {"planned"}
    planned = {(a.name, a.target) for a in report.actions}
    assert ("quarantine-network", NIC_ID) in planned
    assert {a.name for a in report.actions} == {"quarantine-network", "revoke-access", "snapshot"}
    assert not report.changed


def test_respond_skips_alerts_that_are_not_about_a_vm() -> None:
    fake = arm()
    informational = with_severity("Informational")
    reports = respond(json.dumps([informational, copy.deepcopy(sample_alert())]), responder(fake))
    assert len(reports) == 1 and reports[0].finding.id == ALERT_ID


# --- least privilege: the custom role holds exactly what these requests need -------------------

def _permission(method: str, path: str) -> set[str]:
    """The Azure RBAC actions an ARM request needs (operation = provider/type/verb)."""
    segments = path.split("/")
    provider, kind = (segments[-2], segments[-1]) if method == "GET" and path.endswith("roleAssignments") \
        else (segments[-3], segments[-2])
    verb = {"GET": "read", "PUT": "write", "DELETE": "delete"}[method]
    needed = {f"{provider}/{kind}/{verb}"}
    if kind == "networkInterfaces" and method == "PUT":  # attaching an NSG joins it
        needed.add("Microsoft.Network/networkSecurityGroups/join/action")
    if kind == "snapshots" and method == "PUT":  # copying reads the disk; encrypting uses its set
        needed |= {"Microsoft.Compute/disks/beginGetAccess/action", "Microsoft.Compute/diskEncryptionSets/read"}
    return needed


def test_the_custom_role_grants_exactly_the_permissions_the_requests_need() -> None:
    fake = arm()
    responder(fake).handle(sample_alert())
    used = set().union(*(_permission(c.method, c.path) for c in fake.calls))
    assert used == set(RESPONDER_ACTIONS)


def test_assignments_outside_the_resource_group_are_left_to_people() -> None:
    fake = arm()
    for name, scope in (("ra-sub", f"/subscriptions/{SUB}"),
                        ("ra-sibling", f"/subscriptions/{SUB}/resourceGroups/myRg10/providers/X/y/z")):
        rid = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
        fake.resources[rid.lower()] = {"id": rid, "name": name, "type": "Microsoft.Authorization/roleAssignments",
                                       "properties": {"scope": scope, "principalId": PRINCIPAL,
                                                      "roleDefinitionId": "/x/roleDefinitions/r"}}
    responder(fake).handle(sample_alert())
    deleted = [c.path for c in fake.writes() if c.method == "DELETE"]
    assert len(deleted) == 2 and not any("ra-sub" in p or "ra-sibling" in p for p in deleted)
