"""Security monitoring: log-based metrics and alerts on control changes, and a CMEK Pub/Sub
topic that receives Security Command Center findings. The topic stores messages only in the
environment's region but accepts publishes arriving from any region: Security Command Center
runs in global or multi-region locations, so its publishes cannot be pinned to one region.

Each alert fires on the first matching log entry (threshold > 0 over one minute) and mails
the spec's address. The four signals are the CIS GCP Foundations monitoring set that matters
most for this environment: IAM policy changes, firewall changes, keys destroyed or disabled,
and service-account keys created (which the org policy should make impossible, so any entry
means someone got around it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options

# metric suffix -> (log filter, what the alert tells the responder)
SIGNALS: dict[str, tuple[str, str]] = {
    "iam-policy-changes": (
        'protoPayload.methodName:"SetIamPolicy"',
        "An IAM policy changed (project or resource). Check the principal and the binding delta.",
    ),
    "firewall-changes": (
        'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.insert" '
        'OR protoPayload.methodName:"compute.firewalls.patch" OR protoPayload.methodName:"compute.firewalls.update" '
        'OR protoPayload.methodName:"compute.firewalls.delete")',
        "A VPC firewall rule was created, changed or deleted.",
    ),
    "key-destroy-or-disable": (
        'protoPayload.serviceName="cloudkms.googleapis.com" AND ('
        'protoPayload.methodName="DestroyCryptoKeyVersion" OR '
        '(protoPayload.methodName="UpdateCryptoKeyVersion" AND '
        'protoPayload.request.cryptoKeyVersion.state="DISABLED"))',
        "A Cloud KMS key version was scheduled for destruction or disabled: data may become unreadable.",
    ),
    "sa-key-creation": (
        'protoPayload.serviceName="iam.googleapis.com" AND ('
        'protoPayload.methodName="google.iam.admin.v1.CreateServiceAccountKey" OR '
        'protoPayload.methodName="google.iam.admin.v1.UploadServiceAccountKey")',
        "A service-account key was created or uploaded despite the org policy forbidding it.",
    ),
}
# Findings worth a notification: active and not muted.
SCC_FILTER = 'state="ACTIVE" AND NOT mute="MUTED"'


@dataclass
class SecurityMonitoringArgs:
    project: str
    region: str
    name_prefix: str
    alert_email: str
    topic_key_id: pulumi.Input[str]  # the Pub/Sub service agent must hold it
    # Off only when the spec says so: no Security Command Center notification config then.
    threat_detection: bool = True
    labels: Mapping[str, str] = field(default_factory=dict)


class SecurityMonitoring(pulumi.ComponentResource):
    channel: gcp.monitoring.NotificationChannel
    metrics: dict[str, gcp.logging.Metric]
    alerts: dict[str, gcp.monitoring.AlertPolicy]
    topic: gcp.pubsub.Topic

    def __init__(self, name: str, args: SecurityMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:SecurityMonitoring", name, None, opts)
        child = child_options(self, opts)
        self.channel = gcp.monitoring.NotificationChannel(
            f"{name}-email", project=args.project, type="email", display_name=f"{args.name_prefix} security",
            labels={"email_address": args.alert_email}, user_labels=dict(args.labels), opts=child,
        )
        self.metrics, self.alerts = {}, {}
        for signal, (log_filter, explanation) in SIGNALS.items():
            metric = gcp.logging.Metric(
                f"{name}-{signal}", project=args.project, name=resource_name(args.name_prefix, signal),
                filter=log_filter, description=explanation,
                metric_descriptor={"metric_kind": "DELTA", "value_type": "INT64", "unit": "1"}, opts=child,
            )
            self.metrics[signal] = metric
            self.alerts[signal] = gcp.monitoring.AlertPolicy(
                f"{name}-{signal}-alert", project=args.project, display_name=f"{args.name_prefix}: {signal}",
                combiner="OR", severity="CRITICAL", enabled=True,
                conditions=[{
                    "display_name": f"{signal} seen",
                    "condition_threshold": {
                        # Referencing the metric's name also orders the alert after the metric.
                        "filter": pulumi.Output.concat(
                            'metric.type="logging.googleapis.com/user/', metric.name, '"'),
                        "comparison": "COMPARISON_GT", "threshold_value": 0, "duration": "0s",
                        "aggregations": [{"alignment_period": "60s", "per_series_aligner": "ALIGN_COUNT"}],
                        "trigger": {"count": 1},
                    },
                }],
                notification_channels=[self.channel.id],
                alert_strategy={"auto_close": "1800s"},
                documentation={"content": explanation, "mime_type": "text/markdown"},
                user_labels=dict(args.labels), opts=child,
            )
        self.topic = gcp.pubsub.Topic(
            f"{name}-scc-findings", project=args.project, name=resource_name(args.name_prefix, "scc-findings"),
            kms_key_name=args.topic_key_id,
            # Messages are stored only in the environment's region, where the key lives: "Messages
            # published by publishers running in non-allowed Google Cloud regions (or running
            # outside of Google Cloud altogether) are routed for storage in one of the allowed
            # regions" (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics#MessageStoragePolicy).
            # enforce_in_transit stays OFF: with it, "Publish ... requests received in a region
            # not allowed in the message storage policy are rejected with a FAILED_PRECONDITION
            # error" (https://cloud.google.com/pubsub/docs/resource-location-restriction), while
            # Security Command Center's locations are global or a multi-region (eu, us, sa), never
            # one region (https://cloud.google.com/security-command-center/docs/data-residency-support)
            # and no document says from which region it publishes: findings could be dropped.
            message_storage_policy={"allowed_persistence_regions": [args.region], "enforce_in_transit": False},
            message_retention_duration="604800s", labels=dict(args.labels), opts=child,
        )
        if args.threat_detection:
            self._scc_notifications(name, args, opts)
        self.register_outputs({"topic": self.topic.id, "channel": self.channel.id})

    def _scc_notifications(self, name: str, args: SecurityMonitoringArgs,
                           opts: pulumi.ResourceOptions | None) -> None:
        child = child_options(self, opts)
        scc = gcp.securitycenter.NotificationServiceAccount(f"{name}-scc-agent", project=args.project, opts=child)
        publisher = gcp.pubsub.TopicIAMBinding(
            f"{name}-scc-publisher", project=args.project, topic=self.topic.name, role="roles/pubsub.publisher",
            members=[scc.member], opts=child,
        )
        gcp.securitycenter.V2ProjectNotificationConfig(
            f"{name}-scc-notifications", project=args.project, location="global",
            config_id=resource_name(args.name_prefix, "findings"),
            description="Active, unmuted Security Command Center findings of this project",
            pubsub_topic=self.topic.id, streaming_config={"filter": SCC_FILTER},
            opts=child_options(self, opts, publisher),
        )
