"""Read an environment's inventory off a rendered graph: its nodes, and the edges between them.

Only the graph is read (types, inputs, and which property names which resource), never the
spec, so the inventory shows what a program would deploy, whichever program rendered it.
Resources of types no cloud table knows are left out; so are resources the tables fold into a
node (a bucket's encryption configuration, a VM's NIC, a disk encryption set): they show up as
the node's edges and details instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from hardstack.evidence.kinds import TABLES
from hardstack.evidence.kinds.base import Classifier, Details, ExtraEdges, Index, Link, Reverse, dig, text
from hardstack.evidence.model import Edge, Inventory, Kind, Node, Relation
from hardstack.render.graph import Graph, Resource

# What each relation may join: a key encrypts anything, only workloads run as identities, etc.
ANY: frozenset[Kind] = frozenset(
    ("network", "subnet", "workload", "identity", "key", "store", "endpoint", "log", "alert", "monitor", "responder",
     "platform"))
ALLOWED: dict[Relation, tuple[frozenset[Kind], frozenset[Kind]]] = {
    "encrypts": (frozenset({"key"}), ANY),
    "runs_as": (frozenset({"workload", "responder", "platform"}), frozenset({"identity"})),
    # A log may land in a store (access-log bucket, flow-log account) as well as in a log service.
    "logs_to": (ANY, frozenset({"log", "store"})),
    "alerts_to": (frozenset({"monitor", "log"}), frozenset({"alert"})),
    "reaches": (frozenset({"subnet", "network"}), frozenset({"endpoint"})),
    "triggers": (frozenset({"monitor", "alert"}), frozenset({"responder"})),
}
# Inputs of unexpected shape (another program's, or a provider's newer schema) must not stop the
# inventory: a fact that cannot be read is left out.
SHAPE_ERRORS = (AttributeError, TypeError, ValueError, KeyError, IndexError)

# Words in a store's name or its component's, and the purpose they stand for, first match wins.
PURPOSE_WORDS: tuple[tuple[str, str], ...] = (
    ("access-log", "access logs"), ("audit", "audit logs"), ("flow", "flow logs"),
    ("dataset", "datasets"), ("model", "models"), ("log", "logs"),
)
PURPOSE_TAGS = {"access-logs": "access logs", "audit": "audit logs", "flow-logs": "flow logs", "logs": "logs"}
# What writes into a store tells what it keeps.
PURPOSE_BY_WRITER: dict[Kind, str] = {"network": "flow logs", "subnet": "flow logs", "store": "access logs",
                                      "log": "audit logs", "workload": "logs"}


def inventory(graph: Graph, region: str = "") -> Inventory:
    """The inventory of `graph`: one node per known cloud resource, and the edges between them."""
    kinds: dict[str, Kind | Classifier] = {}
    details: dict[str, Details] = {}
    through: dict[str, tuple[str, ...]] = {}
    reverse: dict[str, Reverse] = {}
    placement: dict[str, tuple[str, ...]] = {}
    links: list[Link] = []
    for table in TABLES:
        kinds.update(table.kinds)
        details.update(table.details)
        through.update(table.through)
        reverse.update(table.reverse)
        placement.update(table.placement)
        links += table.links

    index = Index(graph, through, reverse)
    cloud_resources = [r for r in graph.resources if r.is_cloud_resource]
    for r in cloud_resources:
        kind = _classify(r, kinds.get(r.type), index)
        if kind is not None:
            index.kinds[r.urn] = kind

    edges = _edges(index, links, [e for table in TABLES for e in _extra(table.extra, index)])
    within = _within(index, placement)
    nodes = [_node(index.by_urn[urn], kind, index, details.get(index.by_urn[urn].type), edges, within.get(urn))
             for urn, kind in index.kinds.items()]
    return Inventory(stack=graph.stack, cloud=_cloud(graph, nodes), region=region or _region(graph),
                     nodes=nodes, edges=edges)


def _classify(r: Resource, entry: Kind | Classifier | None, index: Index) -> Kind | None:
    if entry is None or isinstance(entry, str):
        return entry
    try:
        return entry(r, index)
    except SHAPE_ERRORS:
        return None


def _extra(functions: Iterable[ExtraEdges], index: Index) -> list[Edge]:
    found: list[Edge] = []
    for function in functions:
        try:
            found += list(function(index))
        except SHAPE_ERRORS:
            continue
    return found


def _edges(index: Index, links: list[Link], extra: list[Edge]) -> list[Edge]:
    by_type: dict[str, list[Link]] = {}
    for link in links:
        by_type.setdefault(link.type, []).append(link)
    found: list[Edge] = []
    for r in index.graph.resources:
        for link in by_type.get(r.type, ()):
            # A link through the resource itself counts only when the resource is a node.
            sources = index.nodes_named_by(r, link.source)
            targets = index.nodes_named_by(r, link.target)
            found += [Edge(s, t, link.relation) for s in sources for t in targets]
    found += extra
    kept: dict[Edge, None] = {}
    for edge in found:
        allowed = ALLOWED[edge.relation]
        if (edge.source != edge.target and index.kinds.get(edge.source) in allowed[0]
                and index.kinds.get(edge.target) in allowed[1]):
            kept[edge] = None
    return list(kept)


def _within(index: Index, placement: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The subnet (or, when it spans several, the network) that holds each placed node."""
    within: dict[str, str] = {}
    # Subnets first: a node spread over several subnets is placed in their network.
    order = sorted(index.kinds, key=lambda urn: index.kinds[urn] != "subnet")
    for urn in order:
        r = index.by_urn[urn]
        props = placement.get(r.type, ())
        if not props:
            continue
        named = [n for prop in props for n in index.nodes_named_by(r, prop)]
        subnets = list(dict.fromkeys(n for n in named if index.kinds[n] == "subnet"))
        if len(subnets) == 1 and subnets[0] != urn:
            within[urn] = subnets[0]
            continue
        networks = [n for n in named if index.kinds[n] == "network"] + [within[s] for s in subnets if s in within]
        networks = list(dict.fromkeys(n for n in networks if n != urn))
        if len(networks) == 1:
            within[urn] = networks[0]
    return within


def _node(r: Resource, kind: Kind, index: Index, details_of: Details | None, edges: list[Edge],
          within: str | None) -> Node:
    details: dict[str, str] = {}
    if details_of is not None:
        try:
            details = {k: v for k, v in details_of(r, index).items() if v}
        except SHAPE_ERRORS:
            details = {}
    keys = [index.short(index.by_urn[e.source].name) for e in edges if e.relation == "encrypts" and e.target == r.urn]
    if keys:
        details["encryption"] = ", ".join(dict.fromkeys(keys))
    if kind == "store":
        details.setdefault("encryption", "provider default")
        details["purpose"] = details.get("purpose") or _purpose(r, index, edges)
    return Node(id=r.urn, kind=kind, name=r.name, type=r.type, label=_label(index.short(r.name), kind, details),
                details=details, within=within)


def _purpose(r: Resource, index: Index, edges: list[Edge]) -> str:
    tagged = text(dig(r.inputs, "tags", "purpose") or dig(r.inputs, "labels", "purpose"))
    if tagged:
        return PURPOSE_TAGS.get(tagged, tagged.replace("-", " "))
    writers = [index.kinds[e.source] for e in edges if e.relation == "logs_to" and e.target == r.urn]
    written = list(dict.fromkeys(PURPOSE_BY_WRITER[k] for k in writers if k in PURPOSE_BY_WRITER))
    if written:
        return ", ".join(written)
    parent = index.by_urn.get(r.parent)
    words = f"{r.name} {parent.name if parent else ''}".lower()
    return next((purpose for word, purpose in PURPOSE_WORDS if word in words), "data")


def _label(short: str, kind: Kind, details: dict[str, str]) -> str:
    facts: list[str] = []
    if kind == "workload":
        tee = details.get("tee", "none")
        facts = [details.get("machine_type", ""), "no TEE" if tee == "none" else tee]
        if details.get("gpu", "none") != "none":
            facts.append(details["gpu"])
    elif kind == "key":
        facts = [details.get("protection", "").split(" ")[0], _rotation_label(details.get("rotation", ""))]
    elif kind == "store":
        facts = [details.get("purpose", "")]
    else:
        facts = [details.get("service", "")]
    facts = [f for f in facts if f]
    return f"{short} ({', '.join(facts)})" if facts else short


def _rotation_label(rotation: str) -> str:
    if rotation.startswith("every"):
        return f"rotates {rotation}"
    if rotation.startswith("manual"):
        return "manual rotation"
    return "no rotation" if rotation == "off" else rotation


def _cloud(graph: Graph, nodes: list[Node]) -> str:
    clouds = {table.cloud for table in TABLES}
    if graph.cloud in clouds:
        return graph.cloud
    # Another program's graph: the cloud most of its nodes belong to ("azure-native" -> "azure").
    counts = Counter(n.type.split(":", 1)[0].split("-", 1)[0] for n in nodes)
    return counts.most_common(1)[0][0] if counts else graph.cloud


def _region(graph: Graph) -> str:
    """The region the providers are set to, else the one most resources name."""
    for r in graph.resources:
        if r.is_provider:
            found = text(dig(r.inputs, "region") or dig(r.inputs, "location"))
            if found:
                return found
    counts = Counter(
        text(dig(r.inputs, "region") or dig(r.inputs, "location")) for r in graph.resources if r.is_cloud_resource)
    counts.pop("", None)
    for place in ("global", "Global"):
        counts.pop(place, None)
    return counts.most_common(1)[0][0] if counts else ""
