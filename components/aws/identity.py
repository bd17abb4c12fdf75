"""One IAM role per workload: EC2-only trust, a permissions boundary, scoped inline grants.

Instances get short-lived credentials from the instance profile (no access keys anywhere).
Every Allow names its actions and this environment's resources: keys, buckets, its log group,
and the region's foundation models (with the platform's foundation-model access: only the allowed
families, only through the environment's guardrail). There is deliberately no interactive access (no SSH, no
Session Manager, whose channel APIs cannot be scoped to a resource): workloads are immutable
and change by redeployment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.bedrock import BedrockAccess, bedrock_statements

READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
WRITE = ["s3:PutObject"]
KMS_READ = ["kms:Decrypt", "kms:DescribeKey"]
KMS_WRITE = ["kms:Encrypt", "kms:GenerateDataKey"]
LOGS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
BEDROCK = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
# What no workload may ever do, whatever an inline policy later says.
BOUNDARY_DENY = [
    "cloudtrail:DeleteTrail", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
    "guardduty:DeleteDetector", "guardduty:UpdateDetector", "iam:AttachRolePolicy",
    "iam:CreateAccessKey", "iam:CreateUser", "iam:DeleteRolePermissionsBoundary",
    "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "kms:DisableKey",
    "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning",
]


@dataclass
class WorkloadIdentityArgs:
    role_name: str
    account_id: str
    region: str
    role: Literal["training", "inference"]
    data_key_arn: pulumi.Input[str]
    dataset_bucket_arns: Sequence[pulumi.Input[str]] = ()
    model_bucket_arns: Sequence[pulumi.Input[str]] = ()
    log_group_arn: pulumi.Input[str] | None = None
    # Objects of AWS's GuardDuty agent artifact bucket the instance downloads at first boot
    # (components.aws.guardduty_agent.artifact_objects_arn); None: no runtime agent.
    agent_artifacts_arn: str | None = None
    max_session_seconds: int = 3600
    # With the managed AI platform's foundation-model access: inference roles invoke the allowed models
    # only, through the environment's guardrail (components.aws.bedrock); None: any model of the region.
    bedrock: BedrockAccess | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def trust_policy(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]}, sort_keys=True)


def _objects(arns: Sequence[pulumi.Input[str]]) -> list[Any]:
    return [pulumi.Output.concat(a, "/*") for a in arns]


def grants(args: WorkloadIdentityArgs) -> list[dict[str, Any]]:
    """The inline statements: reading datasets and writing models for training, reading
    models for inference; the data key for exactly those operations."""
    reads = list(args.model_bucket_arns) + (list(args.dataset_bucket_arns) if args.role == "training" else [])
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadOwnBuckets", "Effect": "Allow", "Action": READ,
         "Resource": reads + _objects(reads)},
        {"Sid": "UseDataKey", "Effect": "Allow",
         "Action": KMS_READ + (KMS_WRITE if args.role == "training" else []),
         "Resource": [args.data_key_arn]},
    ]
    if args.role == "training":
        statements.append({"Sid": "WriteModels", "Effect": "Allow", "Action": WRITE,
                           "Resource": _objects(args.model_bucket_arns)})
    elif args.bedrock is not None:
        statements += bedrock_statements(args.bedrock)
    else:
        statements.append({"Sid": "InvokeFoundationModels", "Effect": "Allow", "Action": BEDROCK,
                           "Resource": f"arn:aws:bedrock:{args.region}::foundation-model/*"})
    if args.log_group_arn is not None:
        statements.append({"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": LOGS,
                           "Resource": [args.log_group_arn, pulumi.Output.concat(args.log_group_arn, ":*")]})
    if args.agent_artifacts_arn is not None:
        # `aws s3 cp` of the agent RPM, signature and key signs with this role: IAM must allow it.
        statements.append({"Sid": "ReadGuardDutyAgent", "Effect": "Allow", "Action": ["s3:GetObject"],
                           "Resource": [args.agent_artifacts_arn]})
    return [s for s in statements if s["Resource"]]


def boundary(args: WorkloadIdentityArgs) -> dict[str, Any]:
    buckets = list(args.dataset_bucket_arns) + list(args.model_bucket_arns)
    log_groups = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:/hardstack/*"
    agent = ([{"Sid": "CeilingGuardDutyAgent", "Effect": "Allow", "Action": ["s3:GetObject"],
               "Resource": [args.agent_artifacts_arn]}] if args.agent_artifacts_arn is not None else [])
    models: list[dict[str, Any]] = [{"Sid": "CeilingModels", "Effect": "Allow", "Action": BEDROCK,
                                     "Resource": f"arn:aws:bedrock:{args.region}::foundation-model/*"}]
    if args.bedrock is not None:
        models = [{"Sid": "CeilingModels", "Effect": "Allow", "Action": BEDROCK,
                   "Resource": sorted(args.bedrock.model_arns)},
                  {"Sid": "CeilingGuardrail", "Effect": "Allow", "Action": ["bedrock:ApplyGuardrail"],
                   "Resource": [args.bedrock.guardrail_arn]}]
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "CeilingEnvironmentData", "Effect": "Allow", "Action": READ + WRITE,
         "Resource": buckets + _objects(buckets)},
        {"Sid": "CeilingDataKey", "Effect": "Allow", "Action": KMS_READ + KMS_WRITE,
         "Resource": [args.data_key_arn]},
        {"Sid": "CeilingLogs", "Effect": "Allow", "Action": LOGS, "Resource": [log_groups, f"{log_groups}:*"]},
        *models,
        *agent,
        {"Sid": "NeverTamperWithControls", "Effect": "Deny", "Action": BOUNDARY_DENY, "Resource": "*"},
    ]}


class WorkloadIdentity(pulumi.ComponentResource):
    role: aws.iam.Role
    instance_profile: aws.iam.InstanceProfile

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.boundary = aws.iam.Policy(
            f"{name}-boundary", name=f"{args.role_name}-boundary",
            description=f"Permissions boundary of {args.role_name}",
            policy=pulumi.Output.json_dumps(boundary(args)), tags=tags, opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-role", name=args.role_name, assume_role_policy=trust_policy(args.account_id),
            permissions_boundary=self.boundary.arn, max_session_duration=args.max_session_seconds,
            force_detach_policies=True, tags=tags, opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-grants", role=self.role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": grants(args)}),
            opts=child,
        )
        self.instance_profile = aws.iam.InstanceProfile(
            f"{name}-profile", name=args.role_name, role=self.role.name, tags=tags, opts=child,
        )
        self.register_outputs({"role_arn": self.role.arn})
