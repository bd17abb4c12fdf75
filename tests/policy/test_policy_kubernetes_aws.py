"""The AWS EKS example (stacks/Pulumi.aws-k8s-eu.yaml) passes every mandatory rule but the exempted
confidential-computing one; weakening one hardening setting of its cluster, node groups, launch templates
or keys makes the named rule fail on that resource."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from weakening import blame, drop, edit_input, findings, first, named, set_input, weaken

from hardstack.render import Graph
from hardstack.rules import REGISTRY, rules
from hardstack.rules.packs import packs_for
from hardstack.spec import LoadedSpec, load

STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.aws-k8s-eu.yaml"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
KEY = "aws:kms/key:Key"


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(STACK)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)


def vpc(**change: object) -> Callable[[object], object]:
    return lambda config: {**config, **change} if isinstance(config, dict) else change


def unencrypted_root(mappings: object) -> object:
    assert isinstance(mappings, list)
    return [{**m, "ebs": {k: v for k, v in m["ebs"].items() if k != "kmsKeyId"}} for m in mappings]


def compute_key_without_auto_scaling(graph: Graph) -> str:
    key = next(r for r in graph.of_type(KEY) if r.inputs["tags"]["purpose"] == "compute")
    doc = json.loads(key.inputs["policy"])
    doc["Statement"] = [st for st in doc["Statement"] if not st["Sid"].startswith("ServiceLinkedRoles")]
    key.inputs["policy"] = json.dumps(doc)
    return first(graph, LAUNCH_TEMPLATE).name


def data_key_without_eks(graph: Graph) -> str:
    key = next(r for r in graph.of_type(KEY) if r.inputs["tags"]["purpose"] == "data")
    doc = json.loads(key.inputs["policy"])
    doc["Statement"] = [st for st in doc["Statement"] if st["Sid"] != "AccountUsesThroughServices"]
    key.inputs["policy"] = json.dumps(doc)
    return first(graph, CLUSTER).name


def data_key_without_cluster_role(graph: Graph) -> str:
    key = next(r for r in graph.of_type(KEY) if r.inputs["tags"]["purpose"] == "data")
    doc = json.loads(key.inputs["policy"])
    named = next(st for st in doc["Statement"] if st["Sid"] == "NamedPrincipalsUse")
    named["Condition"]["ArnEquals"]["aws:PrincipalArn"] = [
        a for a in named["Condition"]["ArnEquals"]["aws:PrincipalArn"] if not a.endswith("-eks-cluster")]
    key.inputs["policy"] = json.dumps(doc)
    return first(graph, CLUSTER).name


def rename_log_group(graph: Graph) -> str:
    group = next(g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")
                 if g.inputs["name"].startswith("/aws/eks/"))
    group.inputs["name"] = "/hardstack/elsewhere"
    return first(graph, CLUSTER).name


def _foreign(graph: Graph) -> str:
    """The secrets key is one of another account: no longer this environment's to rotate or revoke."""
    cluster = first(graph, CLUSTER)
    cluster.inputs["encryptionConfig"] = {"provider": {"keyArn": "arn:aws:kms:eu-west-1:999999999999:key/foreign"},
                                          "resources": ["secrets"]}
    cluster.propertyDependencies.pop("encryptionConfig", None)
    return cluster.name


# rule id -> weakening of one setting of the rendered example; the rule must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "aws-eks-private-endpoint": edit_input(CLUSTER, "vpcConfig", vpc(endpointPublicAccess=True)),
    "aws-eks-secrets-encryption": set_input(CLUSTER, "encryptionConfig", None),
    "aws-eks-control-plane-logs": edit_input(CLUSTER, "enabledClusterLogTypes",
                                             lambda types: [t for t in types if t != "audit"]),
    "aws-eks-access-entries": edit_input(CLUSTER, "accessConfig", lambda a: {**a, "authenticationMode": "CONFIG_MAP"}),
    "aws-eks-nodes-launch-template": set_input(NODE_GROUP, "launchTemplate", None),
    "aws-eks-nodes-no-remote-access": set_input(NODE_GROUP, "remoteAccess", {"ec2SshKey": "ops"}),
    "aws-eks-node-volumes-customer-key": edit_input(LAUNCH_TEMPLATE, "blockDeviceMappings", unencrypted_root),
    "aws-eks-control-plane-log-group": rename_log_group,
    "aws-eks-pod-identity": drop(ADDON, "pod-identity", blamed=named(CLUSTER)),
    "aws-eks-node-key-usable": compute_key_without_auto_scaling,
    "aws-eks-secrets-key-usable": data_key_without_eks,
}
# More settings of the example, each caught by an already named (older) rule.
MORE_WEAKENINGS: dict[str, tuple[str, Callable[[Graph], str], str]] = {
    "no-private-endpoint": ("aws-eks-private-endpoint", edit_input(CLUSTER, "vpcConfig", vpc(
        endpointPrivateAccess=False)), "no private endpoint"),
    "imdsv1-on-nodes": ("aws-ec2-imdsv2", edit_input(LAUNCH_TEMPLATE, "metadataOptions", lambda m: {
        **m, "httpTokens": "optional"}), "IMDSv1 is allowed"),
    "hop-limit-2-on-nodes": ("aws-ec2-imdsv2", edit_input(LAUNCH_TEMPLATE, "metadataOptions", lambda m: {
        **m, "httpPutResponseHopLimit": 2}), "metadata hop limit 2"),
    "cluster-role-for-any-cluster": ("aws-iam-trust-this-account", edit_input(
        "aws:iam/role:Role", "assumeRolePolicy", lambda p: json.dumps({"Statement": [{
            k: v for k, v in json.loads(p)["Statement"][0].items() if k != "Condition"}]}), "eks-cluster-role"),
        "eks.amazonaws.com may assume it on behalf of any account"),
    "node-role-without-boundary": ("aws-iam-workload-boundary", set_input(
        "aws:iam/role:Role", "permissionsBoundary", None, "general-node-role"), "without a permissions boundary"),
    "secrets-on-a-foreign-key": ("aws-data-encrypted-with-own-key", lambda g: _foreign(g),
                                 "encryptionConfig does not use a KMS key defined in this stack"),
    "control-plane-logs-unencrypted": ("aws-logs-customer-key", blame(set_input(
        "aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", None, "control-plane"),
        lambda g: first(g, "aws:cloudwatch/logGroup:LogGroup", "control-plane").name), "customer"),
    "node-role-administrator": ("aws-iam-no-admin-policies", set_input(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn",
        "arn:aws:iam::aws:policy/AdministratorAccess", "general-AmazonEKS_CNI_Policy"), "AdministratorAccess"),
    "node-volumes-unencrypted": ("aws-eks-node-volumes-customer-key", edit_input(
        LAUNCH_TEMPLATE, "blockDeviceMappings", lambda ms: [{**m, "ebs": {**m["ebs"], "encrypted": "false"}}
                                                            for m in ms]), "not encrypted with a customer-managed key"),
    "secrets-key-without-the-cluster-role": ("aws-eks-secrets-key-usable", data_key_without_cluster_role,
                                             "does not let the cluster role"),
    "no-guardduty-data-endpoint": ("aws-guardduty-enabled", drop(
        "aws:ec2/vpcEndpoint:VpcEndpoint", "guardduty-data", blamed=lambda g: first(
            g, "aws:guardduty/detector:Detector").name), "no guardduty-data VPC endpoint"),
}


def test_example_passes_every_mandatory_rule(loaded: LoadedSpec, graph: Graph) -> None:
    found = findings(loaded, graph)
    assert [f for f in found if f.status == "failed"] == []
    assert sorted((f.rule_id, f.resource_name) for f in found if f.status == "exempted") == [
        ("aws-ec2-confidential-computing", "aws-k8s-eu-general-lt"),
        ("aws-s3-sse-customer-key", "aws-k8s-eu-access-logs-encryption")]
    served = {r.id for pack in packs_for(list(loaded.environment.compliance)) for r in pack.rules()}
    assert set(WEAKENINGS) <= served  # the stack's packs run every EKS rule


def test_every_kubernetes_rule_has_a_weakening() -> None:
    assert {r.id for r in rules(cloud="aws") if r.id.startswith("aws-eks-")} == set(WEAKENINGS)


@pytest.mark.parametrize("rule_id", sorted(WEAKENINGS))
def test_weakened_example_fails_the_named_rule(rule_id: str, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, failed_named, failed = weaken(loaded, graph, WEAKENINGS[rule_id], rule_id)
    assert failed_named, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    assert any(f.resource_name == blamed for f in failed_named), [(f.resource_name, f.message) for f in failed_named]


@pytest.mark.parametrize("case", sorted(MORE_WEAKENINGS))
def test_named_rule_catches_each_kubernetes_setting(case: str, loaded: LoadedSpec, graph: Graph) -> None:
    rule_id, weakening, message = MORE_WEAKENINGS[case]
    blamed, failed_named, failed = weaken(loaded, graph, weakening, rule_id)
    assert any(f.resource_name == blamed and message in f.message for f in failed_named), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]


def test_confidential_pool_finding_is_exempted_by_the_pool_name(loaded: LoadedSpec, graph: Graph) -> None:
    """Without its exemption the non-confidential pool fails the confidential-computing rule."""
    exempted = [f for f in findings(loaded, graph) if f.rule_id == "aws-ec2-confidential-computing"]
    assert [f.status for f in exempted] == ["exempted"]
    assert "EKS documents no confidential-computing option" in exempted[0].exemption["reason"]
    bare = dataclasses.replace(loaded, environment=loaded.environment.model_copy(update={"exemptions": []}))
    failed = [f for f in findings(bare, graph) if f.status == "failed"]
    assert ("aws-ec2-confidential-computing", "aws-k8s-eu-general-lt") in {(f.rule_id, f.resource_name) for f in failed}


def test_kubernetes_rules_name_their_controls() -> None:
    for rule_id in WEAKENINGS:
        rule = REGISTRY[rule_id]
        assert rule.cloud == "aws" and rule.controls.get("gdpr") and rule.controls.get("nist-800-53"), rule_id
