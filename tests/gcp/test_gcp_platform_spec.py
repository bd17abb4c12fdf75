"""Vertex AI's offer (hardstack/spec/platforms/gcp.py) and the refusals it gives."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, SpecError, SpecIssue, validate
from hardstack.spec.platforms.gcp import MODEL_IDS, MODEL_REGIONS, NOTEBOOK_SIZES, OFFER, model_values

AI_STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.gcp-ai-eu.yaml"
FILE = Path("stacks/Pulumi.gcp-under-test.yaml")


def raw_spec() -> dict[str, Any]:
    doc = YAML(typ="safe").load(AI_STACK.read_text(encoding="utf-8"))
    return copy.deepcopy(doc["config"][CONFIG_KEY])


def issues(raw: dict[str, Any]) -> list[SpecIssue]:
    with pytest.raises(SpecError) as err:
        validate(raw, FILE)
    return err.value.issues


def test_the_example_is_valid() -> None:
    validate(raw_spec(), FILE)


def test_notebook_sizes_are_n2d_only_and_include_the_default() -> None:
    # Workbench's confidential type is SEV alone, which runs on N2D.
    assert all(s.startswith("n2d-") for s in NOTEBOOK_SIZES)
    assert OFFER.notebook_default in NOTEBOOK_SIZES == OFFER.notebook_sizes


@pytest.mark.parametrize("size", ["e2-standard-4", "n1-standard-4", "c3-standard-8"])
def test_a_non_confidential_notebook_size_is_refused_naming_the_offer(size: str) -> None:
    raw = raw_spec()
    raw["platform"]["notebooks"]["instance_type"] = size
    (issue,) = issues(raw)
    assert issue.field == "platform.notebooks.instance_type"
    assert f"'{size}' is not a size" in issue.message and "n2d-" in issue.message


def test_each_family_lists_models_one_by_one() -> None:
    for family in OFFER.model_families:
        values = model_values(family)
        assert values and len(values) == len(MODEL_IDS[family])
        assert all(v.count("/") == 3 and v.endswith(":predict") and "*" not in v for v in values)


def test_an_unknown_family_is_refused_with_the_offer() -> None:
    raw = raw_spec()
    raw["platform"]["foundation_models"]["allow"] = ["openai.gpt"]
    (issue,) = issues(raw)
    assert issue.field == "platform.foundation_models.allow[0]"
    assert "'openai.gpt' is not a model family Vertex AI offers" in issue.message


def test_claude_is_refused_in_europe_west4_naming_its_regions() -> None:
    raw = raw_spec()
    raw["platform"]["foundation_models"]["allow"] = ["google.gemini", "anthropic.claude"]
    (issue,) = issues(raw)
    assert issue.field == "platform.foundation_models.allow[1]"
    assert "anthropic.claude cannot be invoked in europe-west4" in issue.message
    assert "europe-west1" in issue.message
    assert "europe-west4" not in MODEL_REGIONS["anthropic.claude"]


def test_claude_is_accepted_in_europe_west1() -> None:
    raw = raw_spec()
    raw.update(region="europe-west1")
    raw["platform"]["foundation_models"]["allow"] = ["anthropic.claude"]
    validate(raw, FILE)


def test_a_perimeter_needs_the_project_number() -> None:
    raw = raw_spec()
    del raw["project_number"]
    (issue,) = issues(raw)
    assert issue.field == "platform.access_policy"
    assert "names its project by number: add project_number" in issue.message


def test_endpoint_sizes_are_refused_on_gcp() -> None:
    raw = raw_spec()
    raw["platform"]["endpoints"][0]["instance_type"] = "n1-standard-4"
    (issue,) = issues(raw)
    assert issue.field == "platform.endpoints[0].instance_type"
    assert "gcp takes no endpoint instance_type" in issue.message


def test_an_eu_region_without_vertex_ai_is_refused() -> None:
    raw = raw_spec()
    raw.update(region="europe-west12")
    found = issues(raw)
    assert any(i.field == "platform" and "Vertex AI is not offered in europe-west12" in i.message for i in found)


def test_a_perimeter_without_access_levels_is_refused_because_it_locks_out_the_deployer() -> None:
    raw = raw_spec()
    del raw["platform"]["access_levels"]
    (issue,) = [i for i in issues(raw) if i.field == "platform.access_levels"]
    assert "refuses every call from outside it" in issue.message and "next pulumi up" in issue.message
    assert "accessPolicies/918273645501/accessLevels/<name>" in issue.message


def test_access_levels_must_be_the_perimeters_policys() -> None:
    raw = raw_spec()
    raw["platform"]["access_levels"] = ["accessPolicies/1/accessLevels/ci_runners"]
    (issue,) = [i for i in issues(raw) if i.field == "platform.access_levels[0]"]
    assert "not a level of the perimeter's policy 918273645501" in issue.message


def test_access_levels_without_a_perimeter_are_refused() -> None:
    raw = raw_spec()
    del raw["platform"]["access_policy"]
    (issue,) = [i for i in issues(raw) if i.field == "platform.access_levels"]
    assert "add access_policy, or remove access_levels" in issue.message


@pytest.mark.parametrize("owner", ["ana", "ana@", "@example.com"])
def test_an_owner_is_an_email_address(owner: str) -> None:
    raw = raw_spec()
    raw["platform"]["notebooks"]["owners"] = [owner, "ben@example.com"]
    (issue,) = [i for i in issues(raw) if i.field == "platform.notebooks.owners[0]"]
    assert f"'{owner}' is not an e-mail address" in issue.message


def test_count_follows_the_owners_and_must_match_when_given() -> None:
    raw = raw_spec()
    assert validate(raw, FILE).platform.notebooks.count == len(raw["platform"]["notebooks"]["owners"])
    raw["platform"]["notebooks"]["count"] = 3
    (issue,) = [i for i in issues(raw) if i.field == "platform.notebooks"]
    assert "count 3 does not match the 2 owners" in issue.message
    raw["platform"]["notebooks"]["count"] = 2
    raw["platform"]["notebooks"]["owners"] = ["ana@example.com", "ana@example.com"]
    (issue,) = [i for i in issues(raw) if i.field == "platform.notebooks"]
    assert "repeated: ana@example.com" in issue.message
