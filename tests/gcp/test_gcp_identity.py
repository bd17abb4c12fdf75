"""Identity: one service account per workload, resource-level IAM, no primitive roles, the
default compute account deprivileged, and the project's organization policies."""

from __future__ import annotations

import pytest

from hardstack.components.gcp.identity import PROJECT_ONLY_ROLES, WorkloadIdentityArgs
from hardstack.render import Graph
from hardstack.spec import Environment

POLICY = "gcp:orgpolicy/policy:Policy"
PRIMITIVE = {"roles/owner", "roles/editor", "roles/viewer"}


def iam_resources(graph: Graph) -> list:
    return [r for r in graph if r.custom and ("IAM" in r.type.split(":")[-1]) and "role" in r.inputs]


def policies(graph: Graph) -> dict[str, dict]:
    return {p.inputs["name"].rsplit("/policies/", 1)[1]: p.inputs for p in graph.of_type(POLICY)}


def test_one_service_account_per_workload(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    accounts = q.outside_containment(gcp_graph.of_type("gcp:serviceaccount/account:Account"))
    expected = sorted(f"{gcp_spec.name}-{w.name}" for w in gcp_spec.workloads)
    assert sorted(a.inputs["accountId"] for a in accounts) == expected
    assert all(a.inputs["project"] == gcp_spec.account for a in accounts)


def test_no_primitive_role_anywhere(gcp_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (gcp_graph, gpu_graph):
        grants = iam_resources(graph)
        assert grants
        assert not [g.name for g in grants if g.inputs["role"] in PRIMITIVE]


def test_no_authoritative_project_iam_and_project_roles_only_where_unscopable(gcp_graph: Graph, q) -> None:
    for token in ("gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMPolicy:IAMPolicy"):
        assert gcp_graph.of_type(token) == []
    # The containment responder's project grants are checked in test_gcp_containment.py.
    members = q.outside_containment(gcp_graph.of_type("gcp:projects/iAMMember:IAMMember"))
    assert members and {m.inputs["role"] for m in members} == set(PROJECT_ONLY_ROLES)


def test_data_access_is_granted_on_the_buckets(gcp_graph: Graph, q) -> None:
    accounts = q.workload_accounts(gcp_graph)
    trainer, inference = f"serviceAccount:{accounts['trainer']}", f"serviceAccount:{accounts['inference']}"
    grants = {}
    for binding in gcp_graph.of_type("gcp:storage/bucketIAMBinding:BucketIAMBinding"):
        purpose = next(b for b in gcp_graph.of_type(q.BUCKET) if b.parent == binding.parent).inputs["labels"]["purpose"]
        grants[(purpose, binding.inputs["role"])] = sorted(binding.inputs["members"])
    assert grants[("datasets", "roles/storage.objectViewer")] == [trainer]
    assert grants[("models", "roles/storage.objectViewer")] == sorted([trainer, inference])
    assert grants[("models", "roles/storage.objectCreator")] == [trainer]
    assert ("datasets", "roles/storage.objectCreator") not in grants
    assert not [g for g in grants if g[1] in ("roles/storage.admin", "roles/storage.objectAdmin")]


def test_default_compute_service_account_deprivileged(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (default,) = gcp_graph.of_type("gcp:projects/defaultServiceAccounts:DefaultServiceAccounts")
    assert default.inputs["action"] == "DEPRIVILEGE"
    assert default.inputs["project"] == gcp_spec.account


@pytest.mark.parametrize("constraint", [
    "iam.disableServiceAccountKeyCreation", "compute.requireOsLogin", "compute.requireShieldedVm",
])
def test_boolean_org_policies_enforced(gcp_graph: Graph, gcp_spec: Environment, constraint: str) -> None:
    policy = policies(gcp_graph)[constraint]
    assert policy["parent"] == f"projects/{gcp_spec.account}"
    assert policy["spec"]["rules"] == [{"enforce": "TRUE"}]


def test_no_external_ip_org_policy(gcp_graph: Graph) -> None:
    assert policies(gcp_graph)["compute.vmExternalIpAccess"]["spec"]["rules"] == [{"denyAll": "TRUE"}]


def test_confidential_computing_required_by_org_policy(gcp_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (gcp_graph, gpu_graph):
        rules = policies(graph)["compute.restrictNonConfidentialComputing"]["spec"]["rules"]
        assert rules == [{"values": {"deniedValues": ["compute.googleapis.com"]}}]


def test_workload_identity_args_refuse_broad_project_roles() -> None:
    with pytest.raises(ValueError, match="roles/editor"):
        WorkloadIdentityArgs(project="p-123456", account_id="wl-abcdef", description="x",
                             project_roles=["roles/logging.logWriter", "roles/editor"])
