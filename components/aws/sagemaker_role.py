"""An execution role SageMaker assumes (Studio users, notebook instances, a served model), as narrow
as the workload roles: named buckets or objects, the data key, its own log groups, named ECR
repositories, and foundation models only through the environment's guardrail.

No AmazonSageMakerFullAccess: every statement names its actions and this environment's resources,
and a permissions boundary caps what any later policy could add.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.bedrock import BedrockAccess, bedrock_statements
from hardstack.components.aws.identity import BOUNDARY_DENY

READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
# SageMaker creates grants for the volumes it encrypts with the key the role names (notebook, endpoint):
# "The SageMaker execution role must have kms:CreateGrant permission in order to encrypt data on the
# storage volume" (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sagemaker/aws.sdk.kotlin.services.sagemaker.model/-recommendation-job-input-config/volume-kms-key-id.html;
# CreateEndpointConfig: "The KMS key policy must grant permission to the IAM role that you specify",
# https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html).
KMS_USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
LOGS = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
# ECR pulls of one repository; GetAuthorizationToken has no resource scope.
ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


@dataclass
class SageMakerRoleArgs:
    role_name: str
    account_id: str
    region: str
    data_key_arn: pulumi.Input[str]
    purpose: str  # "studio" or "serving": says in the description who assumes it
    read_arns: Sequence[pulumi.Input[str]] = ()  # buckets and object patterns it may read
    read_actions: Sequence[str] = tuple(READ)  # one archive needs s3:GetObject only
    log_group_arns: Sequence[pulumi.Input[str]] = ()
    ecr_repository_arns: Sequence[str] = ()
    bedrock: BedrockAccess | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def trust_policy(account_id: str) -> str:
    # Confused-deputy guard; SageMaker documents it for inference and Studio
    # (https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html).
    # Notebook instances are not listed there: a deployment confirms they assume the role with it.
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]}, sort_keys=True)


def grants(args: SageMakerRoleArgs) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadNamedData", "Effect": "Allow", "Action": list(args.read_actions),
         "Resource": list(args.read_arns)},
        {"Sid": "UseDataKey", "Effect": "Allow", "Action": KMS_USE, "Resource": [args.data_key_arn]},
        {"Sid": "GrantsForSageMakerVolumes", "Effect": "Allow", "Action": ["kms:CreateGrant"],
         "Resource": [args.data_key_arn],
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"},
                       "StringEquals": {"kms:ViaService": f"sagemaker.{args.region}.amazonaws.com"}}},
        {"Sid": "WriteOwnLogs", "Effect": "Allow", "Action": LOGS,
         "Resource": [a for arn in args.log_group_arns for a in (arn, pulumi.Output.concat(arn, ":*"))]},
    ]
    if args.ecr_repository_arns:
        statements += [
            {"Sid": "PullNamedImages", "Effect": "Allow", "Action": ECR_PULL,
             "Resource": sorted(args.ecr_repository_arns)},
            {"Sid": "EcrToken", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        ]
    if args.bedrock is not None:
        statements += bedrock_statements(args.bedrock)
    return [s for s in statements if s["Resource"]]


def boundary(args: SageMakerRoleArgs) -> dict[str, Any]:
    """The ceiling: what grants() may give, and never tampering with the environment's controls."""
    ceiling = [s for s in grants(args) if s["Effect"] == "Allow"]
    for statement in ceiling:
        statement["Sid"] = f"Ceiling{statement['Sid']}"
        statement.pop("Condition", None)  # the conditions narrow the grants; the ceiling is the set of actions
    return {"Version": "2012-10-17", "Statement": [
        *ceiling, {"Sid": "NeverTamperWithControls", "Effect": "Deny", "Action": BOUNDARY_DENY, "Resource": "*"},
    ]}


class SageMakerRole(pulumi.ComponentResource):
    role: aws.iam.Role
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: SageMakerRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:SageMakerRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        policy_boundary = aws.iam.Policy(
            f"{name}-boundary", name=f"{args.role_name}-boundary",
            description=f"Permissions boundary of {args.role_name}",
            policy=pulumi.Output.json_dumps(boundary(args)), tags=tags, opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-role", name=args.role_name, assume_role_policy=trust_policy(args.account_id),
            description=f"hardstack SageMaker {args.purpose} execution role",
            permissions_boundary=policy_boundary.arn, max_session_duration=3600,
            force_detach_policies=True, tags=tags, opts=child,
        )
        self.policy = aws.iam.RolePolicy(
            f"{name}-grants", role=self.role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": grants(args)}), opts=child,
        )
        self.arn = self.role.arn
        self.register_outputs({"role_arn": self.role.arn})
