"""The `kubernetes` section: node pools checked like VMs through the catalog, plus what each
cloud's Kubernetes service refuses (TDX on AKS, any confidential node on EKS, Pod Sandboxing
offered as confidential, a confidential a3 pool on standard provisioning, an old GKE version)."""

from __future__ import annotations

from typing import Any

import pytest

from hardstack.spec.kubernetes.offer import (
    OFFERS,
    SRC_AKS_AZURE_RBAC,
    SRC_AKS_CVM,
    SRC_AKS_POD_SANDBOXING,
    SRC_EKS_ACCESS_ENTRIES,
    SRC_EKS_COMPUTE,
    SRC_GKE_ACCESS,
    SRC_GKE_CONFIDENTIAL_GPU,
)

GPU = {"kind": "h100", "count": 1}


ADMIN_GROUP = "00000000-0000-4000-8000-0000000000ad"


def _cluster(example_spec: Any, cloud: str, *pools: dict[str, Any], version: str = "1.33") -> dict[str, Any]:
    raw = example_spec(cloud)
    raw["kubernetes"] = {"version": version, "node_pools": list(pools)}
    if cloud == "azure":  # AKS needs its admin groups (tests of admins below)
        raw["kubernetes"]["admins"] = [ADMIN_GROUP]
    return raw


def test_gke_takes_a_tdx_pool_and_a_confidential_h100_pool_on_spot_or_flex_start(example_spec, spec) -> None:
    for provisioning in ("spot", "flex-start"):
        gpu = {"name": "gpu", "machine_type": "a3-highgpu-1g", "gpu": GPU, "provisioning": provisioning}
        if provisioning == "flex-start":
            gpu["max_run_hours"] = 24
        raw = _cluster(example_spec, "gcp", {"name": "cpu", "machine_type": "c3-standard-4", "count": 2}, gpu)
        cluster = spec.valid(raw).kubernetes
        assert cluster is not None and [p.name for p in cluster.node_pools] == ["cpu", "gpu"]
        assert cluster.node_pools[0].confidential is None  # the service's default applies: tdx
    assert OFFERS["gcp"].default == "tdx"


def test_gke_refuses_a_confidential_a3_pool_on_standard_provisioning(example_spec, spec) -> None:
    raw = _cluster(example_spec, "gcp", {"name": "gpu", "machine_type": "a3-highgpu-1g", "gpu": GPU})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].provisioning")
    assert "runs only with provisioning spot or flex-start, not standard: set provisioning: spot" in issue.message


def test_gke_confidential_gpus_need_1_32_or_later(example_spec, spec) -> None:
    pool = {"name": "gpu", "machine_type": "a3-highgpu-1g", "gpu": GPU, "provisioning": "spot"}
    issue = spec.issue_at(spec.issues(_cluster(example_spec, "gcp", pool, version="1.31")), "kubernetes.version")
    assert "1.32.2-gke.1297000 or later" in issue.message and SRC_GKE_CONFIDENTIAL_GPU in issue.message
    assert spec.valid(_cluster(example_spec, "gcp", pool, version="1.32")).kubernetes is not None


def test_a_pool_is_placed_like_a_vm(example_spec, spec) -> None:
    # c3 TDX is not offered in europe-west4-... zone d; the catalog names the zones that are.
    raw = _cluster(example_spec, "gcp", {"name": "cpu", "machine_type": "n2-standard-4", "confidential": "tdx"})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].machine_type")
    assert "'n2-standard-4' cannot run tdx on gcp" in issue.message and "c3-standard-8" in issue.message
    raw = _cluster(example_spec, "gcp", {"name": "gpu", "machine_type": "a3-highgpu-1g", "gpu": GPU,
                                         "provisioning": "spot", "zones": ["europe-west4-a"]})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].zones[0]")
    assert "europe-west4-a cannot run confidential a3-highgpu-1g" in issue.message and "europe-west4-c" in issue.message


def test_aks_takes_sev_snp_pools_and_the_confidential_h100(example_spec, spec) -> None:
    raw = _cluster(example_spec, "azure", {"name": "cpu", "machine_type": "Standard_DC4as_v5", "count": 2},
                   {"name": "gpu", "machine_type": "Standard_NCC40ads_H100_v5", "gpu": GPU})
    assert len(spec.valid(raw).kubernetes.node_pools) == 2
    assert OFFERS["azure"].default == "sev-snp"


def test_aks_refuses_tdx_with_the_reason_and_the_alternative(example_spec, spec) -> None:
    raw = _cluster(example_spec, "azure", {"name": "cpu", "machine_type": "Standard_DC4es_v5", "confidential": "tdx"})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].confidential")
    assert "Intel TDX-based confidential VMs are not supported on AKS" in issue.message
    assert "use sev-snp on DCasv5/DCadsv5" in issue.message and SRC_AKS_CVM in issue.message


@pytest.mark.parametrize("cloud", ["azure", "gcp", "aws"])
def test_pod_sandboxing_is_never_counted_as_confidential(cloud: str, example_spec, spec) -> None:
    raw = _cluster(example_spec, cloud, {"name": "sandbox", "machine_type": "Standard_D4s_v5",
                                         "confidential": "pod-sandboxing"})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].confidential")
    assert "does not encrypt its memory, so it is not confidential computing" in issue.message
    assert SRC_AKS_POD_SANDBOXING in issue.message
    if cloud == "azure":
        assert "for confidential nodes use sev-snp on AKS" in issue.message
    else:
        assert "it is an AKS feature" in issue.message


@pytest.mark.parametrize("confidential", [None, "sev-snp", "tdx"])
def test_eks_refuses_confidential_nodes_with_the_explanation(confidential: str | None, example_spec, spec) -> None:
    pool: dict[str, Any] = {"name": "cpu", "machine_type": "m6a.xlarge"}
    if confidential:
        pool["confidential"] = confidential
    issue = spec.issue_at(spec.issues(_cluster(example_spec, "aws", pool)), "kubernetes.node_pools[0].confidential")
    assert "Amazon EKS documents no confidential-computing option for its nodes" in issue.message
    assert "{rule: confidential-computing, resource: cpu, reason: ...}" in issue.message
    assert SRC_EKS_COMPUTE in issue.message


def test_an_eks_pool_without_confidential_nodes_needs_its_exemption(example_spec, spec) -> None:
    raw = _cluster(example_spec, "aws", {"name": "cpu", "machine_type": "m6a.xlarge", "confidential": "none"})
    issue = spec.issue_at(spec.issues(raw), "kubernetes.node_pools[0].confidential")
    assert "add an exemption {rule: confidential-computing, resource: cpu" in issue.message
    raw["exemptions"].append(spec.exemption("confidential-computing", "cpu"))
    assert spec.valid(raw).kubernetes.node_pools[0].confidential == "none"


def test_zones_and_provisioning_are_gke_settings(example_spec, spec) -> None:
    raw = _cluster(example_spec, "azure", {"name": "cpu", "machine_type": "Standard_DC4as_v5",
                                           "provisioning": "spot", "zones": ["europe-west4-a"]})
    issues = spec.issues(raw)
    assert "on standard capacity only" in spec.issue_at(issues, "kubernetes.node_pools[0].provisioning").message
    assert spec.issue_at(issues, "kubernetes.node_pools[0].zones")


def test_pool_names_are_unique_and_the_version_is_a_minor(example_spec, spec) -> None:
    pool = {"name": "cpu", "machine_type": "c3-standard-4"}
    issues = spec.issues(_cluster(example_spec, "gcp", pool, pool, version="1.33.2"))
    assert "repeated: cpu" in spec.issue_at(issues, "kubernetes.node_pools").message
    assert spec.issue_at(issues, "kubernetes.version")


def test_a_confidential_exemption_may_name_a_pool(example_spec, spec) -> None:
    raw = _cluster(example_spec, "gcp", {"name": "batch", "machine_type": "c3-standard-4", "confidential": "none"})
    raw["exemptions"].append(spec.exemption("confidential-computing", "batch"))
    assert spec.valid(raw).kubernetes.node_pools[0].name == "batch"
    raw["exemptions"][-1]["resource"] = "nothing-here"
    issue = next(i for i in spec.issues(raw) if i.field.startswith("exemptions"))
    assert "no workload or node pool named 'nothing-here'" in issue.message


# --- who administers the cluster ------------------------------------------------------------------

CPU = {"aws": "m6a.xlarge", "gcp": "c3-standard-4", "azure": "Standard_DC4as_v5"}


def _admins(example_spec: Any, spec: Any, cloud: str, admins: Any) -> dict[str, Any]:
    pool = {"name": "cpu", "machine_type": CPU[cloud], "count": 2}
    raw = _cluster(example_spec, cloud, pool)
    if cloud == "aws":  # EKS pools say none, with the exemption
        pool["confidential"] = "none"
        raw["exemptions"].append(spec.exemption("confidential-computing", "cpu"))
    raw["kubernetes"]["admins"] = admins
    if admins is None:
        del raw["kubernetes"]["admins"]
    return raw


def test_aks_refuses_a_cluster_without_admin_groups_saying_why(example_spec, spec) -> None:
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "azure", None)), "kubernetes.admins")
    assert "AKS needs admins" in issue.message and "local accounts off" in issue.message
    assert "az ad group show" in issue.message and SRC_AKS_AZURE_RBAC in issue.message
    assert spec.valid(_admins(example_spec, spec, "azure", [ADMIN_GROUP])).kubernetes.admins == [ADMIN_GROUP]


def test_aks_admins_are_entra_group_object_ids(example_spec, spec) -> None:
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "azure", [ADMIN_GROUP, "aks-admins"])),
                          "kubernetes.admins[1]")
    assert "'aks-admins'" in issue.message and "not an Entra group object id" in issue.message


def test_eks_admins_are_iam_role_or_user_arns_and_never_sessions(example_spec, spec) -> None:
    role = "arn:aws:iam::123456789012:role/platform/eks-admins"  # a path is allowed
    user = "arn:aws:iam::210987654321:user/break-glass"  # another account, for a STANDARD entry
    assert spec.valid(_admins(example_spec, spec, "aws", [role, user])).kubernetes.admins == [role, user]
    assert spec.valid(_admins(example_spec, spec, "aws", None)).kubernetes.admins is None  # the deployer is admin
    session = "arn:aws:sts::123456789012:assumed-role/eks-admins/ana"
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "aws", [session])), "kubernetes.admins[0]")
    assert "STS session" in issue.message and "arn:aws:iam::<account>:role/<name>" in issue.message
    assert SRC_EKS_ACCESS_ENTRIES in issue.message
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "aws", ["eks-admins"])), "kubernetes.admins[0]")
    assert "not an IAM role or user ARN" in issue.message


def test_gke_takes_no_admins_and_says_what_to_grant_instead(example_spec, spec) -> None:
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "gcp", ["group:gke-admins@example.com"])),
                          "kubernetes.admins")
    assert "gcp-iam-no-project-admin-roles" in issue.message and "roles/gkehub.gatewayEditor" in issue.message
    assert SRC_GKE_ACCESS in issue.message


def test_admins_are_distinct(example_spec, spec) -> None:
    issue = spec.issue_at(spec.issues(_admins(example_spec, spec, "azure", [ADMIN_GROUP, ADMIN_GROUP])),
                          "kubernetes.admins")
    assert "admins must be distinct" in issue.message and ADMIN_GROUP in issue.message
