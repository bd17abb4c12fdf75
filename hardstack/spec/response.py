"""Cross-field rules of `monitoring.response`, the automated containment of a reported workload:
the severity scale each cloud's threat detection uses, and the settings that only mean something
together."""

from __future__ import annotations

from collections.abc import Iterable

from hardstack.spec import catalog
from hardstack.spec.view import Problem, SpecView

SEVERITY_ORDER = ("low", "medium", "high", "critical")

# The severities each cloud's detector can give a finding, lowest first.
SEVERITY_SCALES: dict[str, tuple[str, ...]] = {
    # GuardDuty: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0
    # https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html
    "aws": ("low", "medium", "high", "critical"),
    # Security Command Center Finding.severity: LOW, MEDIUM, HIGH, CRITICAL
    # https://cloud.google.com/security-command-center/docs/reference/rest/v1/organizations.sources.findings#severity
    "gcp": ("low", "medium", "high", "critical"),
    # Defender for Cloud alerts: Informational, Low, Medium, High; there is no critical
    # https://learn.microsoft.com/en-us/azure/defender-for-cloud/alerts-overview#how-are-alerts-classified
    "azure": ("low", "medium", "high"),
}


def response_problems(view: SpecView) -> Iterable[Problem]:
    if view.monitoring is None:
        return
    response = view.monitoring.response
    at = ("monitoring", "response")
    scale = SEVERITY_SCALES.get(view.cloud or "")
    if scale is not None and response.min_severity not in scale:
        yield Problem(
            (*at, "min_severity"),
            f"{view.cloud} threat detection never reports a '{response.min_severity}' finding; its severities "
            f"are {', '.join(scale)}: use {scale[-1]} for the most severe only",
        )
    # A stated mode (or a dry run) asks for containment; the section's defaults alone do not, so a
    # scaffolded stack that turns threat detection off stays valid.
    asked = response.mode is not None or response.dry_run
    if not view.monitoring.threat_detection and asked:
        yield Problem(
            at, "containment acts on threat detection's findings, which are off: set threat_detection: true, "
            "or remove response.mode and response.dry_run",
        )
    if response.dry_run and response.mode == "notify":
        yield Problem(
            (*at, "dry_run"), "dry_run has no effect with mode notify, which never changes anything: use mode "
            "isolate with dry_run true to try isolation, or remove dry_run",
        )


# Defender for Cloud writes to an Event Hub behind a firewall as a trusted service, signed in as
# the tenant's "Windows Azure Security Resource Provider", which needs Azure Event Hubs Data Sender
# on the hub: https://learn.microsoft.com/azure/defender-for-cloud/continuous-export-event-hub-firewall
# Its app id 8edd93e1-2103-40b4-bd70-6e34e586362d is the same in every tenant; the object id is not.
SECURITY_PROVIDER_LOOKUP = "az ad sp show --id 8edd93e1-2103-40b4-bd70-6e34e586362d --query id -o tsv"


def azure_alert_delivery(view: SpecView) -> Iterable[Problem]:
    if view.cloud != "azure" or view.monitoring is None or not view.monitoring.threat_detection:
        return
    if not view.workloads or (view.azure is not None and view.azure.security_provider_object_id):
        return
    confidential = any((w.confidential or catalog.DEFAULT_KIND["azure"]) != "none" for _, w in view.workloads)
    if view.azure is None and confidential:
        return  # the tenant rule (rules._azure_tenant) reports the missing block, naming this id too
    yield Problem(
        ("azure", "security_provider_object_id") if view.azure is not None else ("azure",),
        "containment receives Defender for Cloud alerts through an Event Hub that Defender writes to as the "
        "tenant's 'Windows Azure Security Resource Provider'; without its object id the hub cannot grant it "
        f"and no alert arrives: add azure.security_provider_object_id (printed by {SECURITY_PROVIDER_LOOKUP})",
    )
