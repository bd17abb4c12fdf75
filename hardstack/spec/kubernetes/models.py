"""The spec's `kubernetes` section: one hardened cluster per environment and its node pools.

A node pool is sized and placed like a VM workload (machine type, count, TEE, GPU, zones,
provisioning), and checked through the same catalog; what each cloud's Kubernetes service adds
or refuses is in `hardstack.spec.kubernetes.offer`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from hardstack.spec.fields import Gpu, Name, Provisioning, Zone, _Strict, unique_names

# "pod-sandboxing" is accepted by the model only so that validation can say why it is not
# confidential computing (hardstack.spec.kubernetes.rules) instead of a bare "not one of".
NodeIsolation = Literal["tdx", "sev-snp", "none", "pod-sandboxing"]
Version = Annotated[str, StringConstraints(pattern=r"^1\.[0-9]{2}$")]
# The newest minor in standard support on all three services on 2026-12-02. EKS: 1.35 released
# 2026-01-28, standard support until 2027-03-27; 1.33's ended 2026-07-29 and it now bills extended
# support (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html,
# https://endoflife.date/amazon-eks). Upstream 1.33 ended 2026-06-28 (https://kubernetes.io/releases/).
DEFAULT_VERSION = "1.35"


def minor(version: str) -> tuple[int, int]:
    major, rest = version.split(".")
    return int(major), int(rest)


class NodePool(_Strict):
    name: Name
    machine_type: str = Field(min_length=1, description="the cloud's machine type or VM size of every node")
    count: int = Field(1, ge=1, le=100, description="nodes in the pool")
    confidential: NodeIsolation | None = Field(
        None,
        description="tdx, sev-snp or none; empty means the service's default (tdx on gke, sev-snp on aks; eks has "
        "no confidential nodes, so its pools say none, with an exemption)",
    )
    gpu: Gpu | None = None
    disk_gb: int = Field(100, ge=30, le=4096, description="boot disk of every node, GB")
    zones: list[Zone] | None = Field(
        None, min_length=1, description="gke only: the zones of the pool's nodes; empty means the catalog's zones",
    )
    provisioning: Provisioning = Field(
        "standard",
        description="gke only: standard, spot or flex-start (queued capacity); a confidential a3-highgpu-1g pool "
        "takes spot or flex-start",
    )
    max_run_hours: int | None = Field(None, ge=1, le=168, description="flex-start only: hours a node may run")


class Kubernetes(_Strict):
    """A private, hardened cluster: the cloud's Kubernetes service with confidential node pools."""

    version: Version = Field(
        DEFAULT_VERSION,
        description="the Kubernetes minor version of the control plane and nodes, e.g. 1.35 (the service picks "
        "the patch)",
    )
    node_pools: list[NodePool] = Field(min_length=1, max_length=10, description="the cluster's node pools")
    admins: list[Annotated[str, StringConstraints(min_length=1, max_length=2048)]] | None = Field(
        None, min_length=1, max_length=20,
        description="who administers the cluster: aks Entra group object ids (required: with local accounts off nobody "
        "else can use the Kubernetes API), eks IAM role or user ARNs (the deployer is admin too); not on gke",
    )

    @field_validator("admins")
    @classmethod
    def _distinct(cls, admins: list[str] | None) -> list[str] | None:
        repeated = sorted({a for a in admins or () if admins.count(a) > 1})
        if repeated:
            raise PydanticCustomError("unique", "admins must be distinct; repeated: {dupes}",
                                      {"dupes": ", ".join(repeated)})
        return admins

    @field_validator("node_pools")
    @classmethod
    def _unique(cls, pools: list[NodePool]) -> list[NodePool]:
        return list(unique_names(pools, "node pool"))
