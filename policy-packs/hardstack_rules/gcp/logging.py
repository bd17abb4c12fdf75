"""GCP audit logging: every audit log type for every service, routed into a log bucket of this
stack that is encrypted with a customer key, kept long enough and, where required, locked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import AUDIT_CONFIGS, BUCKET, LOG_BUCKET, SINK
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule
from ..values import number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

AUDIT = {"hipaa": ["164.312(b)", "164.308(a)(1)(ii)(D)"], "gdpr": ["30", "32(1)(d)"],
         "nist-800-53": ["AU-2", "AU-12"]}
LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


@stack_rule(
    id="gcp-audit-logs-all-services", title="Admin-read and data access audit logs are on for all services",
    severity="high", cloud="gcp", practice="monitoring", controls=AUDIT,
    remediation="Add projects.IAMAuditConfig for allServices with ADMIN_READ, DATA_READ and DATA_WRITE and "
    "no exempted members (components.gcp.AuditLogging does).",
)
def audit_config(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    configs = [c for c in of_type(resources, *AUDIT_CONFIGS) if c.props.get("service") == "allServices"]
    if not configs:
        yield "no audit config for allServices: data access (reads and writes of data) is not logged", None
        return
    logged = {str(t.get("logType")) for c in configs for t in c.props.get("auditLogConfigs") or []}
    missing = [t for t in LOG_TYPES if t not in logged]
    if missing:
        yield f"audit log types not recorded: {', '.join(missing)}", configs[0].urn
    for c in configs:
        for entry in c.props.get("auditLogConfigs") or []:
            if entry.get("exemptedMembers"):
                yield f"{c.name} exempts {', '.join(entry['exemptedMembers'])} from {entry.get('logType')}", c.urn


@resource_rule(
    id="gcp-log-bucket-customer-key", title="Log buckets are encrypted with a customer key", severity="high",
    cloud="gcp", practice="encryption", types=[LOG_BUCKET],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["AU-9", "SC-28"]},
    remediation="Set cmek_settings.kms_key_name to the environment's logs key.",
)
def log_bucket_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not (props.get("cmekSettings") or {}).get("kmsKeyName"):
        yield "log bucket is not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-log-bucket-retention", title="Log buckets keep logs at least N days", severity="medium",
    cloud="gcp", practice="compliance", types=[LOG_BUCKET],
    controls={"hipaa": ["164.316(b)(2)(i)"], "nist-800-53": ["AU-11"]},
    remediation="Set retention_days to at least the configured minimum (HIPAA pack: 2190).",
    config={"minimumDays": {"type": "integer", "default": 365, "minimum": 1}},
)
def log_retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = int(props.get("retentionDays") or 30)  # Cloud Logging's default is 30 days
    if days < config["minimumDays"]:
        yield f"keeps logs {number(days)} days; the minimum is {number(config['minimumDays'])}"


@resource_rule(
    id="gcp-log-bucket-locked", title="Log buckets are locked where the framework requires it",
    severity="medium", cloud="gcp", practice="compliance", types=[LOG_BUCKET],
    controls={"hipaa": ["164.312(c)(1)", "164.316(b)(2)(i)"], "nist-800-53": ["AU-9"]},
    remediation="Set locked=True (irreversible: retention can then only grow); hardstack locks the audit log "
    "bucket of every stack with compliance hipaa.",
    # Locking is irreversible, so it is only mandated where a pack asks for it (HIPAA).
    config={"requireLock": {"type": "boolean", "default": False}},
)
def log_bucket_locked(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if config["requireLock"] and props.get("locked") is not True:
        yield "log bucket is not locked: its retention can be shortened and its logs deleted"


@stack_rule(
    id="gcp-audit-logs-reach-own-bucket", title="Audit logs are routed into a log bucket of this stack",
    severity="high", cloud="gcp", practice="monitoring",
    controls={"hipaa": ["164.312(b)"], "nist-800-53": ["AU-9", "AU-6"], "gdpr": ["30"]},
    remediation="Add a logging.ProjectSink for the cloudaudit.googleapis.com logs whose destination is a "
    "log bucket (or Cloud Storage bucket) defined in this stack.",
)
def audit_sink(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    sinks = [s for s in of_type(resources, SINK) if s.props.get("disabled") is not True
             and (not s.props.get("filter") or "cloudaudit.googleapis.com" in str(s.props.get("filter")))]
    if not sinks:
        yield "no sink routes audit logs: the _Default bucket keeps them only 30 days", None
    for sink in sinks:
        if not referenced(sink, "destination", LOG_BUCKET, BUCKET):
            yield f"sink {sink.name} routes audit logs to a destination outside this stack", sink.urn
