"""VPC endpoints: AWS APIs reached privately, each endpoint limited to this account.

S3 is a gateway endpoint on the workload route tables; everything else is an interface
endpoint in the endpoint subnets, reachable on 443 from inside the VPC only. With GuardDuty's
runtime agent (components.aws.guardduty_agent) the `guardduty-data` endpoint is added too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from hardstack.components.aws import guardduty_agent

_ECR = (
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
    "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
)
# What workloads may call through each interface endpoint: named actions, no wildcards.
SERVICE_ACTIONS: dict[str, tuple[str, ...]] = {
    "kms": (
        "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo",
    ),
    "sts": ("sts:AssumeRole", "sts:GetCallerIdentity"),
    "logs": ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"),
    "ecr.api": _ECR,
    "ecr.dkr": _ECR,
    "sagemaker.api": (
        "sagemaker:DescribeEndpoint", "sagemaker:DescribeModel", "sagemaker:DescribeTrainingJob",
        "sagemaker:ListEndpoints",
    ),
    "sagemaker.runtime": (
        "sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync",
        "sagemaker:InvokeEndpointWithResponseStream",
    ),
    "bedrock-runtime": (
        "bedrock:Converse", "bedrock:ConverseStream", "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
    ),
    # SSM parameters for configuration only; there is no Session Manager shell (no interactive access).
    "ssm": ("ssm:GetParameter", "ssm:GetParameters"),
}
INTERFACE_SERVICES = tuple(SERVICE_ACTIONS)
# What a private EKS cluster without egress needs beyond those (ecr.api, ecr.dkr, the s3 gateway, sts and logs
# are there already): ec2 for the EKS-optimized AMI's node name and the VPC CNI, eks, and eks-auth for Pod
# Identity (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html). No load balancer is
# created, so no elasticloadbalancing. Added only for an environment with a cluster.
KUBERNETES_ACTIONS: dict[str, tuple[str, ...]] = {
    # The node and CNI actions of AmazonEKSWorkerNodePolicy and AmazonEKS_CNI_Policy
    # (components.aws.eks_node_group.NODE_ACTIONS), plus the CNI's interface tags.
    "ec2": (
        "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
        "ec2:CreateTags", "ec2:DeleteNetworkInterface", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications",
        "ec2:DescribeVpcs", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
        "ec2:UnassignPrivateIpAddresses",
    ),
    "eks": ("eks:DescribeCluster", "eks:ListClusters"),
    "eks-auth": ("eks-auth:AssumeRoleForPodIdentity",),
}
KUBERNETES_SERVICES = tuple(KUBERNETES_ACTIONS)
SERVICE_ACTIONS.update(KUBERNETES_ACTIONS)


@dataclass
class PrivateEndpointsArgs:
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    region: str
    account_id: str
    subnet_ids: Sequence[pulumi.Input[str]]
    route_table_ids: Sequence[pulumi.Input[str]]
    # Buckets reachable through the S3 gateway: this environment's own, plus the regional
    # bucket Amazon Linux package repositories live in.
    bucket_arns: Sequence[pulumi.Input[str]] = ()
    services: Sequence[str] = INTERFACE_SERVICES
    # Region whose GuardDuty agent artifacts workloads download (None: no runtime agent); adds
    # the `guardduty-data` endpoint and read access to that region's artifact bucket.
    guardduty_agent_region: str | None = None
    # Foundation-model and inference-profile ARNs the bedrock-runtime endpoint lets through (the
    # platform's allowed families); empty: the endpoint names no model (roles cap the models).
    bedrock_model_arns: Sequence[str] = ()
    # The guardduty-data endpoint without the agent artifacts: the EKS cluster's GuardDuty add-on
    # delivers through it (https://docs.aws.amazon.com/guardduty/latest/ug/managing-gdu-agent-eks-manually.html).
    guardduty_data: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.guardduty_agent_region is not None:
            guardduty_agent.artifact_bucket(self.guardduty_agent_region)  # unknown region: ValueError


def endpoint_policy(service: str, account_id: str, bedrock_model_arns: Sequence[str] = (), region: str = "") -> str:
    if service == "bedrock-runtime" and bedrock_model_arns:
        return bedrock_policy(account_id, region, bedrock_model_arns)
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ThisAccountNamedActions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": sorted(SERVICE_ACTIONS[service]),
        # Endpoint policies cap what IAM grants; the resources are capped by the roles' policies.
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }]}, sort_keys=True)


def bedrock_policy(account_id: str, region: str, model_arns: Sequence[str]) -> str:
    """Only the allowed models, and only with this account's guardrails: an endpoint policy is a
    second fence around the roles' grants (https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html)."""
    this_account = {"StringEquals": {"aws:PrincipalAccount": account_id}}
    root = {"AWS": f"arn:aws:iam::{account_id}:root"}
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowedModelsOnly", "Effect": "Allow", "Principal": root,
        "Action": sorted(SERVICE_ACTIONS["bedrock-runtime"]), "Resource": sorted(model_arns),
        "Condition": this_account,
    }, {
        # Invoking with a guardrail is also authorized against the guardrail
        # (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions.html).
        "Sid": "OwnGuardrails", "Effect": "Allow", "Principal": root, "Action": ["bedrock:ApplyGuardrail"],
        "Resource": f"arn:aws:bedrock:{region}:{account_id}:guardrail/*",
        "Condition": this_account,
    }]}, sort_keys=True)


class PrivateEndpoints(pulumi.ComponentResource):
    security_group: aws.ec2.SecurityGroup
    interface: dict[str, aws.ec2.VpcEndpoint]
    s3: aws.ec2.VpcEndpoint

    def __init__(self, name: str, args: PrivateEndpointsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:PrivateEndpoints", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id,
            description="HTTPS from inside the VPC to the AWS API endpoints",
            ingress=[{
                "description": "HTTPS from the VPC", "protocol": "tcp", "from_port": 443,
                "to_port": 443, "cidr_blocks": [args.vpc_cidr],
            }],
            egress=[], tags=tags, opts=child,
        )
        self.s3 = aws.ec2.VpcEndpoint(
            f"{name}-s3", vpc_id=args.vpc_id, vpc_endpoint_type="Gateway",
            service_name=f"com.amazonaws.{args.region}.s3",
            route_table_ids=list(args.route_table_ids),
            policy=s3_gateway_policy(args), tags=tags, opts=child,
        )
        self.interface = {
            service: aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}", vpc_id=args.vpc_id,
                vpc_endpoint_type="Interface",
                service_name=f"com.amazonaws.{args.region}.{service}",
                subnet_ids=list(args.subnet_ids), security_group_ids=[self.security_group.id],
                private_dns_enabled=True,
                policy=endpoint_policy(service, args.account_id, args.bedrock_model_arns, args.region),
                tags=tags, opts=child,
            )
            for service in args.services
        }
        self.guardduty_data: aws.ec2.VpcEndpoint | None = None
        if args.guardduty_agent_region is not None or args.guardduty_data:
            service = guardduty_agent.ENDPOINT_SERVICE
            # https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring-agent-connectivity.html:
            # the manually installed agent delivers through this endpoint's private DNS name.
            self.guardduty_data = aws.ec2.VpcEndpoint(
                f"{name}-{service}", vpc_id=args.vpc_id, vpc_endpoint_type="Interface",
                service_name=f"com.amazonaws.{args.region}.{service}",
                subnet_ids=list(args.subnet_ids), security_group_ids=[self.security_group.id],
                private_dns_enabled=True, policy=guardduty_agent.endpoint_policy(args.account_id),
                tags=tags, opts=child,
            )
        self.register_outputs({"s3_endpoint_id": self.s3.id})


def ecr_layer_objects(region: str) -> str:
    """Where ECR keeps image layers; pulls read them through the S3 gateway endpoint. Pulls
    need s3:GetObject only (PutObject on the same bucket is for pushes)
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html)."""
    return f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*"


def s3_gateway_policy(args: PrivateEndpointsArgs) -> pulumi.Output[str]:
    own: list[Any] = []
    for arn in args.bucket_arns:
        own += [arn, pulumi.Output.concat(arn, "/*")]
    repos = f"arn:aws:s3:::al2023-repos-{args.region}-*/*"
    # AWS-owned buckets that are NOT read with this account's credentials: ECR hands out layer
    # URLs presigned by ECR itself, and dnf reads the Amazon Linux repositories unsigned. A
    # statement limited to this account's principals never matches those requests, so both
    # are read-only grants to any principal, on AWS's objects only; AWS's own examples use
    # "Principal": "*" for both (ECR: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
    # Amazon Linux repositories: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html).
    reads: list[dict[str, Any]] = [{
        "Sid": "EcrImageLayers",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",  # AWS-owned layer bucket: pulls only, no PutObject
        "Resource": ecr_layer_objects(args.region),
    }]
    if args.guardduty_agent_region is not None:
        reads.append({
            "Sid": "GuardDutyAgentArtifacts",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{args.account_id}:root"},
            "Action": "s3:GetObject",  # AWS-owned artifact bucket: the agent RPM, signature, key
            "Resource": guardduty_agent.artifact_objects_arn(args.guardduty_agent_region),
            "Condition": {"StringEquals": {"aws:PrincipalAccount": args.account_id}},
        })
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "EnvironmentBucketsOnly",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{args.account_id}:root"},
        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:PutObject"],
        "Resource": own,
        "Condition": {"StringEquals": {"aws:PrincipalAccount": args.account_id}},
    }, {
        "Sid": "OsPackageRepositories",
        "Effect": "Allow",
        "Principal": "*",  # dnf's requests are unsigned (see above)
        "Action": "s3:GetObject",  # AWS-owned repository buckets: read only
        "Resource": repos,
    }, *reads]})
