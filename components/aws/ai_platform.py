"""The managed AI platform of one environment: the studio execution role, the VPC-only SageMaker
domain and notebook instances, the Bedrock guardrail with invocation logging, and one private
model endpoint per spec entry. The blueprint builds it only when the spec has a `platform` section.

The data key's policy must let these roles and SageMaker use the key; the blueprint names the
roles (studio_role_name, serving_role_name) in it before they exist (aws:PrincipalArn).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from hardstack.components.aws.bedrock import BedrockAccess, BedrockGuardrail, BedrockGuardrailArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.model_endpoint import ModelEndpoint, ModelEndpointArgs
from hardstack.components.aws.sagemaker_role import SageMakerRole, SageMakerRoleArgs
from hardstack.components.aws.sagemaker_workspace import SageMakerWorkspace, SageMakerWorkspaceArgs
from hardstack.spec import names

# The log groups SageMaker writes Studio's and notebook instances' output to, with the caller's role
# (https://docs.aws.amazon.com/sagemaker/latest/dg/logging-cloudwatch.html).
STUDIO_LOGS = "/aws/sagemaker/studio"
NOTEBOOK_LOGS = "/aws/sagemaker/NotebookInstances"


def studio_role_name(environment: str) -> str:
    return f"{environment}-sagemaker-studio"


def serving_role_name(environment: str, endpoint: str) -> str:
    # IAM role names are at most 64 characters; two 30-character spec names would not fit.
    return names.fit_name(f"{environment}-{endpoint}-serving", 64)


@dataclass
class EndpointSpec:
    name: str
    image: str
    model_bucket: str  # the environment's bucket key (spec name) the archive is in
    model_key: str
    instance_type: str
    count: int


@dataclass
class AiPlatformArgs:
    environment: str
    account_id: str
    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    s3_prefix_list_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    # spec bucket name -> bucket ARN; what the studio role may read (datasets and models)
    bucket_arns: Mapping[str, pulumi.Input[str]]
    notebook_count: int = 0
    notebook_type: str = "ml.t3.medium"
    endpoints: Sequence[EndpointSpec] = ()
    # Foundation-model ARN patterns the studio role may invoke; empty: no Bedrock at all.
    model_arns: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


class AiPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: AiPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:AiPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.guardrail: BedrockGuardrail | None = None
        # What every role that invokes foundation models in this environment is given (the studio role
        # here, the workloads' inference roles in the blueprint).
        self.access: BedrockAccess | None = None
        if args.model_arns:
            self.guardrail = BedrockGuardrail(f"{name}-bedrock", BedrockGuardrailArgs(
                environment=args.environment, account_id=args.account_id, region=args.region,
                key_arn=args.data_key_arn, tags=tags,
            ), opts=child)
            self.access = BedrockAccess(model_arns=args.model_arns, guardrail_arn=self.guardrail.arn,
                                        guardrail_version=self.guardrail.version.version,
                                        guardrail_key_arn=args.data_key_arn)
        groups = [STUDIO_LOGS] + ([NOTEBOOK_LOGS] if args.notebook_count else [])
        self.logs = [EncryptedLogGroup(f"{name}-{group.rsplit('/', 1)[-1].lower()}", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.log_retention_days, tags=tags, group_name=group,
        ), opts=child) for group in groups]
        buckets = list(args.bucket_arns.values())
        self.studio_role = SageMakerRole(f"{name}-studio", SageMakerRoleArgs(
            role_name=studio_role_name(args.environment), account_id=args.account_id, region=args.region,
            purpose="studio and notebook", data_key_arn=args.data_key_arn,
            read_arns=[*buckets, *(pulumi.Output.concat(b, "/*") for b in buckets)],
            log_group_arns=[g.arn for g in self.logs], bedrock=self.access, tags=tags,
        ), opts=child)
        self.workspace = SageMakerWorkspace(f"{name}-workspace", SageMakerWorkspaceArgs(
            environment=args.environment, vpc_id=args.vpc_id, vpc_cidr=args.vpc_cidr, subnet_ids=args.subnet_ids,
            s3_prefix_list_id=args.s3_prefix_list_id, data_key_arn=args.data_key_arn,
            execution_role_arn=self.studio_role.arn, notebook_count=args.notebook_count,
            notebook_type=args.notebook_type, tags=tags,
        ), opts=pulumi.ResourceOptions(parent=self, depends_on=[self.studio_role.policy, *self.logs]))
        self.endpoints = {
            e.name: ModelEndpoint(f"{name}-{e.name}", ModelEndpointArgs(
                endpoint_name=f"{args.environment}-{e.name}", role_name=serving_role_name(args.environment, e.name),
                account_id=args.account_id, region=args.region, image=e.image,
                model_bucket_arn=args.bucket_arns[e.model_bucket], model_key=e.model_key,
                instance_type=e.instance_type, instance_count=e.count, subnet_ids=args.subnet_ids,
                vpc_id=args.vpc_id, vpc_cidr=args.vpc_cidr, s3_prefix_list_id=args.s3_prefix_list_id,
                data_key_arn=args.data_key_arn, logs_key_arn=args.logs_key_arn,
                log_retention_days=args.log_retention_days, tags={**tags, "endpoint": e.name},
            ), opts=child)
            for e in args.endpoints
        }
        self.register_outputs({})

    def outputs(self) -> dict[str, object]:
        return {
            "sagemaker_domain_id": self.workspace.domain.id,
            "notebooks": [n.name for n in self.workspace.notebooks],
            "model_endpoints": {n: e.endpoint.name for n, e in self.endpoints.items()},
            **({"guardrail_arn": self.guardrail.arn} if self.guardrail else {}),
        }

