"""The managed AI platform as rendered from stacks/Pulumi.aws-ai-eu.yaml: every hardening setting
is in the graph, the identities are as narrow as the workload roles, the data key lets exactly the
platform's roles and services use it, and Bedrock is reachable only for the allowed models and
only through the guardrail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import ROOT, as_list, deps, key_arn, one, policy, statements, workload_subnets

from hardstack.render import Graph
from hardstack.spec import Environment, load

EXAMPLE = ROOT / "stacks" / "Pulumi.aws-ai-eu.yaml"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SG = "aws:ec2/securityGroup:SecurityGroup"


@pytest.fixture(scope="module")
def env() -> Environment:
    return load(EXAMPLE).environment


@pytest.fixture(scope="module")
def graph(env: Environment, rendered) -> Graph:
    return rendered(env, "aws-ai-eu")


def test_notebooks_have_no_internet_no_root_imdsv2_data_key_private_subnet(graph: Graph, env: Environment) -> None:
    notebooks = graph.of_type(NOTEBOOK)
    assert env.platform is not None and env.platform.notebooks is not None
    assert len(notebooks) == env.platform.notebooks.count == 2
    data_key = key_arn(graph, "data")
    for notebook in notebooks:
        i = notebook.inputs
        assert (i["directInternetAccess"], i["rootAccess"]) == ("Disabled", "Disabled")
        assert i["instanceMetadataServiceConfiguration"] == {"minimumInstanceMetadataServiceVersion": "2"}
        assert i["kmsKeyId"] == data_key and i["platformIdentifier"] == "notebook-al2023-v1"
        assert i["instanceType"] == "ml.t3.medium"
        assert set(deps(notebook, "subnetId")) <= workload_subnets(graph) and deps(notebook, "subnetId")
        assert "lifecycleConfigName" not in i  # nothing runs as root at start
    # Spread over the zones.
    assert len({n.inputs["subnetId"] for n in notebooks}) == 2


def test_domain_is_vpc_only_keyed_and_runs_as_the_studio_role(graph: Graph) -> None:
    domain = one(graph, DOMAIN)
    i = domain.inputs
    assert i["appNetworkAccessType"] == "VpcOnly" and i["authMode"] == "IAM"
    assert i["kmsKeyId"] == key_arn(graph, "data")
    assert set(deps(domain, "subnetIds")) == workload_subnets(graph)
    assert i["defaultUserSettings"]["executionRole"].endswith(":role/aws-ai-eu-sagemaker-studio")
    # The domain's group reaches EFS only; the users' apps have a group of their own.
    assert i["domainSettings"]["securityGroupIds"] != i["defaultUserSettings"]["securityGroups"]
    assert deps(domain, "domainSettings") == [one(graph, SG, "domain-sg").urn]
    domain_group = one(graph, SG, "domain-sg").inputs
    assert [(r["fromPort"], r["toPort"], r.get("self")) for r in domain_group["ingress"] + domain_group["egress"]] == [
        (2049, 2049, True), (2049, 2049, True)]
    assert i["retentionPolicy"] == {"homeEfsFileSystem": "Retain"}


def test_studio_group_allows_nfs_and_app_ports_within_itself_and_https_inside_only(graph: Graph) -> None:
    studio = one(graph, SG, "studio-sg")
    ingress = {(r["fromPort"], r["toPort"]): r for r in studio.inputs["ingress"]}
    assert set(ingress) == {(2049, 2049), (8192, 65535)}
    assert all(r.get("self") is True and not r.get("cidrBlocks") for r in ingress.values())
    for group in (studio, one(graph, SG, "notebook-sg"), one(graph, SG, "classifier-sg"), one(graph, SG, "domain-sg")):
        for rule in group.inputs["egress"]:
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), group.name
            assert rule.get("cidrBlocks") in (None, ["10.30.0.0/16"]), group.name
            assert rule.get("description")
    assert one(graph, SG, "notebook-sg").inputs["ingress"] == []


def test_model_is_isolated_in_the_vpc_and_served_encrypted(graph: Graph) -> None:
    model = one(graph, MODEL)
    i = model.inputs
    assert i["enableNetworkIsolation"] is True
    assert set(deps(model, "vpcConfig")) >= workload_subnets(graph)
    assert i["primaryContainer"] == {
        "image": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/classifier-serving:1.4.2",
        "modelDataUrl": "s3://aws-ai-eu-models-123456789012/classifier/v3/model.tar.gz",
    }
    config = one(graph, CONFIG)
    assert config.inputs["kmsKeyArn"] == key_arn(graph, "data")
    (variant,) = config.inputs["productionVariants"]
    assert (variant["instanceType"], variant["initialInstanceCount"], variant["modelName"]) == (
        "ml.m5.xlarge", 1, "aws-ai-eu-classifier")
    assert one(graph, ENDPOINT).inputs["endpointConfigName"] == "aws-ai-eu-classifier"


def test_serving_role_reads_one_archive_pulls_one_repository_writes_its_logs(graph: Graph) -> None:
    role = one(graph, ROLE, "classifier-serving")
    assert role.inputs["name"] == "aws-ai-eu-classifier-serving"
    assert "managedPolicyArns" not in role.inputs and role.inputs.get("permissionsBoundary")
    trust = policy(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    grants = {s["Sid"]: s for s in statements(one(graph, ROLE_POLICY, "classifier-serving"))}
    assert grants["ReadNamedData"]["Resource"] == [
        "arn:aws:s3:::aws-ai-eu-models-123456789012/classifier/v3/model.tar.gz"]
    assert grants["ReadNamedData"]["Action"] == ["s3:GetObject"]
    assert grants["PullNamedImages"]["Resource"] == [
        "arn:aws:ecr:eu-central-1:123456789012:repository/classifier-serving"]
    assert grants["WriteOwnLogs"]["Resource"][0].endswith(":log-group:/aws/sagemaker/Endpoints/aws-ai-eu-classifier")
    assert grants["GrantsForSageMakerVolumes"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"},
        "StringEquals": {"kms:ViaService": "sagemaker.eu-central-1.amazonaws.com"}}
    assert not any("bedrock" in json.dumps(s) for s in grants.values())  # serving invokes no foundation model
    for statement in grants.values():
        assert "*" not in as_list(statement["Action"])


def test_sagemaker_log_groups_are_encrypted_and_retained(graph: Graph) -> None:
    groups = {g.inputs["name"]: g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    logs_key = key_arn(graph, "logs")
    for name in ("/aws/sagemaker/studio", "/aws/sagemaker/NotebookInstances",
                 "/aws/sagemaker/Endpoints/aws-ai-eu-classifier"):
        assert groups[name].inputs["kmsKeyId"] == logs_key
        assert groups[name].inputs["retentionInDays"] >= 400


def studio_grants(graph: Graph) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(one(graph, ROLE_POLICY, "platform-studio-grants"))}


def test_studio_role_invokes_allowed_models_only_through_the_pinned_guardrail(graph: Graph) -> None:
    grants = studio_grants(graph)
    version = one(graph, "aws:bedrock/guardrailVersion:GuardrailVersion")
    guardrail_arn = version.inputs["guardrailArn"]
    assert deps(version, "guardrailArn") == [one(graph, GUARDRAIL).urn]
    assert guardrail_arn.startswith("arn:aws:bedrock:eu-central-1:123456789012:guardrail/")
    pinned = f"{guardrail_arn}:1"  # the published version (the mock publishes version 1)
    invoke = grants["InvokeAllowedModelsThroughGuardrail"]
    assert invoke["Condition"] == {"StringEquals": {"bedrock:GuardrailIdentifier": pinned}}
    assert grants["DenyInvokeWithoutGuardrail"]["Effect"] == "Deny"
    assert grants["DenyInvokeWithoutGuardrail"]["Condition"] == {
        "StringNotEquals": {"bedrock:GuardrailIdentifier": pinned}}
    resources = invoke["Resource"]
    assert "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-*" in resources
    assert "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.amazon.nova-*" in resources
    # Only the two families, only EU regions (the EU profile's destinations), never a wildcard model.
    assert all(r.split("/")[-1].removeprefix("eu.") in ("anthropic.claude-*", "amazon.nova-*") for r in resources)
    assert all(r.split(":")[3].startswith("eu-") for r in resources)
    assert grants["ApplyEnvironmentGuardrail"]["Resource"] == [guardrail_arn]


def test_studio_role_reads_the_environment_buckets_and_nothing_else(graph: Graph) -> None:
    grants = studio_grants(graph)
    assert sorted(grants["ReadNamedData"]["Action"]) == ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    assert {r.split(":::")[1].split("/")[0] for r in grants["ReadNamedData"]["Resource"]} == {
        "aws-ai-eu-datasets-123456789012", "aws-ai-eu-models-123456789012"}
    assert "PullNamedImages" not in grants
    boundary = policy(one(graph, "aws:iam/policy:Policy", "platform-studio-boundary"))
    assert any(s["Effect"] == "Deny" and "iam:PutRolePolicy" in s["Action"] for s in boundary["Statement"])


def test_guardrail_filters_high_blocks_personal_data_and_is_keyed(graph: Graph) -> None:
    i = one(graph, GUARDRAIL).inputs
    assert i["kmsKeyArn"] == key_arn(graph, "data")
    filters = {f["type"]: f for f in i["contentPolicyConfig"]["filtersConfigs"]}
    for kind in ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT"):
        assert (filters[kind]["inputStrength"], filters[kind]["outputStrength"]) == ("HIGH", "HIGH")
    assert (filters["PROMPT_ATTACK"]["inputStrength"], filters["PROMPT_ATTACK"]["outputStrength"]) == ("HIGH", "NONE")
    pii = {p["type"]: p["action"] for p in i["sensitiveInformationPolicyConfig"]["piiEntitiesConfigs"]}
    assert pii["AWS_SECRET_KEY"] == "BLOCK" and pii["EMAIL"] == "ANONYMIZE"


def test_bedrock_runtime_endpoint_lets_through_the_allowed_models_only(graph: Graph) -> None:
    endpoint = next(e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                    if e.inputs["serviceName"] == "com.amazonaws.eu-central-1.bedrock-runtime")
    allowed = {s["Sid"]: s for s in statements(endpoint)}
    models = allowed["AllowedModelsOnly"]["Resource"]
    assert models == studio_grants(graph)["InvokeAllowedModelsThroughGuardrail"]["Resource"]
    assert allowed["OwnGuardrails"]["Resource"] == "arn:aws:bedrock:eu-central-1:123456789012:guardrail/*"
    for statement in allowed.values():
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
    services = {e.inputs["serviceName"].split("eu-central-1.")[1] for e in graph.of_type(
        "aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"sagemaker.api", "sagemaker.runtime", "bedrock-runtime", "ecr.api", "ecr.dkr", "s3", "sts",
            "logs", "kms"} <= services


def test_data_key_lets_the_platform_roles_and_services_use_it(graph: Graph) -> None:
    key = next(r for r in graph.of_type("aws:kms/key:Key") if r.inputs["tags"]["purpose"] == "data")
    doc = {s["Sid"]: s for s in statements(key)}
    users = doc["NamedPrincipalsUse"]["Condition"]["ArnEquals"]["aws:PrincipalArn"]
    assert users == ["arn:aws:iam::123456789012:role/aws-ai-eu-classifier-serving",
                     "arn:aws:iam::123456789012:role/aws-ai-eu-sagemaker-studio"]
    through = doc["AccountUsesThroughServices"]
    assert "kms:CreateGrant" in through["Action"]
    assert through["Condition"]["StringEquals"]["kms:ViaService"] == [
        "bedrock.eu-central-1.amazonaws.com", "elasticfilesystem.eu-central-1.amazonaws.com",
        "sagemaker.eu-central-1.amazonaws.com"]


def test_platform_is_only_built_when_asked(rendered, aws_spec: Environment) -> None:
    graph = rendered(aws_spec, "aws-prod-eu")
    assert not [r for r in graph if r.type.startswith(("aws:sagemaker/", "aws:bedrock/"))]
    key = next(r for r in graph.of_type("aws:kms/key:Key") if r.inputs["tags"]["purpose"] == "data")
    assert "AccountUsesThroughServices" not in json.dumps(policy(key))
    endpoint = next(e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                    if e.inputs["serviceName"].endswith(".bedrock-runtime"))
    assert statements(endpoint)[0]["Resource"] == "*"  # unchanged for stacks without the platform


def test_platform_without_foundation_models_has_no_bedrock(env: Environment, rendered) -> None:
    data = env.model_dump(mode="python")
    data["platform"]["foundation_models"] = None
    graph = rendered(Environment.model_validate(data), "aws-ai-eu")
    assert not graph.of_type(GUARDRAIL)
    assert "bedrock" not in json.dumps(statements(one(graph, ROLE_POLICY, "platform-studio-grants")))
    key = next(r for r in graph.of_type("aws:kms/key:Key") if r.inputs["tags"]["purpose"] == "data")
    via = {s["Sid"]: s for s in statements(key)}["AccountUsesThroughServices"]
    assert "bedrock.eu-central-1.amazonaws.com" not in via["Condition"]["StringEquals"]["kms:ViaService"]


@pytest.fixture(scope="module")
def with_workloads(render_variant) -> Graph:
    """The VM example (eu-west-1, SEV-SNP workloads) with the platform added: both in one environment."""
    return render_variant(platform={
        "notebooks": {"count": 1},
        "endpoints": [{"name": "ranker", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:2",
                       "model_artifact": "models/ranker/model.tar.gz"}],
        "foundation_models": {"allow": ["amazon.nova"]},
    })


def test_workload_inference_roles_invoke_through_the_platform_guardrail(with_workloads: Graph) -> None:
    grants = {s["Sid"]: s for s in statements(one(with_workloads, ROLE_POLICY, "inference-grants"))}
    assert "InvokeFoundationModels" not in grants  # the VM blueprint's any-model grant is replaced
    invoke = grants["InvokeAllowedModelsThroughGuardrail"]
    assert all("amazon.nova-*" in r for r in invoke["Resource"])
    assert "bedrock:GuardrailIdentifier" in invoke["Condition"]["StringEquals"]
    boundary = {s["Sid"]: s for s in policy(one(with_workloads, "aws:iam/policy:Policy", "inference-boundary"))[
        "Statement"]}
    assert boundary["CeilingModels"]["Resource"] == invoke["Resource"]
    trainer = json.dumps(statements(one(with_workloads, ROLE_POLICY, "trainer-grants")))
    assert "bedrock" not in trainer


def test_workloads_and_platform_together_pass_every_rule(with_workloads: Graph, aws_spec: Environment) -> None:
    from hardstack.policy import apply_exemptions, evaluate
    from hardstack.rules.packs import packs_for

    found = apply_exemptions(evaluate(with_workloads, packs_for(aws_spec.compliance)).findings, aws_spec,
                             with_workloads)
    assert [(f.rule_id, f.resource_name, f.message) for f in found if f.status == "failed"] == []
    (notebook,) = with_workloads.of_type(NOTEBOOK)
    assert notebook.inputs["instanceType"] == "ml.t3.medium"  # the offer's default
    assert with_workloads.of_type(ENDPOINT)
    assert one(with_workloads, CONFIG).inputs["productionVariants"][0]["instanceType"] == "ml.m5.xlarge"  # default


def test_evidence_draws_the_platform(graph: Graph) -> None:
    """The report's inventory shows notebooks, Studio, the model and the guardrail as platform services:
    what keys them, what they run as, where they sit."""
    from hardstack.evidence.inventory import inventory

    inv = inventory(graph, "eu-central-1")
    nodes = {n.name: n for n in inv.nodes}
    edges = {(e.relation, by_name(graph, e.source), by_name(graph, e.target)) for e in inv.edges}
    for name in ("aws-ai-eu-platform-workspace-notebook-1", "aws-ai-eu-platform-workspace-domain",
                 "aws-ai-eu-platform-classifier-model", "aws-ai-eu-platform-bedrock-guardrail"):
        assert nodes[name].kind == "platform", name
        assert ("encrypts", "aws-ai-eu-data-key", name) in edges, name
    assert nodes["aws-ai-eu-platform-workspace-notebook-1"].details["internet"] == "none"
    assert nodes["aws-ai-eu-platform-workspace-domain"].details["network"] == "VpcOnly"
    assert nodes["aws-ai-eu-platform-classifier-model"].details["network isolation"] == "on"
    assert nodes["aws-ai-eu-platform-bedrock-guardrail"].details["content filters"] == "HIGH"
    assert not inv.of_kind("workload")  # no VMs in this example: the platform is drawn apart
    assert ("runs_as", "aws-ai-eu-platform-workspace-notebook-1", "aws-ai-eu-platform-studio-role") in edges
    assert ("runs_as", "aws-ai-eu-platform-classifier-model", "aws-ai-eu-platform-classifier-serving-role") in edges
    assert nodes["aws-ai-eu-platform-workspace-notebook-1"].within.endswith("workload-eu-central-1a")


def by_name(graph: Graph, urn: str) -> str:
    return next(r.name for r in graph if r.urn == urn)


def test_names_fit_aws_limits_for_the_longest_spec_names() -> None:
    from hardstack.components.aws.ai_platform import serving_role_name, studio_role_name

    longest = "a" * 30  # spec names are at most 30 characters
    assert len(serving_role_name(longest, "b" * 30)) <= 64  # IAM role names
    assert serving_role_name(longest, "b" * 30) != serving_role_name(longest, "b" * 29 + "c")
    assert len(studio_role_name(longest)) <= 64
    assert serving_role_name("aws-ai-eu", "classifier") == "aws-ai-eu-classifier-serving"
    assert len(f"{longest}-{'b' * 30}") <= 63  # SageMaker model, configuration and endpoint names


def test_model_arns_follow_the_region_geography() -> None:
    from hardstack.components.aws.bedrock import model_arns

    eu = model_arns("eu-central-1", "123456789012", ["amazon.nova-*"], "eu", ["eu-central-1", "eu-west-3"])
    assert eu == ["arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.amazon.nova-*",
                  "arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-*",
                  "arn:aws:bedrock:eu-west-3::foundation-model/amazon.nova-*"]
    # A region without a geography's profiles: its own foundation models only, never another region's.
    assert model_arns("me-central-1", "123456789012", ["amazon.nova-*"], None, ["eu-west-3"]) == [
        "arn:aws:bedrock:me-central-1::foundation-model/amazon.nova-*"]


def test_profile_regions_stay_in_the_geography(env: Environment) -> None:
    from hardstack.blueprints.aws import foundation_model_arns
    from hardstack.spec.platforms import aws as offer

    arns = foundation_model_arns(env)
    assert {r.split(":")[3] for r in arns} == {r for r in offer.GUARDRAIL_REGIONS if r.startswith("eu-")}
    assert not any(":inference-profile/global." in r or ":inference-profile/us." in r for r in arns)
    us = env.model_copy(update={"region": "us-east-1"})
    assert {r.split(":")[3] for r in foundation_model_arns(us)} == {"us-east-1", "us-east-2", "us-west-1", "us-west-2"}
    assert foundation_model_arns(env.model_copy(update={"platform": None})) == []
