"""GCP alerting: alert policies on control changes that notify people, and CMEK Pub/Sub topics
(Security Command Center findings) that keep messages in the environment's region and accept
the findings Security Command Center publishes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import ALERT, CHANNEL, METRIC, SCC_NOTIFICATION_CONFIGS, TOPIC
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

DETECTION = {"hipaa": ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"], "gdpr": ["32(1)(d)", "33"],
             "nist-800-53": ["SI-4", "IR-4"]}
# Signal -> a fragment its log filter must contain (CIS GCP Foundations 2.4-2.11 style metrics).
SIGNALS = {
    "IAM policy changes": "SetIamPolicy",
    "firewall changes": "compute.firewalls",
    "key destruction": "DestroyCryptoKeyVersion",
    "service-account key creation": "CreateServiceAccountKey",
}


def _enabled(alert: PolicyResource) -> bool:
    return alert.props.get("enabled") is not False


@stack_rule(
    id="gcp-alerts-notify-people", title="Alert policies exist and notify a channel of this stack",
    severity="high", cloud="gcp", practice="monitoring", controls=DETECTION,
    remediation="Add a monitoring.NotificationChannel (spec monitoring.alert_email) and reference it from every "
    "alert policy's notification_channels.",
)
def alerts_notify(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    channels = of_type(resources, CHANNEL)
    if not channels:
        yield "no notification channel: alerts reach nobody", None
    alerts = [a for a in of_type(resources, ALERT) if _enabled(a)]
    if not alerts:
        yield "no enabled alert policy", None
    for alert in alerts:
        if not referenced(alert, "notificationChannels", CHANNEL):
            yield f"alert {alert.name} notifies no channel of this stack", alert.urn


@stack_rule(
    id="gcp-alerts-on-control-changes", title="Changes to IAM, firewalls, keys and service-account keys alert",
    severity="medium", cloud="gcp", practice="monitoring", controls=DETECTION,
    remediation="Add a log-based metric per signal and an alert policy on it (components.gcp.SecurityMonitoring).",
    config={"signals": {"type": "object", "additionalProperties": {"type": "string"}, "default": SIGNALS}},
)
def control_changes(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    metrics = of_type(resources, METRIC)
    alerts = [a for a in of_type(resources, ALERT) if _enabled(a)]
    for signal, fragment in config["signals"].items():
        found = [m for m in metrics if fragment in str(m.props.get("filter", ""))]
        if not found:
            yield f"no log metric for {signal}", None
            continue
        alerted = [a for a in alerts if any(d.urn in {m.urn for m in found} for d in referenced(a, "conditions"))]
        if not alerted:
            yield f"no enabled alert policy on the {signal} metric {found[0].name}", found[0].urn


@resource_rule(
    id="gcp-pubsub-customer-key", title="Pub/Sub topics are encrypted with a customer key", severity="medium",
    cloud="gcp", practice="encryption", types=[TOPIC],
    controls={"nist-800-53": ["SC-28"], "hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"]},
    remediation="Set kms_key_name to the environment's logs key (the Pub/Sub service agent must hold it).",
)
def topic_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("kmsKeyName"):
        yield "topic messages are not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-pubsub-message-residency", title="Pub/Sub topics store messages only in named regions",
    severity="medium", cloud="gcp", practice="compliance", types=[TOPIC],
    controls={"gdpr": ["44"], "nist-800-53": ["SC-28"]},
    remediation="Set message_storage_policy.allowed_persistence_regions to the environment's region. Messages "
    "published from anywhere are then stored only there; enforce_in_transit is a separate choice (it rejects "
    "publishes that arrive elsewhere), see gcp-findings-topic-accepts-findings.",
)
def message_residency(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Residency of STORED messages is the allowed persistence regions alone: "Messages published by
    # publishers running in non-allowed Google Cloud regions ... are routed for storage in one of
    # the allowed regions" (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics).
    policy = props.get("messageStoragePolicy") or {}
    if not policy.get("allowedPersistenceRegions"):
        yield "messages may be stored in any region"


@stack_rule(
    id="gcp-findings-topic-accepts-findings",
    title="Topics that receive Security Command Center findings accept publishes from any region",
    severity="high", cloud="gcp", practice="monitoring", controls=DETECTION,
    remediation="Set enforce_in_transit=False on the findings topic's message_storage_policy (keep "
    "allowed_persistence_regions: messages are still stored only there).",
)
def findings_topic_accepts(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # enforce_in_transit rejects "Publish ... requests received in a region not allowed in the message
    # storage policy ... with a FAILED_PRECONDITION error"
    # (https://cloud.google.com/pubsub/docs/resource-location-restriction); Security Command Center
    # runs in global or multi-region locations only
    # (https://cloud.google.com/security-command-center/docs/data-residency-support), so it cannot
    # be relied on to publish from the topic's region: findings would be silently dropped.
    for config_resource in of_type(resources, *SCC_NOTIFICATION_CONFIGS):
        for topic in referenced(config_resource, "pubsubTopic", TOPIC):
            policy = topic.props.get("messageStoragePolicy") or {}
            if policy.get("enforceInTransit") is True:
                message = (f"topic {topic.name} enforces its message storage regions in transit: Security "
                           f"Command Center findings of {config_resource.name} published from another region "
                           "are rejected")
                yield message, topic.urn
