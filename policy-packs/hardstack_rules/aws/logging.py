"""AWS audit logging: CloudTrail everywhere with validation and data events, encrypted and
retained log groups."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule
from ..values import number, plain

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
AUDIT = {"hipaa": ["164.312(b)", "164.308(a)(1)(ii)(D)"], "gdpr": ["30", "32(1)(d)"],
         "nist-800-53": ["AU-2", "AU-12"]}


@resource_rule(
    id="aws-cloudtrail-multi-region", title="CloudTrail records every region", severity="high",
    cloud="aws", practice="monitoring", types=[TRAIL], controls=AUDIT,
    remediation="Set is_multi_region_trail=True and include_global_service_events=True.",
)
def multi_region(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("isMultiRegionTrail") is not True:
        yield "records one region only"
    if props.get("includeGlobalServiceEvents") is False:
        yield "skips global services such as IAM"


@resource_rule(
    id="aws-cloudtrail-log-validation", title="CloudTrail log files are validated (tamper-evident)",
    severity="high", cloud="aws", practice="monitoring", types=[TRAIL],
    controls={"hipaa": ["164.312(c)(1)"], "nist-800-53": ["AU-9", "SI-7"], "gdpr": ["5(1)(f)"]},
    remediation="Set enable_log_file_validation=True.",
)
def log_validation(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableLogFileValidation") is not True:
        yield "log file validation is off: edits to the logs would go unnoticed"


@resource_rule(
    id="aws-cloudtrail-customer-key", title="CloudTrail logs are encrypted with a customer key",
    severity="high", cloud="aws", practice="encryption", types=[TRAIL],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["AU-9", "SC-28"]},
    remediation="Set kms_key_id to the environment's logs key.",
)
def trail_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("kmsKeyId"):
        yield "trail logs are not encrypted with a customer-managed key"


@resource_rule(
    id="aws-cloudtrail-data-events", title="CloudTrail records S3 object (data) events", severity="medium",
    cloud="aws", practice="monitoring", types=[TRAIL], controls=AUDIT,
    remediation="Add an advanced event selector for eventCategory Data and resources.type AWS::S3::Object.",
)
def data_events(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    selectors = [props.get("advancedEventSelectors") or [], props.get("eventSelectors") or []]
    text = json.dumps(plain(selectors))
    if "AWS::S3::Object" not in text:
        yield "S3 object reads and writes are not recorded"


@resource_rule(
    id="aws-logs-customer-key", title="CloudWatch log groups are encrypted with a customer key",
    severity="medium", cloud="aws", practice="encryption", types=[LOG_GROUP],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["AU-9", "SC-28"]},
    remediation="Set kms_key_id to the environment's logs key.",
)
def log_group_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("kmsKeyId"):
        yield "log group is not encrypted with a customer-managed key"


@resource_rule(
    id="aws-logs-retention", title="Log groups keep logs at least N days", severity="medium",
    cloud="aws", practice="compliance", types=[LOG_GROUP],
    controls={"hipaa": ["164.316(b)(2)(i)"], "nist-800-53": ["AU-11"]},
    remediation="Set retention_in_days to at least the configured minimum (HIPAA pack: 2190).",
    config={"minimumDays": {"type": "integer", "default": 365, "minimum": 1}},
)
def log_retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = props.get("retentionInDays", 0)
    if days == 0:
        yield "logs are kept forever without a retention decision"  # 0 = never expire, unreviewed
    elif days < config["minimumDays"]:
        yield f"keeps logs {number(days)} days; the minimum is {number(config['minimumDays'])}"


@stack_rule(
    id="aws-audit-reaches-sink", title="Audit logs reach a locked bucket and a log group of this stack",
    severity="high", cloud="aws", practice="monitoring",
    controls={"hipaa": ["164.312(b)"], "nist-800-53": ["AU-9", "AU-6"], "gdpr": ["30"]},
    remediation="Create a CloudTrail trail whose bucket and CloudWatch log group are defined in this stack.",
)
def audit_sink(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    trails = of_type(resources, TRAIL)
    if not trails:
        yield "no CloudTrail trail: API activity is not audited", None
    for trail in trails:
        buckets = [r for r in referenced(trail, "s3BucketName") if r.resource_type.startswith("aws:s3/bucket")]
        if not buckets:
            yield f"trail {trail.name} delivers to a bucket outside this stack", trail.urn
        elif not any(b.props.get("objectLockEnabled") is True for b in buckets):
            yield f"trail {trail.name} delivers to a bucket without object lock", trail.urn
        if not trail.props.get("cloudWatchLogsGroupArn"):
            yield f"trail {trail.name} does not feed a log group for alerting", trail.urn
