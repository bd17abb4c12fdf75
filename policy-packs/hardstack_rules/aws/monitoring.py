"""AWS threat detection and alerting: GuardDuty with S3 and runtime protection, Security Hub,
encrypted alert topics, and findings forwarded to people."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from hardstack_rules.relations import configured, of_type, references
from hardstack_rules.rule import resource_rule, stack_rule

DETECTOR = "aws:guardduty/detector:Detector"
FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
DETECTION = {"hipaa": ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"], "gdpr": ["32(1)(d)", "33"],
             "nist-800-53": ["SI-4", "IR-4"]}
REQUIRED_FEATURES = ("S3_DATA_EVENTS", "RUNTIME_MONITORING")


@stack_rule(
    id="aws-guardduty-enabled", title="GuardDuty is on with S3 and runtime protection", severity="high",
    cloud="aws", practice="monitoring", controls=DETECTION,
    remediation="Add a guardduty.Detector(enable=True) with DetectorFeatures S3_DATA_EVENTS and RUNTIME_MONITORING.",
)
def guardduty(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    detectors = [d for d in of_type(resources, DETECTOR) if d.props.get("enable") is not False]
    if not detectors:
        yield "no enabled GuardDuty detector: threats go undetected", None
        return
    for detector in detectors:
        on = {f.props.get("name") for f in configured(resources, detector, FEATURE, "detectorId")
              if f.props.get("status") == "ENABLED"}
        for feature in REQUIRED_FEATURES:
            if feature not in on:
                yield f"GuardDuty feature {feature} is not enabled", detector.urn


@stack_rule(
    id="aws-securityhub-enabled", title="Security Hub is on with the AWS foundational standard",
    severity="medium", cloud="aws", practice="monitoring", controls=DETECTION,
    remediation="Add securityhub.Account and a StandardsSubscription to aws-foundational-security-best-practices.",
)
def security_hub(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, "aws:securityhub/account:Account"):
        yield "Security Hub is not enabled", None
    standards = [s.props.get("standardsArn", "") for s in
                 of_type(resources, "aws:securityhub/standardsSubscription:StandardsSubscription")]
    if not any("aws-foundational-security-best-practices" in s for s in standards):
        yield "the AWS foundational security standard is not subscribed", None


@resource_rule(
    id="aws-sns-customer-key", title="Alert topics are encrypted with a customer key", severity="medium",
    cloud="aws", practice="encryption", types=["aws:sns/topic:Topic"],
    controls={"nist-800-53": ["SC-28"], "hipaa": ["164.312(a)(2)(iv)"]},
    remediation="Set kms_master_key_id to the environment's logs key (and let events.amazonaws.com use it).",
)
def topic_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("kmsMasterKeyId"):
        yield "topic messages are not encrypted with a customer-managed key"


@stack_rule(
    id="aws-findings-alert-people", title="High-severity findings reach a subscribed alert topic",
    severity="medium", cloud="aws", practice="monitoring", controls=DETECTION,
    remediation="Add an EventBridge rule for GuardDuty findings >= 7 targeting an SNS topic with a subscription.",
)
def findings_alert(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    rules = [r for r in of_type(resources, "aws:cloudwatch/eventRule:EventRule")
             if "aws.guardduty" in str(r.props.get("eventPattern", ""))]
    if not rules:
        yield "no EventBridge rule forwards GuardDuty findings", None
        return
    for rule in rules:
        targets = [t for t in of_type(resources, "aws:cloudwatch/eventTarget:EventTarget")
                   if references(t, "rule", rule)]
        topics = [d for t in targets for d in t.property_dependencies.get("arn", [])
                  if d.resource_type == "aws:sns/topic:Topic"]
        subscribed = [s for s in of_type(resources, "aws:sns/topicSubscription:TopicSubscription")
                      if any(references(s, "topic", tp) for tp in topics)]
        if not subscribed:
            yield f"findings rule {rule.name} reaches no subscribed topic", rule.urn
