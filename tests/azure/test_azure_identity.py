"""Identity: one user-assigned identity per workload, built-in data roles scoped to single
containers and keys, never Owner or Contributor, never a subscription-wide grant."""

from __future__ import annotations

import pytest
from azure_helpers import (
    CONTAINER,
    IDENTITY,
    ROLE,
    arm_id,
    by_input,
    environment_only,
    grants_to,
    key,
    principal_of,
    role_id,
)

from hardstack.components.azure import roles
from hardstack.components.azure.identity import WorkloadIdentityArgs, grants
from hardstack.render import Graph
from hardstack.spec import Environment

OWNER, CONTRIBUTOR = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c"


def workload_identity(graph: Graph, env: str, workload: str):
    return by_input(graph, IDENTITY, "resourceName", f"id-{env}-{workload}")


def container_id(graph: Graph, name: str) -> str:
    return arm_id(graph, by_input(graph, CONTAINER, "containerName", name))


def test_one_identity_per_workload(gpu_graph: Graph, gpu_spec: Environment) -> None:
    for w in gpu_spec.workloads:
        workload_identity(gpu_graph, gpu_spec.name, w.name)


def test_only_narrow_built_in_roles_are_granted(azure_graph: Graph, gpu_graph: Graph) -> None:
    # The containment responder's grants are judged in test_azure_containment.py.
    for graph in (azure_graph, gpu_graph):
        assigned = {role_id(r) for r in environment_only(graph, ROLE)}
        assert assigned <= set(roles.ROLE_NAMES), assigned - set(roles.ROLE_NAMES)
        assert not assigned & {OWNER, CONTRIBUTOR}


def test_no_grant_at_subscription_or_resource_group_scope(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        for r in environment_only(graph, ROLE):
            scope = r.inputs["scope"]
            assert "/providers/" in scope, (r.name, scope)  # a resource, not /subscriptions/x[/resourceGroups/y]
            assert r.inputs["principalType"] == "ServicePrincipal"


def test_inference_reads_models_and_wraps_with_the_data_key(azure_graph: Graph, azure_spec: Environment) -> None:
    identity = workload_identity(azure_graph, azure_spec.name, "inference")
    found = {(role_id(g), g.inputs["scope"]) for g in grants_to(azure_graph, principal_of(azure_graph, identity))}
    assert found == {
        (roles.STORAGE_BLOB_DATA_READER, container_id(azure_graph, "models")),
        (roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, arm_id(azure_graph, key(azure_graph, "data"))),
    }


def test_training_reads_datasets_and_writes_models(gpu_graph: Graph, gpu_spec: Environment) -> None:
    identity = workload_identity(gpu_graph, gpu_spec.name, "trainer")
    found = {(role_id(g), g.inputs["scope"]) for g in grants_to(gpu_graph, principal_of(gpu_graph, identity))}
    assert found == {
        (roles.STORAGE_BLOB_DATA_READER, container_id(gpu_graph, "datasets")),
        (roles.STORAGE_BLOB_DATA_CONTRIBUTOR, container_id(gpu_graph, "models")),
        (roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, arm_id(gpu_graph, key(gpu_graph, "data"))),
    }


def test_role_assignment_names_are_stable_guids(azure_graph: Graph, render_variant) -> None:
    again = {r.name: r.inputs["roleAssignmentName"] for r in render_variant().of_type(ROLE)}
    first = {r.name: r.inputs["roleAssignmentName"] for r in azure_graph.of_type(ROLE)}
    assert first == again and len(set(first.values())) == len(first)


@pytest.mark.parametrize("role, scope, message", [
    (OWNER, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v", "never granted"),
    (CONTRIBUTOR, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v", "never granted"),
    (roles.STORAGE_BLOB_DATA_READER, "/subscriptions/s", "not a resource"),
    (roles.STORAGE_BLOB_DATA_READER, "/subscriptions/s/resourceGroups/rg", "not a resource"),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "/subscriptions/s/resourceGroups/rg/providers/X/y/z", "narrow data"),
])
def test_grants_refuse_broad_roles_and_scopes(role: str, scope: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        roles.Grant(role, scope)


def test_inference_gets_no_write_and_no_datasets() -> None:
    rg = "/subscriptions/s/resourceGroups/rg/providers"
    key_id = f"{rg}/Microsoft.KeyVault/vaults/v/keys/data"
    datasets, models = (f"{rg}/Microsoft.Storage/storageAccounts/a/blobServices/default/containers/{c}"
                        for c in ("datasets", "models"))
    args = WorkloadIdentityArgs(subscription_id="s", resource_group_name="rg", location="westeurope",
                                role="inference", data_key_id=key_id, dataset_container_ids=[datasets],
                                model_container_ids=[models])
    assert {(g.role, g.scope) for g in grants(args).values()} == {
        (roles.STORAGE_BLOB_DATA_READER, models), (roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, key_id),
    }


def test_built_in_role_ids_are_microsofts() -> None:
    # https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security and
    # .../built-in-roles/storage: the same GUIDs in every tenant.
    assert roles.ROLE_NAMES == {
        "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
        "08bbd89e-9f13-488c-ac41-acfcb10c90ab": "Key Vault Crypto Service Release User",
        "12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
        "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
        # .../built-in-roles/ai-machine-learning: inference on Azure OpenAI deployments only.
        "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
        # .../built-in-roles: what an AKS cluster identity needs on its subnets, kubelet identity and vault.
        "4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor",
        "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
        "f25e0fa2-a7c8-4377-a976-54943a77a395": "Key Vault Contributor",
        # .../built-in-roles/containers: a cluster admin's Kubernetes objects and user kubeconfig.
        "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Azure Kubernetes Service RBAC Cluster Admin",
        "4abbcc35-e782-43d8-92c5-2d3f1bd2253f": "Azure Kubernetes Service Cluster User Role",
    }
