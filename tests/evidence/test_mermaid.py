"""The Mermaid diagram for pull-request comments: well-formed, placed, escaped, collapsed when
large, deterministic."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hardstack.evidence.mermaid import MAX_NODES, mermaid
from hardstack.evidence.model import Edge, Inventory, Node

ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
KEYWORDS = {"end", "subgraph", "graph", "flowchart", "classdef", "class", "style", "linkstyle", "click", "direction"}
# id, opening bracket(s), "label", closing bracket(s), optional :::class
NODE = re.compile(r'(?P<id>\S+?)(?P<open>\(\(|\(\[|\[\(|\[\[|\[/|\{\{|\[|\(|>)"(?P<label>[^"]*)"'
                  r'(?P<close>\)\)|\]\)|\)\]|\]\]|/\]|\}\}|\]|\))(:::(?P<cls>\w+))?')
SUBGRAPH = re.compile(r'subgraph (?P<id>\S+?)\["(?P<label>[^"]*)"\]')
EDGE = re.compile(r'(?P<source>\S+) (?P<arrow>-->|-\.->|==>)\|"(?P<label>[^"]*)"\| (?P<target>\S+)')
HOSTILE = 'bad "quoted" <b>&amp; ]]> x\ny #1 [a] {b} |pipe| `tick` %%{init}%% end'


def sample(store_name: str = "datasets") -> Inventory:
    nodes = [
        Node("urn:net", "network", "s-vpc", "aws:ec2/vpc:Vpc", "vpc", {"cidr": "10.0.0.0/16"}),
        Node("urn:sn", "subnet", "s-private", "aws:ec2/subnet:Subnet", "private", {}, "urn:net"),
        Node("urn:wl", "workload", "s-training-0", "t", "training-0 (p5)", {"tee": "TDX", "gpu": "8x H100"}, "urn:sn"),
        Node("urn:ep", "endpoint", "s-s3", "t", "s3", {}, "urn:sn"),
        Node("urn:id", "identity", "s-trainer", "t", "trainer"),
        Node("urn:key", "key", "s-data-key", "t", "data-key", {"protection": "HSM", "rotation": "90 days"}),
        Node("urn:st", "store", store_name, "t", store_name),
        Node("urn:log", "log", "s-audit", "t", "audit"),
        Node("urn:al", "alert", "s-alerts", "t", "alerts"),
        Node("urn:mon", "monitor", "s-root-login", "t", "root-login"),
    ]
    edges = [Edge("urn:key", "urn:st", "encrypts"), Edge("urn:wl", "urn:id", "runs_as"),
             Edge("urn:wl", "urn:log", "logs_to"), Edge("urn:mon", "urn:al", "alerts_to"),
             Edge("urn:sn", "urn:ep", "reaches")]
    return Inventory("s", "aws", "eu-west-1", nodes, edges)


def big(logs: int, others: int = 0) -> Inventory:
    """sample() plus `logs` logs that the workload writes to and `others` identities."""
    held = sample()
    for i in range(logs):
        held.nodes.append(Node(f"urn:log{i}", "log", f"s-log-{i:02d}", "t", f"log-{i:02d}"))
        held.edges.append(Edge("urn:wl", f"urn:log{i}", "logs_to"))
    held.nodes += [Node(f"urn:id{i}", "identity", f"s-role-{i}", "t", f"role-{i}") for i in range(others)]
    return held


def parse(text: str) -> dict[str, Any]:
    """Check what a Mermaid parser would reject, and read the diagram back: declared nodes (id ->
    label, class, enclosing subgraphs), subgraphs, edges. Fails the test on any malformed line."""
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    stack: list[str] = []
    nodes: dict[str, dict[str, Any]] = {}
    subgraphs: dict[str, str] = {}
    edges: list[tuple[str, str, str, str]] = []
    for line in lines[1:]:
        body = line.strip()
        if m := SUBGRAPH.fullmatch(body):
            declared, label = m["id"], m["label"]
            assert declared not in nodes and declared not in subgraphs, declared
            subgraphs[declared] = label
            stack.append(declared)
        elif body == "end":
            assert stack, "end without subgraph"
            stack.pop()
        elif m := EDGE.fullmatch(body):
            for end in (m["source"], m["target"]):
                assert end in nodes or end in subgraphs, f"{end} used before it is declared"
            edges.append((m["source"], m["arrow"], m["label"], m["target"]))
            continue
        elif m := NODE.fullmatch(body):
            declared, label = m["id"], m["label"]
            assert declared not in nodes and declared not in subgraphs, declared
            nodes[declared] = {"label": label, "class": m["cls"], "in": list(stack), "shape": m["open"]}
        elif body.startswith(("classDef ", "linkStyle ")):
            continue
        else:
            pytest.fail(f"unexpected line: {line!r}")
        assert ID.fullmatch(declared) and declared.lower() not in KEYWORDS, declared
        # Inside a label only entity codes may carry what would end it or the Markdown fence.
        assert not re.search(r"""["<>\[\]{}|`]""", label.replace("<br/>", "")), label
        assert re.fullmatch(r"([^#]|#\d+;)*", label), label
    assert not stack, f"unclosed subgraphs: {stack}"
    return {"nodes": nodes, "subgraphs": subgraphs, "edges": edges}


def decode(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def test_well_formed_and_placed() -> None:
    read = parse(mermaid(sample()))
    nodes, subgraphs = read["nodes"], read["subgraphs"]
    assert subgraphs["net_vpc"] == "vpc<br/>CIDR: 10.0.0.0/16" and subgraphs["sn_private"] == "private"
    assert nodes["wl_training_0"]["in"] == ["net_vpc", "sn_private"]
    assert nodes["ep_s3"]["in"] == ["net_vpc", "sn_private"]
    assert nodes["key_data_key"]["in"] == ["grp_keys"] and nodes["key_data_key"]["shape"] == "{{"
    assert nodes["wl_training_0"]["label"] == "training-0 (p5)<br/>TEE: TDX<br/>GPU: 8x H100"
    assert nodes["key_data_key"]["label"] == "data-key<br/>protection: HSM<br/>rotation: 90 days"
    assert {n["class"] for n in nodes.values()} == {"workload", "endpoint", "identity", "key", "store", "log",
                                                    "alert", "monitor"}


def test_edges_are_labelled_by_relation() -> None:
    assert set(parse(mermaid(sample()))["edges"]) == {
        ("key_data_key", "-.->", "encrypts", "st_datasets"),
        ("wl_training_0", "-->", "runs as", "id_trainer"),
        ("wl_training_0", "-.->", "logs to", "log_audit"),
        ("mon_root_login", "==>", "alerts to", "al_alerts"),
        ("sn_private", "-->", "reaches", "ep_s3"),  # from the subnet's subgraph
    }


def test_hostile_names_are_escaped_and_ids_sanitised() -> None:
    held = sample(HOSTILE)
    held.nodes += [Node("urn:a", "store", "a b", "t", "a b"), Node("urn:b", "store", "a-b", "t", "a-b"),
                   Node("urn:c", "store", "A_B", "t", "A_B"), Node("urn:d", "store", "é", "t", "é"),
                   Node("urn:e", "store", "s", "t", "s")]  # the stack's name itself
    read = parse(mermaid(held))
    stores = {decode(n["label"]): i for i, n in read["nodes"].items() if n["class"] == "store"}
    assert " ".join(HOSTILE.split()) in stores  # every character back, after entity codes
    assert {"a b", "a-b", "A_B", "é", "s"} <= set(stores)
    assert len({i.lower() for i in stores.values()}) == len(stores)  # unique, even ignoring case
    assert all(not line.lstrip().startswith("%%") for line in mermaid(held).splitlines())


def test_small_diagrams_are_not_collapsed() -> None:
    held = big(MAX_NODES - len(sample().nodes))
    assert len(held.nodes) == MAX_NODES
    text = mermaid(held)
    read = parse(text)
    assert len(read["nodes"]) + len(read["subgraphs"]) - 4 == MAX_NODES  # less the 4 group subgraphs
    assert "collapsed_note" not in text and "counted" not in text


def test_large_diagrams_collapse_per_kind_and_say_so() -> None:
    held = big(30, others=5)  # 10 + 30 logs + 5 identities: the logs shrink most
    text = mermaid(held)
    read = parse(text)
    nodes = read["nodes"]
    assert len(nodes) + len(read["subgraphs"]) <= MAX_NODES
    counted = [n for n in nodes.values() if n["class"] == "log"]
    assert [decode(n["label"]) for n in counted] == ["31 logs"]
    assert sum(n["class"] == "identity" for n in nodes.values()) == 6  # a kind that need not shrink stays
    note = decode(nodes["collapsed_note"]["label"])
    assert "45 resources" in note and "logs are counted" in note
    # The workload's 31 log lines become one, with the count.
    assert [e for e in read["edges"] if e[2].startswith("logs to")] == [
        ("wl_training_0", "-.->", "logs to x31", "log_all_in_grp_logging_alerts")]


def test_output_is_deterministic() -> None:
    held = big(45, others=3)
    shuffled = Inventory(held.stack, held.cloud, held.region, list(held.nodes), list(held.edges))
    rng = random.Random(3)
    rng.shuffle(shuffled.nodes)
    rng.shuffle(shuffled.edges)
    assert mermaid(shuffled) == mermaid(held) == mermaid(held)
    # Nor may it hang on the order of sets and dicts keyed by str, which changes from process to process.
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from test_mermaid import *; "
            "sys.stdout.write(mermaid(big(45, others=3)))")
    for seed in ("1", "2"):
        assert subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                              capture_output=True, text=True, encoding="utf-8").stdout == mermaid(held)


def test_the_example_stacks(example_paths: dict[str, Path], example_graph: Callable[[Path], Any]) -> None:
    from hardstack.evidence.inventory import inventory as extract
    from hardstack.spec import load

    stacks = sorted(next(iter(example_paths.values())).parent.glob("Pulumi.*.yaml"))
    assert len(stacks) >= 3
    for path in stacks:
        held = extract(example_graph(path), region=load(path).environment.region)
        read = parse(mermaid(held))
        shown = len(read["nodes"]) + len(read["subgraphs"])
        assert shown <= max(MAX_NODES + 4, 1), (path.name, shown)  # + the group subgraphs
        assert read["edges"], path.name
