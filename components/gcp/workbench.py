"""Vertex AI Workbench instances for people who explore data: Confidential VMs without a public
IP, on the environment's subnet, with CMEK disks and a notebook account of their own.

Every instance:
- `gce_setup.disable_public_ip` and no access config: no external address (the project's
  compute.vmExternalIpAccess policy refuses one anyway).
- Boot and data disk `disk_encryption="CMEK"` with the disks key; the Compute Engine and the
  Workbench service agents hold that key (blueprints/gcp.py), so the disks can be created.
- Shielded VM (secure boot, vTPM, integrity monitoring) and Confidential VM: Workbench takes
  `confidential_instance_type="SEV"` only, on N2D (pulumi-gcp 10.2 workbench
  InstanceGceSetupConfidentialInstanceConfig; its "Workbench Instance Confidential Compute" example
  runs SEV on n2d-standard-2 with all three Shielded VM options). The spec allows N2D sizes only.
- Runs as the notebook service account given (never the Compute Engine default account).
- Metadata that Workbench documents for locking JupyterLab down
  (https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-metadata): no root
  (notebook-disable-root), no terminal (notebook-disable-terminal), no file downloads
  (notebook-disable-downloads), no nbconvert export (notebook-disable-nbconvert); weekly upgrades
  (notebook-upgrade-schedule, off by default); and Compute Engine's OS Login keys as on workloads.
- `disable_proxy_access=True`: the instance does not register with Google's inverting proxy, so
  JupyterLab has no URL on the internet (https://*.notebooks.googleusercontent.com, reached with
  a Google login); people reach it through an IAP TCP tunnel, which the network allows from IAP's
  range only when notebooks exist (`gcloud compute ssh --tunnel-through-iap <instance> --
  -L 8080:localhost:8080`, OS Login decides who). The proxy would also need egress the network
  does not give. That this tunnel works is for a deployment to confirm. The lockdown metadata
  governs JupyterLab; the SSH session of the tunnel is a shell whose rights OS Login gives
  (roles/compute.osLogin: no sudo; roles/compute.osAdminLogin: sudo), so grant people osLogin only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.compute import OS_LOGIN_METADATA
from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options

# Keys and values from the Workbench metadata table (module docstring).
LOCKDOWN_METADATA: dict[str, str] = {
    "notebook-disable-root": "true",
    "notebook-disable-terminal": "true",
    "notebook-disable-downloads": "true",
    "notebook-disable-nbconvert": "true",
    "notebook-upgrade-schedule": "00 19 * * SUN",  # weekly, Sunday 19:00 GMT
}
CONFIDENTIAL_TYPE = "SEV"  # the only value Workbench takes
CONFIDENTIAL_FAMILIES = ("n2d-",)
DISK_TYPE = "PD_BALANCED"


@dataclass
class WorkbenchArgs:
    project: str
    zone: str
    count: int
    machine_type: str
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    service_account_email: pulumi.Input[str]
    disk_key_id: pulumi.Input[str]
    name_prefix: str = "notebook"
    # One person per instance (single-user access); empty: every user of the notebook account may open them.
    owners: Sequence[str] = ()
    boot_disk_gb: int = 150  # Workbench's recommended and default size
    data_disk_gb: int = 100
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= self.count <= 20:
            raise ValueError(f"count must be 1..20, got {self.count}")
        if self.owners and len(self.owners) != self.count:
            raise ValueError(f"{self.count} notebooks take {self.count} owners, one each; got {len(self.owners)}")
        if not self.machine_type.startswith(CONFIDENTIAL_FAMILIES):
            raise ValueError(f"{self.machine_type}: Workbench runs Confidential VM (SEV) on N2D only; "
                             "use an n2d-standard-* or n2d-highmem-* size")


def gce_setup(args: WorkbenchArgs) -> dict[str, object]:
    cmek = {"disk_encryption": "CMEK", "kms_key": args.disk_key_id}
    return {
        "machine_type": args.machine_type,
        "disable_public_ip": True,
        "enable_ip_forwarding": False,
        "boot_disk": {**cmek, "disk_size_gb": str(args.boot_disk_gb), "disk_type": DISK_TYPE},
        "data_disks": {**cmek, "disk_size_gb": str(args.data_disk_gb), "disk_type": DISK_TYPE},
        "shielded_instance_config": {
            "enable_secure_boot": True, "enable_vtpm": True, "enable_integrity_monitoring": True,
        },
        "confidential_instance_config": {"confidential_instance_type": CONFIDENTIAL_TYPE},
        "service_accounts": [{"email": args.service_account_email}],
        "network_interfaces": [{"network": args.network, "subnet": args.subnetwork, "nic_type": "GVNIC"}],
        "metadata": {**OS_LOGIN_METADATA, **LOCKDOWN_METADATA},
    }


class Workbench(pulumi.ComponentResource):
    instances: list[gcp.workbench.Instance]

    def __init__(self, name: str, args: WorkbenchArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:Workbench", name, None, opts)
        child = child_options(self, opts)
        self.instances = [
            gcp.workbench.Instance(
                f"{name}-{index}", name=resource_name(args.name_prefix, str(index)), project=args.project,
                location=args.zone, gce_setup=gce_setup(args), disable_proxy_access=True,
                labels={**args.labels, "confidential": "sev"},
                # Workbench takes one owner; set, the instance is single-user
                # (https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-access-jupyterlab).
                instance_owners=[args.owners[index]] if args.owners else None, opts=child,
            )
            for index in range(args.count)
        ]
        self.register_outputs({"instances": [i.name for i in self.instances]})
