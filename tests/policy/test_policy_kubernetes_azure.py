"""The AKS rules (policy-packs/hardstack_rules/azure/kubernetes.py): each passes a hardened fixture and
fails a weakened one; the AKS example (azure-k8s-eu) passes every mandatory rule but what its spec
exempts with a reason, and weakening any one hardening setting of its cluster or pools makes the
named rule fail on that resource (judged without the example's exemptions)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from azure_kubernetes_cases import CLUSTER, FAILING, POOL, RULE_IDS, SETTINGS, cluster, pool
from weakening import findings, first, weaken

from hardstack.render import Graph
from hardstack.rules.azure import kubernetes as rules
from hardstack.rules.rule import Rule
from hardstack.spec import LoadedSpec, load

STACKS = Path(__file__).resolve().parents[2] / "stacks"
K8S = "azure-k8s-eu"
RULES: dict[str, Rule] = {
    "azure-aks-private": rules.aks_private, "azure-aks-entra-only": rules.aks_entra_only,
    "azure-aks-kms-etcd": rules.aks_kms, "azure-aks-workload-identity": rules.aks_workload_identity,
    "azure-aks-defender": rules.aks_defender, "azure-aks-network-policy": rules.aks_network_policy,
    "azure-aks-managed-upgrades": rules.aks_upgrades, "azure-aks-secrets-rotation": rules.aks_secrets_rotation,
    "azure-aks-confidential-pools": rules.aks_confidential_pools,
    "azure-aks-nodes-private-encrypted": rules.aks_nodes_private,
}


def test_the_fixtures_cover_every_aks_rule() -> None:
    assert set(RULES) == set(RULE_IDS) == set(FAILING)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_passes_the_hardened_cluster_and_fails_the_weakened(rule_id: str) -> None:
    check = RULES[rule_id].check
    assert list(check(cluster(), {})) == []
    weakened, fragment = FAILING[rule_id]
    failures = list(check(weakened, {}))
    assert any(fragment in f for f in failures), failures


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"vmSize": "Standard_DC8es_v5"}, "not an AMD SEV-SNP"),  # Intel TDX: AKS runs none
    ({"osSKU": "Ubuntu2204"}, "OS SKU Ubuntu2204"),
    ({"osType": "Windows", "osSKU": "Windows2022"}, "OS SKU Windows2022"),
    ({"enableFIPS": True}, "FIPS"),
    ({"securityProfile": {"enableSecureBoot": True}}, "Trusted Launch"),
    ({"workloadRuntime": "KataVmIsolation"}, "Pod Sandboxing"),
    ({"vmSize": "Standard_NCC40ads_H100_v5"}, "GPU driver"),
])
def test_an_agent_pool_breaking_a_cvm_limit_fails(changes: dict[str, Any], fragment: str) -> None:
    failures = list(rules.aks_confidential_pools.check(pool(**changes), {}))
    assert any(fragment in f for f in failures), failures


def test_a_confidential_gpu_pool_without_the_aks_driver_passes() -> None:
    gpu = pool(vmSize="Standard_NCC40ads_H100_v5", gpuProfile={"driver": "None"})
    assert list(rules.aks_confidential_pools.check(gpu, {})) == []
    assert list(rules.aks_nodes_private.check(gpu, {})) == []


def test_kms_needs_a_versioned_key_and_vnet_integration() -> None:
    unversioned = cluster(**{"securityProfile/azureKeyVaultKms/keyId": "https://kv-x.vault.azure.net/keys/kms"})
    assert any("with its version" in f for f in rules.aks_kms.check(unversioned, {}))
    no_vnet = cluster(**{"apiServerAccessProfile/enableVnetIntegration": False})
    assert any("needs API Server VNet Integration" in f for f in rules.aks_kms.check(no_vnet, {}))


@pytest.fixture(scope="module")
def spec() -> LoadedSpec:
    return load(STACKS / f"Pulumi.{K8S}.yaml")


@pytest.fixture(scope="module")
def graph(spec: LoadedSpec, rendered) -> Graph:
    return rendered(spec.environment, spec.stack)


def test_example_passes_every_mandatory_rule(spec: LoadedSpec, graph: Graph) -> None:
    found = findings(spec, graph)
    failed = [(f.rule_id, f.resource_name) for f in found if f.status == "failed"]
    assert failed == []
    exempted = sorted((f.rule_id, f.resource_name) for f in found if f.status == "exempted")
    # Nodes reach the internet on 443 through the NAT gateway (egress nat): the advisory's exemption says why.
    assert exempted == [("azure-key-rotation", f"{K8S}-kms-key"), ("azure-private-endpoints", f"{K8S}-logs-account"),
                        ("azure-storage-public-network-disabled", f"{K8S}-logs-account"),
                        ("internet-egress-advisory", f"{K8S}-net-nat")]
    # Every AKS rule judges a resource of the example (a rule whose types are absent would pass vacuously).
    present = {r.type for r in graph}
    assert all(set(rule.resource_types) & present for rule in RULES.values())
    assert {CLUSTER, POOL} <= present


def test_every_rule_has_a_weakening_of_the_example() -> None:
    assert {rule for _, rule, _ in SETTINGS.values()} == set(RULES)


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_each_hardening_setting_of_the_example_is_judged(setting: str, spec: LoadedSpec, graph: Graph) -> None:
    loaded = copy.deepcopy(spec)
    loaded.environment.exemptions.clear()
    weakening, rule_id, fragment = SETTINGS[setting]
    before = [f.message for f in findings(loaded, graph) if f.rule_id == rule_id and f.status == "failed"]
    assert not any(fragment in m for m in before), before
    blamed, hits, failed = weaken(loaded, graph, weakening, rule_id)
    assert any(fragment in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


def test_the_cluster_without_diagnostics_fails_the_diagnostics_rule(spec: LoadedSpec, graph: Graph) -> None:
    loaded = copy.deepcopy(spec)
    loaded.environment.exemptions.clear()

    def no_diagnostics(g: Graph) -> str:
        g.resources.remove(first(g, "azure-native:monitor:DiagnosticSetting", "k8s-aks-diag"))
        return first(g, CLUSTER).name

    blamed, hits, failed = weaken(loaded, graph, no_diagnostics, "azure-diagnostics-to-workspace")
    assert any("AKS cluster" in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


def test_a_cluster_nobody_can_administer_fails_the_admins_rule(spec: LoadedSpec, graph: Graph) -> None:
    from hardstack.policy.harness import check_stack

    assert check_stack(rules.aks_admins, graph) == []  # the example names an admin group
    loaded = copy.deepcopy(spec)
    loaded.environment.exemptions.clear()

    def no_admins(g: Graph) -> str:
        g.resources[:] = [r for r in g.resources if "-k8s-admin-" not in r.name]
        return first(g, CLUSTER).name

    blamed, hits, failed = weaken(loaded, graph, no_admins, "azure-aks-admins")
    assert any("nobody can use its Kubernetes API" in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


def test_a_cluster_with_local_accounts_is_not_judged_by_the_admins_rule(graph: Graph) -> None:
    from hardstack.policy.harness import check_stack

    g = copy.deepcopy(graph)
    g.resources[:] = [r for r in g.resources if "-k8s-admin-" not in r.name]
    assert check_stack(rules.aks_admins, g) != []
    first(g, CLUSTER).inputs["disableLocalAccounts"] = False  # its own admin kubeconfig exists (other rules fail)
    assert check_stack(rules.aks_admins, g) == []


def test_container_insights_without_its_data_collection_rule_fails(spec: LoadedSpec, graph: Graph) -> None:
    from hardstack.policy.harness import check_stack

    assert check_stack(rules.aks_container_insights, graph) == []  # the example associates its rule
    loaded = copy.deepcopy(spec)
    loaded.environment.exemptions.clear()

    def no_association(g: Graph) -> str:
        g.resources.remove(first(g, "azure-native:monitor:DataCollectionRuleAssociation"))
        return first(g, CLUSTER).name

    blamed, hits, failed = weaken(loaded, graph, no_association, "azure-aks-container-insights")
    assert any("collects nothing" in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]
