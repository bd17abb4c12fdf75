"""The platform section on Azure: what Azure Machine Learning and Azure OpenAI offer (the facts of
hardstack/spec/platforms/azure.py, each from the page cited there) and the refusals that name
what is offered instead."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, SpecError, SpecIssue, validate
from hardstack.spec.platforms import azure as offer
from hardstack.spec.platforms.rules import OFFERS

AI_STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.azure-ai-eu.yaml"


def spec(**platform: Any) -> dict[str, Any]:
    data = copy.deepcopy(YAML(typ="safe").load(AI_STACK.read_text())["config"][CONFIG_KEY])
    for key, value in platform.items():
        if key == "region":
            data["region"] = value
        elif value is None:
            data["platform"].pop(key, None)
        else:
            data["platform"][key] = value
    return data


def issues(data: dict[str, Any]) -> list[SpecIssue]:
    with pytest.raises(SpecError) as err:
        validate(data, AI_STACK)
    return err.value.issues


def only(found: list[SpecIssue]) -> SpecIssue:
    assert len(found) == 1, [(i.field, i.message) for i in found]
    return found[0]


OWNER = "00000000-0000-4000-8000-00000000a001"


def test_the_example_is_valid() -> None:
    env = validate(spec(), AI_STACK)
    assert env.platform is not None and env.platform.foundation_models is not None
    # no VMs: of the tenant's object ids only Azure Cosmos DB's is needed, for the workspace's key
    assert env.workloads == [] and env.azure is not None and env.azure.cosmos_db_object_id
    assert env.azure.cvm_orchestrator_object_id is None and env.azure.security_provider_object_id is None


def test_offer_is_the_one_the_rules_use() -> None:
    assert OFFERS["azure"] is offer.OFFER
    assert offer.OFFER.notebook_default == "Standard_DS3_v2" in offer.NOTEBOOK_SIZES


def test_pinned_versions_are_the_data_zone_tables() -> None:
    # Model name and version columns of the Data Zone Standard table (model-matrix/datazone-standard.md).
    assert {f: (v.name, v.version) for f, v in offer.MODEL_VERSIONS.items()} == {
        "gpt-4o": ("gpt-4o", "2024-11-20"), "gpt-4o-mini": ("gpt-4o-mini", "2024-07-18"),
        "gpt-4.1": ("gpt-4.1", "2025-04-14"), "gpt-4.1-mini": ("gpt-4.1-mini", "2025-04-14"),
        "text-embedding-3-large": ("text-embedding-3-large", "1"),
        "text-embedding-3-small": ("text-embedding-3-small", "1"),
    }
    assert offer.DEPLOYMENT_SKU == "DataZoneStandard"
    assert set(offer.MODEL_FAMILIES) == set(offer.MODEL_VERSIONS)


def test_data_zone_regions() -> None:
    # The table's EU rows, all ticked for every pinned version; westeurope and swedencentral among them,
    # northeurope and uksouth (no Data Zone Standard) not.
    assert {"francecentral", "germanywestcentral", "italynorth", "polandcentral",
                                  "spaincentral", "swedencentral", "westeurope"} == offer.DATA_ZONE_EU
    assert all(regions == offer.DATA_ZONE_EU | offer.DATA_ZONE_US for regions in offer.MODEL_REGIONS.values())
    assert "northeurope" not in offer.MODEL_REGIONS["gpt-4o"] and "uksouth" not in offer.MODEL_REGIONS["gpt-4o"]


def test_a_family_azure_does_not_offer_names_the_offered_ones() -> None:
    issue = only(issues(spec(foundation_models={"allow": ["anthropic.claude"]})))
    assert issue.field == "platform.foundation_models.allow[0]"
    assert "not a model family Azure Machine Learning and Azure OpenAI offers" in issue.message
    assert "gpt-4o" in issue.message and offer.SRC_OPENAI_MODELS in issue.message


def test_a_close_family_name_is_suggested() -> None:
    issue = only(issues(spec(foundation_models={"allow": ["gpt4o"]})))
    assert "did you mean gpt-4o" in issue.message


def test_a_region_without_data_zone_standard_is_refused() -> None:
    # northeurope is in the EU but has no Data Zone Standard deployments of these models.
    found = issues(spec(region="northeurope"))
    assert [i.field for i in found] == ["platform.foundation_models.allow[0]", "platform.foundation_models.allow[1]"]
    assert "gpt-4o cannot be invoked in northeurope" in found[0].message
    assert "text-embedding-3-large cannot be invoked in northeurope" in found[1].message
    assert all("swedencentral" in i.message and "westeurope" in i.message for i in found)


def test_a_notebook_size_not_offered_is_refused_with_the_sizes() -> None:
    issue = only(issues(spec(notebooks={"instance_type": "ml.t3.medium", "owners": [OWNER]})))
    assert issue.field == "platform.notebooks.instance_type"
    assert "Azure Machine Learning compute instances" in issue.message and "Standard_DS3_v2" in issue.message


@pytest.mark.parametrize(("field", "value"), [("instance_type", "ml.m5.xlarge"), ("count", 2),
                                              ("image", "1.dkr.ecr.eu-west-1.amazonaws.com/m:1")])
def test_endpoint_settings_of_other_clouds_are_refused(field: str, value: Any) -> None:
    issue = only(issues(spec(endpoints=[{"name": "scoring", field: value}])))
    assert issue.field == f"platform.endpoints[0].{field}"
    assert f"azure takes no endpoint {field}" in issue.message and "az ml online-deployment create" in issue.message


def test_access_policy_is_gcp_only() -> None:
    issue = only(issues(spec(access_policy="123456")))
    assert "only GCP has" in issue.message and "private endpoints" in issue.message


def test_an_empty_platform_is_refused() -> None:
    issue = only(issues(spec(notebooks=None, endpoints=None, foundation_models=None)))
    assert issue.field == "platform" and "asks for nothing" in issue.message


@pytest.mark.parametrize("keep", ["notebooks", "endpoints"])
def test_a_workspace_needs_the_cosmos_db_principal(keep: str) -> None:
    data = spec(**{other: None for other in ("notebooks", "endpoints") if other != keep})
    data["azure"].pop("cosmos_db_object_id")
    issue = only(issues(data))
    assert issue.field == "azure.cosmos_db_object_id"
    assert "'Azure Cosmos DB' service principal" in issue.message and "fails to create" in issue.message
    assert f"az ad sp show --id {offer.COSMOS_DB_APP} --query id -o tsv" in issue.message


def test_without_the_azure_block_the_message_names_the_block() -> None:
    data = spec()
    data.pop("azure")
    issue = only(issues(data))
    assert issue.field == "azure" and "add azure: {tenant_id: ..., cosmos_db_object_id: ...}" in issue.message


def test_azure_openai_alone_needs_no_tenant_block() -> None:
    data = spec(notebooks=None, endpoints=None)
    data.pop("azure")
    assert validate(data, AI_STACK).azure is None


def test_confidential_vms_still_need_the_orchestrator() -> None:
    data = spec()
    data["workloads"] = [{"name": "trainer", "machine_type": "Standard_DC4es_v5",
                          "ssh_public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnly admin"}]
    data["region"] = "westeurope"
    data["azure"]["security_provider_object_id"] = "00000000-0000-4000-8000-0000000000cc"
    found = issues(data)
    issue = next(i for i in found if i.field == "azure.cvm_orchestrator_object_id")
    assert "Confidential VM Orchestrator" in issue.message and "bf7b6499-ff71-4aa2-97a4-f372087be7f0" in issue.message
