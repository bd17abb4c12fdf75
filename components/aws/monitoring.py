"""Threat detection and alerting: GuardDuty with S3 and runtime protection, Security Hub with
the AWS foundational standard, and high-severity findings forwarded to an encrypted SNS topic
that mails the security team."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# feature -> its additional configurations and their status. Runtime Monitoring stays on, but
# GuardDuty's automated EC2 agent is off: it installs through Systems Manager, which hardstack
# does not run, so it would cover nothing. The agent is installed at first boot instead
# (components.aws.guardduty_agent): "If you plan to manually install and manage the GuardDuty
# agent, SSM is not required"
# (https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ec2-support.html).
GUARDDUTY_FEATURES: dict[str, dict[str, str]] = {
    "S3_DATA_EVENTS": {},
    "EBS_MALWARE_PROTECTION": {},
    "RUNTIME_MONITORING": {"EC2_AGENT_MANAGEMENT": "DISABLED"},
}
HIGH_SEVERITY = 7  # GuardDuty: 7.0-8.9 high, 9.0-10.0 critical


@dataclass
class ThreatMonitoringArgs:
    account_id: str
    region: str
    alert_email: str
    # Needs events.amazonaws.com as a key user WITHOUT aws:SourceAccount/aws:SourceArn
    # conditions, which EventBridge-to-encrypted-topic delivery does not support (KmsKeyArgs).
    topic_key_arn: pulumi.Input[str]
    # Off only when the spec says so; the policy packs then report it unless exempted.
    threat_detection: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


def finding_pattern() -> str:
    return json.dumps({"$or": [
        {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
         "detail": {"severity": [{"numeric": [">=", HIGH_SEVERITY]}]}},
        {"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
         "detail": {"findings": {"Severity": {"Label": ["HIGH", "CRITICAL"]}}}},
    ]}, sort_keys=True)


class ThreatMonitoring(pulumi.ComponentResource):
    detector: aws.guardduty.Detector | None = None
    topic: aws.sns.Topic

    def __init__(self, name: str, args: ThreatMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:ThreatMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        if args.threat_detection:
            self._detection(name, args, tags)
        self.topic = aws.sns.Topic(
            f"{name}-alerts", kms_master_key_id=args.topic_key_arn, tags=tags, opts=child,
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-high-findings", description="High and critical GuardDuty / Security Hub findings",
            event_pattern=finding_pattern(), state="ENABLED", tags=tags, opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy", arn=self.topic.arn,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "FindingsRuleOnly", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
                "Resource": self.topic.arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
            }, {
                "Sid": "DenyInsecureTransport", "Effect": "Deny",
                "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": self.topic.arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }]}),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-to-alerts", rule=rule.name, arn=self.topic.arn, opts=child,
        )
        aws.sns.TopicSubscription(
            f"{name}-alert-email", topic=self.topic.arn, protocol="email",
            endpoint=args.alert_email, opts=child,
        )
        self.register_outputs({"topic_arn": self.topic.arn})

    def _detection(self, name: str, args: ThreatMonitoringArgs, tags: dict[str, str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        self.detector = aws.guardduty.Detector(
            f"{name}-guardduty", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=tags, opts=child,
        )
        for feature, extra in GUARDDUTY_FEATURES.items():
            aws.guardduty.DetectorFeature(
                f"{name}-{feature.lower().replace('_', '-')}", detector_id=self.detector.id,
                name=feature, status="ENABLED",
                additional_configurations=[{"name": e, "status": status} for e, status in extra.items()],
                opts=child,
            )
        hub = aws.securityhub.Account(
            f"{name}-securityhub", enable_default_standards=False,
            auto_enable_controls=True, control_finding_generator="SECURITY_CONTROL", opts=child,
        )
        aws.securityhub.StandardsSubscription(
            f"{name}-foundational-standard",
            standards_arn=f"arn:aws:securityhub:{args.region}::standards/"
            "aws-foundational-security-best-practices/v/1.0.0",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
        )
