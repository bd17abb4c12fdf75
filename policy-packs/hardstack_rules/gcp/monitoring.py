"""GCP alerting: alert policies on control changes that notify people, and CMEK Pub/Sub topics
(Security Command Center findings) that keep messages in the environment's region."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from hardstack_rules.gcp.tokens import ALERT, CHANNEL, METRIC, TOPIC
from hardstack_rules.relations import of_type, referenced
from hardstack_rules.rule import resource_rule, stack_rule

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
    remediation="Set message_storage_policy.allowed_persistence_regions to the environment's region, with "
    "enforce_in_transit=True.",
)
def message_residency(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    policy = props.get("messageStoragePolicy") or {}
    if not policy.get("allowedPersistenceRegions"):
        yield "messages may be stored in any region"
    elif policy.get("enforceInTransit") is not True:
        yield "messages may transit other regions (enforce_in_transit is off)"
