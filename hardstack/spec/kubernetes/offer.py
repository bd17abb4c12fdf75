"""What each cloud's Kubernetes service offers its node pools beyond what its VMs offer, with the
page each fact comes from (tests/test_spec_kubernetes.py pins them). Machine families, places and
provisioning models come from the VM catalog (hardstack.spec.catalog): a node is a VM."""

from __future__ import annotations

from dataclasses import dataclass

# GKE Confidential Nodes: SEV, SEV_SNP or TDX per cluster or node pool.
SRC_GKE_CONFIDENTIAL = "https://cloud.google.com/kubernetes-engine/docs/how-to/confidential-gke-nodes"
# Confidential GPU nodes: Standard mode, GKE 1.32.2-gke.1297000 or later, a3-highgpu-1g with one H100, TDX, Spot
# or flex-start only.
SRC_GKE_CONFIDENTIAL_GPU = "https://cloud.google.com/kubernetes-engine/docs/how-to/gpus-confidential-nodes"
# "Intel TDX-based Confidential VMs aren't currently supported on AKS."
SRC_AKS_CVM = "https://learn.microsoft.com/azure/aks/use-cvm"
# Pod Sandboxing (Kata, KataVmIsolation) runs each pod in its own lightweight VM; the memory is not encrypted.
SRC_AKS_POD_SANDBOXING = "https://learn.microsoft.com/azure/aks/use-pod-sandboxing"
# EKS compute: managed node groups, self-managed nodes, Fargate; none with a confidential-computing option.
SRC_EKS_COMPUTE = "https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html"


@dataclass(frozen=True)
class KubernetesOffer:
    cloud: str
    service: str
    kinds: tuple[str, ...]  # the TEEs its node pools run
    default: str  # the kind of a pool that names none
    source: str
    refusals: dict[str, str]  # kind -> why the service cannot run it, and what to do instead ({pool}: its name)


OFFERS: dict[str, KubernetesOffer] = {
    "gcp": KubernetesOffer(
        "gcp", "GKE", ("tdx", "sev-snp"), "tdx", SRC_GKE_CONFIDENTIAL, refusals={},
    ),
    "azure": KubernetesOffer(
        "azure", "AKS", ("sev-snp",), "sev-snp", SRC_AKS_CVM,
        refusals={
            "tdx": "Intel TDX-based confidential VMs are not supported on AKS: use sev-snp on DCasv5/DCadsv5 "
                   "(Standard_NCC40ads_H100_v5 for an H100)",
        },
    ),
    "aws": KubernetesOffer(
        "aws", "EKS", (), "sev-snp", SRC_EKS_COMPUTE,
        refusals={
            kind: "Amazon EKS documents no confidential-computing option for its nodes (managed node groups, "
                  "self-managed nodes or Fargate): set confidential: none and record the decision as an exemption "
                  "{{rule: confidential-computing, resource: {pool}, reason: ...}}; for memory encryption in use run "
                  "the workload on SEV-SNP VMs (workloads:) or on GKE or AKS"
            for kind in ("tdx", "sev-snp")
        },
    ),
}

POD_SANDBOXING = (
    "Pod Sandboxing (Kata, KataVmIsolation) isolates each pod in its own VM but does not encrypt its memory, so it "
    "is not confidential computing"
)
# The first GKE minor version whose releases include 1.32.2-gke.1297000, the first with confidential GPU nodes.
GKE_CONFIDENTIAL_GPU_MINOR = (1, 32)
