"""GKE node pools on Confidential GKE Nodes: Intel TDX (c3, a3-highgpu-1g) or AMD SEV-SNP (n2d).

Every pool (one `gcp.container.NodePool` per spec pool):
- `node_config.confidential_nodes {enabled, confidential_instance_type}`: TDX or SEV_SNP per pool
  (pulumi-gcp 10.2 NodePoolNodeConfigConfidentialNodesArgs; GKE takes SEV, SEV_SNP or TDX per node pool,
  https://cloud.google.com/kubernetes-engine/docs/how-to/confidential-gke-nodes). Changing the type
  replaces the pool. A pool runs without it only when the caller says `confidential="none"` (the spec
  allows that only with an exemption).
- Host maintenance: NodePool exposes no `on_host_maintenance` (its node_config has only
  `host_maintenance_policy.maintenance_interval`); GKE creates confidential nodes with the TERMINATE
  policy that Confidential VMs other than SEV on N2D require
  (https://cloud.google.com/confidential-computing/confidential-vm/docs/error-messages: "All other
  Confidential VM types don't support live migration, and must set their onHostMaintenance policy to
  TERMINATE"). That GKE sets it is for a deployment to confirm.
- Shielded nodes (secure boot, integrity monitoring), `workload_metadata_config.mode=GKE_METADATA`
  (Workload Identity: pods never see the node's credentials), COS_CONTAINERD, auto-repair and
  auto-upgrade, the cluster's own node service account with the cloud-platform scope (what it may do
  is decided by its narrow IAM roles), boot disks encrypted with the disks key (`boot_disk_kms_key`;
  the Compute Engine agent holds it, blueprints/gcp.py).
- Placement: `node_locations` = the pool's zones (the spec's, else the catalog's zones of the region
  that run the machine type confidentially).
- Provisioning: `spot=True` for spot; flex-start is `flex_start=True` with `max_run_duration` and
  `reservation_affinity NO_RESERVATION` (pulumi-gcp 10.2 NodePoolNodeConfigArgs.flex_start, max_run_duration
  "The runtime of each node in the node pool in seconds, terminated by 's'") and queued provisioning
  (NodePoolQueuedProvisioningArgs) with autoscaling from zero, which queued provisioning requires.
- Confidential GPU (a3-highgpu-1g, TDX, one H100): `guest_accelerators [{type nvidia-h100-80gb, count 1,
  gpu_driver_installation_config.gpu_driver_version INSTALLATION_DISABLED}]`. GKE's default driver is
  not the confidential-computing one: the GPU page installs it with the
  nvidia-driver-installer/cos/daemonset-confidential.yaml DaemonSet
  (https://cloud.google.com/kubernetes-engine/docs/how-to/gpus, "GPU driver version that supports
  running GPU workloads on Confidential GKE Nodes"), and terraform-google-kubernetes-engine's
  examples/confidential_gpu_public/main.tf sets gpu_driver_version INSTALLATION_DISABLED, spot, TDX and
  that DaemonSet. Applying the DaemonSet is a post-deployment step (README).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.compute import CLOUD_PLATFORM, INSTANCE_TYPE
from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options
from hardstack.spec import catalog

Confidential = Literal["tdx", "sev-snp", "none"]
Provisioning = Literal["standard", "spot", "flex-start"]
IMAGE_TYPE = "COS_CONTAINERD"
# GKE's accelerator names (https://cloud.google.com/compute/docs/gpus): the catalog's GPU kinds.
ACCELERATORS = {"h100": "nvidia-h100-80gb", "a100": "nvidia-tesla-a100", "l4": "nvidia-l4", "t4": "nvidia-tesla-t4"}
DRIVER_FOR_CONFIDENTIAL_GPU = "INSTALLATION_DISABLED"
DRIVER_DEFAULT = "DEFAULT"
# A3 takes Hyperdisk (terraform-google-kubernetes-engine examples/confidential_gpu_public uses
# hyperdisk-balanced for a3-highgpu-1g); C3 and N2D take pd-balanced.
HYPERDISK_FAMILIES = ("a3-",)


@dataclass
class ConfidentialNodePoolArgs:
    project: str
    location: str  # the cluster's region
    cluster: pulumi.Input[str]
    pool_name: str
    machine_type: str
    count: int
    zones: Sequence[str]
    service_account_email: pulumi.Input[str]
    disk_key_id: pulumi.Input[str]
    confidential: Confidential = "tdx"
    gpu_kind: str | None = None
    gpu_count: int = 0
    disk_gb: int = 100
    provisioning: Provisioning = "standard"
    max_run_hours: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.zones:
            raise ValueError(f"{self.pool_name}: a node pool needs at least one zone")
        if (self.provisioning == "flex-start") != (self.max_run_hours is not None):
            raise ValueError(f"{self.pool_name}: max_run_hours is required with flex-start and only there")
        if self.confidential == "none":
            return
        family = catalog.family_of("gcp", self.machine_type)
        if family is None or family.kind != self.confidential:
            raise ValueError(f"{self.machine_type} cannot run {self.confidential} as a GKE node; types that can: "
                             f"{catalog.examples('gcp', self.confidential)}")
        if self.provisioning not in family.provisioning:
            raise ValueError(f"confidential {self.machine_type} runs only with provisioning "
                             f"{' or '.join(family.provisioning)} ({family.source})")


def confidential_nodes(args: ConfidentialNodePoolArgs) -> dict[str, Any] | None:
    if args.confidential == "none":
        return None
    return {"enabled": True, "confidential_instance_type": INSTANCE_TYPE[args.confidential]}


def provisioning(args: ConfidentialNodePoolArgs) -> dict[str, Any]:
    """node_config fields of the provisioning model (module docstring)."""
    # "Confidential VM instances with Intel TDX don't support reservations" (supported-configurations),
    # and flex-start capacity is never reserved: never try to consume one.
    settings: dict[str, Any] = (
        {"reservation_affinity": {"consume_reservation_type": "NO_RESERVATION"}}
        if args.confidential == "tdx" or args.provisioning == "flex-start" else {})
    if args.provisioning == "spot":
        settings["spot"] = True
    elif args.provisioning == "flex-start":
        assert args.max_run_hours is not None
        settings.update(flex_start=True, max_run_duration=f"{args.max_run_hours * 3600}s")
    return settings


def accelerators(args: ConfidentialNodePoolArgs) -> list[dict[str, Any]] | None:
    if args.gpu_kind is None:
        return None
    driver = DRIVER_FOR_CONFIDENTIAL_GPU if args.confidential != "none" else DRIVER_DEFAULT
    return [{"type": ACCELERATORS[args.gpu_kind], "count": args.gpu_count,
             "gpu_driver_installation_config": {"gpu_driver_version": driver}}]


def node_config(args: ConfidentialNodePoolArgs) -> dict[str, Any]:
    """The hardened node configuration; the cluster's (temporary) default pool takes it too."""
    config: dict[str, Any] = {
        "machine_type": args.machine_type,
        "image_type": IMAGE_TYPE,
        "disk_size_gb": args.disk_gb,
        "disk_type": "hyperdisk-balanced" if args.machine_type.startswith(HYPERDISK_FAMILIES) else "pd-balanced",
        "boot_disk_kms_key": args.disk_key_id,
        "service_account": args.service_account_email,
        "oauth_scopes": [CLOUD_PLATFORM],
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        # Legacy metadata endpoints are off on GKE >= 1.12; say so explicitly, as the hardening guide does.
        "metadata": {"disable-legacy-endpoints": "true"},
        "resource_labels": {**args.labels, "confidential": args.confidential.replace("-", "_")},
        **provisioning(args),
    }
    if (nodes := confidential_nodes(args)) is not None:
        config["confidential_nodes"] = nodes
    if (gpus := accelerators(args)) is not None:
        config["guest_accelerators"] = gpus
    return config


class ConfidentialNodePool(pulumi.ComponentResource):
    pool: gcp.container.NodePool

    def __init__(self, name: str, args: ConfidentialNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ConfidentialNodePool", name, None, opts)
        child = child_options(self, opts)
        queued = args.provisioning == "flex-start"
        sizing: dict[str, Any] = (
            # Queued provisioning starts from zero nodes and scales up when a request is admitted.
            {"initial_node_count": 0, "autoscaling": {"total_min_node_count": 0, "total_max_node_count": args.count,
                                                      "location_policy": "ANY"},
             "queued_provisioning": {"enabled": True}}
            if queued else {"node_count": args.count}
        )
        self.pool = gcp.container.NodePool(
            f"{name}-pool", name=resource_name(args.pool_name), project=args.project, location=args.location,
            cluster=args.cluster, node_locations=list(args.zones), node_config=node_config(args),
            management={"auto_repair": True, "auto_upgrade": True},
            upgrade_settings={"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
            opts=child, **sizing,
        )
        self.register_outputs({"pool": self.pool.name})
