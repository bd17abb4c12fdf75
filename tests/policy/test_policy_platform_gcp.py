"""The gcp-ai-eu example (Vertex AI) passes every mandatory rule; weakening one platform setting of
it makes the named rule fail on that resource."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from weakening import blame, drop, edit_input, findings, named, set_input, weaken

from hardstack.render import Graph
from hardstack.spec import LoadedSpec, load

AI = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.gcp-ai-eu.yaml"
NOTEBOOK = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"


def setup(change: Callable[[dict[str, object]], dict[str, object]], part: str = "workbench-0"):
    return edit_input(NOTEBOOK, "gceSetup", change, part)


PLATFORM_WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "gcp-workbench-private": set_input(NOTEBOOK, "disableProxyAccess", False, "workbench-1"),
    "gcp-workbench-locked-down": setup(
        lambda s: {**s, "metadata": {**s["metadata"], "notebook-disable-terminal": "false"}}),
    "gcp-workbench-confidential": setup(lambda s: {k: v for k, v in s.items() if k != "confidentialInstanceConfig"}),
    "gcp-workbench-cmek": setup(
        lambda s: {**s, "bootDisk": {**s["bootDisk"], "diskEncryption": "GMEK"}}, "workbench-1"),
    "gcp-workbench-own-identity": setup(lambda s: {**s, "serviceAccounts": []}),
    "gcp-vertex-endpoint-private": edit_input(ENDPOINT, "privateServiceConnectConfig",
                                              lambda c: {**c, "enablePrivateServiceConnect": False}),
    "gcp-vertex-cmek": set_input(STORE, "encryptionSpec", None),
    "gcp-vertex-models-allow-list": drop(ORG_POLICY, "allowed-models", named(PROJECT_MEMBER, "models-invoker")),
    "gcp-vertex-perimeter": edit_input(PERIMETER, "status", lambda s: {
        **s, "restrictedServices": [x for x in s["restrictedServices"] if x != "aiplatform.googleapis.com"]}),
}
# Weakenings that also break a setting other rules judge on the same example.
EXTRA: dict[str, Callable[[Graph], str]] = {  # one per rule: dict keys are unique
    "gcp-workbench-private": setup(lambda s: {**s, "disablePublicIp": False}),
    "gcp-vertex-cmek": set_input(ENDPOINT, "encryptionSpec", None),
    "gcp-workbench-locked-down": setup(lambda s: {**s, "metadata": {**s["metadata"], "enable-oslogin": "FALSE"}},
                                       "workbench-1"),
    "gcp-vertex-models-allow-list": blame(set_input(ORG_POLICY, "spec", {"rules": [{"allowAll": "TRUE"}]},
                                                    "allowed-models"), named(PROJECT_MEMBER, "models-invoker")),
}


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(AI)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)


def test_example_passes_every_rule(loaded: LoadedSpec, graph: Graph) -> None:
    assert [(f.status, f.rule_id, f.resource_name, f.message) for f in findings(loaded, graph)] == []


@pytest.mark.parametrize("rule_id, weakening", [*PLATFORM_WEAKENINGS.items(), *EXTRA.items()],
                         ids=[*PLATFORM_WEAKENINGS, *(f"{k}-extra" for k in EXTRA)])
def test_weakened_example_fails_the_named_rule(rule_id: str, weakening, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, named_rule, failed = weaken(loaded, graph, weakening, rule_id)
    assert named_rule, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    assert any(f.resource_name == blamed for f in named_rule), [(f.resource_name, f.message) for f in named_rule]
