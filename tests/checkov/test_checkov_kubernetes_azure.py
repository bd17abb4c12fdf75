"""checkov judges the AKS example (azure-k8s-eu, exported as an ARM template): every resource is
judged, the checks listed per new type pass, the example fails only what its spec exempts, and
weakening one setting fails the named check (checkov's own AKS checks, HS_AZ_41-47, or HS_AZ_48
on the NAT gateway's address) on the named resource. One checkov run for all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, passed_by_type, unexempted, weakened_failure
from checkov_helpers import set_input as setting

from hardstack.checkov.arm import to_arm
from hardstack.checkov.azure_types import ARM_TYPES
from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

STACK = "azure-k8s-eu"
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
KUBERNETES_CUSTOM_CHECKS = {f"HS_AZ_{n}" for n in range(41, 48)}

# What checkov passes on each new resource type of the example (its ARM checks and ours). A check
# missing here means the exporter stopped giving it the fields it reads.
PASSED_PER_TYPE: dict[str, set[str]] = {
    "Microsoft.ContainerService/managedClusters": {
        "CKV_AZURE_4", "CKV_AZURE_5", "CKV_AZURE_7", "CKV_AZURE_141", "CKV_AZURE_168", "CKV_AZURE_169",
        "CKV_AZURE_171", "CKV_AZURE_227", *KUBERNETES_CUSTOM_CHECKS,
    },
    "Microsoft.ContainerService/managedClusters/agentPools": {"CKV_AZURE_168", "CKV_AZURE_227", "HS_AZ_41",
                                                              "HS_AZ_44"},
    "Microsoft.Network/publicIPAddresses": {"HS_AZ_48"},
}


WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_AZURE_4": setting(CLUSTER, "addonProfiles/omsagent/enabled", False),
    "CKV_AZURE_5": setting(CLUSTER, "enableRBAC", False),
    "CKV_AZURE_7": setting(CLUSTER, "networkProfile/networkPolicy", None),
    "CKV_AZURE_141": setting(CLUSTER, "disableLocalAccounts", False),
    "CKV_AZURE_171": setting(CLUSTER, "autoUpgradeProfile/upgradeChannel", "none"),
    "CKV_AZURE_227": setting(POOL, "enableEncryptionAtHost", False),
    "CKV_AZURE_168": setting(POOL, "maxPods", 30),
    "HS_AZ_41": setting(POOL, "vmSize", "Standard_NC40ads_H100_v5"),
    "HS_AZ_42": setting(CLUSTER, "securityProfile/azureKeyVaultKms/keyVaultNetworkAccess", "Public"),
    "HS_AZ_43": setting(CLUSTER, "aadProfile/enableAzureRBAC", False),
    "HS_AZ_44": setting(CLUSTER, "agentPoolProfiles/0/enableNodePublicIP", True),
    "HS_AZ_45": setting(CLUSTER, "apiServerAccessProfile/enablePrivateCluster", False),
    "HS_AZ_46": setting(CLUSTER, "securityProfile/defender", None),
    "HS_AZ_47": setting(CLUSTER, "securityProfile/workloadIdentity/enabled", False),
    # The NAT gateway's address (egress nat): a Basic SKU one would be open to inbound traffic.
    "HS_AZ_48": setting(PUBLIC_IP, "sku/name", "Basic"),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(STACKS / f"Pulumi.{STACK}.yaml")


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak-azure-k8s", [graph])


def test_every_resource_of_the_example_is_exported_and_judged(judged, graph: Graph) -> None:
    result = judged[0][STACK]
    assert result.unjudged == []
    assert result.resource_count == exported_count(graph) == len(to_arm(graph).plan["resources"])


def test_each_new_type_passes_its_checks(judged, graph: Graph) -> None:
    passed = passed_by_type(graph, judged[0][STACK], ARM_TYPES, PASSED_PER_TYPE)
    for arm_type, checks in PASSED_PER_TYPE.items():
        print(f"{arm_type}: {len(passed[arm_type])} checks passed: {sorted(passed[arm_type])}")  # pytest -s
        assert passed[arm_type] >= checks, (arm_type, checks - passed[arm_type])


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    assert unexempted(judged[0][STACK], graph) == []
    cluster = {f.rule_id for f in judged[0][STACK].findings if (f.resource_name or "").startswith(f"{STACK}-k8s-")}
    # Authorized IP ranges (private cluster), the retired dashboard, ephemeral OS on a size without a
    # temp disk, and the secrets rotation flag checkov wants as a JSON boolean.
    assert cluster == {"CKV_AZURE_6", "CKV_AZURE_8", "CKV_AZURE_226", "CKV_AZURE_172"}
    # The KMS key is rotated by a person (AKS pins its version): HS_AZ_9 wants automatic rotation.
    kms = {f.rule_id for f in judged[0][STACK].findings if f.resource_name == f"{STACK}-kms-key"}
    assert kms == {"HS_AZ_9"}


def test_every_kubernetes_custom_check_has_a_weakening() -> None:
    assert set(WEAKENINGS) >= KUBERNETES_CUSTOM_CHECKS


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
