"""What an environment holds, as people draw it: the inventory the diagram, the bill of
materials and the reports are made from.

An `Inventory` is read off a rendered graph (hardstack.evidence.inventory), never off the spec,
so it shows what would be deployed. Nodes are cloud resources (or a few resources shown as one,
such as a bucket and its encryption configuration); edges are the relations a reviewer asks
about: which key encrypts what, what runs as which identity, where logs and alerts flow, which
subnet holds what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# The kinds of thing a diagram shows, in the order a legend lists them.
Kind = Literal["network", "subnet", "workload", "identity", "key", "store", "endpoint", "log", "alert", "monitor",
               "responder", "platform"]
# "platform": a managed AI service the environment uses (a notebook, a model endpoint, a foundation-model
# account or guardrail), drawn apart from the VMs it does not run on.
KINDS: tuple[Kind, ...] = ("network", "subnet", "workload", "identity", "key", "store", "endpoint", "log", "alert",
                           "monitor", "responder", "platform")
# The relations between them: source -> target.
Relation = Literal[
    "encrypts",  # key -> what it encrypts (a store, a workload's disks, a log, an alert topic)
    "runs_as",  # workload -> identity it runs as
    "logs_to",  # anything -> the log it writes to
    "alerts_to",  # monitor or log -> alert channel
    "reaches",  # subnet or network -> private endpoint it resolves
    "triggers",  # monitor or alert channel -> the containment responder its findings start
]
RELATIONS: tuple[Relation, ...] = ("encrypts", "runs_as", "logs_to", "alerts_to", "reaches", "triggers")


@dataclass(frozen=True)
class Node:
    id: str  # the URN of the resource that stands for it
    kind: Kind
    name: str  # the resource's name, as in the graph and in findings
    type: str  # the resource's type token
    label: str  # short human text: "training-0 (c3-standard-4, TDX)"
    # Facts worth showing, as plain strings: for a workload "tee", "machine_type", "gpu",
    # "image", "zone"; for a key "protection", "rotation"; for a store "purpose", "encryption".
    details: dict[str, str] = field(default_factory=dict)
    within: str | None = None  # id of the subnet or network that holds it, if any


@dataclass(frozen=True)
class Edge:
    source: str  # node id
    target: str  # node id
    relation: Relation


@dataclass
class Inventory:
    stack: str
    cloud: str  # "aws" | "azure" | "gcp"
    region: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def of_kind(self, kind: Kind) -> list[Node]:
        return [n for n in self.nodes if n.kind == kind]

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def related(self, relation: Relation) -> list[Edge]:
        return [e for e in self.edges if e.relation == relation]
