"""checkov judges the AWS platform example (stacks/Pulumi.aws-ai-eu.yaml): every SageMaker and Bedrock
resource is judged, the example fails only what its spec exempts, and weakening one hardening
setting fails the named check on that resource. All weakened copies share one checkov run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, setting, unexempted, weakened_failure

from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

EXAMPLE = STACKS / "Pulumi.aws-ai-eu.yaml"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
NEW_TYPES = (NOTEBOOK, DOMAIN, MODEL, CONFIG, GUARDRAIL, "aws:sagemaker/endpoint:Endpoint",
             "aws:bedrock/guardrailVersion:GuardrailVersion")


def weaker_filters(config: object) -> object:
    assert isinstance(config, dict)
    return {"filtersConfigs": [{**f, "inputStrength": "LOW"} if f["type"] == "HATE" else f
                               for f in config["filtersConfigs"]]}


# checkov id -> weakening of one setting; the check must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_AWS_22": setting(NOTEBOOK, "kmsKeyId", lambda _: None),
    "CKV_AWS_122": setting(NOTEBOOK, "directInternetAccess", lambda _: "Enabled"),
    "CKV_AWS_306": setting(NOTEBOOK, "subnetId", lambda _: None),
    "CKV_AWS_307": setting(NOTEBOOK, "rootAccess", lambda _: "Enabled"),
    "CKV_AWS_371": setting(NOTEBOOK, "instanceMetadataServiceConfiguration",
                           lambda _: {"minimumInstanceMetadataServiceVersion": "1"}),
    "CKV_AWS_187": setting(DOMAIN, "kmsKeyId", lambda _: None),
    "CKV_AWS_98": setting(CONFIG, "kmsKeyArn", lambda _: None),
    "CKV_AWS_370": setting(MODEL, "enableNetworkIsolation", lambda _: False),
    "HS_AWS_7": setting(DOMAIN, "appNetworkAccessType", lambda _: "PublicInternetOnly"),
    "HS_AWS_8": setting(GUARDRAIL, "kmsKeyArn", lambda _: None),
    "HS_AWS_9": setting(GUARDRAIL, "contentPolicyConfig", weaker_filters),
    "HS_AWS_10": setting(MODEL, "vpcConfig", lambda _: None),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(EXAMPLE)


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak", [graph])


def test_example_parsed_whole_by_checkov(judged, graph: Graph) -> None:
    assert judged[0]["aws-ai-eu"].resource_count == exported_count(graph) > 100


def test_every_platform_resource_is_judged(judged, graph: Graph) -> None:
    result = judged[0]["aws-ai-eu"]
    assert result.unjudged == []
    present = {r.type for r in graph if r.type in NEW_TYPES}
    assert present == set(NEW_TYPES)
    indirect = {t for _, t in result.indirect}
    # Directly judged by a check of their own: every type but the endpoint and the guardrail version,
    # which checkov reaches through the configuration and the guardrail they name.
    assert indirect & set(NEW_TYPES) <= {"aws:sagemaker/endpoint:Endpoint",
                                         "aws:bedrock/guardrailVersion:GuardrailVersion"}


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    assert unexempted(judged[0]["aws-ai-eu"], graph) == []


def test_platform_checks_pass_on_the_example(judged) -> None:
    assert set(WEAKENINGS) | {"CKV2_AWS_68"} <= judged[0]["aws-ai-eu"].distinct_passed


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
