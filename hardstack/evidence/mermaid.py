"""The environment as a Mermaid flowchart, small enough for a pull-request comment.

The placement is the Graphviz diagram's (hardstack.evidence.diagram.placement): subgraphs per
network and subnet, and per group (keys, identities, data, logging & alerts). Mermaid has no
layout worth the name past a few dozen nodes and a comment has no scroll bar, so above
MAX_NODES the most numerous kinds are drawn as one node per place ("12 logs"), and a note says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hardstack.evidence.diagram import CONTAINERS, DETAILS, EDGE_STYLES, STYLES, Cluster, Placement, placement
from hardstack.evidence.model import KINDS, RELATIONS, Inventory, Kind, Node, Relation

__all__ = ["MAX_NODES", "mermaid"]

MAX_NODES = 40
PREFIX: dict[Kind, str] = {"network": "net", "subnet": "sn", "workload": "wl", "identity": "id", "key": "key",
                           "store": "st", "endpoint": "ep", "log": "log", "alert": "al", "monitor": "mon",
                           "responder": "rsp", "platform": "ai"}
PLURAL: dict[Kind, str] = {"network": "networks", "subnet": "subnets", "workload": "workloads",
                           "identity": "identities", "key": "keys", "store": "data stores",
                           "endpoint": "private endpoints", "log": "logs", "alert": "alert channels",
                           "monitor": "monitors", "responder": "responders", "platform": "AI platform services"}
# Opening and closing brackets of each kind's shape, as the Graphviz diagram's where Mermaid has one.
SHAPES: dict[Kind, tuple[str, str]] = {"network": ("[", "]"), "subnet": ("[", "]"), "workload": ("[", "]"),
                                       "identity": ("([", "])"), "key": ("{{", "}}"), "store": ("[(", ")]"),
                                       "endpoint": (">", "]"), "log": ("[/", "/]"), "alert": ("[[", "]]"),
                                       "monitor": ("(", ")"), "responder": ("((", "))"),
                                       "platform": ("[[", "]]")}
ARROWS: dict[Relation, str] = {"encrypts": "-.->", "runs_as": "-->", "logs_to": "-.->", "alerts_to": "==>",
                               "reaches": "-->", "triggers": "==>"}
NOTE_ID = "collapsed_note"
# Characters that end or change a quoted label (or the Markdown fence around the diagram), written
# as Mermaid entity codes, `#<decimal>;`.
_SPECIAL = re.compile(r"""["#<>&\[\]{}|`;\\]""")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(text: str) -> str:
    """`text` for inside a double-quoted Mermaid label."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return _SPECIAL.sub(lambda m: f"#{ord(m.group())};", flat)


@dataclass
class _Shown:
    """What one Mermaid node stands for: a node, or several of one kind in one place."""

    id: str
    kind: Kind
    label: str  # already escaped
    members: list[Node]


class _Ids:
    """Valid, unique Mermaid ids: [A-Za-z][A-Za-z0-9_]*, never a keyword (a kind prefix comes first)."""

    def __init__(self, stack: str, reserved: tuple[str, ...] = ()) -> None:
        self.stack = stack + "-"
        self.taken = {r.lower() for r in reserved}

    def make(self, prefix: str, name: str) -> str:
        # Resource names mostly start with the stack's name: it would only lengthen every line.
        short = name.removeprefix(self.stack) if name != self.stack else name
        base = f"{prefix}_{re.sub(r'[^A-Za-z0-9]+', '_', short).strip('_')[:40] or 'x'}"
        candidate, i = base, 1
        while candidate.lower() in self.taken:  # Mermaid ids may be matched case-blind by some renderers
            i += 1
            candidate = f"{base}_{i}"
        self.taken.add(candidate.lower())
        return candidate


def _where(place: Placement) -> dict[str, str]:
    """The cluster key each non-container node is drawn in ("" for none)."""
    out: dict[str, str] = {n.id: "" for n in place.loose}
    todo = list(place.clusters)
    while todo:
        c = todo.pop()
        out.update((n.id, c.key) for n in c.members)
        todo.extend(c.children)
    return out


def _collapsed(place: Placement) -> set[Kind]:
    """The kinds drawn as counts: the one that saves most first, until the diagram fits (or cannot shrink)."""
    where = _where(place)
    total, chosen = len(place.nodes), set[Kind]()
    while total > MAX_NODES:
        savings = []
        for kind in KINDS:
            members = [n for n in place.nodes if n.kind == kind]
            if kind in CONTAINERS or kind in chosen or not members:
                continue
            savings.append((len(members) - len({where[n.id] for n in members}), -KINDS.index(kind), kind))
        if not savings or max(savings)[0] <= 0:
            break
        saved, _, kind = max(savings)
        chosen.add(kind)
        total -= saved
    return chosen


def _label(node: Node) -> str:
    lines = [_text(node.label or node.name)]
    for key, title in DETAILS.get(node.kind, ()):
        if node.details.get(key):
            lines.append(f"{_text(title)}: {_text(node.details[key])}")
    return "<br/>".join(lines)


def mermaid(inventory: Inventory) -> str:
    """The inventory as a Mermaid `flowchart LR`; the same inventory always gives the same text."""
    place = placement(inventory)
    ids = _Ids(inventory.stack, reserved=(NOTE_ID,))
    collapse = _collapsed(place)
    shown: dict[str, _Shown] = {}  # node id -> what stands for it
    lines = ["flowchart LR"]

    def members(indent: str, nodes: list[Node], where: str) -> None:
        many: dict[Kind, list[Node]] = {}
        for n in nodes:
            if n.kind in collapse:
                many.setdefault(n.kind, []).append(n)
        for n in nodes:
            group = many.get(n.kind)
            if group is not None and len(group) > 1:
                if n is not group[0]:
                    continue
                s = _Shown(ids.make(PREFIX[n.kind], f"all_in_{where}"), n.kind,
                           _text(f"{len(group)} {PLURAL[n.kind]}"), group)
            else:
                s = _Shown(ids.make(PREFIX[n.kind], n.name), n.kind, _label(n), [n])
            for m in s.members:
                shown[m.id] = s
            opening, closing = SHAPES[n.kind]
            lines.append(f'{indent}{s.id}{opening}"{s.label}"{closing}:::{n.kind}')

    def draw(cluster: Cluster, depth: int) -> None:
        indent = "    " * depth
        if cluster.node is not None:
            s = _Shown(ids.make(PREFIX[cluster.node.kind], cluster.node.name), cluster.node.kind,
                       _label(cluster.node), [cluster.node])
            shown[cluster.node.id] = s
        else:
            s = _Shown(ids.make("grp", cluster.title), "network", _text(cluster.title), [])
        lines.append(f'{indent}subgraph {s.id}["{s.label}"]')
        members(indent + "    ", cluster.members, s.id)
        for child in cluster.children:
            draw(child, depth + 1)
        lines.append(f"{indent}end")

    before = len(place.nodes)
    if collapse:
        lines.append(f'    {NOTE_ID}["{_text(_note(before, collapse))}"]:::note')
    for cluster in place.clusters:
        draw(cluster, 1)
    members("    ", place.loose, "top")

    # Edges come after every declaration: a node first named in an edge would be drawn outside its subgraph.
    counted: dict[tuple[str, str, Relation], int] = {}
    for e in place.edges:
        key = (shown[e.source].id, shown[e.target].id, e.relation)
        if key[0] != key[1]:
            counted[key] = counted.get(key, 0) + 1
    links: dict[Relation, list[int]] = {}
    for i, ((source, target, relation), count) in enumerate(counted.items()):
        text = relation.replace("_", " ") + (f" x{count}" if count > 1 else "")
        lines.append(f'    {source} {ARROWS[relation]}|"{text}"| {target}')
        links.setdefault(relation, []).append(i)

    lines += [f"    classDef {k} fill:{STYLES[k][1]},stroke:{STYLES[k][2]}" for k in KINDS
              if any(s.kind == k for s in shown.values()) and k not in CONTAINERS]
    if collapse:
        lines.append("    classDef note fill:#fffbeb,stroke:#d97706")
    lines += [f"    linkStyle {','.join(map(str, links[r]))} stroke:{EDGE_STYLES[r][1]}"
              for r in RELATIONS if r in links]
    return "\n".join(lines) + "\n"


def _note(before: int, collapse: set[Kind]) -> str:
    kinds = ", ".join(PLURAL[k] for k in KINDS if k in collapse)
    return (f"{before} resources, more than a comment shows legibly: {kinds} are counted per network, subnet "
            "or group instead of drawn one by one")
