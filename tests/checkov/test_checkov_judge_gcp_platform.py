"""checkov judges the gcp-ai-eu example (Vertex AI): every resource, the new types included, is
judged; it fails only what the spec exempts (CKV2_GCP_33, which counts only peered endpoints as
private); hardstack's platform checks HS_GCP_21-26 pass and each fails when its setting is weakened.
Everything shares one checkov run."""

from __future__ import annotations

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, setting, unexempted, weakened_failure

from hardstack.checkov.gcp_types import GCP_TYPES
from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

AI = STACKS / "Pulumi.gcp-ai-eu.yaml"
NOTEBOOK = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
POLICY = "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
NEW_TYPES = (NOTEBOOK, ENDPOINT, STORE, POLICY, PERIMETER)
PLATFORM_CHECKS = {f"HS_GCP_{n}" for n in range(21, 27)}
# Checks seen passing on each new type of the example (checkov 3.3.30 and hardstack's own).
PASSING = {
    NOTEBOOK: {"CKV2_GCP_27", "CKV2_GCP_28", "HS_GCP_21", "HS_GCP_22", "HS_GCP_23"},
    ENDPOINT: {"CKV2_GCP_24", "HS_GCP_24"},
    STORE: {"CKV_GCP_96"},
    POLICY: {"HS_GCP_25"},
    PERIMETER: {"HS_GCP_26"},
}


def setup(key: str, change):
    return setting(NOTEBOOK, "gceSetup", lambda s: {**s, key: change(s.get(key))}, "workbench-0")


WEAKENINGS = {
    "CKV2_GCP_27": setup("bootDisk", lambda d: {k: v for k, v in d.items() if k != "kmsKey"}),
    "CKV2_GCP_28": setup("disablePublicIp", lambda _: False),
    "CKV2_GCP_24": setting(ENDPOINT, "encryptionSpec", lambda _: None),
    "CKV_GCP_96": setting(STORE, "encryptionSpec", lambda _: None),
    "HS_GCP_21": setup("metadata", lambda m: {**m, "notebook-disable-root": "false"}),
    "HS_GCP_22": setup("confidentialInstanceConfig", lambda _: None),
    "HS_GCP_23": setting(NOTEBOOK, "disableProxyAccess", lambda _: False, "workbench-1"),
    "HS_GCP_24": setting(ENDPOINT, "privateServiceConnectConfig",
                         lambda c: {**c, "enablePrivateServiceConnect": False}),
    "HS_GCP_25": setting(POLICY, "pscConfig", lambda c: {**c, "subnetworks": []}),
    "HS_GCP_26": setting(PERIMETER, "status", lambda s: {**s, "vpcAccessibleServices": {"enableRestriction": False}}),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(AI)


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak-gcp-ai", [graph])


def test_new_types_are_mapped(graph: Graph) -> None:
    assert set(NEW_TYPES) <= set(GCP_TYPES)
    assert {r.type for r in graph} >= set(NEW_TYPES)


def test_example_parsed_whole_and_nothing_unjudged(judged, graph: Graph) -> None:
    result = judged[0]["gcp-ai-eu"]
    assert result.resource_count == exported_count(graph) > 60
    assert result.unjudged == []


@pytest.mark.parametrize("token", NEW_TYPES)
def test_each_new_type_passes_its_checks(judged, graph: Graph, token: str) -> None:
    urns = {r.urn for r in graph.of_type(token)}
    passed = {check for check, urn in judged[0]["gcp-ai-eu"].passed if urn in urns}
    assert passed >= PASSING[token]


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    findings = judged[0]["gcp-ai-eu"].findings
    assert "CKV2_GCP_33" in {f.rule_id for f in findings}  # PSC, not peering: exempted with its reason
    assert unexempted(judged[0]["gcp-ai-eu"], graph) == []


def test_every_platform_check_is_weakened() -> None:
    assert set(WEAKENINGS) >= PLATFORM_CHECKS


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
