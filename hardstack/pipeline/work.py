"""One stack's work: render the blueprint, run the policy packs, export for checkov.

This is everything a check does per stack that does not need the other stacks, so it can run in
a worker process and be kept in the cache as it is.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from hardstack.checkov.export import ExportText, ExportUnsupportedError, export_text
from hardstack.findings import Finding
from hardstack.render.errors import RenderError
from hardstack.render.graph import Graph
from hardstack.spec.models import Environment


@dataclass
class StackWork:
    stack: str
    graph: Graph | None = None
    findings: list[Finding] = field(default_factory=list)
    evaluated: dict[str, int] = field(default_factory=dict)  # policy rule id -> resources checked
    export: ExportText | None = None
    export_note: str | None = None  # why checkov cannot judge this stack
    render_error: str | None = None
    render_seconds: float = 0.0
    policy_seconds: float = 0.0
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON for the cache (only works without a render error are kept)."""
        assert self.graph is not None
        export = None
        if self.export is not None:
            export = {"cloud": self.export.cloud, "format": self.export.format, "text": self.export.text,
                      "addresses": self.export.addresses, "unmapped": [r.urn for r in self.export.unmapped]}
        return {"stack": self.stack, "graph": self.graph.to_dict(), "findings": [asdict(f) for f in self.findings],
                "evaluated": self.evaluated, "export": export, "export_note": self.export_note,
                "render_seconds": self.render_seconds, "policy_seconds": self.policy_seconds}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackWork:
        graph = Graph.from_dict(data["graph"])
        export = None
        if data.get("export") is not None:
            e = data["export"]
            by_urn = {r.urn: r for r in graph}
            export = ExportText(data["stack"], e["cloud"], e["format"], e["text"], dict(e["addresses"]),
                                [by_urn[u] for u in e["unmapped"]])
        return cls(stack=data["stack"], graph=graph, findings=[Finding(**f) for f in data["findings"]],
                   evaluated=dict(data["evaluated"]), export=export, export_note=data.get("export_note"),
                   render_seconds=float(data["render_seconds"]), policy_seconds=float(data["policy_seconds"]),
                   cached=True)


def do_work(env: Environment, stack: str) -> StackWork:
    """Render `env` as `stack`, evaluate its compliance packs, export it. A failing render is
    reported in the result, never raised: one broken stack must not stop the others."""
    # Imported here: a check answered from the cache never loads the Pulumi runtime.
    from hardstack.render.engine import render_environment

    try:
        rendered = render_environment(env, stack)
    except RenderError as exc:
        return StackWork(stack=stack, render_error=str(exc))
    return judge_graph(rendered.graph, env.compliance, stack, rendered.seconds)


def judge_graph(graph: Graph, compliance: list[str], stack: str, render_seconds: float = 0.0) -> StackWork:
    """A graph's policy findings (the packs of `compliance`) and its export for checkov: the same
    for a rendered spec and for a graph from a program, a state export or a preview."""
    from hardstack.policy.runner import evaluate
    from hardstack.rules.packs import packs_for

    work = StackWork(stack=stack, graph=graph, render_seconds=render_seconds)
    started = time.perf_counter()
    policy = evaluate(graph, packs_for(compliance))
    work.policy_seconds = time.perf_counter() - started
    work.findings, work.evaluated = list(policy.findings), dict(policy.evaluated)
    try:
        work.export = export_text(graph)
    except ExportUnsupportedError as exc:
        work.export_note = f"not judged by checkov: {exc}"
    return work
