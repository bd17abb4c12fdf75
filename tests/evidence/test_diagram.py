"""The Graphviz environment diagram: every node findable in the SVG, nesting, edges, escaping,
determinism, and a clear error without `dot`."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hardstack.evidence.diagram import EDGE_STYLES, STYLES, GraphvizMissing, dot_source, svg
from hardstack.evidence.model import RELATIONS, Edge, Inventory, Node

SVG = "{http://www.w3.org/2000/svg}"
# Graphviz is a dependency (make os-packages installs it): without it these tests fail, not skip.
needs_dot = pytest.mark.usefixtures("dot_installed")


@pytest.fixture
def dot_installed() -> None:
    assert shutil.which("dot"), "Graphviz `dot` is not installed: make os-packages (or apt install graphviz)"


HOSTILE = 'bad "quoted" <b>&amp; & \\N \\\\ ]]> --> x\ny #1 [a] {b} it\'s é'


def sample(store_name: str = "datasets") -> Inventory:
    nodes = [
        Node("urn:net", "network", "vpc-main", "aws:ec2/vpc:Vpc", "vpc-main", {"cidr": "10.0.0.0/16"}),
        Node("urn:sn-a", "subnet", "private-a", "aws:ec2/subnet:Subnet", "private-a", {}, "urn:net"),
        Node("urn:sn-empty", "subnet", "spare", "aws:ec2/subnet:Subnet", "spare", {}, "urn:net"),
        Node("urn:sn-loose", "subnet", "orphan", "aws:ec2/subnet:Subnet", "orphan"),
        Node("urn:wl", "workload", "training-0", "aws:ec2/instance:Instance", "training-0 (p5.48xlarge)",
             {"tee": "SEV-SNP", "gpu": "8x H100", "machine_type": "p5.48xlarge"}, "urn:sn-a"),
        Node("urn:ep", "endpoint", "s3-endpoint", "aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {}, "urn:sn-a"),
        Node("urn:ep2", "endpoint", "kms-endpoint", "aws:ec2/vpcEndpoint:VpcEndpoint", "kms", {}, "urn:sn-loose"),
        Node("urn:id", "identity", "trainer", "aws:iam/role:Role", "trainer"),
        Node("urn:key", "key", "data-key", "aws:kms/key:Key", "data-key",
             {"protection": "HSM", "rotation": "365 days"}),
        Node("urn:st", "store", store_name, "aws:s3/bucket:Bucket", store_name, {"purpose": "training data"}),
        Node("urn:log", "log", "audit", "aws:cloudwatch/logGroup:LogGroup", "audit"),
        Node("urn:al", "alert", "security", "aws:sns/topic:Topic", "security"),
        Node("urn:mon", "monitor", "root-login", "aws:cloudwatch/metricAlarm:MetricAlarm", "root-login"),
        Node("urn:rsp", "responder", "containment", "aws:lambda/function:Function", "containment"),
    ]
    edges = [
        Edge("urn:key", "urn:st", "encrypts"), Edge("urn:key", "urn:wl", "encrypts"),
        Edge("urn:wl", "urn:id", "runs_as"), Edge("urn:wl", "urn:log", "logs_to"),
        Edge("urn:mon", "urn:al", "alerts_to"), Edge("urn:log", "urn:al", "alerts_to"),
        Edge("urn:sn-a", "urn:ep", "reaches"), Edge("urn:net", "urn:ep2", "reaches"),
        Edge("urn:mon", "urn:rsp", "triggers"), Edge("urn:rsp", "urn:id", "runs_as"),
    ]
    return Inventory("aws-prod-eu", "aws", "eu-west-1", nodes, edges)


def groups(svg_text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg_text)
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g")}


def dom_id(n: Node) -> str:
    return f"{n.kind}:{n.name}"


def nesting(dot: str) -> dict[str, list[str]]:
    """DOM id of each node -> the DOM ids of the clusters around it in the DOT source, outermost first."""
    stack: list[str | None] = []
    out: dict[str, list[str]] = {}
    for line in dot.splitlines():
        text = line.strip()
        if text.startswith("subgraph cluster"):
            stack.append(None)
        elif text == "}":
            if stack:
                stack.pop()
        elif (found := re.search(r' id="([^"]*)"$', text)) and stack and stack[-1] is None and "[" not in text:
            stack[-1] = found.group(1)  # the cluster's own attribute line
        elif (found := re.search(r' id="([^"]*)"\]$', text)) and "->" not in text:
            out[found.group(1)] = [s for s in stack if s is not None]
    return out


def bbox(cluster: ET.Element) -> tuple[float, float, float, float]:
    """The box around a cluster's outline (a polygon, or a path when rounded)."""
    outline = next(e for e in cluster.iter() if e.tag in (f"{SVG}polygon", f"{SVG}path"))
    pairs = re.findall(r"(-?[\d.]+),(-?[\d.]+)", outline.get("points") or outline.get("d") or "")
    xs, ys = [float(x) for x, _ in pairs], [float(y) for _, y in pairs]
    return min(xs), min(ys), max(xs), max(ys)


def inside(node: ET.Element, cluster: ET.Element) -> bool:
    x0, y0, x1, y1 = bbox(cluster)
    return all(x0 <= float(t.get("x", "nan")) <= x1 and y0 <= float(t.get("y", "nan")) <= y1
               for t in node.iter(f"{SVG}text"))


@needs_dot
def test_every_node_is_in_the_svg_by_id_and_class() -> None:
    held = sample()
    found = groups(svg(held))
    for n in held.nodes:
        assert dom_id(n) in found, dom_id(n)
        # Graphviz 2.42+ writes the class attribute after its own: "node workload", "cluster subnet".
        role = "cluster" if n.kind in ("network", "subnet") else "node"
        assert found[dom_id(n)].get("class") == f"{role} {n.kind}"


@needs_dot
def test_labels_show_the_details_a_reviewer_asks_for() -> None:
    found = groups(svg(sample()))

    def text(dom: str) -> str:
        return " ".join(t.text or "" for t in found[dom].iter(f"{SVG}text"))

    assert "TEE: SEV-SNP" in text("workload:training-0") and "GPU: 8x H100" in text("workload:training-0")
    assert "protection: HSM" in text("key:data-key") and "rotation: 365 days" in text("key:data-key")
    assert "training-0 (p5.48xlarge)" in text("workload:training-0")


@needs_dot
def test_what_a_subnet_holds_is_inside_its_cluster() -> None:
    held = sample()
    nested = nesting(dot_source(held))
    assert nested["workload:training-0"] == ["network:vpc-main", "subnet:private-a"]
    assert nested["endpoint:s3-endpoint"] == ["network:vpc-main", "subnet:private-a"]
    assert nested["endpoint:kms-endpoint"] == ["subnet:orphan"]
    assert nested["key:data-key"] == ["group:keys"] and nested["store:datasets"] == ["group:data"]
    watch = ["group:logging &amp; alerts"]  # as written in DOT: entities survive to the SVG (see diagram._attr)
    assert nested["log:audit"] == nested["alert:security"] == nested["monitor:root-login"] == watch
    # ...and dot drew it there.
    found = groups(svg(held))
    assert inside(found["workload:training-0"], found["subnet:private-a"])
    assert inside(found["workload:training-0"], found["network:vpc-main"])
    assert not inside(found["key:data-key"], found["network:vpc-main"])
    assert "subnet:spare" in found  # an empty subnet is still drawn


@needs_dot
def test_edges_are_drawn_and_styled_per_relation() -> None:
    held = sample()
    found = groups(svg(held))
    for e in held.edges:
        edge_id = f"{e.relation}:{dom_id(held.node(e.source))}->{dom_id(held.node(e.target))}"
        assert found[edge_id].get("class") == f"edge {e.relation}", edge_id
        path = next(found[edge_id].iter(f"{SVG}path"))
        assert path.get("stroke") == EDGE_STYLES[e.relation][1]
    assert next(found["encrypts:key:data-key->store:datasets"].iter(f"{SVG}path")).get("stroke-dasharray")  # dashed
    assert EDGE_STYLES["encrypts"][1] == STYLES["key"][2]  # in the key's colour
    for relation in RELATIONS:  # one legend line per relation shown
        assert found[f"legend:{relation}"].get("class") == "edge legend"
    # An edge from a subnet ends at the subnet's border unless it points inside it.
    dot = dot_source(held)
    line = {e: next(x for x in dot.splitlines() if f'id="reaches:{e}' in x) for e in ("network:", "subnet:")}
    assert re.search(r"ltail=cluster_\d+", line["network:"]) and "ltail" not in line["subnet:"]


@needs_dot
def test_hostile_names_are_escaped() -> None:
    held = sample(HOSTILE)
    dot = dot_source(held)
    assert f"store:{HOSTILE}" in groups(svg(held))  # parses, and the id survives unchanged
    texts = [t.text or "" for t in ET.fromstring(svg(held)).iter(f"{SVG}text")]
    assert " ".join(HOSTILE.split()) in texts  # the label too, \N not expanded to a node name
    assert "\\N" not in dot.replace("\\\\N", "")  # no escString expansion left for dot to make
    assert re.search(r'id="store:[^"\n]*"', dot)  # the id is one DOT string


@needs_dot
def test_repeated_names_get_unique_ids() -> None:
    held = sample()
    held.nodes.append(Node("urn:sn-b", "subnet", "private-a", "aws:ec2/subnet:Subnet", "private-a", {}, "urn:net"))
    held.nodes.append(Node("urn:wl2", "workload", "training-0", "t", "training-0", {}, "urn:sn-b"))
    found = groups(svg(held))
    assert {"subnet:private-a", "subnet:private-a~2", "workload:training-0", "workload:training-0~2"} <= set(found)
    assert nesting(dot_source(held))["workload:training-0~2"] == ["network:vpc-main", "subnet:private-a~2"]


def test_odd_inventories_still_draw() -> None:
    held = sample()
    held.nodes += [Node("urn:c1", "subnet", "loop-a", "t", "loop-a", {}, "urn:c2"),
                   Node("urn:c2", "subnet", "loop-b", "t", "loop-b", {}, "urn:c1"),
                   Node("urn:lost", "workload", "lost", "t", "lost", {}, "urn:nowhere")]
    held.edges.append(Edge("urn:key", "urn:missing", "encrypts"))  # dangling: left out
    nested = nesting(dot_source(held))
    assert nested["workload:lost"] == [] and "missing" not in dot_source(held)


@needs_dot
def test_output_is_deterministic() -> None:
    held = sample(HOSTILE)
    shuffled = Inventory(held.stack, held.cloud, held.region, list(held.nodes), list(held.edges))
    rng = random.Random(7)
    rng.shuffle(shuffled.nodes)
    rng.shuffle(shuffled.edges)
    shuffled.edges.append(held.edges[0])  # a repeated edge is drawn once
    assert dot_source(shuffled) == dot_source(held)
    assert svg(shuffled) == svg(held) == svg(held)
    # Nor may it hang on the order of sets and dicts keyed by str, which changes from process to process.
    assert {_in_process(seed, "dot_source(sample(HOSTILE))") for seed in ("1", "2")} == {dot_source(held)}


def _in_process(seed: str, expression: str) -> str:
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from test_diagram import *; "
            f"sys.stdout.write({expression})")
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                          capture_output=True, text=True, encoding="utf-8").stdout


@needs_dot
def test_svg_is_inlineable() -> None:
    out = svg(sample())
    assert out.startswith("<svg") and "<?xml" not in out and "<!DOCTYPE" not in out
    assert out.rstrip().endswith("</svg>")


def test_a_missing_dot_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "digraph" in dot_source(sample())  # the source needs no Graphviz
    with pytest.raises(GraphvizMissing) as caught:
        svg(sample())
    assert isinstance(caught.value, RuntimeError)
    assert "apt install graphviz" in str(caught.value) and "brew install graphviz" in str(caught.value)


def _example_paths(example_paths: dict[str, Path]) -> list[Path]:
    return sorted(next(iter(example_paths.values())).parent.glob("Pulumi.*.yaml"))


@needs_dot
def test_the_example_stacks(example_paths: dict[str, Path], example_graph: Callable[[Path], Any]) -> None:
    from hardstack.evidence.inventory import inventory as extract
    from hardstack.spec import load

    stacks = _example_paths(example_paths)
    assert len(stacks) >= 3
    for path in stacks:
        held = extract(example_graph(path), region=load(path).environment.region)
        found = groups(svg(held))
        nested = nesting(dot_source(held))
        ids = {n.id: n for n in held.nodes}
        assert held.nodes, path
        names: dict[tuple[str, str], int] = {}
        for n in held.nodes:
            names[n.kind, n.name] = names.get((n.kind, n.name), 0) + 1
        for n in held.nodes:
            if names[n.kind, n.name] > 1:
                continue  # its id carries a ~N suffix (test_repeated_names_get_unique_ids)
            assert dom_id(n) in found, (path.name, dom_id(n))
            holder = ids.get(n.within or "")
            if holder is not None and holder.kind in ("network", "subnet") and n.kind not in ("network", "subnet"):
                assert dom_id(holder) in nested[dom_id(n)], (path.name, dom_id(n))
