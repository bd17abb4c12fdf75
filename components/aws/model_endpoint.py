"""One private model endpoint: a SageMaker model with network isolation in the environment's
private subnets, served from an endpoint configuration encrypted with the data key, run as its own
role that may read that one model archive, pull that one ECR repository and write its own logs.

The execution role is what "SageMaker can assume to access model artifacts and docker image for
deployment"; network isolation means "No inbound or outbound network calls can be made to or from
the model container" (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sagemaker-model.html).
The instances sit in the private subnets, whose only ways out are the environment's endpoints: the
S3 gateway (archive, ECR image layers) and the ecr/logs/kms interface endpoints; whether SageMaker
fetches the image through them or its own network is for a deployment to show (README).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.sagemaker_role import SageMakerRole, SageMakerRoleArgs

IMAGE = re.compile(r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/"
                   r"(?P<repository>[a-z0-9._/-]+?)(:[\w.-]+|@sha256:[0-9a-f]{64})")


def repository_arn(image: str) -> str:
    match = IMAGE.fullmatch(image)
    if match is None:
        raise ValueError(f"{image!r} is not an Amazon ECR image URI")
    return f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"


def endpoint_log_group(endpoint_name: str) -> str:
    """The log group SageMaker hosting writes a container's output to; created here so it is
    encrypted and retained (https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html)."""
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


@dataclass
class ModelEndpointArgs:
    endpoint_name: str
    role_name: str
    account_id: str
    region: str
    image: str
    model_bucket_arn: pulumi.Input[str]
    model_key: str  # the archive's key in that bucket
    instance_type: str
    instance_count: int
    subnet_ids: Sequence[pulumi.Input[str]]
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    s3_prefix_list_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        repository_arn(self.image)  # not an ECR image: ValueError
        if not self.subnet_ids:
            raise ValueError("a private endpoint needs the environment's private subnets")


class ModelEndpoint(pulumi.ComponentResource):
    model: aws.sagemaker.Model
    config: aws.sagemaker.EndpointConfiguration
    endpoint: aws.sagemaker.Endpoint

    def __init__(self, name: str, args: ModelEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:ModelEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.logs = EncryptedLogGroup(f"{name}-serving", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.log_retention_days, tags=tags,
            group_name=endpoint_log_group(args.endpoint_name),
        ), opts=child)
        archive = pulumi.Output.concat(args.model_bucket_arn, "/", args.model_key)
        self.role = SageMakerRole(f"{name}-serving", SageMakerRoleArgs(
            role_name=args.role_name, account_id=args.account_id, region=args.region, purpose="serving",
            data_key_arn=args.data_key_arn, read_arns=[archive], read_actions=["s3:GetObject"],
            log_group_arns=[self.logs.arn],
            ecr_repository_arns=[repository_arn(args.image)], tags=tags,
        ), opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id,
            description=f"{args.endpoint_name}: model hosting, to the AWS endpoints and S3 only",
            ingress=[],
            egress=[
                {"description": "HTTPS to the VPC's AWS API endpoints (ECR, logs, KMS)", "protocol": "tcp",
                 "from_port": 443, "to_port": 443, "cidr_blocks": [args.vpc_cidr]},
                {"description": "HTTPS to S3 through the gateway endpoint (archive, image layers)",
                 "protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_ids": [args.s3_prefix_list_id]},
            ],
            tags={**tags, "purpose": "sagemaker-endpoint"}, opts=child,
        )
        bucket_name = pulumi.Output.from_input(args.model_bucket_arn).apply(lambda arn: arn.split(":::", 1)[-1])
        self.model = aws.sagemaker.Model(
            f"{name}-model", name=args.endpoint_name, execution_role_arn=self.role.arn,
            enable_network_isolation=True,
            vpc_config={"subnets": list(args.subnet_ids), "security_group_ids": [self.security_group.id]},
            primary_container={"image": args.image,
                               "model_data_url": pulumi.Output.concat("s3://", bucket_name, "/", args.model_key)},
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[self.role.policy]),
        )
        self.config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config", name=args.endpoint_name, kms_key_arn=args.data_key_arn,
            production_variants=[{"variant_name": "primary", "model_name": self.model.name,
                                  "instance_type": args.instance_type,
                                  "initial_instance_count": args.instance_count}],
            tags=tags, opts=child,
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint", name=args.endpoint_name, endpoint_config_name=self.config.name,
            tags=tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[self.logs]),
        )
        self.register_outputs({"endpoint_name": self.endpoint.name, "role_arn": self.role.arn})
