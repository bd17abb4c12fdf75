"""Confidential workload instances: Intel TDX (or AMD SEV-SNP), Shielded VM, no public IP.

GCP runs TDX on c3-standard-* and on a3-highgpu-1g with its H100 (the confidential GPU), and
SEV-SNP on n2d with an AMD Milan CPU; `confidential` must match the machine type or the args
are rejected with the types that can. Confidential VMs cannot live-migrate, so hosts are left
with TERMINATE on maintenance. A workload runs without confidential computing only when the
caller says `confidential="none"` explicitly, which the spec allows only with an exemption.

Every instance: a TDX- and SEV-SNP-capable image, secure boot + vTPM + integrity monitoring,
no access config (no external IP), OS Login with project SSH keys blocked and the serial port
off, boot and data disks encrypted with the customer key, and its workload's own service
account. The cloud-platform scope is Google's recommended scope: what the account may do is
decided by its IAM grants alone, which are narrow (see identity.py and bucket.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options
from hardstack.spec import catalog

Confidential = Literal["tdx", "sev-snp", "none"]
# Ubuntu 24.04 LTS images carry the TDX_CAPABLE and SEV_SNP_CAPABLE guest OS features, and
# the kernel support NVIDIA confidential computing needs on a3-highgpu-1g.
DEFAULT_IMAGE = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64"
TDX_CAPABLE_IMAGES = frozenset({
    DEFAULT_IMAGE,
    "projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts",
    "projects/cos-cloud/global/images/family/cos-stable",
    "projects/rhel-cloud/global/images/family/rhel-9",
    "projects/confidential-space-images/global/images/family/confidential-space",
})
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
INSTANCE_TYPE = {"tdx": "TDX", "sev-snp": "SEV_SNP"}
OS_LOGIN_METADATA = {"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "serial-port-enable": "FALSE"}


@dataclass
class ConfidentialWorkloadArgs:
    project: str
    machine_type: str
    count: int
    zones: Sequence[str]
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    subnet_cidr: str
    service_account_email: pulumi.Input[str]
    disk_key_id: pulumi.Input[str]
    confidential: Confidential = "tdx"
    disk_gb: int = 100
    boot_disk_gb: int = 50
    image: str = DEFAULT_IMAGE
    provisioning: Literal["STANDARD", "SPOT", "FLEX_START"] = "STANDARD"
    max_run_hours: int | None = None  # FLEX_START only: the instance is deleted after this run time
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.zones:
            raise ValueError("a workload needs at least one zone")
        if (self.provisioning == "FLEX_START") != (self.max_run_hours is not None):
            raise ValueError("max_run_hours is required with FLEX_START provisioning and only there")
        if self.max_run_hours is not None and not 1 <= self.max_run_hours <= 168:
            raise ValueError(f"max_run_hours must be 1..168 (600 s to 7 days), got {self.max_run_hours}")
        if self.confidential == "none":
            return
        family = catalog.family_of("gcp", self.machine_type)
        if family is None or family.kind != self.confidential:
            raise ValueError(
                f"{self.machine_type} cannot run {self.confidential} on GCP; types that can: "
                f"{catalog.examples('gcp', self.confidential)} (or pass confidential='none' with an exemption)"
            )
        model = {"STANDARD": "standard", "SPOT": "spot", "FLEX_START": "flex-start"}[self.provisioning]
        if model not in family.provisioning:
            raise ValueError(f"confidential {self.machine_type} runs only with provisioning "
                             f"{' or '.join(family.provisioning)} ({family.source})")
        bad_zones = [z for z in self.zones if z not in family.zones]
        if bad_zones:
            raise ValueError(f"{', '.join(bad_zones)} cannot run confidential {self.machine_type}; "
                             f"zones that can: {', '.join(family.zones)} ({family.source})")
        if self.image not in TDX_CAPABLE_IMAGES:
            raise ValueError(f"{self.image} is not a known confidential-capable image; use one of "
                             f"{', '.join(sorted(TDX_CAPABLE_IMAGES))}")


def scheduling(args: ConfidentialWorkloadArgs) -> dict[str, object]:
    """Host maintenance and provisioning as Compute Engine requires them.

    Confidential VMs cannot live-migrate: TERMINATE on maintenance. SPOT instances must be
    preemptible without automatic restart; they are STOPPED when reclaimed so disks survive.
    FLEX_START instances take no automatic restart, are DELETED at the end of their maximum run
    duration (600 s to 7 days) and consume no reservation; pulumi-gcp 10.2
    InstanceSchedulingArgs.provisioning_model and
    https://docs.cloud.google.com/confidential-computing/confidential-vm/docs/create-a-confidential-vm-instance-with-gpu
    """
    settings: dict[str, object] = {
        "on_host_maintenance": "TERMINATE", "provisioning_model": args.provisioning,
        "automatic_restart": args.provisioning == "STANDARD",
    }
    if args.provisioning == "SPOT":
        settings.update(preemptible=True, instance_termination_action="STOP")
    elif args.provisioning == "FLEX_START":
        assert args.max_run_hours is not None
        settings.update(
            preemptible=False, instance_termination_action="DELETE",
            max_run_duration={"seconds": args.max_run_hours * 3600},
        )
    return settings


def reservation_affinity(args: ConfidentialWorkloadArgs) -> dict[str, object]:
    # "Confidential VM instances with Intel TDX don't support reservations" (supported-configurations),
    # and flex-start capacity is never reserved: never try to consume one.
    if args.confidential == "tdx" or args.provisioning == "FLEX_START":
        return {"reservation_affinity": {"type": "NO_RESERVATION"}}
    return {}


def confidential_settings(args: ConfidentialWorkloadArgs) -> dict[str, object]:
    if args.confidential == "none":
        return {}
    settings: dict[str, object] = {
        "confidential_instance_config": {"confidential_instance_type": INSTANCE_TYPE[args.confidential]},
    }
    if args.confidential == "sev-snp":
        settings["min_cpu_platform"] = "AMD Milan"  # SEV-SNP needs Milan; N2D may land on Rome
    return settings


class ConfidentialWorkload(pulumi.ComponentResource):
    instances: list[gcp.compute.Instance]
    disks: list[gcp.compute.Disk]

    def __init__(self, name: str, args: ConfidentialWorkloadArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ConfidentialWorkload", name, None, opts)
        self.child = child = child_options(self, opts)
        labels = {**args.labels, "confidential": args.confidential.replace("-", "_")}
        if args.count > 1:
            self._peer_firewalls(name, args)
        self.instances, self.disks = [], []
        for index in range(args.count):
            zone = args.zones[index % len(args.zones)]
            disk = gcp.compute.Disk(
                f"{name}-{index}-data", name=resource_name(name, str(index), "data"), project=args.project,
                zone=zone, size=args.disk_gb, type="pd-balanced",
                disk_encryption_key={"kms_key_self_link": args.disk_key_id}, labels=labels, opts=child,
            )
            self.disks.append(disk)
            self.instances.append(gcp.compute.Instance(
                f"{name}-{index}",
                name=resource_name(name, str(index)),
                project=args.project,
                zone=zone,
                machine_type=args.machine_type,
                boot_disk={
                    "auto_delete": True,
                    "kms_key_self_link": args.disk_key_id,
                    "initialize_params": {"image": args.image, "size": args.boot_disk_gb, "type": "pd-balanced"},
                },
                attached_disks=[{"source": disk.self_link, "device_name": "data", "mode": "READ_WRITE"}],
                # No access_configs: the instance gets no external address.
                network_interfaces=[{"subnetwork": args.subnetwork, "nic_type": "GVNIC", "stack_type": "IPV4_ONLY"}],
                scheduling=scheduling(args),
                shielded_instance_config={
                    "enable_secure_boot": True, "enable_vtpm": True, "enable_integrity_monitoring": True,
                },
                service_account={"email": args.service_account_email, "scopes": [CLOUD_PLATFORM]},
                metadata=dict(OS_LOGIN_METADATA),
                can_ip_forward=False,
                allow_stopping_for_update=True,
                labels=labels,
                opts=child,
                **confidential_settings(args),
                **reservation_affinity(args),
            ))
        self.register_outputs({"instances": [i.self_link for i in self.instances]})

    def _peer_firewalls(self, name: str, args: ConfidentialWorkloadArgs) -> None:
        """Instances of one workload talk to each other (distributed training), nobody else."""
        child = self.child
        log = {"metadata": "INCLUDE_ALL_METADATA"}
        gcp.compute.Firewall(
            f"{name}-peers-in", name=resource_name(name, "peers-in"), project=args.project, network=args.network,
            direction="INGRESS", priority=1000, allows=[{"protocol": "all"}],
            source_service_accounts=[args.service_account_email],
            target_service_accounts=[args.service_account_email], log_config=log,
            description=f"{name}: peers of this workload only", opts=child,
        )
        gcp.compute.Firewall(
            f"{name}-peers-out", name=resource_name(name, "peers-out"), project=args.project, network=args.network,
            direction="EGRESS", priority=1000, allows=[{"protocol": "all"}],
            destination_ranges=[args.subnet_cidr], target_service_accounts=[args.service_account_email],
            log_config=log, description=f"{name}: to its peers in the workload subnet", opts=child,
        )
