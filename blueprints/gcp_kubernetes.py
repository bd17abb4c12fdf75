"""The GKE cluster of a GCP environment (spec `kubernetes`), wired from the environment's parts: the
workload subnet and its pod/service ranges, the data key for secrets, the disks key for boot disks,
the audit log bucket for the cluster's logs. Kept apart from blueprints/gcp.py, which calls it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from hardstack.components.gcp.gke import GkeCluster, GkeClusterArgs
from hardstack.components.gcp.gke_node_pools import ConfidentialNodePool, ConfidentialNodePoolArgs, node_config
from hardstack.components.gcp.names import resource_name, service_account_id
from hardstack.components.gcp.network import PODS_RANGE, SERVICES_RANGE
from hardstack.spec import Environment, catalog
from hardstack.spec.kubernetes.models import NodePool
from hardstack.spec.kubernetes.rules import kind_of

if TYPE_CHECKING:
    from hardstack.blueprints.gcp import GcpEnvironment


def pool_zones(env: Environment, pool: NodePool) -> list[str]:
    """The spec's zones, else the first `network.zones` zones of the region that run the machine type
    confidentially (the catalog's list; validation guarantees one), else -a, -b, -c."""
    if pool.zones:
        return list(pool.zones)
    family = catalog.family_of("gcp", pool.machine_type)
    kind = kind_of("gcp", pool.confidential)
    offered = family.zones_in(env.region) if family is not None and kind != "none" else []
    if not offered:
        offered = [f"{env.region}-{letter}" for letter in "abc"]
    return offered[: env.network.zones]


def pool_args(root: GcpEnvironment, pool: NodePool, cluster: pulumi.Input[str],
              account: pulumi.Input[str]) -> ConfidentialNodePoolArgs:
    env = root.env
    return ConfidentialNodePoolArgs(
        project=root.project, location=env.region, cluster=cluster, pool_name=pool.name,
        machine_type=pool.machine_type, count=pool.count, zones=pool_zones(env, pool),
        service_account_email=account, disk_key_id=root.keys.ids["disks"],
        confidential=kind_of("gcp", pool.confidential),  # type: ignore[arg-type]
        gpu_kind=pool.gpu.kind if pool.gpu else None, gpu_count=pool.gpu.count if pool.gpu else 0,
        disk_gb=pool.disk_gb, provisioning=pool.provisioning, max_run_hours=pool.max_run_hours,
        labels={**root.labels, "node-pool": pool.name},
    )


class Kubernetes:
    """The cluster and its pools: `cluster` (GkeCluster) and `pools` by spec name."""

    def __init__(self, root: GcpEnvironment) -> None:
        env, spec = root.env, root.env.kubernetes
        assert spec is not None and root.network.kubernetes_ranges is not None
        ranges = root.network.kubernetes_ranges
        name = resource_name(env.name, "gke")
        first = spec.node_pools[0]
        # The default pool (removed once the cluster exists) takes the first pool's hardened config.
        default = pool_args(root, first, "", "")
        self.cluster = GkeCluster(f"{env.name}-gke", GkeClusterArgs(
            project=root.project, region=env.region, cluster_name=name, version=spec.version,
            network=root.network.network.id, subnetwork=root.network.workload_subnet.id,
            subnet_cidr=root.network.workload_cidr, pods_range=PODS_RANGE, services_range=SERVICES_RANGE,
            pods_cidr=ranges["pods"], services_cidr=ranges["services"], master_cidr=ranges["master"],
            secrets_key_id=root.keys.ids["data"], default_pool_config=node_config(default),
            default_pool_zones=default.zones, node_account_id=service_account_id(env.name, "gke-nodes"),
            log_destination=root.audit.destination, labels=root.labels, network_ready=root.network.paths,
        ), opts=root.after_apis)
        cluster = self.cluster.cluster
        self.pools = {
            pool.name: ConfidentialNodePool(
                f"{env.name}-{pool.name}",
                pool_args(root, pool, cluster.id, self.cluster.node_account.email), opts=root.after_apis)
            for pool in spec.node_pools
        }

    def outputs(self) -> dict[str, Any]:
        return {
            "gke_cluster": self.cluster.cluster.name,
            "gke_endpoint": self.cluster.cluster.endpoint,
            "gke_node_pools": {n: p.pool.name for n, p in self.pools.items()},
            "gke_node_account": self.cluster.node_account.email,
        }
