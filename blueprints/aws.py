"""The hardened AI environment on AWS, composed from components/aws.

Order matters only where AWS needs it: keys come first (their users are matched by ARN
condition, so roles need not exist yet), then buckets, network, the managed AI platform when the
spec asks for one (its guardrail bounds the workloads' model invocations), identities and workloads.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from hardstack.blueprints import aws_kubernetes
from hardstack.blueprints.tags import aws_tags
from hardstack.components.aws import guardduty_agent
from hardstack.components.aws.account_guardrails import AccountGuardrails, AccountGuardrailsArgs
from hardstack.components.aws.ai_platform import (
    AiPlatform,
    AiPlatformArgs,
    EndpointSpec,
    serving_role_name,
    studio_role_name,
)
from hardstack.components.aws.audit import AuditTrail, AuditTrailArgs, trail_arn
from hardstack.components.aws.bedrock import model_arns
from hardstack.components.aws.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.aws.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.aws.containment import Containment, ContainmentArgs
from hardstack.components.aws.endpoints import INTERFACE_SERVICES, PrivateEndpoints, PrivateEndpointsArgs
from hardstack.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.aws.kms_key import KmsKey, KmsKeyArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from hardstack.components.aws.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.spec import Environment, names
from hardstack.spec.platforms import aws as aws_offer


def bucket_name(env: Environment, suffix: str) -> str:
    # The same derivation validation checks against S3's naming rules (hardstack.spec.names).
    return names.aws_bucket_name(env.name, suffix, env.account)


def foundation_model_arns(env: Environment) -> list[str]:
    """The foundation models the platform's roles and the bedrock-runtime endpoint allow."""
    platform = env.platform
    if platform is None or platform.foundation_models is None:
        return []
    patterns = [aws_offer.MODEL_FAMILIES[f] for f in platform.foundation_models.allow]
    geography = aws_offer.profile_geography(env.region)
    # A geography's inference profile routes to that geography's regions only, which ones depending on
    # the model ("According to the model chosen, this might include ...",
    # https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_bedrock_alpha/CrossRegionInferenceProfileRegion.html):
    # the grant names the geography's Bedrock regions; the profile, never the grant, picks where a request runs.
    profile_regions = sorted(r for r in aws_offer.GUARDRAIL_REGIONS
                             if geography is not None and aws_offer.profile_geography(r) == geography
                             and not r.startswith("us-gov"))
    return model_arns(env.region, env.account, patterns, geography, profile_regions)


class AwsEnvironment(pulumi.ComponentResource):
    """The root of one environment: every resource of the stack hangs below it."""

    def __init__(self, env: Environment, provider: aws.Provider) -> None:
        super().__init__(
            "hardstack:aws:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        self.env = env
        self.tags = aws_tags(env)
        self.child = pulumi.ResourceOptions(parent=self)
        self.role_names = {w.name: names.aws_role_name(env.name, w.name) for w in env.workloads}
        self.trail_name = names.aws_trail_name(env.name)
        self.audit_reader = names.aws_audit_reader_name(env.name)
        # GuardDuty's runtime agent is installed by hand (no Systems Manager) when threat
        # detection is on; the spec refuses regions without a known artifact bucket.
        self.agent_region = env.region if env.monitoring.threat_detection and env.workloads else None
        # The containment responder acts on GuardDuty's findings, so it exists wherever they do.
        self.responder = (names.fit_name(f"{env.name}-containment-responder", 64)
                          if env.monitoring.threat_detection and env.workloads else None)
        self.model_arns = foundation_model_arns(env)
        self._keys()
        self._storage()
        self._network()
        # Before the workloads: their inference roles invoke models through the platform's guardrail.
        self._platform()
        self._workloads()
        # The EKS cluster and its node groups, only with a `kubernetes` section (blueprints/aws_kubernetes.py).
        self.cluster_outputs = aws_kubernetes.build(self)
        self.monitoring = ThreatMonitoring(f"{env.name}-monitoring", ThreatMonitoringArgs(
            account_id=env.account, region=env.region, alert_email=env.monitoring.alert_email,
            topic_key_arn=self.keys["logs"].arn, threat_detection=env.monitoring.threat_detection,
            tags=self.tags,
        ), opts=self.child)
        self._containment()
        self.register_outputs(self.outputs())

    def _platform_roles(self) -> list[str]:
        env = self.env
        if env.platform is None:
            return []
        names_ = [studio_role_name(env.name)] + [serving_role_name(env.name, e.name) for e in env.platform.endpoints]
        return [f"arn:aws:iam::{env.account}:role/{n}" for n in names_]

    def _keys(self) -> None:
        env, region = self.env, self.env.region
        role_arns = [f"arn:aws:iam::{env.account}:role/{n}" for n in self.role_names.values()]
        data: dict[str, Any] = {"users": role_arns}
        if env.platform is not None:
            # The platform's roles use the key by name; SageMaker encrypts notebook and endpoint volumes with
            # it through grants ("The KMS key policy must grant permission to the IAM role",
            # https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html), the
            # domain's EFS home is encrypted by EFS (https://docs.aws.amazon.com/efs/latest/ug/EFSKMS.html)
            # and the guardrail by Bedrock, for the principal that creates it
            # (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html): each only
            # through that service in this region (kms:ViaService), as the compute key does for EBS.
            data = {"users": role_arns + self._platform_roles(),
                    "via_services": ["sagemaker", "elasticfilesystem"] + (["bedrock"] if self.model_arns else [])}
        # The responder publishes to the alert topic, which the logs key encrypts.
        responder = [f"arn:aws:iam::{env.account}:role/{self.responder}"] if self.responder else []
        users: dict[str, dict[str, Any]] = {
            "data": data,
            "logs": {
                "users": responder,
                "services": [f"logs.{region}.amazonaws.com"],
                "sns_event_sources": ["events.amazonaws.com"],
                "cloudtrail_trail_arns": [trail_arn(region, env.account, self.trail_name)],
                "cloudtrail_log_readers": [f"arn:aws:iam::{env.account}:role/{self.audit_reader}"],
            },
            "compute": {"via_services": ["ec2"]},
        }
        aws_kubernetes.key_users(env, users["data"], users["compute"])
        self.keys = {
            purpose: KmsKey(f"{env.name}-{purpose}", KmsKeyArgs(
                purpose=purpose, account_id=env.account, region=region,
                rotation_days=env.keys.rotation_days,
                deletion_window_days=env.keys.deletion_window_days, tags=self.tags, **who,
            ), opts=self.child)
            for purpose, who in users.items()
        }

    def _storage(self) -> None:
        env = self.env
        # Every bucket that logs into access-logs is named here, so its grant can be exact.
        sources = [bucket_name(env, b.name) for b in env.data.buckets] + [bucket_name(env, "audit")]
        self.access_logs = SecureBucket(f"{env.name}-access-logs", SecureBucketArgs(
            bucket_name=bucket_name(env, "access-logs"), kind="access-logs", account_id=env.account,
            noncurrent_retention_days=env.logging.retention_days, log_sources=sources, tags=self.tags,
        ), opts=self.child)
        self.buckets = {
            b.name: SecureBucket(f"{env.name}-{b.name}", SecureBucketArgs(
                bucket_name=bucket_name(env, b.name), kind=b.purpose, account_id=env.account,
                kms_key_arn=self.keys["data"].arn, access_log_bucket=self.access_logs.name,
                noncurrent_retention_days=env.data.retention_days, lock_days=env.data.model_lock_days,
                tags={**self.tags, "data-classification": env.data_classification},
            ), opts=self.child)
            for b in env.data.buckets
        }
        self.audit = AuditTrail(f"{env.name}-audit", AuditTrailArgs(
            trail_name=self.trail_name, bucket_name=bucket_name(env, "audit"),
            account_id=env.account, region=env.region, logs_key_arn=self.keys["logs"].arn,
            access_log_bucket=self.access_logs.name, retention_days=env.logging.retention_days,
            data_bucket_arns=[b.arn for b in self.buckets.values()], reader_role_name=self.audit_reader,
            tags=self.tags,
        ), opts=self.child)

    def _network(self) -> None:
        env = self.env
        self.network = PrivateNetwork(f"{env.name}-net", PrivateNetworkArgs(
            cidr=env.network.cidr, region=env.region, account_id=env.account, zones=env.network.zones,
            flow_log_key_arn=self.keys["logs"].arn, flow_log_retention_days=env.logging.retention_days,
            egress=env.network.egress, tags=self.tags,
        ), opts=self.child)
        workload_tables = self.network.route_tables[: len(self.network.workload_subnets)]
        self.endpoints = PrivateEndpoints(f"{env.name}-endpoints", PrivateEndpointsArgs(
            vpc_id=self.network.vpc.id, vpc_cidr=env.network.cidr, region=env.region,
            account_id=env.account, subnet_ids=[s.id for s in self.network.endpoint_subnets],
            route_table_ids=[t.id for t in workload_tables],
            bucket_arns=[b.arn for b in self.buckets.values()], guardduty_agent_region=self.agent_region,
            bedrock_model_arns=self.model_arns, tags=self.tags,
            services=aws_kubernetes.endpoint_services(env, INTERFACE_SERVICES),
            guardduty_data=aws_kubernetes.guardduty_data(env),
        ), opts=self.child)
        self.guardrails = AccountGuardrails(f"{env.name}-guardrails", AccountGuardrailsArgs(
            account_id=env.account,
        ), opts=self.child)

    def _workloads(self) -> None:
        env = self.env
        purposes = {b.name: b.purpose for b in env.data.buckets}
        datasets = [b.arn for n, b in self.buckets.items() if purposes[n] == "datasets"]
        models = [b.arn for n, b in self.buckets.items() if purposes[n] == "models"]
        self.workloads: dict[str, ConfidentialWorkload] = {}
        for w in env.workloads:
            name = f"{env.name}-{w.name}"
            tags = {**self.tags, "workload": w.name}
            logs = EncryptedLogGroup(name, EncryptedLogGroupArgs(
                kms_key_arn=self.keys["logs"].arn, retention_days=env.logging.retention_days, tags=tags,
            ), opts=self.child)
            identity = WorkloadIdentity(name, WorkloadIdentityArgs(
                role_name=self.role_names[w.name], account_id=env.account, region=env.region,
                role=w.role, data_key_arn=self.keys["data"].arn, dataset_bucket_arns=datasets,
                model_bucket_arns=models, log_group_arn=logs.arn, tags=tags,
                bedrock=self.platform.access if self.platform is not None else None,
                agent_artifacts_arn=(guardduty_agent.artifact_objects_arn(self.agent_region)
                                     if self.agent_region else None),
            ), opts=self.child)
            self.workloads[w.name] = ConfidentialWorkload(name, ConfidentialWorkloadArgs(
                instance_type=w.machine_type, count=w.count,
                subnet_ids=[s.id for s in self.network.workload_subnets],
                vpc_id=self.network.vpc.id, vpc_cidr=env.network.cidr,
                disk_key_arn=self.keys["compute"].arn, instance_profile=identity.instance_profile.name,
                disk_gb=w.disk_gb, confidential=env.confidential_kind(w) != "none",
                internet_egress=env.network.egress == "nat", s3_prefix_list_id=self.endpoints.s3.prefix_list_id,
                guardduty_agent_region=self.agent_region, tags=tags,
            ), opts=pulumi.ResourceOptions(parent=self, depends_on=[self.guardrails]))

    def _containment(self) -> None:
        env = self.env
        self.containment: Containment | None = None
        if self.responder is None:
            return
        response = env.monitoring.response
        self.containment = Containment(f"{env.name}-containment", ContainmentArgs(
            environment=env.name, account_id=env.account, region=env.region, vpc_id=self.network.vpc.id,
            alert_topic_arn=self.monitoring.topic.arn, logs_key_arn=self.keys["logs"].arn,
            compute_key_arn=self.keys["compute"].arn, workload_roles=sorted(self.role_names.values()),
            function_name=self.responder, mode=env.response_mode(), min_severity=response.min_severity,
            dry_run=response.dry_run, log_retention_days=env.logging.retention_days, tags=self.tags,
        ), opts=self.child)

    def _platform(self) -> None:
        env = self.env
        self.platform: AiPlatform | None = None
        if env.platform is None:
            return
        endpoints = []
        for e in env.platform.endpoints:
            assert e.image is not None and e.model_artifact is not None  # the spec requires both on aws
            bucket, _, key = e.model_artifact.partition("/")
            endpoints.append(EndpointSpec(name=e.name, image=e.image, model_bucket=bucket, model_key=key,
                                          instance_type=e.instance_type or aws_offer.OFFER.endpoint_default or "",
                                          count=e.count))
        notebooks = env.platform.notebooks
        self.platform = AiPlatform(f"{env.name}-platform", AiPlatformArgs(
            environment=env.name, account_id=env.account, region=env.region, vpc_id=self.network.vpc.id,
            vpc_cidr=env.network.cidr, subnet_ids=[s.id for s in self.network.workload_subnets],
            s3_prefix_list_id=self.endpoints.s3.prefix_list_id, data_key_arn=self.keys["data"].arn,
            logs_key_arn=self.keys["logs"].arn, log_retention_days=env.logging.retention_days,
            bucket_arns={n: b.arn for n, b in self.buckets.items()},
            notebook_count=notebooks.count if notebooks else 0,
            notebook_type=(notebooks.instance_type if notebooks else None) or aws_offer.OFFER.notebook_default,
            endpoints=endpoints, model_arns=self.model_arns,
            tags={**self.tags, "data-classification": env.data_classification},
        ), opts=pulumi.ResourceOptions(parent=self, depends_on=[self.endpoints]))

    def outputs(self) -> dict[str, Any]:
        platform = self.platform.outputs() if self.platform is not None else {}
        return {
            "vpc_id": self.network.vpc.id,
            "data_key_arn": self.keys["data"].arn,
            "buckets": {n: b.name for n, b in self.buckets.items()},
            "trail_arn": self.audit.trail.arn,
            "alerts_topic_arn": self.monitoring.topic.arn,
            **platform,
            **self.cluster_outputs,
        }


def provider(env: Environment) -> aws.Provider:
    # An explicit provider pinned to the spec's account: a stack can never land in another
    # account by accident, and one program can hold several environments.
    return aws.Provider(f"{env.name}-aws", region=env.region, allowed_account_ids=[env.account])


def build(env: Environment) -> dict[str, Any]:
    return AwsEnvironment(env, provider(env)).outputs()
