"""A holding and a violating stack for every AWS stack rule, built as small resource graphs
with the property dependencies the engine reports (who references whom)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_resource_cases import KEY_ARN, PAB_OK, SSE_OK, TRAIL_OK

from hardstack.render import Resource


class Stack:
    def __init__(self) -> None:
        self.resources: list[Resource] = []

    def add(self, token: str, name: str, props: dict[str, Any] | None = None,
            refs: dict[str, Resource] | None = None) -> Resource:
        res = Resource(
            urn=f"urn:pulumi:t::t::{token}::{name}", type=token, name=name, parent="", inputs=dict(props or {}),
            propertyDependencies={k: [v.urn] for k, v in (refs or {}).items()},
            dependencies=[v.urn for v in (refs or {}).values()],
        )
        self.resources.append(res)
        return res


def bucket_stack(skip: str = "", purpose: str = "datasets", locked: bool = True, plain_http: bool = False,
                 no_logging: bool = False, log_grant: str | None = "arn:aws:s3:::data-b") -> list[Resource]:
    s = Stack()
    key = s.add("aws:kms/key:Key", "key")
    logs = s.add("aws:s3/bucket:Bucket", "logs", {"bucket": "logs-b"})
    b = s.add("aws:s3/bucket:Bucket", "data", {"bucket": "data-b", "objectLockEnabled": locked,
                                               "tags": {"purpose": purpose}})
    for target in (logs, b):
        ref = {"bucket": target}
        if skip != "sse":
            s.add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                  f"{target.name}-sse", SSE_OK, {"bucket": target, "rules": key})
        if skip != "pab":
            s.add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{target.name}-pab", PAB_OK, ref)
        if skip != "versioning":
            s.add("aws:s3/bucketVersioning:BucketVersioning", f"{target.name}-v",
                  {"versioningConfiguration": {"status": "Enabled"}}, ref)
        condition = {"Bool": {"aws:SecureTransport": "true" if plain_http else "false"}}
        policy: dict[str, Any] = {"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                                                 "Condition": condition}]}
        if target is logs and log_grant is not None:  # enable-server-access-logging.html's statement
            policy["Statement"].append({
                "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
                "Resource": "arn:aws:s3:::logs-b/data-b/*", "Condition": {
                    "ArnLike": {"aws:SourceArn": log_grant}, "StringEquals": {"aws:SourceAccount": "123456789012"}},
            })
        s.add("aws:s3/bucketPolicy:BucketPolicy", f"{target.name}-policy", {"policy": json.dumps(policy)}, ref)
    if not no_logging:
        s.add("aws:s3/bucketLogging:BucketLogging", "data-logging", {"targetBucket": "logs-b"}, {"bucket": b})
    else:
        s.add("aws:s3/bucketLogging:BucketLogging", "other-logging", {"targetBucket": "logs-b"}, {"bucket": logs})
    s.add("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "lock",
          {"rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}}, {"bucket": b})
    return s.resources


def network_stack(flow: str = "ALL", default_sg: bool = True, nat: bool = False) -> list[Resource]:
    s = Stack()
    vpc = s.add("aws:ec2/vpc:Vpc", "vpc")
    if nat:
        s.add("aws:ec2/natGateway:NatGateway", "egress-nat", {"connectivityType": "public"})
    s.add("aws:ec2/subnet:Subnet", "subnet-a", {}, {"vpcId": vpc})
    s.add("aws:ec2/flowLog:FlowLog", "flow", {"trafficType": flow}, {"vpcId": vpc})
    if default_sg:
        s.add("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", {"ingress": []}, {"vpcId": vpc})
    return s.resources


# The two statements key-policy-requirements-EBS-encryption.html (Amazon EC2 Auto Scaling)
# requires on a key that encrypts volumes Auto Scaling launches.
ASG_SLR = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
ASG_KEY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "Allow service-linked role use of the customer managed key", "Effect": "Allow",
    "Principal": {"AWS": [ASG_SLR]},
    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    "Resource": "*",
}, {
    "Sid": "Allow attachment of persistent resources", "Effect": "Allow",
    "Principal": {"AWS": [ASG_SLR]}, "Action": ["kms:CreateGrant"], "Resource": "*",
    "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}},
}]})
EC2_ONLY_KEY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "AccountUsesThroughServices", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*",
    "Condition": {"StringEquals": {"kms:ViaService": ["ec2.eu-central-1.amazonaws.com"]}},
}]})


def compute_stack(default_key: str = "none", encryption_by_default: bool = True) -> list[Resource]:
    """default_key: "none" (hardstack's shape), "asg" (a default key whose policy serves Auto
    Scaling), "ec2-only" (a default key whose policy lacks the Auto Scaling statements),
    "foreign" (a default key outside the stack)."""
    s = Stack()
    policy = ASG_KEY_POLICY if default_key == "asg" else EC2_ONLY_KEY_POLICY
    key = s.add("aws:kms/key:Key", "compute-key", {"policy": policy})
    s.add("aws:ec2/instance:Instance", "vm", {"rootBlockDevice": {"kmsKeyId": KEY_ARN}}, {"rootBlockDevice": key})
    if encryption_by_default:
        s.add("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs-default", {"enabled": True})
    if default_key != "none":
        s.add("aws:ebs/defaultKmsKey:DefaultKmsKey", "ebs-key", {"keyArn": KEY_ARN},
              {"keyArn": key} if default_key != "foreign" else {})
    return s.resources


def identity_stack(access_key: bool = False) -> list[Resource]:
    s = Stack()
    s.add("aws:iam/role:Role", "role")
    if access_key:
        s.add("aws:iam/accessKey:AccessKey", "ci-key", {"user": "ci"})
    return s.resources


def audit_stack(locked: bool = True) -> list[Resource]:
    s = Stack()
    bucket = s.add("aws:s3/bucket:Bucket", "audit", {"objectLockEnabled": locked})
    s.add("aws:cloudtrail/trail:Trail", "trail", {**TRAIL_OK, "cloudWatchLogsGroupArn": "arn:aws:logs:x"},
          {"s3BucketName": bucket})
    return s.resources


def monitoring_stack(features: tuple[str, ...] = ("S3_DATA_EVENTS", "RUNTIME_MONITORING"),
                     hub: bool = True, subscribed: bool = True, agent: str = "manual",
                     agent_endpoint: bool = True, ssm_role: bool = False) -> list[Resource]:
    """agent: EC2_AGENT_MANAGEMENT "manual" (DISABLED) or "automated" (ENABLED, needs SSM)."""
    s = Stack()
    detector = s.add("aws:guardduty/detector:Detector", "detector", {"enable": True})
    s.add("aws:ec2/instance:Instance", "vm", {"instanceType": "m6a.large"})
    if agent_endpoint:
        s.add("aws:ec2/vpcEndpoint:VpcEndpoint", "guardduty-data",
              {"serviceName": "com.amazonaws.eu-west-1.guardduty-data", "vpcEndpointType": "Interface"})
    if ssm_role:
        s.add("aws:iam/role:Role", "ssm-role",
              {"managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]})
    status = "ENABLED" if agent == "automated" else "DISABLED"
    for feature in features:
        extra = [{"name": "EC2_AGENT_MANAGEMENT", "status": status}] if feature == "RUNTIME_MONITORING" else []
        s.add("aws:guardduty/detectorFeature:DetectorFeature", f"f-{feature}",
              {"name": feature, "status": "ENABLED", "additionalConfigurations": extra}, {"detectorId": detector})
    if hub:
        s.add("aws:securityhub/account:Account", "hub")
        s.add("aws:securityhub/standardsSubscription:StandardsSubscription", "fsbp", {
            "standardsArn": "arn:aws:securityhub:eu-central-1::standards/"
                            "aws-foundational-security-best-practices/v/1.0.0"})
    topic = s.add("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": KEY_ARN})
    rule = s.add("aws:cloudwatch/eventRule:EventRule", "findings", {"eventPattern": '{"source": ["aws.guardduty"]}'})
    s.add("aws:cloudwatch/eventTarget:EventTarget", "to-topic", {}, {"rule": rule, "arn": topic})
    if subscribed:
        s.add("aws:sns/topicSubscription:TopicSubscription", "mail", {"protocol": "email"}, {"topic": topic})
    return s.resources


def keyed_stack(own: bool = True) -> list[Resource]:
    s = Stack()
    key = s.add("aws:kms/key:Key", "logs-key")
    refs = {"kmsKeyId": key} if own else {}
    s.add("aws:cloudwatch/logGroup:LogGroup", "group", {"kmsKeyId": KEY_ARN if own else "alias/aws/logs"}, refs)
    return s.resources


def provider_stack(region: str) -> list[Resource]:
    s = Stack()
    s.add("pulumi:providers:aws", "aws-provider", {"region": region})
    return s.resources


LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]})


def responder_stack(bound: bool = True, log_key: bool = True, permitted: bool = True,
                    quarantine_rules: bool = False) -> list[Resource]:
    """A workload, GuardDuty, and hardstack's containment: rule -> function (with its permission),
    the function's role and grants, its log group, and the quarantine group."""
    s = Stack()
    s.add("aws:guardduty/detector:Detector", "detector", {"enable": True})
    s.add("aws:ec2/instance:Instance", "vm", {"instanceType": "m6a.large"})
    s.add("aws:ec2/securityGroup:SecurityGroup", "quarantine", {
        "tags": {"purpose": "quarantine"}, "ingress": [],
        "egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}] if quarantine_rules else []})
    role = s.add("aws:iam/role:Role", "responder-role", {"assumeRolePolicy": LAMBDA_TRUST})
    condition = {"Condition": {"StringEquals": {"aws:ResourceTag/hardstack:environment": "e"}}} if bound else {}
    s.add("aws:iam/rolePolicy:RolePolicy", "responder-grants", {"policy": json.dumps({"Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"},
        {"Sid": "Isolate", "Effect": "Allow", "Action": ["ec2:ModifyInstanceAttribute"],
         "Resource": "arn:aws:ec2:eu-west-1:123456789012:instance/*", **condition}]})}, {"role": role})
    s.add("aws:cloudwatch/logGroup:LogGroup", "responder-logs", {
        "name": "/hardstack/responder", "retentionInDays": 400, **({"kmsKeyId": KEY_ARN} if log_key else {})})
    function = s.add("aws:lambda/function:Function", "responder", {
        "name": "responder", "loggingConfig": {"logGroup": "/hardstack/responder"}}, {"role": role})
    rule = s.add("aws:cloudwatch/eventRule:EventRule", "findings",
                 {"eventPattern": '{"source": ["aws.guardduty"]}'})
    s.add("aws:cloudwatch/eventTarget:EventTarget", "to-responder", {}, {"rule": rule, "arn": function})
    if permitted:
        s.add("aws:lambda/permission:Permission", "invoke", {"principal": "events.amazonaws.com"},
              {"function": function, "sourceArn": rule})
    return s.resources


GUARDRAIL_ARN = "arn:aws:bedrock:eu-central-1:123456789012:guardrail/g1"
CLAUDE = "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-*"


def bedrock_stack(guarded: bool = True, any_model: bool = False, endpoint_any: bool = False,
                  guardrail: bool = True) -> list[Resource]:
    """The platform's Bedrock access: a guardrail, a role invoking the allowed models through it, and the
    bedrock-runtime endpoint fencing the same models."""
    s = Stack()
    if guardrail:
        s.add("aws:bedrock/guardrail:Guardrail", "guardrail", {"kmsKeyArn": KEY_ARN})
    role = s.add("aws:iam/role:Role", "studio-role", {})
    pinned = {"StringEquals": {"bedrock:GuardrailIdentifier": f"{GUARDRAIL_ARN}:1"}}
    condition = {"Condition": pinned} if guarded else {}
    s.add("aws:iam/rolePolicy:RolePolicy", "studio-grants", {"policy": json.dumps({"Statement": [{
        "Sid": "Invoke", "Effect": "Allow", "Action": ["bedrock:InvokeModel"],
        "Resource": ["arn:aws:bedrock:eu-central-1::foundation-model/*"] if any_model else [CLAUDE], **condition}]})},
        {"role": role})
    s.add("aws:ec2/vpcEndpoint:VpcEndpoint", "bedrock-runtime", {
        "serviceName": "com.amazonaws.eu-central-1.bedrock-runtime", "vpcEndpointType": "Interface",
        "policy": json.dumps({"Statement": [{"Sid": "Models", "Effect": "Allow", "Principal": {"AWS": "*"},
                                             "Action": ["bedrock:InvokeModel"],
                                             "Resource": "*" if endpoint_any else [CLAUDE]}]})})
    return s.resources


# rule id -> (holding stack, violating stack, message fragment, violating resource name or None)
def eks_stack(log_group: bool = True, agent: bool = True, asg_key: bool = True) -> list[Resource]:
    """A cluster with its control-plane log group and Pod Identity agent; a node group whose launch template
    encrypts volumes with a key whose policy serves (or not) Auto Scaling's service-linked role."""
    s = Stack()
    key = s.add("aws:kms/key:Key", "compute-key", {"policy": ASG_KEY_POLICY if asg_key else EC2_ONLY_KEY_POLICY})
    if log_group:
        s.add("aws:cloudwatch/logGroup:LogGroup", "eks-logs", {"name": "/aws/eks/c/cluster", "kmsKeyId": KEY_ARN,
                                                                "retentionInDays": 400})
    s.add("aws:eks/cluster:Cluster", "cluster", {"name": "c"})
    if agent:
        s.add("aws:eks/addon:Addon", "pod-identity", {"clusterName": "c", "addonName": "eks-pod-identity-agent"})
    template = s.add("aws:ec2/launchTemplate:LaunchTemplate", "nodes-lt", {"blockDeviceMappings": [{
        "deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY_ARN}}]}, {"blockDeviceMappings": key})
    s.add("aws:eks/nodeGroup:NodeGroup", "nodes", {"clusterName": "c", "launchTemplate": {"id": "lt-1"}},
          {"launchTemplate": template})
    return s.resources


CLUSTER_ROLE = "arn:aws:iam::123456789012:role/c-cluster"


def eks_key_stack(via_eks: bool = True, role_named: bool = True) -> list[Resource]:
    """A cluster whose secrets key lets (or not) EKS create the grant and the cluster role decrypt."""
    s = Stack()
    root = {"AWS": "arn:aws:iam::123456789012:root"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "NamedPrincipalsUse", "Effect": "Allow", "Principal": root, "Action": ["kms:Decrypt", "kms:Encrypt"],
        "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": [CLUSTER_ROLE] if role_named else []}},
    }, {
        "Sid": "AccountUsesThroughServices", "Effect": "Allow", "Principal": root,
        "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*",
        "Condition": {"StringEquals": {"kms:ViaService": ["eks.eu-west-1.amazonaws.com" if via_eks
                                                          else "ec2.eu-west-1.amazonaws.com"]}},
    }]})
    key = s.add("aws:kms/key:Key", "data-key", {"policy": policy})
    s.add("aws:eks/cluster:Cluster", "cluster", {"name": "c", "roleArn": CLUSTER_ROLE, "encryptionConfig": {
        "provider": {"keyArn": KEY_ARN}, "resources": ["secrets"]}}, {"encryptionConfig": key})
    return s.resources


CASES: dict[str, tuple[Callable[[], list[Resource]], Callable[[], list[Resource]], str, str | None]] = {
    "aws-s3-encryption-configured": (bucket_stack, lambda: bucket_stack(skip="sse"),
                                     "has no default encryption configuration", "logs"),
    "aws-s3-public-access-block-present": (bucket_stack, lambda: bucket_stack(skip="pab"),
                                           "has no public access block", "logs"),
    "aws-s3-versioning": (bucket_stack, lambda: bucket_stack(skip="versioning"), "does not keep versions", "logs"),
    "aws-s3-tls-only": (bucket_stack, lambda: bucket_stack(plain_http=True), "accepts plain HTTP", "logs"),
    "aws-s3-access-logging": (bucket_stack, lambda: bucket_stack(no_logging=True), "does not log access", "data"),
    "aws-s3-access-log-delivery": (bucket_stack, lambda: bucket_stack(log_grant="arn:aws:s3:::other-b"),
                                   "no access log is ever delivered", "logs"),
    "aws-s3-write-once-models-and-audit": (
        lambda: bucket_stack(purpose="models"), lambda: bucket_stack(purpose="models", locked=False),
        "holds models but is not locked", "data"),
    "aws-default-sg-managed": (network_stack, lambda: network_stack(default_sg=False),
                               "keeps AWS's default security group rules", "vpc"),
    "aws-vpc-flow-logs": (network_stack, lambda: network_stack(flow="REJECT"), "has no flow log", "subnet-a"),
    "aws-ebs-encryption-by-default": (lambda: compute_stack(default_key="asg"),
                                      lambda: compute_stack(default_key="ec2-only"),
                                      f"does not let {ASG_SLR} use it", "ebs-key"),
    "aws-iam-no-long-lived-keys": (identity_stack, lambda: identity_stack(access_key=True),
                                   "AccessKey ci-key is a long-lived credential", "ci-key"),
    "aws-audit-reaches-sink": (audit_stack, lambda: audit_stack(locked=False), "bucket without object lock", "trail"),
    "aws-guardduty-enabled": (monitoring_stack, lambda: monitoring_stack(features=("S3_DATA_EVENTS",)),
                              "RUNTIME_MONITORING is not enabled", "detector"),
    "aws-securityhub-enabled": (monitoring_stack, lambda: monitoring_stack(hub=False),
                                "Security Hub is not enabled", None),
    "aws-findings-alert-people": (monitoring_stack, lambda: monitoring_stack(subscribed=False),
                                  "reaches no subscribed topic", "findings"),
    "aws-data-encrypted-with-own-key": (keyed_stack, lambda: keyed_stack(own=False),
                                        "does not use a KMS key defined in this stack", "group"),
    "internet-egress-advisory": (network_stack, lambda: network_stack(nat=True),
                                 "NAT gateway egress-nat gives workloads a path to the internet", "egress-nat"),
    "aws-responder-least-privilege": (responder_stack, lambda: responder_stack(bound=False),
                                      "statement Isolate lets a function change any resource", "responder-grants"),
    "aws-lambda-logs-encrypted": (responder_stack, lambda: responder_stack(log_key=False),
                                  "which has no customer key or no retention", "responder"),
    "aws-containment-responder": (responder_stack, lambda: responder_stack(permitted=False),
                                  "which no permission lets EventBridge invoke for this rule", "findings"),
    "gdpr-data-residency": (lambda: provider_stack("eu-central-1"), lambda: provider_stack("us-east-1"),
                            "deploys to us-east-1, outside the EU/EEA", "aws-provider"),
    "aws-bedrock-invoke-through-guardrail": (bedrock_stack, lambda: bedrock_stack(guarded=False),
                                             "statement Invoke lets a role invoke models without the guardrail",
                                             "studio-grants"),
    "aws-bedrock-endpoint-allowed-models": (bedrock_stack, lambda: bedrock_stack(endpoint_any=True),
                                            "statement Models lets any model through the endpoint", "bedrock-runtime"),
    "aws-eks-control-plane-log-group": (eks_stack, lambda: eks_stack(log_group=False),
                                        "no encrypted log group /aws/eks/c/cluster", "cluster"),
    "aws-eks-pod-identity": (eks_stack, lambda: eks_stack(agent=False), "no eks-pod-identity-agent add-on",
                             "cluster"),
    "aws-eks-node-key-usable": (eks_stack, lambda: eks_stack(asg_key=False),
                                "encrypts the node volumes of nodes-lt, but its policy does not let", "nodes-lt"),
    "aws-eks-secrets-key-usable": (eks_key_stack, lambda: eks_key_stack(via_eks=False),
                                   "its policy lets no one create a grant through EKS", "cluster"),
}
