"""The Azure AI platform example (azure-ai-eu) passes every mandatory rule but the one its spec
exempts with a reason, and weakening any one of its hardening settings makes the named rule fail
on the weakened resource (judged without the example's exemptions, so none can hide a weakening;
the message fragment tells the weakening's failure from any that was there before)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from azure_platform_weakenings import PLATFORM_WEAKENINGS, SETTINGS
from weakening import findings, weaken

from hardstack.render import Graph
from hardstack.spec import LoadedSpec, load

STACKS = Path(__file__).resolve().parents[2] / "stacks"
AI = "azure-ai-eu"


@pytest.fixture(scope="module")
def specs() -> dict[str, LoadedSpec]:
    return {AI: load(STACKS / f"Pulumi.{AI}.yaml")}


@pytest.fixture(scope="module")
def graphs(specs: dict[str, LoadedSpec], rendered) -> dict[str, Graph]:
    return {AI: rendered(specs[AI].environment, specs[AI].stack)}


def test_ai_example_passes_every_mandatory_rule(specs: dict[str, LoadedSpec], graphs: dict[str, Graph]) -> None:
    found = findings(specs[AI], graphs[AI])
    assert [(f.rule_id, f.resource_name, f.message) for f in found if f.status == "failed"] == []
    exempted = sorted((f.rule_id, f.resource_name) for f in found if f.status == "exempted")
    # The log account, as in the VM examples; the Cosmos DB grant is made (azure.cosmos_db_object_id).
    assert exempted == [("azure-private-endpoints", f"{AI}-logs-account"),
                        ("azure-storage-public-network-disabled", f"{AI}-logs-account")]
    assert all(f.status == "passed" for f in found if f.rule_id == "azure-ml-workspace-key-usable")


@pytest.mark.parametrize("rule_id", sorted(PLATFORM_WEAKENINGS))
def test_weakened_ai_example_fails_the_named_rule(rule_id: str, specs: dict[str, LoadedSpec],
                                                  graphs: dict[str, Graph]) -> None:
    # Judged without the example's exemptions, so the one on the workspace's key cannot hide a weakening;
    # the message fragment tells the weakening's failure from any that was there before.
    loaded = copy.deepcopy(specs[AI])
    loaded.environment.exemptions.clear()
    weakening, fragment = PLATFORM_WEAKENINGS[rule_id]
    before = [f.message for f in findings(loaded, graphs[AI]) if f.rule_id == rule_id and f.status == "failed"]
    assert not any(fragment in m for m in before), before
    blamed, hits, failed = weaken(loaded, graphs[AI], weakening, rule_id)
    assert any(fragment in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_each_hardening_setting_of_the_ai_example_is_judged(setting: str, specs: dict[str, LoadedSpec],
                                                            graphs: dict[str, Graph]) -> None:
    loaded = copy.deepcopy(specs[AI])
    loaded.environment.exemptions.clear()
    weakening, rule_id, fragment = SETTINGS[setting]
    before = [f.message for f in findings(loaded, graphs[AI]) if f.rule_id == rule_id and f.status == "failed"]
    assert not any(fragment in m for m in before), before
    blamed, hits, failed = weaken(loaded, graphs[AI], weakening, rule_id)
    assert any(fragment in f.message and f.resource_name == blamed for f in hits), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]
