"""The Markdown evidence of one stack, sized for a pull-request comment and for GitHub's job
summary ($GITHUB_STEP_SUMMARY): the verdict, a Mermaid diagram of the environment, the control
matrix per framework in the spec, and what is exempted until when. The HTML page and the JSON
report hold the rest."""

from __future__ import annotations

from typing import Any

from hardstack.check import StackReport
from hardstack.evidence.mermaid import mermaid
from hardstack.evidence.model import Inventory
from hardstack.report.gates import Verdict

ICON = {"pass": "✅ pass", "fail": "❌ fail", "invalid": "❌ invalid input", "error": "⚠️ not judged"}
STATUS_ICON = {"failed": "❌", "advisory": "⚠️", "exempted": "〰️", "passed": "✅", "skipped": "⏭️",
               "not_applicable": "–"}
LIMIT = 20  # rows per list; the HTML page has them all


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def stack_summary(verdict: Verdict, stack: StackReport, inventory: Inventory, evidence: dict[str, Any],
                  page_name: str | None = None) -> str:
    result = verdict.stack_verdict(stack)
    kinds = {k: len(inventory.of_kind(k)) for k in ("workload", "key", "store", "endpoint", "platform")}
    lines = [f"### {_cell(stack.stack)}: {ICON[result]}", "",
             f"{inventory.cloud} · {inventory.region or '–'} · {len(stack.graph or [])} resources · "
             f"{kinds['workload']} confidential workload(s), {kinds['key']} key(s), {kinds['store']} data store(s), "
             f"{kinds['endpoint']} private endpoint(s)"
             + (f", {kinds['platform']} AI platform service(s)" if kinds["platform"] else "")
             + f" · {len(verdict.blocking(stack))} blocking, "
             f"{len(verdict.exempted(stack))} exempted"
             + (f" · full report: `{page_name}`" if page_name else ""), "",
             "```mermaid", mermaid(inventory).rstrip("\n"), "```", ""]
    for key, framework in sorted(evidence["controls"].items()):
        if not framework["in_scope"]:
            continue
        counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in framework["summary"].items())
        lines += [f"**{_cell(framework['name'])}** ({key}): {STATUS_ICON[framework['status']]} "
                  f"{framework['status'].replace('_', ' ')}; {len(framework['controls'])} controls: {counts}", ""]
        notable = [c for c in framework["controls"] if c["status"] not in ("passed", "not_applicable")]
        if notable:
            lines += ["| control | status | rules |", "|---|---|---|"]
            lines += [f"| {_cell(c['id'])} | {STATUS_ICON[c['status']]} {c['status']} | "
                      f"{_cell(', '.join(r['rule'] for r in c['rules']))} |" for c in notable[:LIMIT]]
            if len(notable) > LIMIT:
                lines.append(f"| … | {len(notable) - LIMIT} more | see the HTML report |")
            lines.append("")
    exempted = verdict.exempted(stack)
    if exempted:
        lines += ["<details><summary>Exemptions in force (" + str(len(exempted)) + ")</summary>", "",
                  "| rule | resource | approved by | expires |", "|---|---|---|---|"]
        for f in exempted[:LIMIT]:
            e = f.exemption or {}
            lines.append(f"| `{_cell(f.rule_id)}` | {_cell(f.resource_name or '–')} | "
                         f"{_cell(e.get('approved_by') or '–')} | {_cell(e.get('expires', '–'))} |")
        lines += ["", "</details>", ""]
    return "\n".join(lines) + "\n"
