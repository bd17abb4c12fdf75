"""TrainingEnv: hardstack's AWS environment plus an isolated inference environment beside it.

ACME serves models where training can never reach them. `TrainingEnv` builds everything the
built-in AWS blueprint builds from the spec (keys, buckets, audit trail, network, workloads,
monitoring) and adds `IsolatedInference`: a VPC of its own (no peering, no route to the training
network, its own endpoints and flow logs), a serving fleet on AMD SEV-SNP whose security group
admits only its own peers, and a role of its own that may read the models bucket and nothing else.
It shares the environment's KMS keys: the models it reads are encrypted with the data key, its
disks with the compute key, its logs with the logs key, so one key policy governs each kind of
data whichever network uses it.

A spec selects it with `blueprint: acme_platform.blueprints:TrainingEnv`; hardstack calls
`TrainingEnv.build(env)` (the contract is in hardstack's blueprints/custom.py).
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pulumi

from hardstack.blueprints.aws import AwsEnvironment, provider
from hardstack.components.aws import guardduty_agent
from hardstack.components.aws.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.aws.endpoints import INTERFACE_SERVICES, PrivateEndpoints, PrivateEndpointsArgs
from hardstack.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.spec import Environment, names
from hardstack.spec.models import Workload

# The serving fleet, validated by hardstack's own spec model like a workload of the spec.
SERVING = Workload(name="serving", machine_type="c6a.2xlarge", confidential="sev-snp", count=2,
                   role="inference", disk_gb=100)
# The isolated network's range; build() refuses a spec whose network overlaps it.
INFERENCE_CIDR = "192.168.0.0/16"
# Serving calls no SageMaker management APIs: its endpoints leave that one out.
SERVING_SERVICES = tuple(s for s in INTERFACE_SERVICES if s != "sagemaker.api")


class IsolatedInference(pulumi.ComponentResource):
    """A serving fleet in a network of its own, using the keys and model buckets of `environment`."""

    def __init__(self, name: str, environment: TrainingEnv, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:platform:IsolatedInference", name, None, opts)
        env, keys = environment.env, environment.keys
        child = pulumi.ResourceOptions(parent=self)
        tags = {**environment.tags, "workload": SERVING.name, "isolation": "inference"}
        purposes = {b.name: b.purpose for b in env.data.buckets}
        models = [b.arn for n, b in environment.buckets.items() if purposes[n] == "models"]
        self.network = PrivateNetwork(f"{name}-net", PrivateNetworkArgs(
            cidr=INFERENCE_CIDR, region=env.region, account_id=env.account, zones=env.network.zones,
            flow_log_key_arn=keys["logs"].arn, flow_log_retention_days=env.logging.retention_days,
            egress="none", tags=tags,
        ), opts=child)
        # Only the model buckets are reachable through this network's S3 gateway: never the datasets.
        self.endpoints = PrivateEndpoints(f"{name}-endpoints", PrivateEndpointsArgs(
            vpc_id=self.network.vpc.id, vpc_cidr=INFERENCE_CIDR, region=env.region, account_id=env.account,
            subnet_ids=[s.id for s in self.network.endpoint_subnets],
            route_table_ids=[t.id for t in self.network.route_tables[: len(self.network.workload_subnets)]],
            bucket_arns=models, services=SERVING_SERVICES, guardduty_agent_region=environment.agent_region,
            tags=tags,
        ), opts=child)
        self.logs = EncryptedLogGroup(name, EncryptedLogGroupArgs(
            kms_key_arn=keys["logs"].arn, retention_days=env.logging.retention_days, tags=tags,
        ), opts=child)
        self.identity = WorkloadIdentity(name, WorkloadIdentityArgs(
            role_name=environment.role_names[SERVING.name], account_id=env.account, region=env.region,
            role="inference", data_key_arn=keys["data"].arn, model_bucket_arns=models,
            log_group_arn=self.logs.arn, tags=tags,
            agent_artifacts_arn=(guardduty_agent.artifact_objects_arn(environment.agent_region)
                                 if environment.agent_region else None),
        ), opts=child)
        self.workload = ConfidentialWorkload(name, ConfidentialWorkloadArgs(
            instance_type=SERVING.machine_type, count=SERVING.count,
            subnet_ids=[s.id for s in self.network.workload_subnets], vpc_id=self.network.vpc.id,
            vpc_cidr=INFERENCE_CIDR, disk_key_arn=keys["compute"].arn,
            instance_profile=self.identity.instance_profile.name, disk_gb=SERVING.disk_gb, confidential=True,
            s3_prefix_list_id=self.endpoints.s3.prefix_list_id,
            guardduty_agent_region=environment.agent_region, tags=tags,
        ), opts=pulumi.ResourceOptions(parent=self, depends_on=[environment.guardrails]))
        self.register_outputs({"vpc_id": self.network.vpc.id, "role_arn": self.identity.role.arn})


class TrainingEnv(AwsEnvironment):
    """The built-in AWS environment, whose data key also admits the serving role, plus
    `IsolatedInference`. It hooks into AwsEnvironment's steps (_keys, _workloads, outputs);
    tests/test_custom_blueprint.py renders it, so a change there that breaks this shows."""

    @classmethod
    def build(cls, env: Environment) -> dict[str, Any]:
        if env.cloud != "aws":
            raise ValueError(f"TrainingEnv builds AWS environments; this spec says cloud: {env.cloud}")
        if any(w.name == SERVING.name for w in env.workloads):
            raise ValueError(f"TrainingEnv adds the workload '{SERVING.name}' itself: rename the spec's workload")
        if ipaddress.ip_network(env.network.cidr).overlaps(ipaddress.ip_network(INFERENCE_CIDR)):
            raise ValueError(f"network.cidr {env.network.cidr} overlaps the inference network {INFERENCE_CIDR}")
        return cls(env, provider(env)).outputs()

    def _keys(self) -> None:
        # Key policies admit their users by role ARN (the roles need not exist yet): name the
        # serving role before the keys are declared, or it could never decrypt a model.
        self.role_names = {**self.role_names, SERVING.name: names.aws_role_name(self.env.name, SERVING.name)}
        super()._keys()

    def _workloads(self) -> None:
        super()._workloads()
        self.inference = IsolatedInference(f"{self.env.name}-{SERVING.name}", self, opts=self.child)

    def outputs(self) -> dict[str, Any]:
        return {**super().outputs(), "inference_vpc_id": self.inference.network.vpc.id,
                "inference_role_arn": self.inference.identity.role.arn}
