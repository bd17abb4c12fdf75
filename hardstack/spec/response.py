"""Cross-field rules of `monitoring.response`, the automated containment of a reported workload:
the severity scale each cloud's threat detection uses, and the settings that only mean something
together."""

from __future__ import annotations

from collections.abc import Iterable

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
