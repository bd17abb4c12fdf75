"""checkov judges the AWS EKS example (stacks/Pulumi.aws-k8s-eu.yaml): every EKS resource is judged, the
example fails only what its spec exempts, the checks checkov ships for EKS and launch templates pass on what
the exporter writes, and weakening one hardening setting fails the named check (checkov's or HS_AWS_11-14)
on that resource. All weakened copies share one checkov run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, setting, unexempted, weakened_failure

from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

EXAMPLE = STACKS / "Pulumi.aws-k8s-eu.yaml"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
NEW_TYPES = (CLUSTER, NODE_GROUP, LAUNCH_TEMPLATE, ADDON, ATTACHMENT)
# What passes on each new type of the example (its own checks, not those judged through a neighbour).
PASSING: dict[str, set[str]] = {
    CLUSTER: {"CKV_AWS_37", "CKV_AWS_38", "CKV_AWS_39", "CKV_AWS_58", "CKV_AWS_339", "HS_AWS_13", "HS_AWS_14"},
    NODE_GROUP: {"CKV_AWS_100", "HS_AWS_11"},
    LAUNCH_TEMPLATE: {"CKV_AWS_79", "CKV_AWS_341", "CKV_AWS_88", "HS_AWS_2", "HS_AWS_12"},
}


def volumes(change: Callable[[dict], dict]) -> Callable[[object], object]:
    def edit(mappings: object) -> object:
        assert isinstance(mappings, list)
        return [{**m, "ebs": change(dict(m["ebs"]))} for m in mappings]
    return edit


# checkov id -> weakening of one setting; the check must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_AWS_37": setting(CLUSTER, "enabledClusterLogTypes", lambda t: ["api", "audit"]),
    "CKV_AWS_38": setting(CLUSTER, "vpcConfig", lambda v: {**v, "endpointPublicAccess": True,
                                                          "publicAccessCidrs": ["0.0.0.0/0"]}),
    "CKV_AWS_39": setting(CLUSTER, "vpcConfig", lambda v: {**v, "endpointPublicAccess": True}),
    "CKV_AWS_58": setting(CLUSTER, "encryptionConfig", lambda _: None),
    "CKV_AWS_339": setting(CLUSTER, "version", lambda _: "1.24"),
    "HS_AWS_13": setting(CLUSTER, "encryptionConfig", lambda c: {"resources": ["secrets"]}),
    "HS_AWS_14": setting(CLUSTER, "accessConfig", lambda a: {**a, "authenticationMode": "API_AND_CONFIG_MAP"}),
    "CKV_AWS_100": setting(NODE_GROUP, "remoteAccess", lambda _: {"ec2SshKey": "ops"}),
    "HS_AWS_11": setting(NODE_GROUP, "launchTemplate", lambda _: None),
    "CKV_AWS_79": setting(LAUNCH_TEMPLATE, "metadataOptions", lambda m: {**m, "httpTokens": "optional"}),
    "CKV_AWS_341": setting(LAUNCH_TEMPLATE, "metadataOptions", lambda m: {**m, "httpPutResponseHopLimit": 2}),
    "HS_AWS_12": setting(LAUNCH_TEMPLATE, "blockDeviceMappings", volumes(lambda e: {**e, "encrypted": "false"})),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(EXAMPLE)


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak", [graph])


def test_example_parsed_whole_by_checkov(judged, graph: Graph) -> None:
    assert judged[0]["aws-k8s-eu"].resource_count == exported_count(graph) > 100


def test_every_kubernetes_resource_is_judged(judged, graph: Graph) -> None:
    result = judged[0]["aws-k8s-eu"]
    assert result.unjudged == []
    assert {r.type for r in graph if r.type in NEW_TYPES} == set(NEW_TYPES)
    # The add-ons and policy attachments have no check of their own: checkov reaches them through the
    # cluster and the roles they name.
    assert {t for _, t in result.indirect} & set(NEW_TYPES) <= {ADDON, ATTACHMENT}


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    assert unexempted(judged[0]["aws-k8s-eu"], graph) == []
    # The pool's launch template is not confidential (EKS cannot be): HS_AWS_1 fails there, exempted.
    assert ("HS_AWS_1", "aws-k8s-eu-general-lt") in {(f.rule_id, f.resource_name)
                                                      for f in judged[0]["aws-k8s-eu"].findings}


@pytest.mark.parametrize("token", sorted(PASSING))
def test_checks_pass_on_each_new_type(judged, graph: Graph, token: str) -> None:
    urns = {r.urn for r in graph.of_type(token)}
    passed = {check for check, urn in judged[0]["aws-k8s-eu"].passed if urn in urns}
    assert PASSING[token] <= passed, PASSING[token] - passed


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
