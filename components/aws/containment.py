"""Automated containment: GuardDuty findings about this environment's instances, at or above the
spec's threshold, reach a Python Lambda (components/responders/aws_guardduty.py) that moves the
instance into a quarantine security group without rules, detaches its instance profile, revokes
its role's sessions, snapshots its volumes and reports to the alert topic.

The function's role may do exactly that, and only to resources tagged as this environment's
(instances, volumes) or named by this environment (roles, profiles, the quarantine group). The
function runs outside the VPC: IAM's interface endpoint exists only in us-east-1, "If your VPC is
in a different Region from the IAM control plane Region, you must use AWS Transit Gateway"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam_vpc_endpoint_create.html), and the
environment's VPC has no route out. Reversal: docs/runbooks/containment-aws.md."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.responders import aws_guardduty, packaging
from hardstack.components.responders.decision import Settings

HANDLER = "responders.aws_guardduty.handler"
# Lambda's Python runtimes include boto3, which is all the responder needs besides the standard library.
RUNTIME = "python3.12"
# The lowest GuardDuty score of each severity: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0
# (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html).
SEVERITY_FLOOR = {"low": 1.0, "medium": 4.0, "high": 7.0, "critical": 9.0}
ENV_TAG = aws_guardduty.ENV_TAG
EC2_DESCRIBE = ["ec2:DescribeIamInstanceProfileAssociations", "ec2:DescribeInstances", "ec2:DescribeSnapshots",
                "ec2:DescribeVolumes"]
# "You must grant users permission to call the following actions in order to use EBS encryption"
# (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html): snapshots of
# the compute-key volumes.
EBS_KMS = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
           "kms:ReEncryptTo"]
# What a publisher to an SNS topic encrypted with a customer key needs on that key
# (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), bound to the topic by the
# encryption context SNS sends, kms:EncryptionContext:aws:sns:topicArn (as AWS's own key policy for
# SNS publishers writes it: https://docs.amazonaws.cn/en_us/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html):
# the logs key also encrypts trail files and log groups, which the responder must not read.
SNS_KMS = ["kms:Decrypt", "kms:GenerateDataKey"]
# AWSXRayDaemonWriteAccess's upload actions, which active tracing needs in the execution role
# (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html); X-Ray has no resource-level scope.
XRAY = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"]
IAM_ROLE = ["iam:GetRolePolicy", "iam:ListRoleTags", "iam:PutRolePolicy", "iam:TagRole"]


@dataclass
class ContainmentArgs:
    environment: str
    account_id: str
    region: str
    vpc_id: pulumi.Input[str]
    alert_topic_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]  # the alert topic's and the function logs' key
    compute_key_arn: pulumi.Input[str]  # the workloads' volumes' key, hence their snapshots'
    workload_roles: Sequence[str]  # role names; each instance profile has its role's name
    function_name: str  # also the role's name
    mode: str = "notify"
    min_severity: str = "high"
    dry_run: bool = False
    log_retention_days: int = 365
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITY_FLOOR:
            raise ValueError(f"min_severity must be one of {', '.join(SEVERITY_FLOOR)}, got {self.min_severity!r}")
        if self.mode not in ("isolate", "notify"):
            raise ValueError(f"mode must be isolate or notify, got {self.mode!r}")
        if not self.workload_roles:
            raise ValueError("containment needs the workloads' role names: there is nothing to contain")

    def settings(self) -> Settings:
        return Settings(self.environment, self.mode, self.min_severity, self.dry_run)


def finding_pattern(min_severity: str) -> str:
    """GuardDuty findings about EC2 instances and about credentials (AccessKey: a role's sessions)
    at or above the threshold. The environment tag is checked by the function on the instance or
    role itself: EventBridge matches each field of an array of objects (the finding's tags)
    independently, so a pattern cannot pair a key with its value."""
    return json.dumps({
        "source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", SEVERITY_FLOOR[min_severity]]}],
                   "resource": {"resourceType": ["Instance", "AccessKey"]}},
    }, sort_keys=True)


def trust_policy(account_id: str) -> str:
    # Confused-deputy guard as AWS's own Lambda trust example writes it
    # (https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/skills/specialized-skills/serverless-skills/deploying-custom-domain-rest-api/scripts/lambda-trust-policy.json).
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]}, sort_keys=True)


def grants(args: ContainmentArgs, group_arn: pulumi.Input[str], log_group_arn: pulumi.Input[str]) -> list[Any]:
    """The function's permissions: each action on this environment's resources only."""
    ec2 = f"arn:aws:ec2:{args.region}:{args.account_id}"
    ours = {"StringEquals": {f"aws:ResourceTag/{ENV_TAG}": args.environment}}
    roles = [f"arn:aws:iam::{args.account_id}:role/{r}" for r in sorted(args.workload_roles)]
    profiles = [f"arn:aws:iam::{args.account_id}:instance-profile/{r}" for r in sorted(args.workload_roles)]
    return [
        {"Sid": "ReadWorkloads", "Effect": "Allow", "Action": EC2_DESCRIBE, "Resource": "*"},  # no resource scope
        {"Sid": "IsolateOwnInstances", "Effect": "Allow",
         "Action": ["ec2:DisassociateIamInstanceProfile", "ec2:ModifyInstanceAttribute"],
         "Resource": f"{ec2}:instance/*", "Condition": ours},
        {"Sid": "IntoQuarantineGroupOnly", "Effect": "Allow", "Action": ["ec2:ModifyInstanceAttribute"],
         "Resource": group_arn},
        {"Sid": "SnapshotOwnVolumes", "Effect": "Allow", "Action": ["ec2:CreateSnapshot"],
         "Resource": f"{ec2}:volume/*", "Condition": ours},
        {"Sid": "SnapshotsTaggedAsOurs", "Effect": "Allow", "Action": ["ec2:CreateSnapshot"],
         "Resource": f"arn:aws:ec2:{args.region}::snapshot/*",
         "Condition": {"StringEquals": {f"aws:RequestTag/{ENV_TAG}": args.environment}}},
        {"Sid": "TagSnapshotsOnCreate", "Effect": "Allow", "Action": ["ec2:CreateTags"],
         "Resource": f"arn:aws:ec2:{args.region}::snapshot/*",
         "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}}},
        {"Sid": "TagOwnInstancesAndVolumes", "Effect": "Allow", "Action": ["ec2:CreateTags"],
         "Resource": [f"{ec2}:instance/*", f"{ec2}:volume/*"], "Condition": ours},
        {"Sid": "SnapshotEncryptedVolumes", "Effect": "Allow", "Action": EBS_KMS, "Resource": args.compute_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": f"ec2.{args.region}.amazonaws.com"}}},
        {"Sid": "GrantsForSnapshots", "Effect": "Allow", "Action": ["kms:CreateGrant"],
         "Resource": args.compute_key_arn,
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"},
                       "StringEquals": {"kms:ViaService": f"ec2.{args.region}.amazonaws.com"}}},
        {"Sid": "ReadWorkloadProfiles", "Effect": "Allow", "Action": ["iam:GetInstanceProfile"], "Resource": profiles},
        {"Sid": "RevokeWorkloadSessions", "Effect": "Allow", "Action": IAM_ROLE, "Resource": roles},
        {"Sid": "ReportToAlertTopic", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": args.alert_topic_arn},
        {"Sid": "EncryptedAlertTopic", "Effect": "Allow", "Action": SNS_KMS, "Resource": args.logs_key_arn,
         "Condition": {"StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": args.alert_topic_arn}}},
        {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")]},
        {"Sid": "Tracing", "Effect": "Allow", "Action": XRAY, "Resource": "*"},
    ]


def code() -> pulumi.AssetArchive:
    """The shared responder shape and this cloud's responder, as package `responders` (its relative
    import of decision.py works there as in hardstack.components.responders)."""
    # Text assets, not file paths: the rendered graph holds the exact source shipped, and nothing
    # that depends on where the checkout lives (GCP's archive is built the same way).
    return pulumi.AssetArchive({
        name: pulumi.StringAsset(data.decode("utf-8")) for name, data in packaging.modules("aws").items()
    })


class Containment(pulumi.ComponentResource):
    quarantine: aws.ec2.SecurityGroup
    function: aws.lambda_.Function
    rule: aws.cloudwatch.EventRule

    def __init__(self, name: str, args: ContainmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:Containment", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        # No ingress and no egress: the provider removes the allow-all egress rule AWS adds to a
        # new group ("Terraform will remove this default rule", aws_security_group docs, NOTE on
        # Egress rules: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group).
        # Connections already tracked survive the change (see the runbook).
        self.quarantine = aws.ec2.SecurityGroup(
            f"{name}-quarantine", vpc_id=args.vpc_id, ingress=[], egress=[],
            description=f"{args.environment}: quarantine, no traffic in or out (automated containment)",
            tags={**tags, "purpose": "quarantine"}, opts=child,
        )
        self.logs = EncryptedLogGroup(f"{name}-responder", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.log_retention_days, tags=tags,
        ), opts=child)
        self.role = aws.iam.Role(
            f"{name}-role", name=args.function_name, assume_role_policy=trust_policy(args.account_id),
            description="hardstack containment responder: isolates this environment's instances",
            max_session_duration=3600, force_detach_policies=True, tags=tags, opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-grants", role=self.role.id, opts=child,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17",
                                             "Statement": grants(args, self.quarantine.arn, self.logs.arn)}),
        )
        environment = {**args.settings().as_env(), aws_guardduty.QUARANTINE_GROUP: self.quarantine.id,
                       aws_guardduty.ALERT_TOPIC: args.alert_topic_arn}
        self.function = aws.lambda_.Function(
            f"{name}-responder", name=args.function_name, role=self.role.arn, runtime=RUNTIME,
            handler=HANDLER, code=code(), timeout=120, memory_size=256, architectures=["arm64"],
            environment={"variables": environment},
            # One response at a time: two deliveries of one finding never race past each other's
            # checks; Lambda keeps throttled asynchronous events and retries them.
            reserved_concurrent_executions=1,
            # Events that still fail after Lambda's retries reach people through the alert topic.
            dead_letter_config={"target_arn": args.alert_topic_arn},
            tracing_config={"mode": "Active"},
            # Custom log group: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html
            logging_config={"log_format": "JSON", "log_group": self.logs.name},
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, self.logs]),
        )
        self.rule = aws.cloudwatch.EventRule(
            f"{name}-findings", description=f"GuardDuty findings about EC2 instances, {args.min_severity} and above",
            event_pattern=finding_pattern(args.min_severity), state="ENABLED", tags=tags, opts=child,
        )
        # EventBridge may invoke the function for this rule only
        # (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html, add-permission).
        permission = aws.lambda_.Permission(
            f"{name}-invoke", action="lambda:InvokeFunction", function=self.function.name,
            principal="events.amazonaws.com", source_arn=self.rule.arn, source_account=args.account_id, opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-to-responder", rule=self.rule.name, arn=self.function.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        self.register_outputs({"function_arn": self.function.arn, "quarantine_group_id": self.quarantine.id})
