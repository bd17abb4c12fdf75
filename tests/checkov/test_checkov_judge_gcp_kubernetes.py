"""checkov judges the gcp-k8s-eu example (GKE): every resource, the new types included, is judged; it
fails only what the spec exempts (CKV_GCP_65, Google Groups for RBAC); checkov's GKE checks and
hardstack's HS_GCP_27-32 pass, and each fails when its setting is weakened. One checkov run."""

from __future__ import annotations

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, setting, unexempted, weakened_failure

from hardstack.checkov.gcp_types import GCP_TYPES
from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

K8S = STACKS / "Pulumi.gcp-k8s-eu.yaml"
CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BINAUTHZ = "gcp:binaryauthorization/policy:Policy"
NEW_TYPES = (CLUSTER, POOL, BINAUTHZ)
K8S_CHECKS = {f"HS_GCP_{n}" for n in range(27, 33)}
# Checks seen passing on each new type of the example (checkov 3.3.30 and hardstack's own).
PASSING = {
    CLUSTER: {"CKV_GCP_1", "CKV_GCP_7", "CKV_GCP_8", "CKV_GCP_12", "CKV_GCP_13", "CKV_GCP_18", "CKV_GCP_20",
              "CKV_GCP_21", "CKV_GCP_23", "CKV_GCP_25", "CKV_GCP_61", "CKV_GCP_64", "CKV_GCP_66", "CKV_GCP_68",
              "CKV_GCP_69", "CKV_GCP_70", "CKV_GCP_71", "CKV_GCP_72", "CKV_GCP_123", "CKV2_GCP_19",
              "HS_GCP_27", "HS_GCP_28", "HS_GCP_29", "HS_GCP_30", "HS_GCP_31"},
    POOL: {"CKV_GCP_9", "CKV_GCP_10", "CKV_GCP_68", "CKV_GCP_69", "CKV_GCP_72",
           "HS_GCP_27", "HS_GCP_28", "HS_GCP_31"},
    BINAUTHZ: {"HS_GCP_32"},
}


def node(key: str, change, token: str = POOL, part: str = "gpu"):
    return setting(token, "nodeConfig", lambda c: {**c, key: change(c.get(key))}, part)


WEAKENINGS = {
    "CKV_GCP_7": setting(CLUSTER, "enableLegacyAbac", lambda _: True),
    "CKV_GCP_12": setting(CLUSTER, "networkPolicy", lambda _: None),
    "CKV_GCP_13": setting(CLUSTER, "masterAuth",
                          lambda _: {"clientCertificateConfig": {"issueClientCertificate": True}}),
    "CKV_GCP_18": setting(CLUSTER, "masterAuthorizedNetworksConfig",
                          lambda c: {**c, "cidrBlocks": [{"cidrBlock": "0.0.0.0/0"}]}),
    "CKV_GCP_21": setting(CLUSTER, "resourceLabels", lambda _: None),
    "CKV_GCP_23": setting(CLUSTER, "ipAllocationPolicy", lambda _: None),
    "CKV_GCP_25": setting(CLUSTER, "privateClusterConfig", lambda _: None),
    "CKV_GCP_61": setting(CLUSTER, "enableIntranodeVisibility", lambda _: False),
    "CKV_GCP_66": setting(CLUSTER, "binaryAuthorization", lambda _: {"evaluationMode": "DISABLED"}),
    "CKV_GCP_70": setting(CLUSTER, "releaseChannel", lambda _: None),
    "CKV_GCP_71": setting(CLUSTER, "enableShieldedNodes", lambda _: False),
    "CKV_GCP_9": setting(POOL, "management", lambda m: {**m, "autoRepair": False}, "cpu"),
    "CKV_GCP_10": setting(POOL, "management", lambda m: {**m, "autoUpgrade": False}, "gpu"),
    "CKV_GCP_68": node("shieldedInstanceConfig", lambda s: {**s, "enableSecureBoot": False}, part="cpu"),
    "CKV_GCP_69": node("workloadMetadataConfig", lambda _: {"mode": "GCE_METADATA"}, part="cpu"),
    "CKV_GCP_72": node("shieldedInstanceConfig", lambda s: {**s, "enableIntegrityMonitoring": False}),
    "CKV2_GCP_19": setting(CLUSTER, "enableKubernetesAlpha", lambda _: True),
    "HS_GCP_27": node("confidentialNodes", lambda c: {**c, "confidentialInstanceType": "SEV_SNP"}),
    "HS_GCP_28": setting(CLUSTER, "workloadIdentityConfig", lambda _: None),
    "HS_GCP_29": setting(CLUSTER, "databaseEncryption", lambda _: {"state": "DECRYPTED"}),
    "HS_GCP_30": setting(CLUSTER, "privateClusterConfig", lambda c: {**c, "enablePrivateEndpoint": False}),
    "HS_GCP_31": node("bootDiskKmsKey", lambda _: None, part="cpu"),
    "HS_GCP_32": setting(BINAUTHZ, "defaultAdmissionRule", lambda r: {**r, "evaluationMode": "ALWAYS_ALLOW"}),
}


@pytest.fixture(scope="module")
def graph(example_graph) -> Graph:
    return example_graph(K8S)


@pytest.fixture(scope="module")
def judged(graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graph, WEAKENINGS, "weak-gcp-k8s", [graph])


def test_new_types_are_mapped(graph: Graph) -> None:
    assert set(NEW_TYPES) <= set(GCP_TYPES)
    assert {r.type for r in graph} >= set(NEW_TYPES)


def test_example_parsed_whole_and_nothing_unjudged(judged, graph: Graph) -> None:
    result = judged[0]["gcp-k8s-eu"]
    assert result.resource_count == exported_count(graph) > 60
    assert result.unjudged == []


@pytest.mark.parametrize("token", NEW_TYPES)
def test_each_new_type_passes_its_checks(judged, graph: Graph, token: str) -> None:
    for res in graph.of_type(token):
        passed = {check for check, urn in judged[0]["gcp-k8s-eu"].passed if urn == res.urn}
        assert passed >= PASSING[token], (res.name, PASSING[token] - passed)


def test_example_fails_only_what_its_spec_exempts(judged, graph: Graph) -> None:
    findings = judged[0]["gcp-k8s-eu"].findings
    assert "CKV_GCP_65" in {f.rule_id for f in findings}  # no Google Group for RBAC: exempted with its reason
    assert unexempted(judged[0]["gcp-k8s-eu"], graph) == []


def test_every_kubernetes_check_is_weakened() -> None:
    assert set(WEAKENINGS) >= K8S_CHECKS


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed
