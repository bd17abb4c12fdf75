"""AWS threat detection and alerting: GuardDuty with S3 and runtime protection, Security Hub,
encrypted alert topics, and findings forwarded to people."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list
from ..relations import configured, of_type, references
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

DETECTOR = "aws:guardduty/detector:Detector"
FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
DETECTION = {"hipaa": ["164.308(a)(1)(ii)(D)", "164.308(a)(6)(ii)"], "gdpr": ["32(1)(d)", "33"],
             "nist-800-53": ["SI-4", "IR-4"]}
REQUIRED_FEATURES = ("S3_DATA_EVENTS", "RUNTIME_MONITORING")
WORKLOADS = ("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate")
POLICIES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy")
SSM_CORE = "AmazonSSMManagedInstanceCore"


def _ssm_managed(resources: Sequence[PolicyResource]) -> bool:
    """Some instance role of the stack can register with Systems Manager (the managed policy, or
    ssm:UpdateInstanceInformation, which the SSM agent calls to register)."""
    arns = [a for r in of_type(resources, "aws:iam/role:Role") for a in as_list(r.props.get("managedPolicyArns"))]
    arns += [r.props.get("policyArn") for r in of_type(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    if any(str(a).endswith(f"/{SSM_CORE}") for a in arns):
        return True
    actions = [str(a) for r in of_type(resources, *POLICIES) for st in allows(r.props.get("policy"))
               for a in as_list(st.get("Action"))]
    return any(a in ("*", "ssm:*", "ssm:UpdateInstanceInformation") for a in actions)


def _agent_endpoint(resources: Sequence[PolicyResource]) -> bool:
    return any(str(e.props.get("serviceName", "")).endswith(".guardduty-data")
               for e in of_type(resources, "aws:ec2/vpcEndpoint:VpcEndpoint"))


def _ec2_agent_management(feature: PolicyResource) -> str:
    for extra in feature.props.get("additionalConfigurations") or []:
        if extra.get("name") == "EC2_AGENT_MANAGEMENT":
            return str(extra.get("status", "DISABLED"))
    return "DISABLED"


@stack_rule(
    id="aws-guardduty-enabled", title="GuardDuty is on with S3 and runtime protection that reaches the workloads",
    severity="high", cloud="aws", practice="monitoring", controls=DETECTION,
    remediation="Add a guardduty.Detector(enable=True) with DetectorFeatures S3_DATA_EVENTS and RUNTIME_MONITORING. "
    "Without Systems Manager, set EC2_AGENT_MANAGEMENT DISABLED, install the agent yourself and add a "
    "com.amazonaws.<region>.guardduty-data interface endpoint.",
)
def guardduty(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    detectors = [d for d in of_type(resources, DETECTOR) if d.props.get("enable") is not False]
    if not detectors:
        yield "no enabled GuardDuty detector: threats go undetected", None
        return
    workloads = bool(of_type(resources, *WORKLOADS))
    for detector in detectors:
        features = [f for f in configured(resources, detector, FEATURE, "detectorId")
                    if f.props.get("status") == "ENABLED"]
        on = {f.props.get("name") for f in features}
        for feature in REQUIRED_FEATURES:
            if feature not in on:
                yield f"GuardDuty feature {feature} is not enabled", detector.urn
        for runtime in (f for f in features if f.props.get("name") == "RUNTIME_MONITORING" and workloads):
            # The automated EC2 agent is installed through Systems Manager; a manual agent needs
            # the guardduty-data endpoint (prereq-runtime-monitoring-ec2-support.html,
            # runtime-monitoring-agent-connectivity.html).
            if _ec2_agent_management(runtime) == "ENABLED" and not _ssm_managed(resources):
                yield ("GuardDuty manages the EC2 agent through Systems Manager, but no instance role here can "
                       "register with SSM: runtime monitoring covers nothing"), detector.urn
            elif _ec2_agent_management(runtime) != "ENABLED" and not _agent_endpoint(resources):
                yield ("the EC2 agent is managed manually, but no guardduty-data VPC endpoint receives its "
                       "events: runtime monitoring covers nothing"), detector.urn


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
        reached = [d for t in targets for d in t.property_dependencies.get("arn", [])]
        # A responder function (components/aws/containment.py) reaches people through the topic
        # it reports to and falls back to (its environment, its dead-letter target).
        reached += [d for f in reached if f.resource_type == "aws:lambda/function:Function"
                    for prop in ("environment", "deadLetterConfig") for d in f.property_dependencies.get(prop, [])]
        topics = [d for d in reached if d.resource_type == "aws:sns/topic:Topic"]
        subscribed = [s for s in of_type(resources, "aws:sns/topicSubscription:TopicSubscription")
                      if any(references(s, "topic", tp) for tp in topics)]
        if not subscribed:
            yield f"findings rule {rule.name} reaches no subscribed topic", rule.urn
