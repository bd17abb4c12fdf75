"""The gcp-k8s-eu example (GKE) passes every mandatory rule; weakening one cluster or node pool setting
of it makes the named rule fail on that resource."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from weakening import blame, drop, edit_input, findings, named, set_input, weaken

from hardstack.render import Graph
from hardstack.spec import LoadedSpec, load

K8S = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.gcp-k8s-eu.yaml"
CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BINAUTHZ = "gcp:binaryauthorization/policy:Policy"
SINK = "gcp:logging/projectSink:ProjectSink"


def node(change: Callable[[dict[str, object]], dict[str, object]], part: str = "gpu"):
    return edit_input(POOL, "nodeConfig", change, part)


K8S_WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "gcp-gke-private-cluster": edit_input(CLUSTER, "privateClusterConfig",
                                          lambda c: {**c, "enablePrivateEndpoint": False}),
    "gcp-gke-workload-identity": node(lambda c: {**c, "workloadMetadataConfig": {"mode": "GCE_METADATA"}}),
    "gcp-gke-secrets-encryption": set_input(CLUSTER, "databaseEncryption", {"state": "DECRYPTED"}),
    "gcp-gke-binary-authorization": set_input(CLUSTER, "binaryAuthorization", {"evaluationMode": "DISABLED"}),
    "gcp-binauthz-policy-blocks": edit_input(BINAUTHZ, "defaultAdmissionRule",
                                             lambda r: {**r, "enforcementMode": "DRYRUN_AUDIT_LOG_ONLY"}),
    "gcp-gke-network-policy": set_input(CLUSTER, "datapathProvider", "LEGACY_DATAPATH"),
    "gcp-gke-control-plane-logging": edit_input(CLUSTER, "loggingConfig", lambda c: {
        "enableComponents": [x for x in c["enableComponents"] if x != "APISERVER"]}),
    "gcp-gke-no-legacy-auth": edit_input(CLUSTER, "masterAuth", lambda _: {
        "clientCertificateConfig": {"issueClientCertificate": True}}),
    "gcp-gke-shielded-nodes": node(lambda c: {**c, "shieldedInstanceConfig": {"enableSecureBoot": False}}, "cpu"),
    "gcp-gke-release-channel": set_input(CLUSTER, "releaseChannel", None),
    "gcp-gke-confidential-nodes": node(lambda c: {k: v for k, v in c.items() if k != "confidentialNodes"}),
    "gcp-gke-node-disks-customer-key": node(lambda c: {k: v for k, v in c.items() if k != "bootDiskKmsKey"}, "cpu"),
    "gcp-gke-node-service-account": node(lambda c: {**c, "serviceAccount": "default"}),
    "gcp-gke-node-pool-management": edit_input(POOL, "management", lambda m: {**m, "autoRepair": False}, "cpu"),
    "gcp-gke-logs-reach-own-bucket": drop(SINK, "k8s-logs", named(CLUSTER)),
}
# Weakenings that break another setting the same rule judges (one per rule: dict keys are unique).
EXTRA: dict[str, Callable[[Graph], str]] = {
    "gcp-gke-private-cluster": edit_input(CLUSTER, "masterAuthorizedNetworksConfig",
                                          lambda c: {**c, "cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}),
    "gcp-gke-workload-identity": set_input(CLUSTER, "workloadIdentityConfig", None),
    "gcp-gke-network-policy": set_input(CLUSTER, "enableIntranodeVisibility", False),
    "gcp-gke-no-legacy-auth": set_input(CLUSTER, "enableKubernetesAlpha", True),
    "gcp-gke-shielded-nodes": set_input(CLUSTER, "enableShieldedNodes", False),
    "gcp-gke-release-channel": set_input(CLUSTER, "removeDefaultNodePool", False),
    "gcp-gke-confidential-nodes": edit_input(CLUSTER, "nodeConfig", lambda c: {
        **c, "confidentialNodes": {"enabled": False}}),
    "gcp-binauthz-policy-blocks": edit_input(BINAUTHZ, "admissionWhitelistPatterns",
                                             lambda p: [*p, {"namePattern": "*"}]),
    "gcp-gke-logs-reach-own-bucket": blame(edit_input(SINK, "filter", lambda f: f.replace("cluster_name", "x"),
                                                      "k8s-logs"), named(CLUSTER)),
}


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(K8S)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)


def test_example_passes_every_rule(loaded: LoadedSpec, graph: Graph) -> None:
    assert [(f.status, f.rule_id, f.resource_name, f.message) for f in findings(loaded, graph)] == []


@pytest.mark.parametrize("rule_id, weakening", [*K8S_WEAKENINGS.items(), *EXTRA.items()],
                         ids=[*K8S_WEAKENINGS, *(f"{k}-extra" for k in EXTRA)])
def test_weakened_example_fails_the_named_rule(rule_id: str, weakening, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, named_rule, failed = weaken(loaded, graph, weakening, rule_id)
    assert named_rule, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    assert any(f.resource_name == blamed for f in named_rule), [(f.resource_name, f.message) for f in named_rule]


def test_a_none_pool_is_exempted_only_by_its_exemption(loaded: LoadedSpec, graph: Graph) -> None:
    """The alias confidential-computing exempts a pool by its spec name, as the spec's EKS-style
    exemption says; without the exemption the finding blocks."""
    weakening = node(lambda c: {k: v for k, v in c.items() if k != "confidentialNodes"}, "cpu")
    _blamed, failed, _all = weaken(loaded, graph, weakening, "gcp-gke-confidential-nodes")
    assert failed
    env = loaded.environment.model_copy(update={"exemptions": [
        *loaded.environment.exemptions,
        loaded.environment.exemptions[0].model_copy(update={"rule": "confidential-computing", "resource": "cpu"}),
    ]})
    exempted = dataclasses.replace(loaded, environment=env)
    _blamed, still, _all = weaken(exempted, graph, weakening, "gcp-gke-confidential-nodes")
    assert still == []
