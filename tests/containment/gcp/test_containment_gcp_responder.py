"""The GCP responder against Google's clients on faked transports (conftest.py), fed the Security
Command Center notification of fixtures/scc_threat_notification.json.

That sample has the NotificationMessage shape of the v2 API ({notificationConfigName, finding,
resource}: https://cloud.google.com/security-command-center/docs/reference/rest/v2/NotificationMessage)
with the fields of a notification Event Threat Detection actually sent for a cryptomining
instance (recorded in DataBiosphere/leonardo, http/src/test/scala/org/broadinstitute/dsde/
workbench/leonardo/monitor/NonLeoMessageSubscriberSpec.scala): the instance is named by its
numeric id, severity HIGH, findingClass THREAT. Only the project, zone and ids were changed to
the gcp-prod-eu example's.
"""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from typing import Any

import pytest
from gcp_containment_fakes import ACCOUNT, DISKS_KEY, INSTANCE, PROJECT, TAG, ZONE, instance_json

from hardstack.components.responders.decision import Settings
from hardstack.components.responders.gcp_scc import (
    GcpResponder,
    NotificationError,
    handle_cloud_event,
    parse_notification,
    snapshot_name,
)

FINDING = "projects/112233445566/sources/6119898994322174789/locations/global/findings/f3aec71664673d61db90d8efb99e7bac"


def responder(world: SimpleNamespace, lines: list[str], **settings: Any) -> GcpResponder:
    base = {"environment": "gcp-prod-eu", "mode": "isolate", "min_severity": "high", "dry_run": False}
    return GcpResponder(Settings(**{**base, **settings}), PROJECT, "europe-west4", TAG, DISKS_KEY,
                        world.clients, log=lines.append)


def changes(world: SimpleNamespace) -> list[tuple[str, str, Any]]:
    return world.compute.calls("POST")


def test_the_sample_parses_to_a_high_finding_about_the_instance(gcp_world: SimpleNamespace) -> None:
    finding, ref = parse_notification(gcp_world.notification)
    assert (finding.id, finding.severity, finding.title) == (
        FINDING, "high", "Execution: Cryptocurrency Mining Combined Detection")
    assert ref is not None and (ref.project, ref.zone, ref.instance) == (PROJECT, ZONE, "5289438569693667937")


def test_isolation_tags_disables_and_snapshots_with_the_disks_key(gcp_world: SimpleNamespace) -> None:
    lines: list[str] = []
    report = responder(gcp_world, lines).handle(gcp_world.notification)

    assert report.decision.outcome == "isolate" and report.changed
    # The instance, named by id in the finding, is found by a filter on its id.
    prefix = f"/projects/{PROJECT}/zones/{ZONE}/instances"
    (listing,) = [c for c in gcp_world.compute.calls("GET") if c[1].startswith(prefix)]
    assert listing[1] == f"/projects/{PROJECT}/zones/{ZONE}/instances?filter=id+%3D+5289438569693667937"

    posts = changes(gcp_world)
    tags = [c for c in posts if c[1].endswith("/setTags")]
    assert tags == [("POST", f"/projects/{PROJECT}/zones/{ZONE}/instances/{INSTANCE}/setTags",
                     {"items": [TAG], "fingerprint": "42WmSpB8rSM="})]
    snapshots = {c[1].split("/disks/")[1]: c[2] for c in posts if c[1].endswith("/createSnapshot")}
    assert set(snapshots) == {f"{INSTANCE}/createSnapshot", f"{INSTANCE}-data/createSnapshot"}
    for disk, body in snapshots.items():
        name = disk.split("/")[0]
        assert body["name"] == snapshot_name(FINDING, name)
        assert body["snapshotEncryptionKey"] == {"kmsKeyName": DISKS_KEY}
        assert body["storageLocations"] == ["europe-west4"]
        assert body["labels"]["hardstack-environment"] == "gcp-prod-eu"
    assert gcp_world.iam.calls == [
        ("GetServiceAccount", f"projects/{PROJECT}/serviceAccounts/{ACCOUNT}"),
        ("DisableServiceAccount", f"projects/{PROJECT}/serviceAccounts/{ACCOUNT}"),
    ]
    assert gcp_world.iam.accounts[ACCOUNT] is True
    assert {(a.name, a.status) for a in report.actions} == {
        ("quarantine-network", "done"), ("revoke-identity", "done"), ("snapshot", "done")}
    assert len([a for a in report.actions if a.name == "snapshot"]) == 2

    (line,) = lines
    logged = json.loads(line)
    assert logged["severity"] == "ALERT" and logged["message"] == report.subject()
    assert logged["hardstack_report"] == report.as_dict()


def test_a_second_delivery_changes_nothing(gcp_world: SimpleNamespace) -> None:
    responder(gcp_world, []).handle(gcp_world.notification)
    before = len(changes(gcp_world))
    iam_before = len([c for c in gcp_world.iam.calls if c[0] == "DisableServiceAccount"])

    again = responder(gcp_world, []).handle(gcp_world.notification)

    assert len(changes(gcp_world)) == before, "a second delivery called a method that changes state"
    assert len([c for c in gcp_world.iam.calls if c[0] == "DisableServiceAccount"]) == iam_before
    assert not again.changed and {a.status for a in again.actions} == {"already"}
    assert len(again.actions) == 4  # tag, account, two disks


def test_an_instance_of_another_environment_is_left_alone(gcp_world: SimpleNamespace) -> None:
    gcp_world.compute.instance = instance_json(environment="gcp-gpu-eu")
    lines: list[str] = []
    report = responder(gcp_world, lines).handle(gcp_world.notification)
    assert report.decision.outcome == "ignore" and report.actions == []
    assert changes(gcp_world) == [] and gcp_world.iam.calls == []
    assert json.loads(lines[0])["severity"] == "INFO"


def test_a_finding_below_the_threshold_does_nothing(gcp_world: SimpleNamespace) -> None:
    report = responder(gcp_world, [], min_severity="critical").handle(gcp_world.notification)
    assert report.decision.outcome == "ignore" and "below the threshold" in report.decision.reason
    assert changes(gcp_world) == [] and gcp_world.iam.calls == []


def test_a_vanished_instance_does_nothing(gcp_world: SimpleNamespace) -> None:
    gcp_world.compute.instance = None
    report = responder(gcp_world, []).handle(gcp_world.notification)
    assert report.decision.outcome == "ignore" and changes(gcp_world) == []


@pytest.mark.parametrize("settings", [{"dry_run": True}, {"mode": "notify"}])
def test_dry_run_and_notify_only_report(gcp_world: SimpleNamespace, settings: dict[str, Any]) -> None:
    lines: list[str] = []
    report = responder(gcp_world, lines, **settings).handle(gcp_world.notification)
    assert report.decision.outcome == "report"
    assert {(a.name, a.status) for a in report.actions} == {
        ("quarantine-network", "planned"), ("revoke-identity", "planned"), ("snapshot", "planned")}
    assert changes(gcp_world) == []
    assert [c[0] for c in gcp_world.iam.calls] == ["GetServiceAccount"]
    assert gcp_world.iam.accounts[ACCOUNT] is False
    assert json.loads(lines[0])["severity"] == "WARNING"


def test_an_instance_named_by_name_is_read_with_get(gcp_world: SimpleNamespace) -> None:
    message = json.loads(json.dumps(gcp_world.notification))
    by_name = f"//compute.googleapis.com/projects/{PROJECT}/zones/{ZONE}/instances/{INSTANCE}"
    message["finding"]["resourceName"] = by_name
    report = responder(gcp_world, [], dry_run=True).handle(message)
    assert report.decision.outcome == "report"
    assert gcp_world.compute.calls("GET")[0][1] == f"/projects/{PROJECT}/zones/{ZONE}/instances/{INSTANCE}"


def test_the_cloud_event_is_decoded_and_settings_come_from_the_environment(gcp_world: SimpleNamespace) -> None:
    data = {"message": {"data": base64.b64encode(json.dumps(gcp_world.notification).encode()).decode(),
                        "messageId": "1"}, "subscription": "projects/p/subscriptions/eventarc"}
    env = {**Settings("gcp-prod-eu", "isolate", "high", True).as_env(), "HARDSTACK_PROJECT": PROJECT,
           "HARDSTACK_REGION": "europe-west4", "HARDSTACK_QUARANTINE_TAG": TAG, "HARDSTACK_SNAPSHOT_KEY": DISKS_KEY}
    report = handle_cloud_event(data, env, gcp_world.clients)
    assert report.decision.outcome == "report" and changes(gcp_world) == []
    with pytest.raises(ValueError, match="HARDSTACK_SNAPSHOT_KEY"):
        handle_cloud_event(data, {k: v for k, v in env.items() if k != "HARDSTACK_SNAPSHOT_KEY"}, gcp_world.clients)
    with pytest.raises(NotificationError):
        handle_cloud_event({"message": {"data": base64.b64encode(b"[]").decode()}}, env, gcp_world.clients)


def test_a_failed_action_is_reported_and_raised_for_redelivery(gcp_world: SimpleNamespace) -> None:
    gcp_world.iam.accounts.clear()  # the account cannot be read: the IAM call fails
    lines: list[str] = []
    with pytest.raises(RuntimeError, match="revoke-identity"):
        responder(gcp_world, lines).handle(gcp_world.notification)
    logged = json.loads(lines[0])["hardstack_report"]
    assert ("revoke-identity", "failed") in {(a["name"], a["status"]) for a in logged["actions"]}
    assert ("quarantine-network", "done") in {(a["name"], a["status"]) for a in logged["actions"]}


def test_snapshot_names_are_valid_and_stable() -> None:
    import re

    name = snapshot_name(FINDING, "a-very-long-disk-name-" * 4)
    assert name == snapshot_name(FINDING, "a-very-long-disk-name-" * 4)
    assert re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name) and len(name) <= 63
    assert snapshot_name(FINDING, "d") != snapshot_name(FINDING + "x", "d")
