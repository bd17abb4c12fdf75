"""AKS node pools on confidential VMs (AMD SEV-SNP): what each pool of the spec becomes.

Every pool: Linux on Azure Linux (a CVM OS SKU), no public IP per node, encryption at host, the
environment's AKS node subnet, the cluster's kubelet identity, a managed OS disk, no FIPS image
and no Trusted Launch settings (neither runs on a CVM pool). A GPU pool (Standard_NCC40ads_H100_v5)
skips AKS's own NVIDIA driver install and is tainted so that only pods that tolerate the GPU land
on it; the NVIDIA GPU Operator (installed by the team) brings the confidential-computing driver.

Sources (pinned by tests/azure/test_azure_kubernetes*.py):
- https://learn.microsoft.com/azure/aks/use-cvm: AKS CVM pools are AMD SEV-SNP only ("Intel
  TDX-based Confidential VMs aren't currently supported on AKS"); OS SKUs Ubuntu/Ubuntu2404 and
  AzureLinux, not Ubuntu2204 or Windows; no FIPS, ARM64, Trusted Launch or Pod Sandboxing; an
  existing pool cannot switch to a CVM size. That the first (system) pool may itself be a CVM pool
  (`az aks create --node-vm-size Standard_DC4as_v5`) is remembered from that page, not shown by the
  stored excerpts: only a deployment confirms it (else set a non-CVM system pool with an exemption).
- https://learn.microsoft.com/azure/aks/nvidia-gpu-operator: "the automatic GPU driver
  installation should be skipped in order to use the NVIDIA GPU Operator on AKS" (API field
  gpuProfile.driver = None, CLI --gpu-driver none); the operator's daemon sets tolerate the
  nvidia.com/gpu taint (https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/).
- https://learn.microsoft.com/azure/aks/use-system-pools: a system pool has at least two nodes of
  at least 4 vCPUs and 4 GB, runs Linux, supports at least 30 pods; CriticalAddonsOnly keeps
  application pods off a dedicated system pool.
- https://learn.microsoft.com/azure/aks/enable-host-encryption: encryption at host encrypts temp
  disks, OS and data disk caches at rest; on CVM sizes only a deployment confirms it (see
  components/azure/compute.py, ENCRYPTION_AT_HOST).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hardstack.components.azure.compute import ENCRYPTION_AT_HOST, check_size

OS_SKU = "AzureLinux"
# OS SKUs AKS refuses on CVM pools (use-cvm), and the ones it takes.
CVM_OS_SKUS = ("Ubuntu", "Ubuntu2404", "AzureLinux", "AzureLinux3")
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
SYSTEM_TAINT = "CriticalAddonsOnly=true:NoSchedule"
# Azure CNI Overlay's default is 250; 110 is the Kubernetes default, above the 50 of CKV_AZURE_168
# and the 30 a system pool must hold.
MAX_PODS = 110
# A dedicated system pool when no spec pool can be one: the smallest SEV-SNP size with 4 vCPUs.
SYSTEM_SIZE = "Standard_DC4as_v5"
SYSTEM_NODES = 2


def pool_name(name: str) -> str:
    """AKS pool names: lowercase letters and digits, starting with a letter, 1-12 characters."""
    cleaned = re.sub(r"[^a-z0-9]", "", name.lower())
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "p" + cleaned
    return cleaned[:12]


@dataclass
class PoolSpec:
    name: str
    vm_size: str
    count: int
    kind: str  # sev-snp or none
    gpu: bool = False
    disk_gb: int = 100
    zones: Sequence[str] = ()
    system: bool = False
    dedicated_system: bool = False  # taint the system pool: only critical add-ons run there
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "tdx":
            raise ValueError("Intel TDX confidential VMs are not supported on AKS (learn.microsoft.com/azure/aks/"
                             "use-cvm): use sev-snp on DCasv5/DCadsv5 or Standard_NCC40ads_H100_v5")
        check_size(self.vm_size, "sev-snp" if self.kind == "sev-snp" else "none", self.gpu)
        if self.system and self.count < 2:
            raise ValueError(f"system pool {self.name} needs at least 2 nodes (use-system-pools)")


def pool_profile(pool: PoolSpec, subnet_id: Any, version: str) -> dict[str, Any]:
    """The agent pool's properties (ManagedCluster agent_pool_profiles entry or AgentPool inputs)."""
    taints = [GPU_TAINT] if pool.gpu else []
    if pool.dedicated_system:
        taints.append(SYSTEM_TAINT)
    profile: dict[str, Any] = {
        "vm_size": pool.vm_size,
        "count": pool.count,
        "mode": "System" if pool.system else "User",
        "type": "VirtualMachineScaleSets",
        "os_type": "Linux",
        "os_sku": OS_SKU,
        "orchestrator_version": version,
        "os_disk_type": "Managed",
        "os_disk_size_gb": pool.disk_gb,
        "enable_node_public_ip": False,
        "enable_encryption_at_host": ENCRYPTION_AT_HOST,
        "enable_fips": False,
        "vnet_subnet_id": subnet_id,
        "max_pods": MAX_PODS,
        "node_labels": {"hardstack.io/tee": pool.kind, "hardstack.io/pool": pool.name},
        "tags": pool.tags,
    }
    if taints:
        profile["node_taints"] = taints
    if pool.gpu:
        profile["gpu_profile"] = {"driver": "None"}
    if pool.zones:
        profile["availability_zones"] = list(pool.zones)
    return profile
