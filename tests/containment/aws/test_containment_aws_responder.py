"""The AWS responder with boto3 against moto, fed GuardDuty's sample finding: isolation,
revocation, forensics, idempotency, and every reason to do nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hardstack.components.responders import aws_guardduty as responder
from hardstack.components.responders.aws_guardduty import respond

FINDING = "16afba5c5c43e07c9e3e5e2e544e95df"  # the sample's id
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)


def run(account: Any, event: dict[str, Any], settings: Any, topic: bool = True) -> Any:
    return respond(event, settings, account.quarantine, account.topic if topic else None, account.clients, NOW)


def groups(account: Any, instance_id: str) -> list[str]:
    found = account.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return [g["GroupId"] for g in found["SecurityGroups"]]


def tags(account: Any, instance_id: str) -> dict[str, str]:
    found = account.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return {t["Key"]: t["Value"] for t in found.get("Tags", [])}


def profile_associations(account: Any, instance_id: str) -> list[dict[str, Any]]:
    return account.ec2.describe_iam_instance_profile_associations(Filters=[
        {"Name": "instance-id", "Values": [instance_id]},
        {"Name": "state", "Values": ["associated"]}])["IamInstanceProfileAssociations"]


def snapshots(account: Any) -> list[dict[str, Any]]:
    """Snapshots of the workloads' volumes (moto's account also holds its AMIs' snapshots)."""
    volumes = [v["VolumeId"] for v in account.ec2.describe_volumes()["Volumes"]]
    return account.ec2.describe_snapshots(OwnerIds=["self"], Filters=[
        {"Name": "volume-id", "Values": volumes}])["Snapshots"]


def role_policies(account: Any, role: str) -> list[str]:
    return account.iam.list_role_policies(RoleName=role)["PolicyNames"]


def revocation(account: Any) -> dict[str, Any]:
    return account.iam.get_role_policy(RoleName=account.ours.role, PolicyName="AWSRevokeOlderSessions")[
        "PolicyDocument"]


def unchanged(account: Any, workload: Any) -> None:
    assert groups(account, workload.id) == [workload.group]
    assert len(profile_associations(account, workload.id)) == 1
    assert role_policies(account, workload.role) == []
    assert snapshots(account) == []


def test_sample_finding_parses_as_aws_documents_it(sample_event) -> None:
    finding = responder.parse(sample_event)
    assert finding is not None
    assert (finding.id, finding.resource, finding.severity) == (
        "16afba5c5c43e07c9e3e5e2e544e95df", "i-05746eb48123455e0", "medium")  # severity 5


@pytest.mark.parametrize(("score", "label"), [(1.0, "low"), (3.9, "low"), (4.0, "medium"), (6.9, "medium"),
                                              (7.0, "high"), (8.9, "high"), (9.0, "critical"), (10.0, "critical")])
def test_severity_bands_are_guardduty_s(score: float, label: str) -> None:
    assert responder.severity_label(score) == label


def test_high_finding_isolates_the_instance(account, finding_about, settings) -> None:
    report = run(account, finding_about(account.ours.id), settings())
    assert report.decision.outcome == "isolate"
    assert {(a.name, a.status) for a in report.actions} == {
        ("quarantine-network", "done"), ("detach-instance-profile", "done"),
        ("revoke-sessions", "done"), ("snapshot", "done")}
    assert groups(account, account.ours.id) == [account.quarantine]
    quarantine = account.ec2.describe_security_groups(GroupIds=[account.quarantine])["SecurityGroups"][0]
    assert quarantine["IpPermissions"] == [] and quarantine["IpPermissionsEgress"] == []
    assert profile_associations(account, account.ours.id) == []


def test_original_state_is_recorded_for_the_runbook(account, finding_about, settings) -> None:
    run(account, finding_about(account.ours.id), settings())
    recorded = tags(account, account.ours.id)
    assert recorded[responder.ORIGINAL_GROUPS_TAG] == account.ours.group
    assert recorded[responder.ORIGINAL_PROFILE_TAG].endswith(f":instance-profile/{account.ours.role}")
    assert recorded[responder.FINDING_TAG] == "16afba5c5c43e07c9e3e5e2e544e95df"


def test_role_sessions_issued_before_now_are_denied(account, finding_about, settings) -> None:
    run(account, finding_about(account.ours.id), settings())
    assert role_policies(account, account.ours.role) == ["AWSRevokeOlderSessions"]
    doc = account.iam.get_role_policy(RoleName=account.ours.role, PolicyName="AWSRevokeOlderSessions")
    (statement,) = doc["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Action"] == ["*"] and statement["Resource"] == ["*"]
    assert statement["Condition"] == {"DateLessThan": {"aws:TokenIssueTime": "2026-12-02T14:00:00Z"}}
    role_tags = {t["Key"]: t["Value"] for t in account.iam.list_role_tags(RoleName=account.ours.role)["Tags"]}
    assert role_tags[responder.FINDING_TAG] == "16afba5c5c43e07c9e3e5e2e544e95df"


def test_every_volume_is_snapshotted_encrypted_with_the_compute_key(account, finding_about, settings) -> None:
    run(account, finding_about(account.ours.id), settings())
    volumes = account.ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [account.ours.id]}])["Volumes"]
    taken = snapshots(account)
    assert sorted(s["VolumeId"] for s in taken) == sorted(v["VolumeId"] for v in volumes) and len(taken) == 2
    keys = {v["VolumeId"]: v.get("KmsKeyId") for v in volumes}
    for snap in taken:
        # A snapshot of an encrypted volume is encrypted with the volume's key ("Snapshots that are
        # taken from encrypted volumes are automatically encrypted",
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshot.html); moto
        # records Encrypted but not the key on snapshots, so the key is read from the source volume.
        assert snap["Encrypted"] is True and keys[snap["VolumeId"]] == account.key
        snap_tags = {t["Key"]: t["Value"] for t in snap["Tags"]}
        assert snap_tags == {responder.FINDING_TAG: "16afba5c5c43e07c9e3e5e2e544e95df",
                             "hardstack:environment": "aws-prod-eu", "hardstack:source-instance": account.ours.id}
    for volume in volumes:
        assert {t["Key"]: t["Value"] for t in volume["Tags"]}[responder.FINDING_TAG] == FINDING


def test_second_delivery_changes_nothing(account, finding_about, settings) -> None:
    event = finding_about(account.ours.id)
    run(account, event, settings())
    before = (groups(account, account.ours.id), tags(account, account.ours.id), len(snapshots(account)),
              revocation(account))
    again = respond(event, settings(), account.quarantine, account.topic, account.clients,
                    datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # an hour later: the revocation must not move
    assert not again.changed
    assert {a.status for a in again.actions} == {"already"}
    after = (groups(account, account.ours.id), tags(account, account.ours.id), len(snapshots(account)),
             revocation(account))
    assert after == before


def test_another_environments_instance_is_left_alone(account, finding_about, settings) -> None:
    report = run(account, finding_about(account.theirs.id, severity=9.5), settings())
    assert report.decision.outcome == "ignore" and "aws-dev-eu" in report.decision.reason
    assert report.actions == []
    unchanged(account, account.theirs)
    unchanged(account, account.ours)


def test_finding_below_the_threshold_does_nothing(account, sample_event, finding_about, settings) -> None:
    event = finding_about(account.ours.id, severity=sample_event["detail"]["severity"])  # the sample's 5: medium
    report = run(account, event, settings())
    assert report.decision.outcome == "ignore" and "below the threshold" in report.decision.reason
    unchanged(account, account.ours)


def test_dry_run_only_reports(account, finding_about, settings) -> None:
    report = run(account, finding_about(account.ours.id), settings(dry_run=True))
    assert report.decision.outcome == "report"
    assert {a.status for a in report.actions} == {"planned"}
    assert {a.name for a in report.actions} == {"quarantine-network", "detach-instance-profile", "revoke-sessions",
                                                "snapshot"}
    unchanged(account, account.ours)
    assert tags(account, account.ours.id).get(responder.FINDING_TAG) is None


def test_notify_mode_only_reports(account, finding_about, settings) -> None:
    report = run(account, finding_about(account.ours.id), settings(mode="notify"))
    assert report.decision.outcome == "report" and {a.status for a in report.actions} == {"planned"}
    unchanged(account, account.ours)


def test_unknown_instance_is_ignored(account, finding_about, settings) -> None:
    report = run(account, finding_about("i-05746eb48123455e0"), settings())  # the sample's own, not in moto
    assert report.decision.outcome == "ignore" and report.actions == []


def test_finding_about_something_else_is_ignored(account, sample_event, settings) -> None:
    event = json.loads(json.dumps(sample_event))
    event["detail"]["resource"] = {"resourceType": "AccessKey", "accessKeyDetails": {"userName": "x"}}
    report = run(account, event, settings())
    assert report.decision.outcome == "ignore" and report.actions == []


def test_a_role_of_another_environment_is_never_revoked(account, finding_about, settings) -> None:
    # An instance of ours wearing another environment's profile: isolated, but the foreign role is untouched.
    account.ec2.disassociate_iam_instance_profile(AssociationId=profile_associations(account, account.ours.id)[0][
        "AssociationId"])
    account.ec2.associate_iam_instance_profile(IamInstanceProfile={"Name": account.theirs.role},
                                               InstanceId=account.ours.id)
    report = run(account, finding_about(account.ours.id), settings())
    revoke = [a for a in report.actions if a.name == "revoke-sessions"]
    assert [(a.target, a.status) for a in revoke] == [(account.theirs.role, "failed")]
    assert role_policies(account, account.theirs.role) == []
    assert groups(account, account.ours.id) == [account.quarantine]


def test_the_report_reaches_the_alert_topic(account, finding_about, settings, monkeypatch) -> None:
    published: list[dict[str, Any]] = []
    monkeypatch.setattr(account.sns, "publish", lambda **kw: published.append(kw) or {"MessageId": "1"})
    event = finding_about(account.ours.id)
    run(account, event, settings())
    run(account, event, settings())  # nothing changed the second time: not paged again
    assert len(published) == 1 and published[0]["TopicArn"] == account.topic
    body = json.loads(published[0]["Message"])
    assert body["decision"]["outcome"] == "isolate" and body["changed"] is True
    assert published[0]["Subject"].startswith("[hardstack aws-prod-eu] isolated ")


def test_handler_reads_its_settings_and_fails_loudly_on_a_failed_step(account, finding_about, monkeypatch) -> None:
    monkeypatch.setenv("HARDSTACK_ENVIRONMENT", "aws-prod-eu")
    monkeypatch.setenv("HARDSTACK_RESPONSE_MODE", "isolate")
    monkeypatch.setenv("HARDSTACK_MIN_SEVERITY", "high")
    monkeypatch.setenv("HARDSTACK_DRY_RUN", "false")
    monkeypatch.setenv(responder.QUARANTINE_GROUP, account.quarantine)
    monkeypatch.setenv(responder.ALERT_TOPIC, account.topic)
    result = responder.handler(finding_about(account.ours.id), None)
    assert result["decision"]["outcome"] == "isolate" and result["changed"] is True
    # An instance of ours that wears another environment's profile: its role is refused, so the
    # function fails and Lambda retries, then hands the event to the dead-letter topic.
    other = account.ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, IamInstanceProfile={"Name": account.theirs.role},
        TagSpecifications=[{"ResourceType": "instance",
                            "Tags": [{"Key": "hardstack:environment", "Value": "aws-prod-eu"}]}])
    with pytest.raises(RuntimeError, match="containment incomplete"):
        responder.handler(finding_about(other["Instances"][0]["InstanceId"]), None)


# --- findings about a role's credentials (resource type AccessKey) ----------------------------------

def role_finding(sample_event: dict[str, Any], role: str, severity: float = 8.0,
                 user_type: str = "AssumedRole") -> dict[str, Any]:
    """The sample event with GuardDuty's AccessKey resource (the fields of
    https://docs.aws.amazon.com/guardduty/latest/APIReference/API_AccessKeyDetails.html) for a
    role session, as an instance's credentials used outside AWS are reported."""
    event = json.loads(json.dumps(sample_event))
    event["detail"]["type"] = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"
    event["detail"]["severity"] = severity
    event["detail"]["resource"] = {"resourceType": "AccessKey", "accessKeyDetails": {
        "accessKeyId": "ASIAEXAMPLE", "principalId": f"AROAEXAMPLE:{role}-session",
        "userName": role, "userType": user_type}}
    return event


def test_a_role_finding_revokes_the_roles_sessions_and_touches_no_instance(account, sample_event, settings) -> None:
    report = run(account, role_finding(sample_event, account.ours.role), settings())
    assert report.finding.resource == f"role/{account.ours.role}"
    assert [(a.name, a.target, a.status) for a in report.actions] == [("revoke-sessions", account.ours.role, "done")]
    assert revocation(account)["Statement"][0]["Condition"] == {
        "DateLessThan": {"aws:TokenIssueTime": "2026-12-02T14:00:00Z"}}
    assert groups(account, account.ours.id) == [account.ours.group]  # the instance is another finding's


def test_a_role_finding_delivered_twice_changes_nothing(account, sample_event, settings) -> None:
    event = role_finding(sample_event, account.ours.role)
    run(account, event, settings())
    before = revocation(account)
    again = respond(event, settings(), account.quarantine, account.topic, account.clients,
                    datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    assert [a.status for a in again.actions] == ["already"] and revocation(account) == before


@pytest.mark.parametrize("case", ["another environment", "below the threshold", "an IAM user", "no such role"])
def test_role_findings_that_are_not_ours_do_nothing(case: str, account, sample_event, settings) -> None:
    role = {"another environment": account.theirs.role, "no such role": "gone"}.get(case, account.ours.role)
    event = role_finding(sample_event, role, severity=5.0 if case == "below the threshold" else 8.0,
                         user_type="IAMUser" if case == "an IAM user" else "AssumedRole")
    report = run(account, event, settings())
    assert report.decision.outcome == "ignore" and report.actions == []
    assert role_policies(account, account.ours.role) == [] and role_policies(account, account.theirs.role) == []


def test_a_role_finding_in_dry_run_only_plans(account, sample_event, settings) -> None:
    report = run(account, role_finding(sample_event, account.ours.role), settings(dry_run=True))
    assert [(a.name, a.status) for a in report.actions] == [("revoke-sessions", "planned")]
    assert role_policies(account, account.ours.role) == []
