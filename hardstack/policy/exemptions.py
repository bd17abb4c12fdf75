"""Exemptions from the spec: a decided exception, visible in every report, never a silent pass.

An exemption names a rule (a policy rule id, an alias such as `confidential-computing`, or a
checkov check id) and a resource: a logical resource name, the name of a component above it,
a spec name qualified by the environment (`trainer` for `<env>-trainer`), or the environment
itself (every resource of the stack). Unexpired, it turns a failure into `exempted`, with its
reason; expired, the failure stays and says so. An exemption that matches no known rule or no
resource of the stack is an error: it would otherwise hide nothing today and anything tomorrow.
Matching and expiry live in hardstack_rules.exemptions, which the policy packs apply under the
Pulumi engine too: one implementation for every gate.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from hardstack.findings import Finding
from hardstack.render.graph import Graph
from hardstack.rules import REGISTRY
from hardstack.rules.exemptions import covers, decide
from hardstack.spec import Environment, catalog
from hardstack.spec.models import Exemption

CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$|^HS_[A-Z0-9_]+$")


@dataclass(frozen=True)
class ExemptionProblem:
    index: int  # position in spec.exemptions
    field: str  # rule | resource
    message: str


def known_rule(rule: str) -> bool:
    aliases = {a for r in REGISTRY.values() for a in r.aliases}
    return rule in REGISTRY or rule in aliases or rule in catalog.SPEC_RULES or bool(CHECKOV_ID.match(rule))


class ExemptionScope(Protocol):
    """Whose exemptions apply: a spec's environment, or a judged program, state or preview
    (hardstack.pipeline.subject.Subject). `name` qualifies short resource names ("" for none)."""

    @property
    def name(self) -> str: ...

    @property
    def exemptions(self) -> list[Exemption]: ...


def _names(graph: Graph, env: ExemptionScope) -> set[str]:
    names = {r.name for r in graph} | ({env.name} if env.name else set())
    if isinstance(env, Environment):  # a spec's own names for its workloads and buckets
        names |= {w.name for w in env.workloads} | {b.name for b in env.data.buckets}
    return names


def validate_exemptions(env: ExemptionScope, graph: Graph,
                        checkov_ids: frozenset[str] | None = None) -> list[ExemptionProblem]:
    """Exemptions that name no known rule or no resource of the stack; with `checkov_ids` (the
    installed checkov's checks and hardstack's custom checks), checkov ids are held to that list
    rather than to their shape."""
    names = _names(graph, env)
    problems = []
    for index, e in enumerate(env.exemptions):
        if checkov_ids is not None and CHECKOV_ID.match(e.rule) and e.rule not in checkov_ids:
            close = difflib.get_close_matches(e.rule, sorted(checkov_ids), n=2)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            problems.append(ExemptionProblem(
                index, "rule", f"'{e.rule}' is no check of the installed checkov nor of hardstack's custom checks; "
                f"{hint}`checkov --list` and hardstack/checkov/custom_checks show the ids",
            ))
        elif not known_rule(e.rule):
            close = difflib.get_close_matches(e.rule, sorted(REGISTRY), n=2)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            problems.append(ExemptionProblem(
                index, "rule", f"'{e.rule}' is no policy rule, alias or checkov check id; {hint}"
                "`hardstack policies list` shows the rule ids",
            ))
        if e.resource not in names and f"{env.name}-{e.resource}" not in names:
            problems.append(ExemptionProblem(
                index, "resource", f"no resource, workload or bucket named '{e.resource}' in stack "
                f"{graph.stack}; `hardstack plan` lists the resource names",
            ))
    return problems


def ancestry(urn: str | None, graph: Graph) -> list[str]:
    """The names of the resource `urn` and of every component above it (none for the stack as
    a whole): what an exemption's resource is matched against."""
    names = []
    res = graph.by_urn(urn) if urn else None
    while res is not None:
        names.append(res.name)
        res = graph.by_urn(res.parent)
    return names


def stale_exemptions(env: ExemptionScope, graph: Graph, findings: Iterable[Finding],
                     judged_checkov: bool = True) -> list[tuple[int, Exemption]]:
    """(index, exemption) for every exemption that covered no failure in this run: it hides nothing
    today and would hide anything that fails there tomorrow. Checkov ids are judged only when
    checkov ran."""
    relevant = [(f.rule_id, ancestry(f.resource_urn, graph)) for f in findings
                if f.status in ("failed", "exempted")]
    stale = []
    for index, e in enumerate(env.exemptions):
        if CHECKOV_ID.match(e.rule) and not judged_checkov:
            continue
        if not any(covers(e, rule_id, names, env.name) for rule_id, names in relevant):
            stale.append((index, e))
    return stale


def matches(e: Exemption, finding: Finding, graph: Graph, env: ExemptionScope) -> bool:
    return covers(e, finding.rule_id, ancestry(finding.resource_urn, graph), env.name)


def apply_exemptions(findings: Iterable[Finding], env: ExemptionScope, graph: Graph,
                     today: dt.date | None = None) -> list[Finding]:
    today = today or dt.date.today()
    out = []
    for finding in findings:
        if finding.status == "failed":
            decision = decide(env.exemptions, finding.rule_id, ancestry(finding.resource_urn, graph), env.name, today)
            if decision.exemption is not None:
                e = decision.exemption
                finding.status = "exempted"
                finding.exemption = {
                    "rule": e.rule, "resource": e.resource, "reason": e.reason,
                    "expires": e.expires.isoformat(), "approved_by": e.approved_by,
                }
            else:
                finding.message += decision.note
        out.append(finding)
    return out
