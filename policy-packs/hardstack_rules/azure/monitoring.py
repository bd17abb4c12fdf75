"""Azure threat detection and alerting: Defender for Cloud plans for servers, storage, Key Vault
and AI; a security contact that mails alerts; activity-log alerts on Key Vault and role
assignment changes, and Key Vault key expiry events, that reach people through an action group."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import (
    ACTION_GROUP,
    ALERT,
    CONTACT,
    EVENT_SUBSCRIPTION,
    KEY,
    PRICING,
    SYSTEM_TOPIC,
    VAULT,
)
from ..relations import of_type, referenced, references
from ..rule import resource_rule, stack_rule
from ..values import plain

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

DETECTION = {"hipaa": ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"], "gdpr": ["32(1)(d)", "33"],
             "nist-800-53": ["SI-4", "IR-4"]}
PLANS = ("VirtualMachines", "StorageAccounts", "KeyVaults", "AI")
# alert subject -> the operation prefix an alert's condition must name
WATCHED = {"Key Vault changes": "Microsoft.KeyVault/",
           "role assignment changes": "Microsoft.Authorization/roleAssignments/"}


@stack_rule(
    id="azure-defender-plans", title="Defender for Cloud protects VMs, storage, Key Vault and AI", severity="high",
    cloud="azure", practice="monitoring", controls=DETECTION,
    remediation="Add security.Pricing with pricing_tier Standard for VirtualMachines, StorageAccounts, KeyVaults and "
    "AI (components.azure.ThreatMonitoring).",
)
def defender_plans(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    plans = {p.props.get("pricingName"): p for p in of_type(resources, PRICING)}
    for name in PLANS:
        plan = plans.get(name)
        if plan is None:
            yield f"Defender plan {name} is not enabled: its threats go undetected", None
        elif plan.props.get("pricingTier") != "Standard":
            yield f"Defender plan {name} is on the {plan.props.get('pricingTier', 'Free')} tier", plan.urn


@resource_rule(
    id="azure-defender-security-contact", title="Defender's security contact mails security alerts",
    severity="medium", cloud="azure", practice="monitoring", types=[CONTACT], controls=DETECTION,
    remediation="Set emails, is_enabled=True and a notifications_sources entry of source_type Alert.",
)
def security_contact(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("emails"):
        yield "the security contact has no email address"
    if props.get("isEnabled") is not True:
        yield "the security contact is disabled"
    if not any(s.get("sourceType") == "Alert" for s in props.get("notificationsSources") or []):
        yield "security alerts are not mailed (no Alert notification source)"


def _mails(group: PolicyResource) -> bool:
    receivers = [r for r in group.props.get("emailReceivers") or [] if r.get("emailAddress")]
    return group.props.get("enabled") is not False and bool(receivers)


@stack_rule(
    id="azure-activity-alerts", title="Key Vault and role assignment changes alert people by mail",
    severity="medium", cloud="azure", practice="monitoring", controls=DETECTION,
    remediation="Add monitor.ActivityLogAlerts on Microsoft.KeyVault/* and Microsoft.Authorization/roleAssignments/* "
    "operations with an action group that has an email receiver (components.azure.ThreatMonitoring).",
)
def activity_alerts(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    alerts = [a for a in of_type(resources, ALERT) if a.props.get("enabled") is not False]
    for subject, prefix in WATCHED.items():
        watching = [a for a in alerts if prefix in json.dumps(plain(a.props.get("condition") or {}))]
        if not watching:
            yield f"no enabled activity-log alert on {subject}", None
        for alert in watching:
            groups = referenced(alert, "actions", ACTION_GROUP)
            if not any(_mails(g) for g in groups):
                yield f"alert {alert.name} on {subject} reaches no enabled action group with an email receiver", \
                    alert.urn


# Key Vault's expiry events, and the one Event Grid destination that turns them into alerts
# (https://learn.microsoft.com/azure/event-grid/handler-azure-monitor-alerts); that destination
# takes the CloudEvents v1.0 schema only
# (https://learn.microsoft.com/azure/event-grid/handle-key-vault-events-using-azure-monitor-alerts).
KEY_EXPIRY_EVENTS = ("Microsoft.KeyVault.KeyNearExpiry", "Microsoft.KeyVault.KeyExpired")
VAULT_TOPIC_TYPE = "microsoft.keyvault.vaults"


def _alerts_people(subscription: PolicyResource) -> bool:
    destination = subscription.props.get("destination") or {}
    groups = referenced(subscription, "destination", ACTION_GROUP)
    return (destination.get("endpointType") == "MonitorAlert" and bool(destination.get("severity"))
            and subscription.props.get("eventDeliverySchema") == "CloudEventSchemaV1_0"
            and any(_mails(g) for g in groups))


def _delivers(subscription: PolicyResource, event: str) -> bool:
    included = (subscription.props.get("filter") or {}).get("includedEventTypes") or []
    return not included or event in included  # no filter: every event type of the topic


@stack_rule(
    id="azure-key-expiry-alerts", title="Key Vault key expiry events alert people", severity="high",
    cloud="azure", practice="monitoring", controls={**DETECTION, "nist-800-53": ["SI-4", "SC-12"]},
    remediation="Add an Event Grid system topic on the vault (topic type Microsoft.KeyVault.vaults) with event "
    "subscriptions for Microsoft.KeyVault.KeyNearExpiry and KeyExpired delivering to an Azure Monitor alert "
    "(endpoint type MonitorAlert, a severity, CloudEventSchemaV1_0) with an action group that mails people "
    "(components.azure.KeyExpiryAlerts). Without a subscription a key's notify action tells nobody.",
)
def key_expiry_alerts(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    keys = of_type(resources, KEY)
    topics = [t for t in of_type(resources, SYSTEM_TOPIC)
              if str(t.props.get("topicType", "")).lower() == VAULT_TOPIC_TYPE]
    for vault in of_type(resources, VAULT):
        if not any(references(k, "vaultName", vault) for k in keys):
            continue  # no key, nothing expires
        own = [t for t in topics if references(t, "source", vault)]
        subscriptions = [s for s in of_type(resources, EVENT_SUBSCRIPTION)
                         if any(references(s, "systemTopicName", t) for t in own) and _alerts_people(s)]
        for event in KEY_EXPIRY_EVENTS:
            if not any(_delivers(s, event) for s in subscriptions):
                yield (f"vault {vault.name}: {event.rsplit('.', 1)[-1]} events reach no Azure Monitor alert with an "
                       "action group that mails people"), vault.urn
