"""The AWS platform example (stacks/Pulumi.aws-ai-eu.yaml) passes every mandatory rule; weakening
one hardening setting of its SageMaker and Bedrock resources makes the named rule fail on that
resource. Also the platform rules' edges beyond their fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from weakening import edit_input, findings, first, set_input, weaken

from hardstack.policy.harness import check_resource, check_stack
from hardstack.render import Graph
from hardstack.rules import REGISTRY, rules
from hardstack.rules.packs import packs_for
from hardstack.spec import LoadedSpec, load

STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.aws-ai-eu.yaml"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(STACK)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)


def edit_studio_grants(change: Callable[[dict], None]) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        res = first(graph, ROLE_POLICY, "platform-studio-grants")
        doc = json.loads(res.inputs["policy"])
        change(next(st for st in doc["Statement"] if st["Sid"] == "InvokeAllowedModelsThroughGuardrail"))
        res.inputs["policy"] = json.dumps(doc)
        return res.name
    return mutate


def open_bedrock_endpoint(graph: Graph) -> str:
    endpoint = next(e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                    if e.inputs["serviceName"].endswith(".bedrock-runtime"))
    doc = json.loads(endpoint.inputs["policy"])
    doc["Statement"][0]["Resource"] = "*"
    endpoint.inputs["policy"] = json.dumps(doc)
    return endpoint.name


def weaker(kind: str) -> Callable[[object], object]:
    def change(config: object) -> object:
        assert isinstance(config, dict)
        return {"filtersConfigs": [{**f, "outputStrength": "LOW"} if f["type"] == kind else f
                                   for f in config["filtersConfigs"]]}
    return change


def foreign_key(token: str, prop: str) -> Callable[[Graph], str]:
    """The store keeps a key, but one of another account: no longer this environment's to rotate or revoke."""
    def mutate(graph: Graph) -> str:
        res = first(graph, token)
        res.inputs[prop] = "arn:aws:kms:eu-central-1:999999999999:key/foreign"
        res.propertyDependencies.pop(prop, None)
        return res.name
    return mutate


# rule id -> weakening of one setting of the rendered example; the rule must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "aws-sagemaker-notebook-no-internet": set_input(NOTEBOOK, "directInternetAccess", "Enabled"),
    "aws-sagemaker-notebook-no-root": set_input(NOTEBOOK, "rootAccess", "Enabled"),
    "aws-sagemaker-notebook-imdsv2": set_input(NOTEBOOK, "instanceMetadataServiceConfiguration",
                                               {"minimumInstanceMetadataServiceVersion": "1"}),
    "aws-sagemaker-customer-key": set_input(CONFIG, "kmsKeyArn", None),
    "aws-sagemaker-domain-vpc-only": set_input(DOMAIN, "appNetworkAccessType", "PublicInternetOnly"),
    "aws-sagemaker-model-isolated": set_input(MODEL, "enableNetworkIsolation", False),
    "aws-bedrock-guardrail-filters": edit_input(GUARDRAIL, "contentPolicyConfig", weaker("VIOLENCE")),
    "aws-bedrock-invoke-through-guardrail": edit_studio_grants(lambda st: st.pop("Condition")),
    "aws-bedrock-endpoint-allowed-models": open_bedrock_endpoint,
}
# More settings, each caught by an already named rule.
MORE_WEAKENINGS: dict[str, tuple[str, Callable[[Graph], str], str]] = {
    "notebook-outside-the-vpc": ("aws-sagemaker-notebook-no-internet", set_input(NOTEBOOK, "subnetId", None),
                                 "outside the environment's VPC"),
    "notebook-without-key": ("aws-sagemaker-customer-key", set_input(NOTEBOOK, "kmsKeyId", None),
                             "not encrypted with a customer-managed key"),
    "domain-without-key": ("aws-sagemaker-customer-key", set_input(DOMAIN, "kmsKeyId", None),
                           "not encrypted with a customer-managed key"),
    "guardrail-without-key": ("aws-sagemaker-customer-key", set_input(GUARDRAIL, "kmsKeyArn", None),
                              "not encrypted with a customer-managed key"),
    "model-outside-the-vpc": ("aws-sagemaker-model-isolated", set_input(MODEL, "vpcConfig", None), "no VPC config"),
    "guardrail-without-pii-filter": ("aws-bedrock-guardrail-filters",
                                     set_input(GUARDRAIL, "sensitiveInformationPolicyConfig", None),
                                     "no sensitive-information filter"),
    "weak-prompt-attack-filter": ("aws-bedrock-guardrail-filters", edit_input(
        GUARDRAIL, "contentPolicyConfig", lambda c: {"filtersConfigs": [
            {**f, "inputStrength": "MEDIUM"} if f["type"] == "PROMPT_ATTACK" else f for f in c["filtersConfigs"]]}),
        "prompt-attack filter is not HIGH"),
    "notebook-with-a-foreign-key": ("aws-data-encrypted-with-own-key", foreign_key(NOTEBOOK, "kmsKeyId"),
                                    "kmsKeyId does not use a KMS key defined in this stack"),
    "endpoint-config-with-a-foreign-key": ("aws-data-encrypted-with-own-key", foreign_key(CONFIG, "kmsKeyArn"),
                                           "kmsKeyArn does not use a KMS key defined in this stack"),
    "domain-with-a-foreign-key": ("aws-data-encrypted-with-own-key", foreign_key(DOMAIN, "kmsKeyId"),
                                  "kmsKeyId does not use a KMS key defined in this stack"),
    "guardrail-with-a-foreign-key": ("aws-data-encrypted-with-own-key", foreign_key(GUARDRAIL, "kmsKeyArn"),
                                     "kmsKeyArn does not use a KMS key defined in this stack"),
    "any-foundation-model": ("aws-bedrock-invoke-through-guardrail", edit_studio_grants(
        lambda st: st.update(Resource="arn:aws:bedrock:eu-central-1::foundation-model/*")), "invoke any model"),
}


def test_example_passes_every_mandatory_rule(loaded: LoadedSpec, graph: Graph) -> None:
    found = findings(loaded, graph)
    assert [f for f in found if f.status == "failed"] == []
    assert [(f.rule_id, f.resource_name) for f in found if f.status == "exempted"] == [
        ("aws-s3-sse-customer-key", "aws-ai-eu-access-logs-encryption")]
    served = {r.id for pack in packs_for(list(loaded.environment.compliance)) for r in pack.rules()}
    assert set(WEAKENINGS) <= served  # the stack's packs run every platform rule


def test_every_platform_rule_has_a_weakening() -> None:
    platform = {r.id for r in rules(cloud="aws") if r.id.startswith(("aws-sagemaker-", "aws-bedrock-"))}
    assert platform == set(WEAKENINGS)


@pytest.mark.parametrize("rule_id", sorted(WEAKENINGS))
def test_weakened_example_fails_the_named_rule(rule_id: str, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, named, failed = weaken(loaded, graph, WEAKENINGS[rule_id], rule_id)
    assert named, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    assert any(f.resource_name == blamed for f in named), [(f.resource_name, f.message) for f in named]


@pytest.mark.parametrize("case", sorted(MORE_WEAKENINGS))
def test_named_rule_catches_each_platform_setting(case: str, loaded: LoadedSpec, graph: Graph) -> None:
    rule_id, weakening, message = MORE_WEAKENINGS[case]
    blamed, named, failed = weaken(loaded, graph, weakening, rule_id)
    assert any(f.resource_name == blamed and message in f.message for f in named), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


def test_bedrock_rules_are_silent_without_a_platform_guardrail() -> None:
    from aws_stack_cases import bedrock_stack

    # The VM blueprint's inference role invokes models without a platform: its own rules judge it.
    for rule_id in ("aws-bedrock-invoke-through-guardrail", "aws-bedrock-endpoint-allowed-models"):
        assert check_stack(REGISTRY[rule_id], bedrock_stack(guarded=False, endpoint_any=True, guardrail=False)) == []


def test_invoke_rule_names_a_wildcard_model_grant_even_with_the_guardrail() -> None:
    from aws_stack_cases import bedrock_stack

    assert check_stack(REGISTRY["aws-bedrock-invoke-through-guardrail"], bedrock_stack(any_model=True)) == [(
        "statement Invoke lets a role invoke any model (arn:aws:bedrock:eu-central-1::foundation-model/*)",
        "studio-grants")]


def test_customer_key_rule_judges_every_platform_store() -> None:
    rule = REGISTRY["aws-sagemaker-customer-key"]
    assert set(rule.resource_types) == {NOTEBOOK, DOMAIN, CONFIG, GUARDRAIL}
    for token, prop in ((NOTEBOOK, "kmsKeyId"), (DOMAIN, "kmsKeyId"), (CONFIG, "kmsKeyArn"), (GUARDRAIL, "kmsKeyArn")):
        assert check_resource(rule, token, {prop: "arn:aws:kms:eu-central-1:1:key/k"}) == []
        assert check_resource(rule, token, {}) == [
            "not encrypted with a customer-managed key (AWS owned or managed key)"]


def test_platform_rules_name_their_controls() -> None:
    for rule_id in WEAKENINGS:
        rule = REGISTRY[rule_id]
        assert rule.cloud == "aws" and rule.controls.get("gdpr") and rule.controls.get("nist-800-53"), rule_id
