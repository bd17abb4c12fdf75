"""The Terraform plan export of GCP stacks: a table entry for every type the GCP blueprint
emits (both examples and every egress mode), and Terraform's own block names."""

from __future__ import annotations

import pytest
from checkov_helpers import STACKS

from hardstack.checkov.gcp_types import GCP_RENAMES, GCP_TYPES
from hardstack.checkov.terraform_plan import to_plan
from hardstack.render import Graph
from hardstack.spec import Environment, load

EXAMPLES = ("Pulumi.gcp-prod-eu.yaml", "Pulumi.gcp-gpu-eu.yaml")


@pytest.fixture(scope="module")
def graphs(example_graph, rendered) -> dict[str, Graph]:
    graphs = {name: example_graph(STACKS / name) for name in EXAMPLES}
    # The examples have no egress; NAT and the egress proxy add routers, NAT and routes.
    base = load(STACKS / EXAMPLES[0]).environment.model_dump(mode="python")
    for egress in ("nat", "proxy"):
        data = {**base, "network": {**base["network"], "egress": egress}}
        graphs[egress] = rendered(Environment.model_validate(data), f"gcp-{egress}")
    return graphs


def emitted(graph: Graph) -> set[str]:
    return {r.type for r in graph if r.custom and not r.type.startswith("pulumi:providers:")}


def test_every_type_the_gcp_blueprint_emits_is_mapped(graphs: dict[str, Graph]) -> None:
    for name, graph in graphs.items():
        assert emitted(graph) - set(GCP_TYPES) == set(), name
        assert to_plan(graph, GCP_TYPES, GCP_RENAMES).unmapped == [], name
    # The variants really add the egress types, so the table is checked for them too.
    assert "gcp:compute/routerNat:RouterNat" in emitted(graphs["nat"]) - emitted(graphs[EXAMPLES[0]])


def test_terraform_names_are_google_types() -> None:
    assert all(tf.startswith("google_") for tf in GCP_TYPES.values())
    assert len(set(GCP_TYPES.values())) == len(GCP_TYPES)  # no two tokens claim one Terraform type


def _values(graph: Graph, token: str, part: str = "") -> dict:
    plan = to_plan(graph, GCP_TYPES, GCP_RENAMES).plan
    tf_type = GCP_TYPES[token]
    return next(r["values"] for r in plan["planned_values"]["root_module"]["resources"]
                if r["type"] == tf_type and part in r["name"])


def test_blocks_carry_terraform_names(graphs: dict[str, Graph]) -> None:
    graph = graphs[EXAMPLES[0]]
    # Blocks the bridge pluralized become singular again...
    firewall = _values(graph, "gcp:compute/firewall:Firewall", "deny-all-ingress")
    assert firewall["deny"] == [{"protocol": "all"}]
    assert firewall["log_config"] == [{"metadata": "INCLUDE_ALL_METADATA"}]
    instance = _values(graph, "gcp:compute/instance:Instance", "trainer-0")
    assert instance["network_interface"][0]["subnetwork"].endswith("/subnetworks/gcp-prod-eu-net-workloads")
    assert instance["confidential_instance_config"] == [{"confidential_instance_type": "TDX"}]
    # ...but blocks Terraform itself names in the plural keep their names (GCP_RENAMES).
    policy = _values(graph, "gcp:orgpolicy/policy:Policy", "requireoslogin")
    assert policy["spec"] == [{"rules": [{"enforce": "TRUE"}]}]
    alert = _values(graph, "gcp:monitoring/alertPolicy:AlertPolicy")
    assert "conditions" in alert and "condition" not in alert
    assert "aggregations" in alert["conditions"][0]["condition_threshold"][0]
    audit = _values(graph, "gcp:projects/iAMAuditConfig:IAMAuditConfig")
    assert {c["log_type"] for c in audit["audit_log_config"]} == {"ADMIN_READ", "DATA_READ", "DATA_WRITE"}


def test_references_connect_encrypted_resources_to_their_key(graphs: dict[str, Graph]) -> None:
    plan = to_plan(graphs[EXAMPLES[0]], GCP_TYPES, GCP_RENAMES).plan
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    bucket = next(a for a in config if a.startswith("google_storage_bucket.") and "datasets" in a)
    key = "google_kms_crypto_key.gcp-prod-eu-keys-data"
    assert key in config[bucket]["expressions"]["encryption"]["references"]
    binding = next(a for a in config if a.startswith("google_kms_crypto_key_iam_binding.") and "data" in a)
    assert key in config[binding]["expressions"]["crypto_key_id"]["references"]
