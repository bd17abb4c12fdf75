"""The environment diagram: an `Inventory` laid out by Graphviz (`dot`), as DOT text and as SVG.

Networks and subnets are nested clusters holding what `within` puts in them; keys, identities,
data stores and the logging and alerting chain sit in clusters of their own, so that a reviewer
reads "what runs where" on one side and "what protects and watches it" on the other. Every node
can be found in the SVG by its DOM id, `<kind>:<name>`, and its class, the kind.

The placement (`placement`) is shared with the Mermaid diagram (hardstack.evidence.mermaid).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import graphviz

from hardstack.evidence.model import KINDS, RELATIONS, Edge, Inventory, Kind, Node, Relation

__all__ = ["Cluster", "GraphvizMissing", "Placement", "dom_ids", "dot_source", "placement", "sort_key", "svg"]

CONTAINERS: tuple[Kind, ...] = ("network", "subnet")
# Where a node that no network or subnet holds is drawn; kinds not listed are left loose.
GROUPS: dict[Kind, str] = {"key": "keys", "identity": "identities", "store": "data", "log": "logging & alerts",
                           "alert": "logging & alerts", "monitor": "logging & alerts", "responder": "logging & alerts",
                           "platform": "AI platform"}
# The details a reviewer asks about first, per kind, in the order shown.
DETAILS: dict[Kind, tuple[tuple[str, str], ...]] = {
    "workload": (("tee", "TEE"), ("gpu", "GPU")),  # the machine type is in the label
    "key": (("protection", "protection"), ("rotation", "rotation")),
    "store": (("purpose", "purpose"), ("encryption", "encryption")),
    "network": (("cidr", "CIDR"),),
    "subnet": (("cidr", "CIDR"),),
}
# shape, fill, border
STYLES: dict[Kind, tuple[str, str, str]] = {
    "network": ("box", "#f8fafc", "#475569"),
    "subnet": ("box", "#eef2ff", "#6366f1"),
    "workload": ("box3d", "#dbeafe", "#1d4ed8"),
    "identity": ("ellipse", "#ede9fe", "#6d28d9"),
    "key": ("hexagon", "#fef3c7", "#b45309"),
    "store": ("cylinder", "#dcfce7", "#15803d"),
    "endpoint": ("cds", "#ccfbf1", "#0f766e"),
    "log": ("folder", "#f1f5f9", "#475569"),
    "alert": ("octagon", "#fee2e2", "#b91c1c"),
    "monitor": ("box", "#fce7f3", "#be185d"),
    "responder": ("component", "#ffedd5", "#c2410c"),
    "platform": ("box3d", "#ecfccb", "#4d7c0f"),
}
# style, colour, arrowhead; encrypts takes the key colour so that key lines read as the keys'.
EDGE_STYLES: dict[Relation, tuple[str, str, str]] = {
    "encrypts": ("dashed", STYLES["key"][2], "vee"),
    "runs_as": ("solid", STYLES["identity"][2], "normal"),
    "logs_to": ("dotted", STYLES["log"][2], "normal"),
    "alerts_to": ("bold", STYLES["alert"][2], "normal"),
    "reaches": ("solid", STYLES["endpoint"][2], "odot"),
    "triggers": ("bold", STYLES["responder"][2], "normal"),
}
FONT = "Helvetica"
INSTALL_HINT = ("the Graphviz `dot` program is not installed (or not on PATH): install it with "
                "`apt install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or from "
                "https://graphviz.org/download/")


class GraphvizMissing(RuntimeError):  # noqa: N818 - the name hardstack.cli.report catches
    """The `dot` program is not installed, so the diagram cannot be laid out."""


@dataclass
class Cluster:
    key: str  # unique among clusters: the container's node id, or "group:<title>"
    title: str
    node: Node | None = None  # the network or subnet it stands for; None for a group
    members: list[Node] = field(default_factory=list)  # the nodes it holds directly, sorted
    children: list[Cluster] = field(default_factory=list)


@dataclass
class Placement:
    nodes: list[Node]  # every node once, sorted
    edges: list[Edge]  # every edge whose ends are nodes, once, sorted
    clusters: list[Cluster]  # top level: networks (and subnets no network holds), then groups
    loose: list[Node]  # drawn outside every cluster

    def cluster_of(self) -> dict[str, Cluster]:
        """The cluster each container node stands for, by node id."""
        found: dict[str, Cluster] = {}
        todo = list(self.clusters)
        while todo:
            c = todo.pop()
            if c.node is not None:
                found[c.node.id] = c
            todo.extend(c.children)
        return found


def sort_key(node: Node) -> tuple[int, str, str]:
    return KINDS.index(node.kind), node.name, node.id


def placement(inventory: Inventory) -> Placement:
    """Where each node goes, deterministically: the order of `inventory` does not matter."""
    nodes: dict[str, Node] = {}
    for n in sorted(inventory.nodes, key=sort_key):
        nodes.setdefault(n.id, n)  # a repeated id is one resource: the first in sort order wins
    ordered = sorted(nodes.values(), key=sort_key)
    containers = {n.id: n for n in ordered if n.kind in CONTAINERS}

    def parent(n: Node) -> str | None:
        return n.within if n.within in containers and n.within != n.id else None

    def cyclic(c: Node) -> bool:
        seen, at = {c.id}, parent(c)
        while at is not None:
            if at in seen:
                return True
            seen.add(at)
            at = parent(containers[at])
        return False

    clusters = {cid: Cluster(cid, c.label or c.name, c) for cid, c in containers.items()}
    top: list[Cluster] = []
    # A `within` loop has no outermost cluster to draw: its members stand at the top level.
    broken = {cid for cid, c in containers.items() if cyclic(c)}
    for cid, c in containers.items():
        up = parent(c)
        if up is None or cid in broken:
            top.append(clusters[cid])
        else:
            clusters[up].children.append(clusters[cid])
    groups: dict[str, Cluster] = {}
    loose: list[Node] = []
    for n in ordered:
        if n.kind in CONTAINERS:
            continue
        if (up := parent(n)) is not None:
            clusters[up].members.append(n)
        elif n.kind in GROUPS:
            title = GROUPS[n.kind]
            groups.setdefault(title, Cluster(f"group:{title}", title)).members.append(n)
        else:
            loose.append(n)
    order = list(dict.fromkeys(GROUPS.values()))
    top.extend(groups[t] for t in order if t in groups)

    index = {n.id: i for i, n in enumerate(ordered)}
    edges = sorted({e for e in inventory.edges if e.source in nodes and e.target in nodes},
                   key=lambda e: (RELATIONS.index(e.relation), index[e.source], index[e.target]))
    return Placement(ordered, edges, top, loose)


def dom_ids(nodes: list[Node]) -> dict[str, str]:
    """`<kind>:<name>` per node id; a name repeated within a kind (two subnets "private" in two
    networks) gets `~2`, `~3`... in sort order, as a DOM id must be unique."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n in sorted(nodes, key=sort_key):
        base = candidate = f"{n.kind}:{n.name}"
        i = 1
        while candidate in taken:
            i += 1
            candidate = f"{base}~{i}"
        taken.add(candidate)
        out[n.id] = candidate
    return out


# --- escaping ------------------------------------------------------------------------------------
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "&#92;",
           "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
_TO_ENTITY = re.compile("[&<>\"'\\\\\t\n\r]")


def _attr(text: str) -> str:
    r"""`text` as a DOT escString attribute (id, tooltip) that reaches the SVG unchanged.

    Graphviz expands `\N`, `\G`... in these and keeps `\\` doubled, so no backslash may reach it;
    it writes them to SVG escaping `&` only when not already an entity, and an XML parser turns
    a raw newline in an attribute into a space. Written as entities, every character survives:
    Graphviz keeps entities as they are, and the DOT string then holds no quote or backslash.
    Characters XML cannot hold at all become U+FFFD."""
    return graphviz.nohtml(_TO_ENTITY.sub(lambda m: _ENTITY[m.group()], _NOT_XML.sub("\ufffd", text)))


def _html(text: str) -> str:
    """`text` inside a Graphviz HTML-like label: parsed as XML, then (in 2.4x) read as an escString,
    where `\\N` would become the node's name unless the backslash is doubled."""
    return html.escape(" ".join(_NOT_XML.sub("\ufffd", text).split()), quote=True).replace("\\", "\\\\")


def _label(node: Node) -> str:
    lines = [f"<B>{_html(node.label or node.name)}</B>"]
    if node.label and node.name not in node.label:
        lines.append(f'<FONT POINT-SIZE="9">{_html(node.name)}</FONT>')
    for key, title in DETAILS.get(node.kind, ()):
        if node.details.get(key):
            lines.append(f'<FONT POINT-SIZE="9">{_html(title)}: {_html(node.details[key])}</FONT>')
    return "<" + "<BR/>".join(lines) + ">"


# --- DOT -----------------------------------------------------------------------------------------
def _graph(inventory: Inventory) -> graphviz.Digraph:
    place = placement(inventory)
    ids = dom_ids(place.nodes)
    names = {n.id: f"n{i}" for i, n in enumerate(place.nodes)}
    place_names = {n.id: n.name for n in place.nodes}
    anchors = {cid: f"{names[cid]}_anchor" for cid in place.cluster_of()}
    holder: dict[str, list[str]] = {}  # node id -> ids of the containers it is drawn in, innermost last
    subgraphs: dict[str, str] = {}  # container id -> the name of its cluster

    g = graphviz.Digraph("hardstack", graph_attr={
        "rankdir": "LR", "compound": "true", "newrank": "true", "fontname": FONT, "nodesep": "0.3",
        "ranksep": "0.6", "labelloc": "t", "label": "<" + _html(
            f"{inventory.stack} · {inventory.cloud} · {inventory.region}") + ">"},
        node_attr={"fontname": FONT, "fontsize": "11", "style": "filled"},
        edge_attr={"fontname": FONT, "fontsize": "9"})

    def draw(parent: graphviz.Digraph, cluster: Cluster, number: list[int], path: list[str]) -> None:
        number[0] += 1
        with parent.subgraph(name=f"cluster_{number[0]}") as sub:
            if cluster.node is not None:
                subgraphs[cluster.node.id] = f"cluster_{number[0]}"
                kind = cluster.node.kind
                sub.attr(_attributes={"id": _attr(ids[cluster.node.id]), "class": kind},
                         label=_label(cluster.node), style="filled,rounded", fillcolor=STYLES[kind][1],
                         color=STYLES[kind][2], tooltip=_attr(f"{cluster.node.type} {cluster.node.name}"))
                # A cluster is only drawn around a node, and an edge to a cluster must end at one:
                # an invisible anchor gives both, even to an empty subnet.
                sub.node(anchors[cluster.node.id], label="", shape="point", style="invis", width="0",
                         _attributes={"id": _attr(f"anchor:{ids[cluster.node.id]}")})
                path = [*path, cluster.node.id]
                holder[cluster.node.id] = path
            else:
                sub.attr(_attributes={"id": _attr(cluster.key), "class": "group"},
                         label=f"<<I>{_html(cluster.title)}</I>>", style="dashed,rounded", color="#94a3b8")
            for n in cluster.members:
                put(sub, n)
                holder[n.id] = path
            for child in cluster.children:
                draw(sub, child, number, path)

    def put(parent: graphviz.Digraph, n: Node) -> None:
        shape, fill, border = STYLES[n.kind]
        parent.node(names[n.id], label=_label(n), shape=shape, fillcolor=fill, color=border,
                    tooltip=_attr(f"{n.type} {n.name}"), _attributes={"id": _attr(ids[n.id]), "class": n.kind})

    number = [0]
    for cluster in place.clusters:
        draw(g, cluster, number, [])
    for n in place.loose:
        put(g, n)

    for e in place.edges:
        style, colour, head = EDGE_STYLES[e.relation]
        attrs: dict[str, str] = {}
        tail, tip = names[e.source], names[e.target]
        if e.source in anchors:
            tail = anchors[e.source]
            if e.source not in holder.get(e.target, []):  # dot cannot clip an edge at its own cluster
                attrs["ltail"] = subgraphs[e.source]
        if e.target in anchors:
            tip = anchors[e.target]
            if e.target not in holder.get(e.source, []):
                attrs["lhead"] = subgraphs[e.target]
        edge_id = f"{e.relation}:{ids[e.source]}->{ids[e.target]}"
        tooltip = f"{place_names[e.source]} {e.relation.replace('_', ' ')} {place_names[e.target]}"
        g.edge(tail, tip, style=style, color=colour, arrowhead=head, tooltip=_attr(tooltip),
               _attributes={**attrs, "id": _attr(edge_id), "class": e.relation})
    _legend(g, place)
    return g


def _legend(g: graphviz.Digraph, place: Placement) -> None:
    """One sample per kind shown and one line per relation drawn, styled as in the diagram."""
    kinds = [k for k in KINDS if any(n.kind == k for n in place.nodes)]
    relations = [r for r in RELATIONS if any(e.relation == r for e in place.edges)]
    if not kinds and not relations:
        return
    with g.subgraph(name="cluster_legend") as sub:
        sub.attr(label="<<B>Legend</B>>", style="rounded", color="#cbd5e1", fontsize="10",
                 _attributes={"id": "legend", "class": "legend"})
        if kinds:
            # One table of swatches: ten sample nodes would stack into a column taller than most diagrams.
            rows = "".join(f'<TR><TD BGCOLOR="{STYLES[k][1]}" COLOR="{STYLES[k][2]}" BORDER="1" WIDTH="14"> </TD>'
                           f'<TD ALIGN="LEFT">{k} ({STYLES[k][0]})</TD></TR>' for k in kinds)
            sub.node("legend_kinds", label=f'<<TABLE BORDER="0" CELLSPACING="3">{rows}</TABLE>>', shape="plaintext",
                     style="", fontsize="9", _attributes={"id": "legend:kinds", "class": "legend"})
        if relations:
            # Edges between the ports of two tables: one real edge per relation, in rows as tight as the swatches.
            names = "".join(f'<TR><TD ALIGN="RIGHT" PORT="{r}">{r.replace("_", " ")}</TD></TR>' for r in relations)
            heads = "".join(f'<TR><TD PORT="{r}"> </TD></TR>' for r in relations)
            for node, rows in (("legend_relations", names), ("legend_heads", heads)):
                sub.node(node, label=f'<<TABLE BORDER="0" CELLSPACING="3">{rows}</TABLE>>', shape="plaintext",
                         style="", fontsize="9", _attributes={"id": node.replace("_", ":"), "class": "legend"})
            for r in relations:
                style, colour, head = EDGE_STYLES[r]
                sub.edge(f"legend_relations:{r}:e", f"legend_heads:{r}:w", style=style, color=colour, arrowhead=head,
                         _attributes={"id": f"legend:{r}", "class": "legend"})


def dot_source(inventory: Inventory) -> str:
    """The diagram as DOT text; the same inventory (in any order) always gives the same text."""
    return _graph(inventory).source


def svg(inventory: Inventory) -> str:
    """The diagram laid out by `dot` as SVG text, without XML prolog or doctype, ready to inline in HTML.

    Raises GraphvizMissing when the `dot` program is not installed."""
    try:
        out = _graph(inventory).pipe(format="svg", encoding="utf-8", quiet=True)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizMissing(INSTALL_HINT) from exc
    start = out.find("<svg")
    return out[start:] if start >= 0 else out
