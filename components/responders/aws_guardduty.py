"""AWS responder: a GuardDuty finding about an EC2 instance of this environment, delivered by
EventBridge, isolates the instance and revokes its role's credentials.

Step by step, each checking the current state first so that a second delivery of the same
finding changes nothing (GuardDuty re-sends updates of an active finding under the same id):
1. quarantine-network: the instance's security groups are replaced by the quarantine group,
   which has no rule at all; the original groups are kept in a tag for the runbook.
2. detach-instance-profile: the instance profile is disassociated (its ARN kept in a tag), so the
   instance metadata service hands out no fresh credentials; it can be associated again.
3. revoke-sessions: the role gets the inline deny the IAM console's "Revoke active sessions"
   writes (AWSRevokeOlderSessions), which voids every session issued before now.
4. snapshot: every attached EBS volume is snapshotted for forensics; a snapshot of an encrypted
   volume is encrypted with the volume's key (the environment's compute key).
5. everything touched is tagged with the finding id, and the report goes to the alert topic.

Nothing is deleted or detached that the runbook (docs/runbooks/containment-aws.md) cannot put
back. Standard library and boto3 only (boto3 ships with Lambda's Python runtimes)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .decision import Decision, Finding, Report, Settings, decide

ENV_TAG = "hardstack:environment"  # blueprints/tags.py: on instances, volumes and roles
FINDING_TAG = "hardstack:finding"
ORIGINAL_GROUPS_TAG = "hardstack:quarantine-original-groups"
ORIGINAL_PROFILE_TAG = "hardstack:quarantine-original-profile"
# The inline policy name the IAM console uses for "Revoke active sessions"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html).
REVOKE_POLICY = "AWSRevokeOlderSessions"
QUARANTINE_GROUP = "HARDSTACK_QUARANTINE_GROUP"
ALERT_TOPIC = "HARDSTACK_ALERT_TOPIC"


def severity_label(score: float) -> str:
    """GuardDuty's numeric severity on the shared scale: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9,
    Critical 9.0-10.0 (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html)."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low"


ROLE_PREFIX = "role/"  # Finding.resource of a finding about a role's credentials


def parse(event: Mapping[str, Any]) -> Finding | None:
    """The finding of an EventBridge "GuardDuty Finding" event (its detail is the finding as
    GetFindings returns it: https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html),
    about an EC2 instance (resource: its id) or about an assumed role's credentials (resource:
    role/NAME); None when it is about anything else."""
    detail = event.get("detail") or {}
    resource = detail.get("resource") or {}
    target = None
    if resource.get("resourceType") == "Instance":
        target = (resource.get("instanceDetails") or {}).get("instanceId")
    elif resource.get("resourceType") == "AccessKey":
        # IAM findings always have resource type AccessKey; accessKeyDetails names the user or,
        # for a role's session (an instance's credentials used elsewhere), the role
        # (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-iam.html,
        # https://docs.aws.amazon.com/guardduty/latest/APIReference/API_AccessKeyDetails.html).
        key = resource.get("accessKeyDetails") or {}
        if key.get("userType") == "AssumedRole" and key.get("userName"):
            target = ROLE_PREFIX + str(key["userName"])
    if not target:
        return None
    return Finding(id=str(detail["id"]), severity=severity_label(float(detail["severity"])),
                   title=str(detail.get("title") or detail.get("type") or ""), resource=str(target))


@dataclass
class Clients:
    ec2: Any
    iam: Any
    sns: Any


def _tags(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or []}


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__))


class Responder:
    """One finding's response; `act` is False in outcome "report", where every step is planned."""

    def __init__(self, clients: Clients, settings: Settings, group_id: str, finding: Finding,
                 report: Report, now: datetime) -> None:
        self.c, self.settings, self.group_id, self.finding = clients, settings, group_id, finding
        self.report, self.now = report, now
        self.act = report.decision.outcome == "isolate"

    def step(self, name: str, target: str, run: Callable[[], tuple[str, str]]) -> None:
        try:
            status, detail = run()
        except Exception as exc:  # one failed step must not stop the others; the report says which
            self.report.add(name, target, "failed", _error_code(exc))
            return
        self.report.add(name, target, status, detail)  # type: ignore[arg-type]

    def _mark(self, resource_id: str, extra: Mapping[str, str] | None = None) -> None:
        tags = [{"Key": FINDING_TAG, "Value": self.finding.id}]
        tags += [{"Key": k, "Value": v} for k, v in (extra or {}).items()]
        self.c.ec2.create_tags(Resources=[resource_id], Tags=tags)

    def quarantine_network(self, instance: dict[str, Any]) -> tuple[str, str]:
        groups = sorted(g["GroupId"] for g in instance.get("SecurityGroups", []))
        if groups == [self.group_id]:
            return "already", f"only in quarantine group {self.group_id}"
        if not self.act:
            return "planned", f"replace {','.join(groups)} by {self.group_id}"
        # The original groups are recorded before they are replaced, so the runbook can restore them.
        self._mark(instance["InstanceId"], {ORIGINAL_GROUPS_TAG: ",".join(groups)})
        self.c.ec2.modify_instance_attribute(InstanceId=instance["InstanceId"], Groups=[self.group_id])
        return "done", f"replaced {','.join(groups)} by {self.group_id}"

    def detach_profile(self, instance: dict[str, Any]) -> tuple[str, str]:
        found = self.c.ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [instance["InstanceId"]]},
                     {"Name": "state", "Values": ["associated"]}])["IamInstanceProfileAssociations"]
        if not found:
            return "already", "no instance profile associated"
        association = found[0]
        profile = association["IamInstanceProfile"]["Arn"]
        if not self.act:
            return "planned", f"disassociate {profile}"
        self._mark(instance["InstanceId"], {ORIGINAL_PROFILE_TAG: profile})
        self.c.ec2.disassociate_iam_instance_profile(AssociationId=association["AssociationId"])
        return "done", f"disassociated {profile}"

    def roles_of(self, instance: dict[str, Any]) -> list[str]:
        """The roles of the instance's profile: the one associated now, else the one the tag recorded."""
        arn = (instance.get("IamInstanceProfile") or {}).get("Arn") or _tags(instance.get("Tags")).get(
            ORIGINAL_PROFILE_TAG, "")
        if not arn:
            return []
        profile = self.c.iam.get_instance_profile(InstanceProfileName=arn.rsplit("/", 1)[-1])
        return [r["RoleName"] for r in profile["InstanceProfile"]["Roles"]]

    def revoke_sessions(self, role: str) -> tuple[str, str]:
        tags = {t["Key"]: t["Value"] for t in self.c.iam.list_role_tags(RoleName=role)["Tags"]}
        if tags.get(ENV_TAG) != self.settings.environment:
            return "failed", f"role is of environment {tags.get(ENV_TAG)!r}, not touched"
        try:
            self.c.iam.get_role_policy(RoleName=role, PolicyName=REVOKE_POLICY)
            return "already", f"{REVOKE_POLICY} is in place"
        except self.c.iam.exceptions.NoSuchEntityException:
            pass
        issued_before = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        if not self.act:
            return "planned", f"deny every session issued before {issued_before}"
        self.c.iam.put_role_policy(RoleName=role, PolicyName=REVOKE_POLICY,
                                   PolicyDocument=json.dumps(revoke_policy(issued_before)))
        self.c.iam.tag_role(RoleName=role, Tags=[{"Key": FINDING_TAG, "Value": self.finding.id}])
        return "done", f"denied every session issued before {issued_before}"

    def snapshot(self, volume: dict[str, Any], instance_id: str) -> tuple[str, str]:
        existing = self.c.ec2.describe_snapshots(OwnerIds=["self"], Filters=[
            {"Name": "volume-id", "Values": [volume["VolumeId"]]},
            {"Name": f"tag:{FINDING_TAG}", "Values": [self.finding.id]}])["Snapshots"]
        if existing:
            return "already", existing[0]["SnapshotId"]
        if not self.act:
            return "planned", f"snapshot of {volume['VolumeId']} (encrypted: {volume.get('Encrypted', False)})"
        tags = [{"Key": FINDING_TAG, "Value": self.finding.id}, {"Key": ENV_TAG, "Value": self.settings.environment},
                {"Key": "hardstack:source-instance", "Value": instance_id}]
        snap = self.c.ec2.create_snapshot(
            VolumeId=volume["VolumeId"], Description=f"hardstack forensics {self.finding.id}"[:255],
            TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}])
        self._mark(volume["VolumeId"])
        return "done", f"{snap['SnapshotId']} encrypted={snap.get('Encrypted')} key={snap.get('KmsKeyId', '')}"


def revoke_policy(issued_before: str) -> dict[str, Any]:
    """The console's revoke-sessions policy: deny everything to sessions issued before a time
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}},
    }]}


def _instance(ec2: Any, instance_id: str) -> dict[str, Any] | None:
    try:
        found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except Exception as exc:
        if _error_code(exc).startswith("InvalidInstanceID"):
            return None  # gone, or never ours: decide() ignores it
        raise
    return found[0]["Instances"][0] if found else None


def respond(event: Mapping[str, Any], settings: Settings, group_id: str, topic_arn: str | None,
            clients: Clients, now: datetime | None = None) -> Report:
    """Parse, decide, act, report: the whole response to one EventBridge event."""
    now = now or datetime.now(UTC)
    finding = parse(event)
    if finding is None:
        detail = event.get("detail") or {}
        ignored = Finding(str(detail.get("id", "?")), "low", str(detail.get("title", "")), "")
        return Report(ignored, Decision("ignore", "not about an EC2 instance or a role"), settings.environment)
    if finding.resource.startswith(ROLE_PREFIX):
        return _respond_to_role(finding, settings, topic_arn, clients, now)
    instance = _instance(clients.ec2, finding.resource)
    environment = _tags(instance.get("Tags")).get(ENV_TAG) if instance else None
    report = Report(finding, decide(finding, settings, environment), settings.environment)
    if report.decision.outcome == "ignore" or instance is None:
        return report
    responder = Responder(clients, settings, group_id, finding, report, now)
    iid = instance["InstanceId"]
    try:
        roles = responder.roles_of(instance)  # before the profile is detached
    except Exception as exc:  # isolation must not wait for IAM: report, and let the retry revoke
        roles = []
        report.add("revoke-sessions", iid, "failed", f"roles of the instance profile: {_error_code(exc)}")
    responder.step("quarantine-network", iid, lambda: responder.quarantine_network(instance))
    responder.step("detach-instance-profile", iid, lambda: responder.detach_profile(instance))
    for role in roles:
        responder.step("revoke-sessions", role, lambda r=role: responder.revoke_sessions(r))
    volumes = clients.ec2.describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [iid]}])["Volumes"]
    for volume in volumes:
        responder.step("snapshot", volume["VolumeId"], lambda v=volume: responder.snapshot(v, iid))
    _publish(report, topic_arn, clients)
    return report


def _publish(report: Report, topic_arn: str | None, clients: Clients) -> None:
    # Publish what changed, and what would change (notify, dry run); a repeated delivery that
    # changed nothing stays in the function's log only, so an active finding does not page again.
    if topic_arn and (report.changed or report.decision.outcome == "report"):
        clients.sns.publish(TopicArn=topic_arn, Subject=report.subject(), Message=report.to_json())


def _role_environment(iam: Any, role: str) -> str | None:
    """The role's environment tag; None for a role that is gone or that the function may not read
    (its policy reads this environment's roles only: another's is not ours)."""
    try:
        return _tags(iam.list_role_tags(RoleName=role)["Tags"]).get(ENV_TAG)
    except Exception:
        return None


def _respond_to_role(finding: Finding, settings: Settings, topic_arn: str | None, clients: Clients,
                     now: datetime) -> Report:
    """A role's credentials were misused (for example an instance's, used outside AWS): every
    session issued before now is denied. The instance keeps running; a finding about it isolates it."""
    role = finding.resource.removeprefix(ROLE_PREFIX)
    report = Report(finding, decide(finding, settings, _role_environment(clients.iam, role)), settings.environment)
    if report.decision.outcome == "ignore":
        return report
    responder = Responder(clients, settings, "", finding, report, now)
    responder.step("revoke-sessions", role, lambda: responder.revoke_sessions(role))
    _publish(report, topic_arn, clients)
    return report


def handler(event: Mapping[str, Any], context: Any) -> dict[str, object]:
    """The Lambda entry point (responders.aws_guardduty.handler)."""
    import boto3  # in Lambda's runtime; imported here so the module loads without it

    settings = Settings.from_env(os.environ)
    clients = Clients(boto3.client("ec2"), boto3.client("iam"), boto3.client("sns"))
    report = respond(event, settings, os.environ[QUARANTINE_GROUP], os.environ.get(ALERT_TOPIC), clients)
    print(report.to_json())  # the function's log group keeps every decision, ignored ones too
    if any(a.status == "failed" for a in report.actions):
        # Lambda retries a failed asynchronous event, then sends it to the dead-letter topic;
        # every step is idempotent, so a retry redoes only what failed.
        raise RuntimeError(f"containment incomplete: {report.to_json()}")
    return report.as_dict()
