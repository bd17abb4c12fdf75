"""The inventory read off rendered graphs: every workload, key and store is a node, and the edges
(encrypts, runs_as, logs_to, alerts_to, reaches) say what the graph's references say."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hardstack.evidence.inventory import inventory
from hardstack.evidence.model import KINDS, RELATIONS, Inventory, Node
from hardstack.render.graph import Graph, Resource
from hardstack.spec import load

STACKS = Path(__file__).resolve().parents[2] / "stacks"
STACK_NAMES = ("aws-prod-eu", "azure-gpu-eu", "azure-prod-eu", "gcp-gpu-eu", "gcp-prod-eu")
# The types the brief (and the browser test) promise a node for, written out independently of
# the implementation's tables.
WORKLOADS = {"aws:ec2/instance:Instance", "azure-native:compute:VirtualMachine", "gcp:compute/instance:Instance"}
KEYS = {"aws:kms/key:Key", "azure-native:keyvault:Key", "gcp:kms/cryptoKey:CryptoKey"}
STORES = {"aws:s3/bucket:Bucket", "gcp:storage/bucket:Bucket", "azure-native:storage:StorageAccount"}
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
DES = "azure-native:compute:DiskEncryptionSet"

GraphOf = Callable[[str], Graph]


@pytest.fixture(scope="session")
def graph_of(example_paths: dict[str, Path], example_graph: Callable[[Path], Graph]) -> GraphOf:
    """graph_of(stack): the example stack's rendered graph (shared render, a fresh copy)."""
    assert example_paths["aws"].parent == STACKS
    return lambda stack: example_graph(STACKS / f"Pulumi.{stack}.yaml")


def _names(inv: Inventory, kind: str) -> set[str]:
    return {n.name for n in inv.nodes if n.kind == kind}


def _edges(inv: Inventory, relation: str) -> set[tuple[str, str]]:
    by_id = {n.id: n.name for n in inv.nodes}
    return {(by_id[e.source], by_id[e.target]) for e in inv.related(relation)}  # type: ignore[arg-type]


def _node(inv: Inventory, name: str) -> Node:
    found = [n for n in inv.nodes if n.name == name]
    assert len(found) == 1, f"{len(found)} nodes named {name}"
    return found[0]


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_every_workload_key_and_store_of_the_graph_is_a_node(stack: str, graph_of: GraphOf) -> None:
    graph = graph_of(stack)
    inv = inventory(graph)
    for kind, types in (("workload", WORKLOADS), ("key", KEYS), ("store", STORES)):
        expected = {r.name for r in graph.resources if r.type in types}
        assert expected, f"{stack} has no {kind} resources to check"
        assert _names(inv, kind) == expected, kind
    assert (inv.stack, inv.cloud) == (graph.stack, graph.cloud)
    assert inv.region == load(STACKS / f"Pulumi.{stack}.yaml").environment.region


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_nodes_are_graph_resources_and_edges_join_nodes(stack: str, graph_of: GraphOf) -> None:
    graph = graph_of(stack)
    inv = inventory(graph)
    ids = [n.id for n in inv.nodes]
    assert len(ids) == len(set(ids))
    for node in inv.nodes:
        resource = graph.by_urn(node.id)
        assert resource is not None and resource.is_cloud_resource
        assert (node.name, node.type) == (resource.name, resource.type)
        assert node.kind in KINDS and node.label
        if node.within is not None:
            assert inv.node(node.within).kind in ("subnet", "network")
    assert inv.edges and len(inv.edges) == len(set(inv.edges))
    for edge in inv.edges:
        assert edge.relation in RELATIONS
        inv.node(edge.source), inv.node(edge.target)
        assert edge.source != edge.target


def test_gcp_gpu_workload_is_tdx_with_the_h100_the_spec_asks_for(graph_of: GraphOf) -> None:
    spec = load(STACKS / "Pulumi.gcp-gpu-eu.yaml").environment
    (wanted,) = spec.workloads
    assert wanted.gpu is not None and wanted.zones
    (node,) = inventory(graph_of("gcp-gpu-eu")).of_kind("workload")
    assert node.details["machine_type"] == wanted.machine_type == "a3-highgpu-1g"
    assert node.details["tee"] == "TDX" == str(wanted.confidential).upper()
    assert node.details["gpu"] == f"{wanted.gpu.count}x {wanted.gpu.kind.upper()}" == "1x H100"
    assert node.details["zone"] == wanted.zones[0]
    assert node.label == "gpu-trainer-0 (a3-highgpu-1g, TDX, 1x H100)"


def test_azure_sizes_give_the_tee_and_gpu_the_catalog_files_them_under(graph_of: GraphOf) -> None:
    inv = inventory(graph_of("azure-gpu-eu"))
    trainer = _node(inv, "azure-gpu-eu-trainer-0").details
    assert (trainer["machine_type"], trainer["tee"], trainer["gpu"]) == (
        "Standard_NCC40ads_H100_v5", "SEV-SNP", "1x H100")
    for name in ("azure-gpu-eu-serving-0", "azure-gpu-eu-serving-1"):
        serving = _node(inv, name).details
        assert (serving["tee"], serving["gpu"]) == ("SEV-SNP", "none")
    prod = inventory(graph_of("azure-prod-eu")).of_kind("workload")
    assert {n.details["tee"] for n in prod} == {"TDX"}  # Standard_DC4es_v5


def test_aws_instances_are_sev_snp_in_their_subnet_and_zone(graph_of: GraphOf) -> None:
    graph = graph_of("aws-prod-eu")
    inv = inventory(graph)
    for node in inv.of_kind("workload"):
        resource = graph.by_urn(node.id)
        assert resource is not None
        (subnet,) = resource.propertyDependencies["subnetId"]
        assert node.within == subnet
        assert node.details["zone"] == graph.by_urn(subnet).inputs["availabilityZone"]  # type: ignore[union-attr]
        assert node.details["tee"] == "SEV-SNP" and node.details["image"] == resource.inputs["ami"]


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_every_workload_runs_as_one_identity_in_a_subnet(stack: str, graph_of: GraphOf) -> None:
    inv = inventory(graph_of(stack))
    runs_as = inv.related("runs_as")
    for node in inv.of_kind("workload"):
        targets = [e.target for e in runs_as if e.source == node.id]
        assert len(targets) == 1, node.name
        assert inv.node(targets[0]).kind == "identity"
        assert node.within is not None and inv.node(node.within).kind == "subnet"


def test_aws_workload_runs_as_the_role_of_its_instance_profile(graph_of: GraphOf) -> None:
    graph = graph_of("aws-prod-eu")
    pairs = _edges(inventory(graph), "runs_as")
    expected = set()
    for instance in graph.of_type("aws:ec2/instance:Instance"):
        (profile,) = instance.propertyDependencies["iamInstanceProfile"]
        (role,) = graph.by_urn(profile).propertyDependencies["role"]  # type: ignore[union-attr]
        expected.add((instance.name, graph.by_urn(role).name))  # type: ignore[union-attr]
    for function in graph.of_type("aws:lambda/function:Function"):  # the containment responder
        (role,) = function.propertyDependencies["role"]
        expected.add((function.name, graph.by_urn(role).name))  # type: ignore[union-attr]
    assert pairs == expected
    assert ("aws-prod-eu-trainer-0", "aws-prod-eu-trainer-role") in pairs


def test_aws_stores_are_encrypted_by_the_key_their_encryption_configuration_names(graph_of: GraphOf) -> None:
    graph = graph_of("aws-prod-eu")
    inv = inventory(graph)
    encrypts = inv.related("encrypts")
    with_key = 0
    for sse in graph.of_type(SSE):
        (bucket,) = sse.propertyDependencies["bucket"]
        named = set(sse.propertyDependencies.get("rules", []))
        algorithm = sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        assert {e.source for e in encrypts if e.target == bucket} == named
        store = inv.node(bucket)
        if algorithm == "aws:kms":
            with_key += 1
            assert len(named) == 1 and inv.node(next(iter(named))).kind == "key"
            assert store.details["encryption"] == inv.node(next(iter(named))).name.removeprefix("aws-prod-eu-")
        else:  # server access logs can only land in SSE-S3 buckets
            assert store.details["encryption"] == "provider default"
    assert with_key == 3 and len(inv.of_kind("store")) == 4


def test_store_purposes(graph_of: GraphOf) -> None:
    aws = inventory(graph_of("aws-prod-eu"))
    assert {n.name: n.details["purpose"] for n in aws.of_kind("store")} == {
        "aws-prod-eu-access-logs-bucket": "access logs", "aws-prod-eu-audit-audit-bucket": "audit logs",
        "aws-prod-eu-datasets-bucket": "datasets", "aws-prod-eu-models-bucket": "models",
    }
    azure = inventory(graph_of("azure-gpu-eu"))
    assert _node(azure, "azure-gpu-eu-data-account").details["purpose"] == "datasets, models"
    # The logs account holds what the network's flow log writes into it.
    assert _node(azure, "azure-gpu-eu-logs-account").details["purpose"] == "flow logs"
    assert ("azure-gpu-eu-net-vnet", "azure-gpu-eu-logs-account") in _edges(azure, "logs_to")


def test_a_disk_encryption_set_is_folded_into_its_key(graph_of: GraphOf) -> None:
    graph = graph_of("azure-gpu-eu")
    inv = inventory(graph)
    (des,) = graph.of_type(DES)
    assert all(n.type != DES for n in inv.nodes)
    key = _node(inv, "azure-gpu-eu-disks-key")
    assert des.propertyDependencies["activeKey"].count(key.id) == 1
    assert key.details["wrapped_by"] == "disks-des"
    vms = {n.id for n in inv.of_kind("workload")}
    assert len(vms) == 3
    assert {e.target for e in inv.related("encrypts") if e.source == key.id} == vms


@pytest.mark.parametrize("stack", ["aws-prod-eu", "gcp-gpu-eu", "gcp-prod-eu"])
def test_keys_show_the_protection_and_rotation_the_spec_asks_for(stack: str, graph_of: GraphOf) -> None:
    spec = load(STACKS / f"Pulumi.{stack}.yaml").environment
    keys = inventory(graph_of(stack)).of_kind("key")
    assert keys and spec.keys.protection == "hsm"
    for key in keys:
        assert key.details["rotation"] == f"every {spec.keys.rotation_days} days"
        assert key.details["protection"].startswith("HSM")
        assert f"rotates every {spec.keys.rotation_days} days" in key.label


def test_gcp_workload_disks_and_buckets_are_encrypted_by_their_keys(graph_of: GraphOf) -> None:
    pairs = _edges(inventory(graph_of("gcp-prod-eu")), "encrypts")
    for workload in ("inference-0", "trainer-0", "trainer-1"):
        assert ("gcp-prod-eu-keys-disks", f"gcp-prod-eu-{workload}") in pairs
    assert ("gcp-prod-eu-keys-data", "gcp-prod-eu-datasets-bucket") in pairs
    assert ("gcp-prod-eu-keys-logs", "gcp-prod-eu-access-logs-bucket") in pairs


def test_monitors_alert_to_their_channels(graph_of: GraphOf) -> None:
    aws = _edges(inventory(graph_of("aws-prod-eu")), "alerts_to")
    assert aws == {("aws-prod-eu-monitoring-guardduty", "aws-prod-eu-monitoring-alerts"),
                   ("aws-prod-eu-monitoring-securityhub", "aws-prod-eu-monitoring-alerts")}
    gcp = _edges(inventory(graph_of("gcp-gpu-eu")), "alerts_to")
    assert ("gcp-gpu-eu-monitoring-scc-notifications", "gcp-gpu-eu-monitoring-scc-findings") in gcp
    assert ("gcp-gpu-eu-monitoring-sa-key-creation-alert", "gcp-gpu-eu-monitoring-email") in gcp
    azure = _edges(inventory(graph_of("azure-gpu-eu")), "alerts_to")
    assert ("azure-gpu-eu-monitoring-key-vault-changes", "azure-gpu-eu-monitoring-action-group") in azure


def test_logs_flow_where_the_graph_sends_them(graph_of: GraphOf) -> None:
    aws = _edges(inventory(graph_of("aws-prod-eu")), "logs_to")
    assert ("aws-prod-eu-net-vpc", "aws-prod-eu-net-flow-logs") in aws
    assert ("aws-prod-eu-audit-trail", "aws-prod-eu-audit-audit-bucket") in aws
    assert ("aws-prod-eu-datasets-bucket", "aws-prod-eu-access-logs-bucket") in aws
    assert ("aws-prod-eu-trainer-0", "aws-prod-eu-trainer-logs") in aws
    azure = _edges(inventory(graph_of("azure-gpu-eu")), "logs_to")
    assert ("azure-gpu-eu-trainer-0", "azure-gpu-eu-audit-workspace") in azure
    gcp = _edges(inventory(graph_of("gcp-gpu-eu")), "logs_to")
    assert ("gcp-gpu-eu-audit-audit-sink", "gcp-gpu-eu-audit-bucket") in gcp


def test_endpoints_are_reached_from_the_subnets_the_graph_names(graph_of: GraphOf) -> None:
    inv = inventory(graph_of("aws-prod-eu"))
    reaches = _edges(inv, "reaches")
    # The S3 gateway endpoint is reached through the route tables of the workload subnets.
    assert {s for s, t in reaches if t == "aws-prod-eu-endpoints-s3"} == {
        "aws-prod-eu-net-workload-eu-west-1a", "aws-prod-eu-net-workload-eu-west-1b"}
    assert {s for s, t in reaches if t == "aws-prod-eu-endpoints-kms"} == {
        "aws-prod-eu-net-endpoint-eu-west-1a", "aws-prod-eu-net-endpoint-eu-west-1b"}
    # Spread over two subnets, an interface endpoint sits in their VPC.
    assert inv.node(_node(inv, "aws-prod-eu-endpoints-kms").within or "").name == "aws-prod-eu-net-vpc"
    azure = inventory(graph_of("azure-gpu-eu"))
    assert _node(azure, "azure-gpu-eu-data-blob-pe").within == _node(azure, "azure-gpu-eu-net-endpoints").id
    assert ("gcp-gpu-eu-net-vpc", "gcp-gpu-eu-net-psc") in _edges(inventory(graph_of("gcp-gpu-eu")), "reaches")


def _resource(name: str, type_: str, inputs: dict | None = None, custom: bool = True,
              deps: dict[str, list[str]] | None = None) -> Resource:
    return Resource(urn=f"urn:pulumi:t::p::{type_}::{name}", type=type_, name=name, parent="",
                    inputs=inputs or {}, custom=custom, propertyDependencies=deps or {},
                    dependencies=[u for us in (deps or {}).values() for u in us])


def _graph(*resources: Resource, cloud: str = "") -> Graph:
    return Graph(stack="t", project="p", cloud=cloud, root="", resources=list(resources))


def test_an_empty_graph_gives_an_empty_inventory() -> None:
    inv = inventory(_graph(cloud="aws"), region="eu-west-1")
    assert (inv.stack, inv.cloud, inv.region, inv.nodes, inv.edges) == ("t", "aws", "eu-west-1", [], [])


def test_unknown_types_providers_and_components_are_left_out() -> None:
    key = _resource("k", "gcp:kms/cryptoKey:CryptoKey", {"rotationPeriod": "86400s"})
    graph = _graph(
        _resource("thing", "acme:widgets/widget:Widget", {"kmsKeyId": "x"}, deps={"kmsKeyId": [key.urn]}),
        _resource("component", "hardstack:gcp:SecureBucket", custom=False),
        _resource("provider", "pulumi:providers:gcp", {"region": "europe-west4"}),
        # A topic nothing publishes findings to is application data, not an alert channel;
        # a load balancer's forwarding rule is not a private endpoint.
        _resource("queue", "gcp:pubsub/topic:Topic", deps={"kmsKeyName": [key.urn]}),
        _resource("lb", "gcp:compute/globalForwardingRule:GlobalForwardingRule", {"target": "proxy"}),
        key,
    )
    inv = inventory(graph)
    assert [(n.name, n.kind) for n in inv.nodes] == [("k", "key")]
    assert inv.node(key.urn).details["rotation"] == "every 1 day"
    assert (inv.edges, inv.cloud, inv.region) == ([], "gcp", "europe-west4")


def test_inputs_of_unexpected_shape_do_not_stop_the_inventory() -> None:
    vm = _resource("vm", "azure-native:compute:VirtualMachine",
                   {"hardwareProfile": "big", "securityProfile": ["x"], "storageProfile": {"imageReference": 3}},
                   deps={"storageProfile": ["urn:missing"], "identity": ["urn:missing-too"]})
    nic = _resource("nic", "azure-native:network:NetworkInterface")
    nic.propertyDependencies = {"ipConfigurations": [nic.urn]}  # a stand-in naming itself
    graph = _graph(
        vm, nic,
        _resource("key", "azure-native:keyvault:Key", {"properties": "none"}),
        _resource("bucket", "aws:s3/bucket:Bucket", {"tags": "no-dict"}),
        _resource("i", "gcp:compute/instance:Instance", {"guestAccelerators": "x", "confidentialInstanceConfig": 1}),
        _resource("t", "aws:cloudwatch/eventTarget:EventTarget", deps={"rule": [vm.urn]}),
    )
    inv = inventory(graph)
    assert {n.name: n.kind for n in inv.nodes} == {"vm": "workload", "key": "key", "bucket": "store", "i": "workload"}
    assert _node(inv, "bucket").details == {"encryption": "provider default", "purpose": "data"}
    assert _node(inv, "i").details["tee"] == "none"


# The containment functions, written out independently of the implementation's tables.
RESPONDERS = {"aws:lambda/function:Function", "gcp:cloudfunctionsv2/function:Function", "azure-native:web:WebApp"}


@pytest.mark.parametrize("stack", STACK_NAMES)
def test_every_example_shows_its_containment_responder_and_what_it_runs_as(stack: str, graph_of: GraphOf) -> None:
    graph = graph_of(stack)
    inv = inventory(graph)
    (responder,) = inv.of_kind("responder")
    assert responder.type in RESPONDERS and "containment" in responder.name
    (identity,) = [t for s, t in _edges(inv, "runs_as") if s == responder.name]
    assert _node(inv, identity).kind == "identity" and "containment" in identity


@pytest.mark.parametrize(("stack", "trigger"), [("aws-prod-eu", "aws-prod-eu-monitoring-guardduty"),
                                                ("gcp-prod-eu", "gcp-prod-eu-monitoring-scc-findings"),
                                                ("gcp-gpu-eu", "gcp-gpu-eu-monitoring-scc-findings")])
def test_findings_are_drawn_starting_the_responder(stack: str, trigger: str, graph_of: GraphOf) -> None:
    inv = inventory(graph_of(stack))
    (responder,) = inv.of_kind("responder")
    assert _edges(inv, "triggers") == {(trigger, responder.name)}
    assert _node(inv, trigger).kind in ("monitor", "alert")
