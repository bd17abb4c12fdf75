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
# Access entries take the ARN of an existing IAM role (a path is allowed) or user, of any account for STANDARD
# entries; "You can't use the STS session principal type with access entries".
SRC_EKS_ACCESS_ENTRIES = "https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html"
# Azure RBAC for Kubernetes authorization: a principal needs an AKS RBAC role (data actions) to use the
# Kubernetes API; Owner and Contributor hold no data actions, and local accounts are off.
SRC_AKS_AZURE_RBAC = "https://learn.microsoft.com/azure/aks/manage-azure-rbac"
# GKE authorizes Kubernetes API calls by project IAM (roles/container.*) and then Kubernetes RBAC.
SRC_GKE_ACCESS = "https://cloud.google.com/kubernetes-engine/docs/how-to/iam"


@dataclass(frozen=True)
class KubernetesOffer:
    cloud: str
    service: str
    kinds: tuple[str, ...]  # the TEEs its node pools run
    default: str  # the kind of a pool that names none
    source: str
    refusals: dict[str, str]  # kind -> why the service cannot run it, and what to do instead ({pool}: its name)
    admin: AdminOffer | None = None  # who may be named cluster admin, or None: the service takes no admins here


@dataclass(frozen=True)
class AdminOffer:
    kind: str  # what one admin is, for messages
    pattern: str  # a full match of one admin
    required: bool
    note: str  # why, and how to find the value
    source: str
    refused: tuple[tuple[str, str], ...] = ()  # (pattern, why it cannot be an admin)


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
        admin=AdminOffer(
            "an Entra group object id", r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            required=True,
            note="the cluster has local accounts off and authorizes with Azure RBAC, so only principals granted an "
                 "AKS RBAC role can use the Kubernetes API (subscription Owners too): list the object ids of the "
                 "Entra groups whose members administer it (az ad group show --group <name> --query id -o tsv); "
                 "each group gets Azure Kubernetes Service RBAC Cluster Admin and Cluster User on this cluster only",
            source=SRC_AKS_AZURE_RBAC,
        ),
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
        admin=AdminOffer(
            "an IAM role or user ARN", r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]{1,512}",
            required=False,
            note="each gets an access entry with AmazonEKSClusterAdminPolicy on this cluster; the identity that "
                 "runs pulumi up is admin too; write it as arn:aws:iam::<account>:role/<name> (a path is allowed)",
            source=SRC_EKS_ACCESS_ENTRIES,
            refused=((r"arn:aws(-[a-z]+)*:sts::.*", "an STS session (assumed-role) ARN is temporary and cannot be "
                      "an access entry: name the role it assumes, arn:aws:iam::<account>:role/<name>"),),
        ),
    ),
}

GKE_NO_ADMINS = (
    "GKE authorizes people by project IAM and Kubernetes RBAC, and hardstack grants no project-wide admin role "
    "(rule gcp-iam-no-project-admin-roles): grant your group roles/container.developer (or a narrower role), "
    "roles/gkehub.gatewayEditor and roles/gkehub.viewer in your IAM, or bind it to a Kubernetes role; remove admins"
)

POD_SANDBOXING = (
    "Pod Sandboxing (Kata, KataVmIsolation) isolates each pod in its own VM but does not encrypt its memory, so it "
    "is not confidential computing"
)
# The first GKE minor version whose releases include 1.32.2-gke.1297000, the first with confidential GPU nodes.
GKE_CONFIDENTIAL_GPU_MINOR = (1, 32)
