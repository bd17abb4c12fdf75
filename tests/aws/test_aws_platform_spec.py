"""What SageMaker and Bedrock offer (hardstack/spec/platforms/aws.py): the example's platform is
valid; what AWS does not offer, or hardstack cannot run hardened, is refused naming what is."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from aws_helpers import ROOT

from hardstack.spec import SpecError, load, validate
from hardstack.spec.platforms import aws as offer

EXAMPLE = ROOT / "stacks" / "Pulumi.aws-ai-eu.yaml"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return load(EXAMPLE).environment.model_dump(mode="json", exclude_none=True)


def problems(raw: dict[str, Any], **platform: Any) -> list[tuple[str, str]]:
    data = copy.deepcopy(raw)
    region = platform.pop("region", None)
    if region is not None:
        data["region"] = region
    data["platform"].update(platform)
    try:
        validate(data, Path("Pulumi.aws-ai-eu.yaml"))
    except SpecError as error:
        return [(i.field, i.message) for i in error.issues]
    return []


def test_example_platform_is_valid(raw: dict[str, Any]) -> None:
    env = load(EXAMPLE).environment
    assert env.platform is not None and env.region == "eu-central-1"
    assert env.platform.foundation_models is not None
    assert env.platform.foundation_models.allow == ["anthropic.claude", "amazon.nova"]
    assert problems(raw) == []


def test_offer_facts() -> None:
    assert offer.OFFER.notebook_default == "ml.t3.medium" and offer.OFFER.endpoint_default == "ml.m5.xlarge"
    assert offer.NOTEBOOK_PLATFORM == "notebook-al2023-v1"
    assert {"eu-central-1", "eu-west-1", "eu-west-3"} <= offer.GUARDRAIL_REGIONS
    assert "eu-west-2" not in offer.NOVA_REGIONS and "eu-central-1" in offer.NOVA_REGIONS
    assert offer.MODEL_FAMILIES["anthropic.claude"] == "anthropic.claude-*"
    assert offer.profile_geography("eu-central-1") == "eu" and offer.profile_geography("ap-south-1") == "apac"


def test_local_storage_endpoint_is_refused_naming_ebs_only_sizes(raw: dict[str, Any]) -> None:
    endpoint = {**raw["platform"]["endpoints"][0], "instance_type": "ml.g5.xlarge"}
    ((field, message),) = problems(raw, endpoints=[endpoint])
    assert field == "platform.endpoints[0].instance_type"
    assert "local NVMe storage" in message and "ml.m5.large" in message and offer.SRC_ENDPOINT_KEY in message


def test_models_need_a_guardrails_region(raw: dict[str, Any]) -> None:
    found = problems(raw, region="eu-central-2", foundation_models={"allow": ["anthropic.claude"]}, endpoints=[])
    assert found == []  # Zurich has Guardrails
    found = problems(raw, region="me-south-1", foundation_models={"allow": ["anthropic.claude"]}, endpoints=[])
    messages = [m for f, m in found if f == "platform.foundation_models"]
    assert messages and "Bedrock Guardrails is not offered in me-south-1" in messages[0]
    assert "eu-central-1" in messages[0]


def test_nova_is_refused_where_it_is_not_offered(raw: dict[str, Any]) -> None:
    found = problems(raw, region="eu-west-2", foundation_models={"allow": ["amazon.nova"]}, endpoints=[])
    assert tuple(f for f, _ in found if "allow" in f) == ("platform.foundation_models.allow[0]",)
    message = next(m for f, m in found if "allow" in f)
    assert "amazon.nova cannot be invoked in eu-west-2" in message and "eu-central-1" in message


def test_unknown_family_and_notebook_size_name_the_offer(raw: dict[str, Any]) -> None:
    found = dict(problems(raw, foundation_models={"allow": ["anthropic.claud"]},
                          notebooks={"count": 1, "instance_type": "ml.t3.mediun"}))
    assert "did you mean anthropic.claude" in found["platform.foundation_models.allow[0]"]
    assert "did you mean ml.t3.medium" in found["platform.notebooks.instance_type"]


def test_endpoint_image_must_be_ecr_of_the_region(raw: dict[str, Any]) -> None:
    endpoint = {**raw["platform"]["endpoints"][0],
                "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/classifier-serving:1.4.2"}
    ((field, message),) = problems(raw, endpoints=[endpoint])
    assert field == "platform.endpoints[0].image" and "not an Amazon ECR image of eu-central-1" in message
