"""checkov judges the Azure AI platform example (azure-ai-eu, exported as an ARM template): every
new resource type is judged, the checks listed per type pass, and weakening one setting fails the
named check (checkov's own or HS_AZ_32-40) on the named resource. One checkov run for all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, first, judge_weakened, passed_by_type, unexempted, weakened_failure
from checkov_helpers import set_input as setting

from hardstack.checkov.arm import to_arm
from hardstack.checkov.azure_types import ARM_TYPES
from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

STACK = "azure-ai-eu"
ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"
PLATFORM_CUSTOM_CHECKS = {f"HS_AZ_{n}" for n in range(32, 41)}

# What checkov passes on each new resource type of the example (its ARM checks and ours). A
# check missing here means the exporter stopped giving it the fields it reads.
PASSED_PER_TYPE: dict[str, set[str]] = {
    "Microsoft.MachineLearningServices/workspaces": {"CKV_AZURE_243", "CKV2_AZURE_49", "HS_AZ_32", "HS_AZ_33",
                                                     "HS_AZ_34"},
    "Microsoft.MachineLearningServices/workspaces/computes": {"HS_AZ_35"},
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints": {"HS_AZ_36"},
    "Microsoft.CognitiveServices/accounts": {"CKV_AZURE_134", "CKV_AZURE_236", "CKV_AZURE_238", "HS_AZ_37",
                                             "HS_AZ_38"},
    "Microsoft.CognitiveServices/accounts/deployments": {"HS_AZ_39"},
    "Microsoft.ContainerRegistry/registries": {"CKV_AZURE_137", "CKV_AZURE_138", "CKV_AZURE_139", "CKV_AZURE_163",
                                               "CKV_AZURE_233", "HS_AZ_40"},
}


def fqdn_rule(graph: Graph) -> str:
    workspace = first(graph, ML_WORKSPACE)
    workspace.inputs["managedNetwork"]["outboundRules"]["pypi"] = {"type": "FQDN", "destination": "pypi.org",
                                                                   "category": "UserDefined"}
    return workspace.name


def no_private_endpoint_rules(graph: Graph) -> str:
    workspace = first(graph, ML_WORKSPACE)
    workspace.inputs["managedNetwork"]["outboundRules"] = {}
    return workspace.name


WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV2_AZURE_49": setting(ML_WORKSPACE, "publicNetworkAccess", "Enabled"),
    "CKV_AZURE_243": no_private_endpoint_rules,
    "HS_AZ_32": setting(ML_WORKSPACE, "hbiWorkspace", False),
    "HS_AZ_33": fqdn_rule,
    "HS_AZ_34": setting(ML_WORKSPACE, "systemDatastoresAuthMode", "accessKey"),
    "HS_AZ_35": setting(COMPUTE, "properties/properties/enableNodePublicIp", True),
    "HS_AZ_36": setting(ONLINE_ENDPOINT, "properties/authMode", "Key"),
    "CKV_AZURE_134": setting(OPENAI, "properties/publicNetworkAccess", "Enabled"),
    "CKV_AZURE_236": setting(OPENAI, "properties/disableLocalAuth", False),
    "CKV_AZURE_238": setting(OPENAI, "identity", None),
    "HS_AZ_37": setting(OPENAI, "properties/encryption", None),
    "HS_AZ_38": setting(OPENAI, "properties/restrictOutboundNetworkAccess", False),
    "HS_AZ_39": setting(DEPLOYMENT, "sku/name", "GlobalStandard"),
    "CKV_AZURE_137": setting(REGISTRY, "adminUserEnabled", True),
    "CKV_AZURE_138": setting(REGISTRY, "anonymousPullEnabled", True),
    "CKV_AZURE_233": setting(REGISTRY, "zoneRedundancy", "Disabled"),
    "CKV_AZURE_139": setting(REGISTRY, "publicNetworkAccess", "Enabled"),
    "HS_AZ_40": setting(REGISTRY, "policies/exportPolicy/status", "enabled"),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(STACKS / f"Pulumi.{STACK}.yaml")


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak-azure-ai", [graph])


def test_every_resource_of_the_example_is_judged(judged, graph: Graph) -> None:
    result = judged[0][STACK]
    assert result.unjudged == []
    assert result.resource_count == exported_count(graph) == len(to_arm(graph).plan["resources"])


def test_each_new_type_passes_its_checks(judged, graph: Graph) -> None:
    passed = passed_by_type(graph, judged[0][STACK], ARM_TYPES, PASSED_PER_TYPE)
    for arm_type, checks in PASSED_PER_TYPE.items():
        print(f"{arm_type}: {len(passed[arm_type])} checks passed: {sorted(passed[arm_type])}")  # pytest -s
        assert passed[arm_type] >= checks, (arm_type, checks - passed[arm_type])


def test_new_types_are_exported_under_their_arm_types(graph: Graph) -> None:
    types = {r["type"] for r in to_arm(graph).plan["resources"]}
    assert set(PASSED_PER_TYPE) <= types


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    assert unexempted(judged[0][STACK], graph) == []
    # The registry's quarantine (CKV_AZURE_166) is the platform's one exempted checkov failure.
    platform = {f.rule_id for f in judged[0][STACK].findings if "ml-" in (f.resource_name or "")}
    assert platform == {"CKV_AZURE_166"}


def test_platform_custom_checks_pass_on_the_example(judged) -> None:
    result = judged[0][STACK]
    assert result.distinct_passed >= PLATFORM_CUSTOM_CHECKS, PLATFORM_CUSTOM_CHECKS - result.distinct_passed
    assert result.distinct_passed >= set().union(*PASSED_PER_TYPE.values())


def test_every_platform_custom_check_has_a_weakening() -> None:
    assert set(WEAKENINGS) >= PLATFORM_CUSTOM_CHECKS


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
