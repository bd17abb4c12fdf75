"""Azure threat detection and alerting: Defender for Cloud plans for servers, storage, Key Vault
and AI; a security contact that mails alerts; activity-log alerts on Key Vault and role
assignment changes that reach people through an action group."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from hardstack_rules.azure.tokens import ACTION_GROUP, ALERT, CONTACT, PRICING
from hardstack_rules.relations import of_type, referenced
from hardstack_rules.rule import resource_rule, stack_rule

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
        watching = [a for a in alerts if prefix in json.dumps(a.props.get("condition") or {})]
        if not watching:
            yield f"no enabled activity-log alert on {subject}", None
        for alert in watching:
            groups = referenced(alert, "actions", ACTION_GROUP)
            if not any(_mails(g) for g in groups):
                yield f"alert {alert.name} on {subject} reaches no enabled action group with an email receiver", \
                    alert.urn
