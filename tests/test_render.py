"""The offline renderer: real blueprints under the Pulumi mock runtime, recorded as a graph."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hardstack.render import Graph, Rendered, render, render_environment
from hardstack.render.computed import Target
from hardstack.render.computed import aws as aws_computed
from hardstack.spec import load

CLOUDS = ("aws", "gcp", "azure")
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def graphs(example_paths: dict[str, Path], example_graph) -> dict[str, Graph]:
    return {cloud: example_graph(path) for cloud, path in example_paths.items()}


def _policy(resource: Any) -> dict[str, Any]:
    policy = resource.inputs["policy"]
    return json.loads(policy) if isinstance(policy, str) else policy


def _principals(statement: dict[str, Any]) -> list[Any]:
    principal = statement.get("Principal")
    if principal is None:
        return []
    if not isinstance(principal, dict):
        return [principal]
    out: list[Any] = []
    for value in principal.values():
        out.extend(value if isinstance(value, list) else [value])
    return out


# --- the AWS example ------------------------------------------------------------------------------


def test_aws_example_renders(example_paths) -> None:
    rendered = render(load(example_paths["aws"]))
    assert isinstance(rendered, Rendered)
    graph = rendered.graph
    assert (graph.stack, graph.project, graph.cloud) == ("aws-prod-eu", "hardstack", "aws")
    assert graph.root.startswith("urn:pulumi:aws-prod-eu::hardstack::pulumi:pulumi:Stack::")
    assert len(graph.of_type(KEY)) == 3
    assert len(graph.of_type(ALIAS)) == 3
    assert rendered.seconds >= 0


def test_kms_keys_rotate_as_the_spec_says(graphs, example_spec) -> None:
    spec = example_spec("aws")
    keys = graphs["aws"].of_type(KEY)
    assert keys
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == spec["keys"]["rotation_days"]
        assert key.inputs["deletionWindowInDays"] == spec["keys"]["deletion_window_days"]


def test_kms_rotation_follows_a_changed_spec(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["compliance"] = ["gdpr"]  # HIPAA would cap rotation at 90 days
    raw["keys"].update(rotation_days=365, deletion_window_days=7)
    env = spec.valid(raw)
    graph = render_environment(env, "aws-rot-365").graph
    keys = graph.of_type(KEY)
    assert len(keys) == 3
    assert {k.inputs["rotationPeriodInDays"] for k in keys} == {365}
    assert {k.inputs["deletionWindowInDays"] for k in keys} == {7}
    assert all(k.inputs["enableKeyRotation"] is True for k in keys)
    assert graph.stack == "aws-rot-365"


def test_kms_keys_carry_the_environment_tags(graphs, example_spec) -> None:
    spec = example_spec("aws")
    for key in graphs["aws"].of_type(KEY):
        tags = key.inputs["tags"]
        assert tags["hardstack:environment"] == spec["name"]
        assert tags["owner"] == spec["owner"]
        assert tags["purpose"] in key.name


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_resource_hangs_from_the_stack(graphs, cloud: str) -> None:
    graph = graphs[cloud]
    assert graph.root
    urns = {r.urn for r in graph}
    assert len(urns) == len(graph), "duplicate URNs"
    assert graph.root not in urns
    for resource in graph:
        assert resource.parent, f"{resource.urn} has no parent"
        assert resource.parent == graph.root or resource.parent in urns, (
            f"{resource.urn} hangs from unknown {resource.parent}"
        )
        assert resource.parent != resource.urn


@pytest.mark.parametrize("cloud", CLOUDS)
def test_parent_chains_reach_the_root(graphs, cloud: str) -> None:
    graph = graphs[cloud]
    by_urn = {r.urn: r for r in graph}
    for resource in graph:
        seen: set[str] = set()
        urn = resource.urn
        while urn != graph.root:
            assert urn not in seen, f"parent cycle through {urn}"
            seen.add(urn)
            urn = by_urn[urn].parent


@pytest.mark.parametrize("cloud", CLOUDS)
def test_cloud_resources_use_an_explicit_provider(graphs, cloud: str) -> None:
    graph = graphs[cloud]
    by_urn = {r.urn: r for r in graph}
    providers = [r for r in graph if r.type.startswith("pulumi:providers:")]
    assert providers, "no explicit provider in the graph"
    for resource in graph:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            continue
        assert resource.provider, f"{resource.urn} uses the default provider"
        target = by_urn.get(resource.provider_urn)
        assert target is not None, f"{resource.urn} references {resource.provider} outside the graph"
        package = resource.type.split(":", 1)[0]
        assert target.type == f"pulumi:providers:{package}"
        assert "default" not in target.name


def test_aws_provider_is_pinned_to_the_spec(graphs, example_spec) -> None:
    spec = example_spec("aws")
    providers = graphs["aws"].of_type("pulumi:providers:aws")
    assert providers
    assert any(p.inputs["region"] == spec["region"] for p in providers)
    for provider in providers:
        allowed = provider.inputs["allowedAccountIds"]
        allowed = json.loads(allowed) if isinstance(allowed, str) else allowed
        assert allowed == [spec["account"]]


def test_aws_cloud_resources_exist_and_all_use_a_provider(graphs) -> None:
    # guards the provider test against vacuity: there are cloud resources to check
    custom = [r for r in graphs["aws"] if r.custom and not r.type.startswith("pulumi:providers:")]
    assert len(custom) >= 6
    assert all(r.provider for r in custom)


def test_alias_references_its_key(graphs, example_spec) -> None:
    graph = graphs["aws"]
    spec = example_spec("aws")
    target = Target(cloud="aws", region=spec["region"], account=spec["account"])
    aliases = graph.of_type(ALIAS)
    assert len(aliases) == 3
    key_ids = set()
    for alias in aliases:
        (key,) = [k for k in graph.of_type(KEY) if k.parent == alias.parent]
        key_id = aws_computed.computed(KEY, key.name, key.inputs, target)["keyId"]
        assert UUID.fullmatch(key_id)
        assert alias.inputs["targetKeyId"] == key_id
        assert alias.propertyDependencies.get("targetKeyId") == [key.urn]
        assert key.urn in alias.dependencies
        assert alias.inputs["name"].startswith("alias/")
        key_ids.add(key_id)
    assert len(key_ids) == 3, "aliases must point at three different keys"


def test_key_policy_has_no_wildcard_principal(graphs, example_spec) -> None:
    account = example_spec("aws")["account"]
    for key in graphs["aws"].of_type(KEY):
        policy = _policy(key)
        statements = policy["Statement"]
        assert statements
        for statement in statements:
            principals = _principals(statement)
            assert principals, f"statement {statement.get('Sid')} has no principal"
            assert "*" not in principals, f"wildcard principal in {key.name}: {statement}"
            assert statement.get("Principal") != "*"
            assert not any(isinstance(p, str) and p.strip() == "*" for p in principals)
        admin = [s for s in statements if s["Sid"] == "AccountAdministersNotUses"]
        assert admin and admin[0]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}


def test_wildcard_principal_detection_is_not_vacuous() -> None:
    assert "*" in _principals({"Principal": "*"})
    assert "*" in _principals({"Principal": {"AWS": "*"}})
    assert "*" in _principals({"Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}})


# --- GCP and Azure ------------------------------------------------------------------------------


def test_gcp_example_renders(graphs, example_spec) -> None:
    graph = graphs["gcp"]
    spec = example_spec("gcp")
    assert (graph.stack, graph.cloud) == ("gcp-prod-eu", "gcp")
    providers = graph.of_type("pulumi:providers:gcp")
    assert providers
    assert all(p.inputs["project"] == spec["account"] for p in providers)
    assert any(p.inputs["region"] == spec["region"] for p in providers)
    assert graph.of_type("hardstack:gcp:Environment")


def test_azure_example_renders(graphs, example_spec) -> None:
    graph = graphs["azure"]
    spec = example_spec("azure")
    assert (graph.stack, graph.cloud) == ("azure-prod-eu", "azure")
    providers = {p.urn: p for p in graph.of_type("pulumi:providers:azure-native")}
    assert providers
    assert all(p.inputs["subscriptionId"] == spec["account"] for p in providers.values())
    groups = graph.of_type("azure-native:resources:ResourceGroup")
    assert groups
    for group in groups:
        assert group.inputs["location"] == spec["region"]
        assert group.provider_urn in providers


# --- determinism and round trips -------------------------------------------------------------------


def _sorted(graph: Graph) -> dict[str, Any]:
    """The graph with resources and dependency lists in a canonical order."""
    data = graph.to_dict()
    for r in data["resources"]:
        r["dependencies"] = sorted(r["dependencies"])
        r["propertyDependencies"] = {k: sorted(v) for k, v in sorted(r["propertyDependencies"].items())}
    data["resources"] = sorted(data["resources"], key=lambda r: r["urn"])
    return data


@pytest.fixture(scope="module")
def rerendered(graphs, example_paths, example_spec, spec) -> dict[str, Graph]:
    """Each example rendered a second time in this process, after another stack was rendered."""
    other = spec.valid({**example_spec("aws"), "name": "aws-other"})
    assert render_environment(other, "aws-other").graph.stack == "aws-other"
    return {cloud: render(load(path)).graph for cloud, path in example_paths.items()}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_rendering_twice_gives_the_same_resources(graphs, rerendered, cloud: str) -> None:
    # no state leaks from one render into the next (root, URNs, ids, parents, providers)
    assert len(rerendered[cloud]) == len(graphs[cloud]) > 0
    assert _sorted(rerendered[cloud]) == _sorted(graphs[cloud])


@pytest.mark.parametrize("cloud", CLOUDS)
def test_rendering_twice_gives_identical_graphs(graphs, rerendered, cloud: str) -> None:
    # Product bug (see report): resources are recorded in the order the Pulumi SDK's executor
    # threads call RegisterResource, and dependency lists in the order of a Python set, so
    # graph.resources (and the JSON `plan --out` writes) change from one render to the next.
    first, again = graphs[cloud].to_dict(), rerendered[cloud].to_dict()
    assert [r["urn"] for r in again["resources"]] == [r["urn"] for r in first["resources"]]
    assert again == first


@pytest.mark.parametrize("cloud", CLOUDS)
def test_graph_round_trips_through_json(graphs, cloud: str, tmp_path: Path) -> None:
    graph = graphs[cloud]
    data = json.loads(json.dumps(graph.to_dict()))
    again = Graph.from_dict(data)
    assert again == graph
    assert again.to_dict() == graph.to_dict()
    path = tmp_path / "graph.json"
    graph.write(path)
    assert Graph.read(path) == graph


def test_graph_lookup_helpers(graphs) -> None:
    graph = graphs["aws"]
    key = graph.named("aws-prod-eu-data-key")
    assert key.type == KEY
    assert graph.by_urn(key.urn) is key
    assert key in graph.children(key.parent)
    with pytest.raises(KeyError):
        graph.named("no-such-resource")


# --- deploy-time lookups (invokes) ---------------------------------------------------------


def _ami_program() -> None:
    import pulumi_aws as aws

    image = aws.ssm.get_parameter_output(name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
    aws.ec2.Instance("vm", ami=image.value, instance_type="m6a.large")


def test_lookups_are_answered_like_the_provider_and_recorded_in_the_graph(tmp_path: Path) -> None:
    from hardstack.render import render_program

    target = Target(cloud="aws", region="eu-west-1", account="123456789012")
    graph = render_program(_ami_program, "lookups", target).graph
    (lookup,) = graph.lookups
    assert lookup.token == "aws:ssm/getParameter:getParameter"
    ami = lookup.result["value"]
    assert re.fullmatch(r"ami-[0-9a-f]{17}", ami)
    (instance,) = graph.of_type("aws:ec2/instance:Instance")
    assert instance.inputs["ami"] == ami  # the answer reaches what is built from it
    graph.write(tmp_path / "g.json")
    assert Graph.read(tmp_path / "g.json").lookups == graph.lookups


def test_a_lookup_nobody_answers_is_a_render_error_naming_it() -> None:
    import pulumi_aws as aws

    from hardstack.render import RenderError, render_program

    def program() -> None:
        zones = aws.get_availability_zones_output()
        aws.ec2.Subnet("s", vpc_id="vpc-1", cidr_block="10.0.0.0/24", availability_zone=zones.names[0])

    with pytest.raises(RenderError, match="aws:index/getAvailabilityZones:getAvailabilityZones"):
        render_program(program, "unanswered", Target(cloud="aws", region="eu-west-1", account="123456789012"))
