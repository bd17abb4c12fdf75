"""A private, hardened GKE Standard cluster (pulumi-gcp 10.2 `container.Cluster`); its node pools are
components/gcp/gke_node_pools.py.

The cluster:
- Private: private nodes and a private endpoint only (`private_cluster_config.enable_private_nodes`,
  `enable_private_endpoint`, no global access), master authorized networks limited to the
  environment's subnet, Google's public ranges refused (`gcp_public_cidrs_access_enabled=False`) and
  enforced on the private endpoint too. Nothing outside the VPC reaches the control plane directly.
  Deployers reach it through the Connect gateway: the cluster registers in the project's fleet
  (`fleet.project`; "Connect agent will not be installed by default for GKE clusters", gcloud container
  fleet memberships register), and `gcloud container fleet memberships get-credentials <cluster>` gives
  a kubeconfig whose calls go through connectgateway.googleapis.com with the caller's IAM identity
  (https://cloud.google.com/anthos/multicluster-management/gateway/using; the caller needs
  roles/gkehub.gatewayEditor and a Kubernetes role). From a network peered or connected by VPN or
  Interconnect, add its range to `authorized_cidrs`. Pulumi itself needs no access to the Kubernetes
  API: it talks to the GKE API only.
- Identity: Workload Identity (`workload_pool <project>.svc.id.goog`); no legacy ABAC, no client
  certificate (basic auth is gone from GKE and from the provider); shielded nodes; a dedicated node
  service account holding `roles/container.defaultNodeServiceAccount` (the role GKE documents for a
  least-privilege node account, https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts)
  and `roles/artifactregistry.reader` to pull images.
- Secrets: application-layer secrets encryption (`database_encryption ENCRYPTED`) with the
  environment's key; the GKE service agent service-<n>@container-engine-robot must hold
  cryptoKeyEncrypterDecrypter on it before the cluster is created
  (https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets): the key id passed in
  resolves only after that binding exists (KeyRing.ids). The key ring lives in the cluster's region,
  as a regional cluster requires.
- Binary Authorization enforced with the project's singleton policy
  (`PROJECT_SINGLETON_POLICY_ENFORCE`). The project's default policy admits every image, so enforcement
  alone would change nothing: the component writes that policy (`binaryauthorization.Policy`, one per
  project): Google-maintained system images are trusted (`global_policy_evaluation_mode ENABLE`),
  images from the environment's Artifact Registry in its region are admitted, everything else is
  blocked and audited.
- Dataplane V2 (`datapath_provider ADVANCED_DATAPATH`), which enforces Kubernetes NetworkPolicy itself
  (the Calico `network_policy` addon stays off, as GKE requires with Dataplane V2); intranode visibility.
- Release channel REGULAR, `min_master_version` the spec's minor (GKE picks the patch).
- Logging of SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, SCHEDULER and WORKLOADS
  (https://cloud.google.com/kubernetes-engine/docs/concepts/about-logs). GKE's audit logs are
  cloudaudit.googleapis.com logs, which the environment's audit sink already routes; the control plane,
  node, pod and container logs are not, so a sink of this cluster routes them into the same bucket.
- `remove_default_node_pool`: the default pool exists only while the cluster is created; it takes the
  first pool's hardened node config, so it is confidential too (the project's
  compute.restrictNonConfidentialComputing policy refuses anything else).
- Egress: the network denies all egress; the nodes may reach the nodes' subnet, the pod and service
  ranges and the control plane (firewall rules for the node account), Google APIs through PSC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options

RELEASE_CHANNEL = "REGULAR"
LOG_COMPONENTS: tuple[str, ...] = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS")
MONITORING_COMPONENTS: tuple[str, ...] = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER")
NODE_ROLES: tuple[str, ...] = ("roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader")
BINAUTHZ_MODE = "PROJECT_SINGLETON_POLICY_ENFORCE"
# Kubernetes logs that are not audit logs (https://cloud.google.com/kubernetes-engine/docs/concepts/about-logs):
# control plane components, nodes, pods and containers, and cluster events.
K8S_RESOURCES = ("k8s_control_plane_component", "k8s_node", "k8s_pod", "k8s_container")


def k8s_log_filter(cluster: str) -> str:
    types = " OR ".join(f'resource.type="{t}"' for t in K8S_RESOURCES)
    return (f'resource.labels.cluster_name="{cluster}" AND '
            f'(({types}) OR (resource.type="k8s_cluster" AND LOG_ID("events")))')


@dataclass
class GkeClusterArgs:
    project: str
    region: str
    cluster_name: str
    version: str  # a minor, e.g. "1.35"
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    subnet_cidr: str
    pods_range: str  # secondary range names on the subnetwork
    services_range: str
    pods_cidr: str
    services_cidr: str
    master_cidr: str  # a /28 outside every subnet
    secrets_key_id: pulumi.Input[str]
    default_pool_config: Mapping[str, Any]  # the first pool's node config (see the module docstring)
    default_pool_zones: Sequence[str]
    node_account_id: str
    log_destination: pulumi.Input[str]
    authorized_cidrs: Sequence[str] = ()
    # The network's paths nodes need at boot (firewall rules, the PSC endpoint, its DNS records): the
    # cluster's default pool boots nodes while the cluster is created, so it waits for them.
    network_ready: Sequence[pulumi.Resource] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.version.count(".") == 1:
            raise ValueError(f"version is a minor such as 1.35, got {self.version}")
        if not self.master_cidr.endswith("/28"):
            raise ValueError(f"the control plane range must be a /28, got {self.master_cidr}")


def node_account_member(email: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat("serviceAccount:", email)


class GkeCluster(pulumi.ComponentResource):
    cluster: gcp.container.Cluster
    node_account: gcp.serviceaccount.Account
    binauthz: gcp.binaryauthorization.Policy

    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:GkeCluster", name, None, opts)
        child = child_options(self, opts)
        self.node_account = gcp.serviceaccount.Account(
            f"{name}-nodes", project=args.project, account_id=args.node_account_id,
            display_name=f"hardstack GKE nodes {args.cluster_name}",
            description=f"node service account of the GKE cluster {args.cluster_name}", opts=child)
        grants = [
            gcp.projects.IAMMember(f"{name}-nodes-{role.split('/')[-1].replace('.', '-').lower()}",
                                   project=args.project, role=role, member=self.node_account.member, opts=child)
            for role in NODE_ROLES
        ]
        self.binauthz = self._binary_authorization(name, args, child)
        firewalls = self._firewalls(name, args, child)
        after = child_options(self, opts, *grants, self.binauthz, *firewalls, *args.network_ready)
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster", name=args.cluster_name, project=args.project, location=args.region,
            network=args.network, subnetwork=args.subnetwork, networking_mode="VPC_NATIVE",
            ip_allocation_policy={"cluster_secondary_range_name": args.pods_range,
                                  "services_secondary_range_name": args.services_range,
                                  "stack_type": "IPV4"},
            remove_default_node_pool=True, initial_node_count=1,
            node_locations=list(args.default_pool_zones),
            node_config={**args.default_pool_config, "service_account": self.node_account.email},
            min_master_version=args.version,
            release_channel={"channel": RELEASE_CHANNEL},
            private_cluster_config={
                "enable_private_nodes": True, "enable_private_endpoint": True,
                "master_ipv4_cidr_block": args.master_cidr,
                "master_global_access_config": {"enabled": False},
            },
            master_authorized_networks_config={
                "cidr_blocks": [{"cidr_block": c, "display_name": "environment" if c == args.subnet_cidr else c}
                                for c in [args.subnet_cidr, *args.authorized_cidrs]],
                "gcp_public_cidrs_access_enabled": False,
                "private_endpoint_enforcement_enabled": True,
            },
            workload_identity_config={"workload_pool": f"{args.project}.svc.id.goog"},
            fleet={"project": args.project},
            enable_shielded_nodes=True,
            database_encryption={"state": "ENCRYPTED", "key_name": args.secrets_key_id},
            binary_authorization={"evaluation_mode": BINAUTHZ_MODE},
            datapath_provider="ADVANCED_DATAPATH",
            # With Dataplane V2 the Calico addon must stay off; Dataplane V2 enforces NetworkPolicy.
            network_policy={"enabled": False},
            enable_intranode_visibility=True,
            enable_legacy_abac=False,
            enable_kubernetes_alpha=False,
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            logging_service="logging.googleapis.com/kubernetes",
            monitoring_service="monitoring.googleapis.com/kubernetes",
            logging_config={"enable_components": list(LOG_COMPONENTS)},
            monitoring_config={"enable_components": list(MONITORING_COMPONENTS)},
            resource_labels=dict(args.labels),
            deletion_protection=True,
            opts=after,
        )
        self.log_sink = gcp.logging.ProjectSink(
            f"{name}-k8s-logs-sink", name=resource_name(args.cluster_name, "k8s-logs"), project=args.project,
            destination=args.log_destination, filter=k8s_log_filter(args.cluster_name),
            unique_writer_identity=True,
            description=f"GKE control plane, node and workload logs of {args.cluster_name}", opts=child)
        self.register_outputs({"cluster": self.cluster.name, "endpoint": self.cluster.endpoint})

    def _binary_authorization(self, name: str, args: GkeClusterArgs,
                              child: pulumi.ResourceOptions) -> gcp.binaryauthorization.Policy:
        return gcp.binaryauthorization.Policy(
            f"{name}-binauthz", project=args.project,
            description=f"{args.cluster_name}: Google system images and the environment's registry only",
            global_policy_evaluation_mode="ENABLE",
            admission_whitelist_patterns=[{"name_pattern": f"{args.region}-docker.pkg.dev/{args.project}/**"}],
            default_admission_rule={"evaluation_mode": "ALWAYS_DENY",
                                    "enforcement_mode": "ENFORCED_BLOCK_AND_AUDIT_LOG"},
            opts=child)

    def _firewalls(self, name: str, args: GkeClusterArgs,
                   child: pulumi.ResourceOptions) -> list[gcp.compute.Firewall]:
        """The network denies all traffic; the nodes need each other, their pods and the control plane."""
        log = {"metadata": "INCLUDE_ALL_METADATA"}
        nodes = [self.node_account.email]
        inside = [args.subnet_cidr, args.pods_cidr]
        inbound = gcp.compute.Firewall(
            f"{name}-nodes-in", name=resource_name(args.cluster_name, "nodes-in"), project=args.project,
            network=args.network, direction="INGRESS", priority=1000, allows=[{"protocol": "all"}],
            source_ranges=[*inside, args.master_cidr], target_service_accounts=nodes, log_config=log,
            description=f"{args.cluster_name}: nodes, pods and the control plane reach the nodes", opts=child)
        outbound = gcp.compute.Firewall(
            f"{name}-nodes-out", name=resource_name(args.cluster_name, "nodes-out"), project=args.project,
            network=args.network, direction="EGRESS", priority=1000, allows=[{"protocol": "all"}],
            destination_ranges=[*inside, args.services_cidr, args.master_cidr], target_service_accounts=nodes,
            log_config=log, description=f"{args.cluster_name}: to the cluster's nodes, pods, services and "
            "control plane only", opts=child)
        return [inbound, outbound]
