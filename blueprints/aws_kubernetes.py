"""The EKS part of the AWS blueprint, built only when the spec has a `kubernetes` section: names the keys
must know before the cluster exists, the interface endpoints a private cluster needs, and the cluster
with one managed node group per pool and the Pod Identity agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from hardstack.components.aws.eks import EksCluster, EksClusterArgs, cluster_arn
from hardstack.components.aws.eks_node_group import EksNodeGroup, EksNodeGroupArgs
from hardstack.components.aws.endpoints import KUBERNETES_SERVICES
from hardstack.spec import Environment, names

if TYPE_CHECKING:
    from hardstack.blueprints.aws import AwsEnvironment

# Auto Scaling launches the managed node groups' instances as this service-linked role, so the compute key's
# policy must name it for the encrypted root volumes
# (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
ASG_SERVICE_ROLE = "arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


def cluster_name(env: Environment) -> str:
    return names.fit_name(f"{env.name}-eks", 100)


def cluster_role_name(env: Environment) -> str:
    return names.fit_name(f"{env.name}-eks-cluster", 64)


def node_role_name(env: Environment, pool: str) -> str:
    return names.fit_name(f"{env.name}-{pool}-node", 64)


def key_users(env: Environment, data: dict[str, Any], compute: dict[str, Any]) -> None:
    """Who uses the data and compute keys once there is a cluster (no-op without one): the cluster role
    encrypts secrets with the data key, and EKS creates the grant for it at cluster creation, as the
    deployer, through the EKS service; Auto Scaling's service-linked role launches the node volumes on the
    compute key."""
    if env.kubernetes is None:
        return
    cluster_role = f"arn:aws:iam::{env.account}:role/{cluster_role_name(env)}"
    data["users"] = [*data.get("users", []), cluster_role]
    data["grant_listers"] = [cluster_role]
    data["via_services"] = [*data.get("via_services", []), "eks"]
    compute["service_linked_roles"] = [ASG_SERVICE_ROLE.format(account=env.account)]


def endpoint_services(env: Environment, services: tuple[str, ...]) -> tuple[str, ...]:
    """The interface endpoints of the environment: with a cluster, also those a private EKS cluster needs."""
    if env.kubernetes is None:
        return services
    return services + tuple(s for s in KUBERNETES_SERVICES if s not in services)


def guardduty_data(env: Environment) -> bool:
    """Whether the cluster's GuardDuty agent needs the guardduty-data endpoint."""
    return env.kubernetes is not None and env.monitoring.threat_detection


def build(root: AwsEnvironment) -> dict[str, Any]:
    """The cluster, its node groups and the Pod Identity agent; the outputs they add to the stack's."""
    env = root.env
    spec = env.kubernetes
    if spec is None:
        return {}
    subnets = [s.id for s in root.network.workload_subnets]
    tags = {**root.tags, "data-classification": env.data_classification}
    cluster = EksCluster(f"{env.name}-eks", EksClusterArgs(
        cluster_name=cluster_name(env), role_name=cluster_role_name(env), account_id=env.account,
        region=env.region, version=spec.version, vpc_id=root.network.vpc.id, vpc_cidr=env.network.cidr,
        subnet_ids=subnets, secrets_key_arn=root.keys["data"].arn, logs_key_arn=root.keys["logs"].arn,
        log_retention_days=env.logging.retention_days, admins=list(spec.admins or ()), tags=tags,
    ), opts=pulumi.ResourceOptions(parent=root, depends_on=[root.endpoints]))
    pools = [
        EksNodeGroup(f"{env.name}-{pool.name}", EksNodeGroupArgs(
            cluster_name=cluster.cluster.name, pool_name=pool.name, role_name=node_role_name(env, pool.name),
            account_id=env.account, version=spec.version, instance_type=pool.machine_type, count=pool.count,
            subnet_ids=subnets, disk_key_arn=root.keys["compute"].arn, disk_gb=pool.disk_gb, region=env.region,
            cluster_arn=cluster_arn(env.region, env.account, cluster_name(env)),
            gpu=pool.gpu is not None, tags={**tags, "workload": pool.name},
        ), opts=pulumi.ResourceOptions(parent=root, depends_on=[root.guardrails]))
        for pool in spec.node_pools
    ]
    nodes = [p.node_group for p in pools]
    cluster.pod_identity_agent(nodes)
    if env.monitoring.threat_detection:
        # Runtime monitoring reaches the nodes only through the agent add-on and the guardduty-data endpoint.
        cluster.guardduty_agent(nodes)
    return {"cluster_name": cluster.cluster.name, "cluster_endpoint": cluster.cluster.endpoint,
            "cluster_log_group": cluster.logs.name}
