"""Where people work with the data: a SageMaker domain (Studio) in VPC-only mode and, when asked,
notebook instances; both in the environment's private subnets, encrypted with the data key, run as
the studio execution role (components.aws.sagemaker_role), without internet or root.

VpcOnly sends all Studio traffic through the VPC; with no route out, Studio reaches AWS only
through the environment's interface endpoints (sagemaker.api, sagemaker.runtime, sts, logs, ecr.*,
bedrock-runtime) and the S3 gateway
(https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from hardstack.spec.platforms.aws import NOTEBOOK_PLATFORM

# Studio in VpcOnly needs "NFS traffic over TCP on port 2049 between the domain and the Amazon EFS
# volume" and "TCP traffic within the security group. This is required for connectivity between the
# Jupyter Server application and the Kernel Gateway applications. You must allow access to at least
# ports in the range 8192-65535"; "Create a distinct security group for each user profile"
# (https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html,
# "Requirements to use VPC only mode").
NFS = 2049
APP_PORTS = (8192, 65535)


@dataclass
class SageMakerWorkspaceArgs:
    environment: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    s3_prefix_list_id: pulumi.Input[str]  # the S3 gateway endpoint's prefix list (model and data reads)
    data_key_arn: pulumi.Input[str]
    execution_role_arn: pulumi.Input[str]
    notebook_count: int = 0
    notebook_type: str = "ml.t3.medium"
    notebook_volume_gb: int = 50
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.subnet_ids:
            raise ValueError("a VPC-only SageMaker domain needs the environment's private subnets")


def _egress(args: SageMakerWorkspaceArgs) -> list[dict[str, object]]:
    return [
        {"description": "HTTPS to the VPC's AWS API endpoints", "protocol": "tcp", "from_port": 443,
         "to_port": 443, "cidr_blocks": [args.vpc_cidr]},
        {"description": "HTTPS to S3 through the gateway endpoint", "protocol": "tcp", "from_port": 443,
         "to_port": 443, "prefix_list_ids": [args.s3_prefix_list_id]},
    ]


class SageMakerWorkspace(pulumi.ComponentResource):
    domain: aws.sagemaker.Domain
    notebooks: list[aws.sagemaker.NotebookInstance]

    def __init__(self, name: str, args: SageMakerWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:SageMakerWorkspace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        # The domain's own group reaches the EFS home only; the users' apps get a group of their own.
        self.domain_group = aws.ec2.SecurityGroup(
            f"{name}-domain-sg", vpc_id=args.vpc_id,
            description=f"{args.environment}: SageMaker domain to its EFS home (NFS) only",
            ingress=[{"description": "NFS from the domain's apps to their EFS home", "protocol": "tcp",
                      "from_port": NFS, "to_port": NFS, "self": True}],
            egress=[{"description": "NFS to the domain's EFS home", "protocol": "tcp", "from_port": NFS,
                     "to_port": NFS, "self": True}],
            tags={**tags, "purpose": "sagemaker-domain"}, opts=child,
        )
        # AWS recommends a group per user profile: apps sharing a group that admits itself reach each
        # other's apps without authentication. hardstack creates no user profiles; this default group
        # is what a profile created without its own group gets (see the README's deployment notes).
        self.studio_group = aws.ec2.SecurityGroup(
            f"{name}-studio-sg", vpc_id=args.vpc_id,
            description=f"{args.environment}: SageMaker Studio apps, their EFS home and the AWS endpoints",
            ingress=[
                {"description": "NFS from Studio apps to their EFS home", "protocol": "tcp", "from_port": NFS,
                 "to_port": NFS, "self": True},
                {"description": "JupyterServer to KernelGateway apps", "protocol": "tcp",
                 "from_port": APP_PORTS[0], "to_port": APP_PORTS[1], "self": True},
            ],
            egress=[
                *_egress(args),
                {"description": "NFS to the domain's EFS home", "protocol": "tcp", "from_port": NFS,
                 "to_port": NFS, "self": True},
                {"description": "JupyterServer to KernelGateway apps", "protocol": "tcp",
                 "from_port": APP_PORTS[0], "to_port": APP_PORTS[1], "self": True},
            ],
            tags={**tags, "purpose": "sagemaker-studio"}, opts=child,
        )
        self.domain = aws.sagemaker.Domain(
            f"{name}-domain", domain_name=f"{args.environment}-studio", auth_mode="IAM",
            vpc_id=args.vpc_id, subnet_ids=list(args.subnet_ids), app_network_access_type="VpcOnly",
            kms_key_id=args.data_key_arn,
            default_user_settings={
                "execution_role": args.execution_role_arn,
                "security_groups": [self.studio_group.id],
            },
            domain_settings={"security_group_ids": [self.domain_group.id]},
            # The home volume outlives a deleted domain: user data is removed deliberately, not by a destroy.
            retention_policy={"home_efs_file_system": "Retain"},
            tags=tags, opts=child,
        )
        self.notebooks = []
        if args.notebook_count:
            self.notebook_group = aws.ec2.SecurityGroup(
                f"{name}-notebook-sg", vpc_id=args.vpc_id,
                description=f"{args.environment}: notebook instances, to the AWS endpoints only",
                ingress=[], egress=_egress(args), tags={**tags, "purpose": "sagemaker-notebook"}, opts=child,
            )
        for index in range(args.notebook_count):
            subnet = list(args.subnet_ids)[index % len(args.subnet_ids)]
            self.notebooks.append(aws.sagemaker.NotebookInstance(
                f"{name}-notebook-{index + 1}", name=f"{args.environment}-notebook-{index + 1}",
                instance_type=args.notebook_type, role_arn=args.execution_role_arn,
                subnet_id=subnet, security_groups=[self.notebook_group.id],
                direct_internet_access="Disabled", root_access="Disabled",
                instance_metadata_service_configuration={"minimum_instance_metadata_service_version": "2"},
                kms_key_id=args.data_key_arn, platform_identifier=NOTEBOOK_PLATFORM,
                volume_size=args.notebook_volume_gb, tags=tags, opts=child,
            ))
        self.register_outputs({"domain_id": self.domain.id,
                               "notebooks": [n.name for n in self.notebooks]})
