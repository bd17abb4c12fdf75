"""The shape of a cloud's table, and the graph index the tables and the inventory read through.

A table says, per type token, what kind of node a resource is, which facts it shows, and
through which properties it relates to others. The relations are read off the graph's
propertyDependencies (which property of a resource names which other resource), never off
the spec, so the inventory describes what a program would deploy, whatever wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hardstack.evidence.model import Edge, Kind, Relation
from hardstack.render.graph import Graph, Resource
from hardstack.spec.catalog import family_of, is_gpu_type

# A resource's kind may depend on more than its type (a pub/sub topic is an alert channel only
# when findings are published to it), so a table may answer with a function.
Classifier = Callable[[Resource, "Index"], Kind | None]
Details = Callable[[Resource, "Index"], dict[str, str]]
ExtraEdges = Callable[["Index"], Iterable[Edge]]


@dataclass(frozen=True)
class Link:
    """A relation one resource shows: the resources its `source` property names relate to the
    ones its `target` property names. An empty property stands for the resource itself."""

    type: str
    source: str
    target: str
    relation: Relation


@dataclass(frozen=True)
class Reverse:
    """A resource no node names directly, reached through others that name it: a route table
    leads to the subnets its associations name, a key vault to the keys it holds."""

    via_type: str
    via_prop: str  # the property of the `via_type` resource that names this one
    onward: str  # the property of the `via_type` resource to follow on; "" = that resource


@dataclass(frozen=True)
class Table:
    cloud: str
    kinds: Mapping[str, Kind | Classifier]
    details: Mapping[str, Details] = field(default_factory=dict)
    # Resources that are not nodes but stand for what these properties name (an instance
    # profile for its role, a disk encryption set for its key, a NIC for its subnet).
    through: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reverse: Mapping[str, Reverse] = field(default_factory=dict)
    # Properties naming the subnet or network that holds a resource.
    placement: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    links: tuple[Link, ...] = ()
    extra: tuple[ExtraEdges, ...] = ()


class Index:
    """Look-ups over one graph: resources by URN, who names whom, and which URNs are nodes."""

    # Chains of stand-ins are short (NIC -> subnet, DES -> key); a bound keeps a cyclic graph safe.
    MAX_HOPS = 3

    def __init__(self, graph: Graph, through: Mapping[str, tuple[str, ...]],
                 reverse: Mapping[str, Reverse]) -> None:
        self.graph = graph
        self.by_urn: dict[str, Resource] = {r.urn: r for r in graph.resources}
        self.through = through
        self.reverse = reverse
        self.kinds: dict[str, Kind] = {}  # node URN -> kind, filled by the inventory
        self.referrers: dict[str, list[tuple[Resource, str]]] = {}
        for r in graph.resources:
            for prop, urns in (r.propertyDependencies or {}).items():
                for urn in urns or ():
                    self.referrers.setdefault(urn, []).append((r, prop))

    def refs(self, resource: Resource, prop: str) -> list[str]:
        """URNs a property of `resource` names; "" names the resource itself."""
        if not prop:
            return [resource.urn]
        return [u for u in (resource.propertyDependencies or {}).get(prop) or () if u in self.by_urn]

    def referring(self, urn: str, type_: str, prop: str) -> list[Resource]:
        return [r for r, p in self.referrers.get(urn, ()) if r.type == type_ and p == prop]

    def resolve(self, urn: str, hops: int = MAX_HOPS) -> list[str]:
        """The node URNs `urn` stands for: itself if a node, else what its stand-in properties name."""
        if urn in self.kinds:
            return [urn]
        resource = self.by_urn.get(urn)
        if resource is None or hops <= 0:
            return []
        found: list[str] = []
        for prop in self.through.get(resource.type, ()):
            for ref in self.refs(resource, prop):
                found += self.resolve(ref, hops - 1)
        # Only a resource a relation names directly is followed backwards: deeper, a key vault
        # behind a disk encryption set would stand for every key in the vault.
        back = self.reverse.get(resource.type) if hops == self.MAX_HOPS else None
        if back is not None:
            for via in self.referring(urn, back.via_type, back.via_prop):
                for ref in self.refs(via, back.onward):
                    found += self.resolve(ref, hops - 1)
        return list(dict.fromkeys(found))

    def nodes_named_by(self, resource: Resource, prop: str) -> list[str]:
        found = [n for ref in self.refs(resource, prop) for n in self.resolve(ref)]
        return list(dict.fromkeys(found))

    def short(self, name: str) -> str:
        """A resource name without the stack prefix every hardstack name carries."""
        prefix = f"{self.graph.stack}-"
        return name[len(prefix):] if self.graph.stack and name.startswith(prefix) and name != prefix else name


# --- reading inputs -----------------------------------------------------------------------------

def dig(value: Any, *path: str | int) -> Any:
    """A nested input, or None where any step is missing (inputs are free-form engine data)."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def text(value: Any) -> str:
    """A scalar input as display text; the engine hands numbers over as floats."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or isinstance(value, dict | list) else str(value)


def days(value: Any) -> str:
    """'every N days' from a day count, seconds ('7776000s') or an ISO duration ('P90D')."""
    raw = text(value).strip()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)s", raw):
        seconds = float(m.group(1))
        return _count(seconds / 86400, "day") if seconds % 86400 == 0 else _count(seconds, "second")
    if m := re.fullmatch(r"P(\d+)([DYM])", raw):
        return _count(float(m.group(1)), {"D": "day", "M": "month", "Y": "year"}[m.group(2)])
    if re.fullmatch(r"\d+", raw):
        return _count(float(raw), "day")
    return raw


def _count(n: float, unit: str) -> str:
    return f"{n:g} {unit}" if n == 1 else f"{n:g} {unit}s"


def tee_name(kind: str) -> str:
    """The display name of a confidential-computing kind ('tdx', 'SEV_SNP' -> 'TDX', 'SEV-SNP')."""
    k = kind.strip().lower().replace("_", "-")
    return {"tdx": "TDX", "sev-snp": "SEV-SNP", "sev": "SEV"}.get(k, kind.upper() if k else "none")


def catalog_gpu(cloud: str, machine_type: str) -> str:
    """The GPUs a machine type carries, as the spec catalog knows them ('1x H100'), or 'none'."""
    family = family_of(cloud, machine_type)
    if family is not None and family.gpu:
        return f"{family.gpu_count or 1}x {family.gpu.upper()}"
    # A GPU size the catalog has no confidential family for: say so rather than guess the model.
    return "yes" if is_gpu_type(cloud, machine_type) else "none"


def catalog_tee(cloud: str, machine_type: str) -> str:
    """The confidential-computing kind the catalog files a machine type under, or ''."""
    family = family_of(cloud, machine_type)
    return tee_name(family.kind) if family is not None else ""
