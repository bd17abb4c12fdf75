"""The GCP responder: a Security Command Center finding about a Compute Engine instance of the
environment, delivered by the findings topic through an Eventarc Pub/Sub trigger, isolates the
instance (quarantine network tag), disables its service account, snapshots its disks with the
disks key, and writes its report as a structured log entry that the environment's alert policy
mails to the security channel.

Every action looks at the current state first, so a second delivery of the same finding (Pub/Sub
delivers at least once) changes nothing and reports "already". Outcome "report" (notify mode or
dry run) lists the actions as "planned" and calls nothing that changes state.

Shipped into the function as package `responders` beside decision.py; imports only the standard
library and Google's clients (google-cloud-compute, google-cloud-iam)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .decision import Finding, Report, Settings, decide

# The label every resource of an environment carries (blueprints/tags.py gcp_labels).
ENVIRONMENT_LABEL = "hardstack-environment"
PROJECT = "HARDSTACK_PROJECT"
REGION = "HARDSTACK_REGION"
QUARANTINE_TAG = "HARDSTACK_QUARANTINE_TAG"
SNAPSHOT_KEY = "HARDSTACK_SNAPSHOT_KEY"

# Finding.severity of the v2 API: CRITICAL, HIGH, MEDIUM, LOW, SEVERITY_UNSPECIFIED
# (https://cloud.google.com/security-command-center/docs/reference/rest/v2/organizations.sources.findings#Severity).
# Unspecified is read as low: it triggers nothing unless the spec asks for every finding.
SEVERITIES = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low"}
# Full resource names of instances (https://cloud.google.com/apis/design/resource_names#full_resource_name;
# Cloud Asset Inventory: //compute.googleapis.com/projects/PROJECT/zones/ZONE/instances/INSTANCE).
INSTANCE_NAME = re.compile(
    r"^//compute\.googleapis\.com/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/instances/(?P<instance>[^/]+)$")
DISK_URL = re.compile(r"/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/disks/(?P<disk>[^/]+)$")


class NotificationError(ValueError):
    """The message is not a Security Command Center finding notification."""


@dataclass(frozen=True)
class InstanceRef:
    project: str
    zone: str
    instance: str


def notification_from_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """The NotificationMessage inside the CloudEvent of an Eventarc Pub/Sub trigger: its data is
    {"message": {"data": <base64 JSON>, ...}, "subscription": ...}
    (https://cloud.google.com/eventarc/docs/cloudevents, google.cloud.pubsub.topic.v1.messagePublished)."""
    try:
        raw = base64.b64decode(data["message"]["data"])
        message = json.loads(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise NotificationError(f"not a Pub/Sub message with JSON data: {exc}") from exc
    if not isinstance(message, dict):
        raise NotificationError("the message data is not a JSON object")
    return message


def parse_notification(message: Mapping[str, Any]) -> tuple[Finding, InstanceRef | None]:
    """The finding of a NotificationMessage ({"notificationConfigName", "finding", "resource"},
    https://cloud.google.com/security-command-center/docs/reference/rest/v2/NotificationMessage)
    and the instance it names, None when it is about anything but an instance."""
    finding = message.get("finding")
    if not isinstance(finding, dict) or not finding.get("name"):
        raise NotificationError("no finding in the notification (only finding notifications are handled)")
    resource = str(finding.get("resourceName") or (message.get("resource") or {}).get("name") or "")
    match = INSTANCE_NAME.match(resource)
    ref = InstanceRef(match["project"], match["zone"], match["instance"]) if match else None
    severity = SEVERITIES.get(str(finding.get("severity", "")).upper(), "low")
    parsed = Finding(id=str(finding["name"]), severity=severity,
                     title=str(finding.get("category") or "finding"), resource=resource or "(no resource)")
    return parsed, ref


def snapshot_name(finding_id: str, disk: str) -> str:
    """One snapshot name per (finding, disk): the same finding delivered again finds its
    snapshot. Compute names are [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters."""
    digest = hashlib.sha256(f"{finding_id}\n{disk}".encode()).hexdigest()[:16]
    stem = re.sub(r"[^a-z0-9-]", "-", disk.lower())[:40].strip("-")
    return f"hs-{digest}-{stem}".rstrip("-")


@dataclass
class GcpClients:
    """Google's clients; tests pass the same classes on faked transports."""

    instances: Any  # compute_v1.InstancesClient
    disks: Any  # compute_v1.DisksClient
    snapshots: Any  # compute_v1.SnapshotsClient
    iam: Any  # iam_admin_v1.IAMClient

    @classmethod
    def default(cls) -> GcpClients:
        from google.cloud import compute_v1, iam_admin_v1

        return cls(compute_v1.InstancesClient(), compute_v1.DisksClient(), compute_v1.SnapshotsClient(),
                   iam_admin_v1.IAMClient())


class GcpResponder:
    def __init__(self, settings: Settings, project: str, region: str, quarantine_tag: str, snapshot_key: str,
                 clients: GcpClients, log: Callable[[str], None] | None = None) -> None:
        self.settings, self.project, self.region = settings, project, region
        self.tag, self.key, self.clients = quarantine_tag, snapshot_key, clients
        self.log = log or (lambda line: print(line, file=sys.stdout, flush=True))

    @classmethod
    def from_env(cls, env: Mapping[str, str], clients: GcpClients | None = None) -> GcpResponder:
        missing = [name for name in (PROJECT, REGION, QUARANTINE_TAG, SNAPSHOT_KEY) if not env.get(name)]
        if missing:
            raise ValueError(f"the function is deployed without {', '.join(missing)}")
        return cls(Settings.from_env(env), env[PROJECT], env[REGION], env[QUARANTINE_TAG], env[SNAPSHOT_KEY],
                   clients or GcpClients.default())

    def handle(self, message: Mapping[str, Any]) -> Report:
        finding, ref = parse_notification(message)
        instance = self._instance(ref)
        labels = dict(instance.labels) if instance is not None else {}
        decision = decide(finding, self.settings, labels.get(ENVIRONMENT_LABEL))
        report = Report(finding, decision, self.settings.environment)
        if decision.outcome != "ignore" and instance is not None and ref is not None:
            act = decision.outcome == "isolate"
            self._quarantine(report, ref, instance, act)
            self._revoke(report, instance, act)
            self._snapshot(report, finding, ref, instance, act)
        self._publish(report)
        failed = [a for a in report.actions if a.status == "failed"]
        if failed:
            # Raising makes Eventarc deliver again (retry policy RETRY); every action is idempotent.
            raise RuntimeError(f"{len(failed)} containment action(s) failed: {[a.name for a in failed]}")
        return report

    def _instance(self, ref: InstanceRef | None) -> Any:
        """The instance, or None when the finding is about no instance of this project or the
        instance no longer exists (then nothing can be isolated)."""
        if ref is None or ref.project != self.project:
            return None
        from google.api_core.exceptions import NotFound

        if ref.instance.isdigit():
            # Threat findings name the instance by its numeric id, e.g. ".../instances/5289438569693667937"
            # in a notification received from Event Threat Detection (DataBiosphere/leonardo,
            # http/src/test/scala/.../monitor/NonLeoMessageSubscriberSpec.scala); instances.get takes
            # the name, so the id is looked up with a filter on `id`
            # (https://cloud.google.com/compute/docs/reference/rest/v1/instances/list).
            found = self.clients.instances.list(
                request={"project": ref.project, "zone": ref.zone, "filter": f"id = {ref.instance}"})
            return next(iter(found), None)
        try:
            return self.clients.instances.get(project=ref.project, zone=ref.zone, instance=ref.instance)
        except NotFound:
            return None

    def _quarantine(self, report: Report, ref: InstanceRef, instance: Any, act: bool) -> None:
        """Adds the quarantine tag; the deny-all firewalls at priority 0 match it. setTags replaces
        the whole list and needs the current fingerprint, which makes a concurrent change fail
        instead of being overwritten
        (https://cloud.google.com/compute/docs/reference/rest/v1/instances/setTags)."""
        target = f"instance {instance.name}"
        items = list(instance.tags.items)
        if self.tag in items:
            report.add("quarantine-network", target, "already", f"network tag {self.tag} present")
            return
        if not act:
            report.add("quarantine-network", target, "planned", f"add network tag {self.tag}")
            return
        from google.api_core.exceptions import GoogleAPICallError
        from google.cloud import compute_v1

        try:
            operation = self.clients.instances.set_tags(
                project=ref.project, zone=ref.zone, instance=instance.name,
                tags_resource=compute_v1.Tags(items=[*items, self.tag], fingerprint=instance.tags.fingerprint))
            operation.result(timeout=120)
        except GoogleAPICallError as exc:
            report.add("quarantine-network", target, "failed", str(exc)[:300])
            return
        report.add("quarantine-network", target, "done", f"network tag {self.tag} added")

    def _revoke(self, report: Report, instance: Any, act: bool) -> None:
        """Disables the workload's service account: "Existing access tokens for the service
        account are rejected, and requests for new access tokens will fail", and enable undoes it
        (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable).
        Removing role bindings instead would take "typically 2 minutes, potentially 7 minutes or
        longer" to propagate (https://cloud.google.com/iam/docs/access-change-propagation), and a
        token minted before the quarantine keeps working from anywhere until it expires."""
        from google.api_core.exceptions import GoogleAPICallError

        for account in instance.service_accounts:
            email = account.email
            if not email.endswith(f"@{self.project}.iam.gserviceaccount.com"):
                # Google-managed or another project's account: disabling it would break more than
                # this workload; a person decides.
                report.add("revoke-identity", email, "failed", "not a service account of this project: not disabled")
                continue
            name = f"projects/{self.project}/serviceAccounts/{email}"
            try:
                current = self.clients.iam.get_service_account(request={"name": name})
                if current.disabled:
                    report.add("revoke-identity", email, "already", "service account disabled")
                elif not act:
                    report.add("revoke-identity", email, "planned", "disable the service account")
                else:
                    self.clients.iam.disable_service_account(request={"name": name})
                    report.add("revoke-identity", email, "done", "service account disabled")
            except GoogleAPICallError as exc:
                report.add("revoke-identity", email, "failed", str(exc)[:300])

    def _snapshot(self, report: Report, finding: Finding, ref: InstanceRef, instance: Any, act: bool) -> None:
        """A snapshot of every attached disk for forensics, encrypted with the disks key
        (snapshotEncryptionKey.kmsKeyName) and stored in the environment's region only
        (storageLocations), https://cloud.google.com/compute/docs/reference/rest/v1/disks/createSnapshot.
        The snapshot is started, not awaited: it keeps running after the function returns."""
        from google.api_core.exceptions import GoogleAPICallError, NotFound
        from google.cloud import compute_v1

        for attached in instance.disks:
            match = DISK_URL.search(attached.source)
            if match is None:
                report.add("snapshot", attached.source, "failed", "not a zonal disk: not snapshotted")
                continue
            disk, name = match["disk"], snapshot_name(finding.id, match["disk"])
            try:
                try:
                    self.clients.snapshots.get(project=self.project, snapshot=name)
                    report.add("snapshot", f"disk {disk}", "already", f"snapshot {name}")
                    continue
                except NotFound:
                    pass
                if not act:
                    report.add("snapshot", f"disk {disk}", "planned", f"snapshot {name} with the disks key")
                    continue
                self.clients.disks.create_snapshot(
                    project=match["project"], zone=match["zone"], disk=disk,
                    snapshot_resource=compute_v1.Snapshot(
                        name=name, storage_locations=[self.region],
                        snapshot_encryption_key=compute_v1.CustomerEncryptionKey(kms_key_name=self.key),
                        description=f"hardstack containment of {instance.name}: {finding.id}"[:2048],
                        labels={ENVIRONMENT_LABEL: self.settings.environment, "hardstack-forensics": "true"}))
                report.add("snapshot", f"disk {disk}", "done", f"snapshot {name} started")
            except GoogleAPICallError as exc:
                report.add("snapshot", f"disk {disk}", "failed", str(exc)[:300])

    def _publish(self, report: Report) -> None:
        """One JSON line on stdout: Cloud Run turns it into a structured log entry, `severity` and
        `message` become the entry's severity and summary
        (https://cloud.google.com/run/docs/logging#writing_structured_logs). The environment's
        log-based metric on `jsonPayload.hardstack_report` raises the alert to the security channel."""
        severity = {"isolate": "ALERT", "report": "WARNING", "ignore": "INFO"}[report.decision.outcome]
        self.log(json.dumps({"severity": severity, "message": report.subject(),
                             "hardstack_report": report.as_dict()}, sort_keys=True))


def handle_cloud_event(data: Mapping[str, Any], env: Mapping[str, str] | None = None,
                       clients: GcpClients | None = None) -> Report:
    """The function's body: the CloudEvent's data in, the report out (and logged)."""
    responder = GcpResponder.from_env(env if env is not None else os.environ, clients)
    return responder.handle(notification_from_event(data))
