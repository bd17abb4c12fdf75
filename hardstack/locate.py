"""Which part of the spec asked for a resource: findings point at that line of the stack file.

Blueprints name components `<env>-<workload>` and `<env>-<bucket>`, and each component type
stands for one spec section; the nearest ancestor that says which decides.
"""

from __future__ import annotations

from hardstack.findings import Finding
from hardstack.render.graph import Graph
from hardstack.spec import Environment

# Component type suffix (after "hardstack:<cloud>:") -> spec section.
SECTIONS: dict[str, tuple[str, ...]] = {
    "KmsKey": ("keys",), "Keys": ("keys",), "KeyVault": ("keys",), "KeyRing": ("keys",),
    "PrivateNetwork": ("network",), "PrivateEndpoints": ("network",), "Network": ("network",),
    "AuditTrail": ("logging",), "AuditLogging": ("logging",), "EncryptedLogGroup": ("logging",),
    "ThreatMonitoring": ("monitoring",), "Monitoring": ("monitoring",),
    "AccountGuardrails": ("keys",),
}


def spec_path_for(finding: Finding, graph: Graph, env: Environment) -> tuple[str | int, ...]:
    res = graph.by_urn(finding.resource_urn) if finding.resource_urn else None
    if res is not None and res.is_provider:
        return ("region",)
    if res is None:
        return ()
    named = {f"{env.name}-access-logs": ("logging",), f"{env.name}-audit": ("logging",),
             f"{env.name}-monitoring": ("monitoring",)}
    workloads = {f"{env.name}-{w.name}": i for i, w in enumerate(env.workloads)}
    buckets = {f"{env.name}-{b.name}": i for i, b in enumerate(env.data.buckets)}
    while res is not None:
        if res.name in workloads:
            return ("workloads", workloads[res.name])
        if res.name in buckets:
            return ("data", "buckets", buckets[res.name])
        if res.name in named:
            return named[res.name]
        if not res.custom:
            section = SECTIONS.get(res.type.rsplit(":", 1)[-1])
            if section:
                return section
        res = graph.by_urn(res.parent)
    return ()
