"""The HTML evidence page of one stack: one self-contained file (inline CSS and SVG, no script,
no network) that a reviewer opens to see the environment, the verdict, every finding and the
control matrix.

The findings and the control matrix come from hardstack.report.evidence.stack_evidence, the
function the JSON report uses, so the page and `hardstack check --format json` cannot disagree.
Rows carry data- attributes (framework, control, status, node kind) so that a browser test can
read the page's content from its DOM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from hardstack import __version__
from hardstack.check import StackReport
from hardstack.evidence.model import Inventory, Node
from hardstack.findings import Finding
from hardstack.report.gates import Verdict

VERDICT_TEXT = {"pass": "PASS", "fail": "FAIL", "invalid": "FAIL: invalid input", "error": "ERROR: not judged"}

CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); display: flex; gap: 16px;
  align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
main { padding: 8px 24px 32px; max-width: 1400px; }
section { margin-top: 24px; }
h2 { font-size: 16px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.badge { font-weight: 600; padding: 2px 10px; border-radius: 12px; color: #fff; }
.badge.pass { background: var(--ok); } .badge.fail, .badge.invalid, .badge.error { background: var(--bad); }
.meta { color: var(--muted); }
.diagram { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.diagram svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: #f6f8fa; }
.status { font-weight: 600; white-space: nowrap; }
.status.passed { color: var(--ok); } .status.failed { color: var(--bad); }
.status.exempted, .status.advisory { color: var(--warn); }
.status.not_applicable, .status.skipped { color: var(--muted); }
.ids { font-family: ui-monospace, monospace; font-size: 12px; }
details summary { cursor: pointer; color: var(--muted); }
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _status(status: str) -> str:
    return f'<span class="status {_text(status)}">{_text(status.replace("_", " "))}</span>'


def _table(headers: Sequence[str], rows: Iterable[str], attrs: str = "") -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in headers)
    body = "".join(rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _inventory(inventory: Inventory) -> str:
    names = {n.id: n.name for n in inventory.nodes}

    def targets(node: Node, relation: str) -> str:
        found = sorted(names[e.target] for e in inventory.edges
                       if e.source == node.id and e.relation == relation and e.target in names)
        return _text(", ".join(found) or "–")

    def row(node: Node, cells: Sequence[str]) -> str:
        tds = "".join(f"<td>{c}</td>" for c in cells)
        return f'<tr data-kind="{_text(node.kind)}" data-name="{_text(node.name)}">{tds}</tr>'

    within = {n.id: n.name for n in inventory.nodes if n.kind in ("subnet", "network")}
    workloads = [row(n, [_text(n.name), _text(n.details.get("machine_type", "–")), _text(n.details.get("tee", "–")),
                         _text(n.details.get("gpu", "–")), _text(n.details.get("image", "–")),
                         _text(within.get(n.within or "", "–")), targets(n, "runs_as")])
                 for n in inventory.of_kind("workload")]
    keys = [row(n, [_text(n.name), _text(n.details.get("protection", "–")), _text(n.details.get("rotation", "–")),
                    targets(n, "encrypts")]) for n in inventory.of_kind("key")]
    stores = [row(n, [_text(n.name), _text(n.details.get("purpose", "–")), _text(n.details.get("encryption", "–"))])
              for n in inventory.of_kind("store")]
    return (
        "<h3>Confidential workloads</h3>"
        + _table(["workload", "machine type", "TEE", "GPU", "image", "subnet", "runs as"], workloads,
                 ' id="workloads"')
        + "<h3>Keys</h3>" + _table(["key", "protection", "rotation", "encrypts"], keys, ' id="keys"')
        + "<h3>Data stores</h3>" + _table(["store", "purpose", "encryption"], stores, ' id="stores"')
    )


def _days_left(expires: object, today: dt.date) -> str:
    try:
        return str((dt.date.fromisoformat(str(expires)) - today).days)
    except ValueError:
        return "–"


def _findings(verdict: Verdict, stack: StackReport, today: dt.date) -> str:
    def failed_row(f: Finding, gate: str) -> str:
        where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        return (f'<tr data-gate="{_text(gate)}" data-rule="{_text(f.rule_id)}"><td>{_text(gate)}</td>'
                f'<td class="ids">{_text(f.source)}:{_text(f.rule_id)}</td><td>{_text(f.severity)}</td>'
                f"<td>{_text(f.resource_name or '–')}</td><td>{_text(f.message)}</td>"
                f"<td>{_text(f.remediation)}</td><td class='ids'>{_text(where)}</td></tr>")

    failed = ([failed_row(f, "blocking") for f in verdict.blocking(stack)]
              + [failed_row(f, "soft-failed") for f in verdict.soft_failed(stack)]
              + [failed_row(f, "advisory") for f in verdict.advisories(stack)])
    exempted = []
    for f in verdict.exempted(stack):
        e: dict[str, Any] = f.exemption or {}
        exempted.append(
            f'<tr data-gate="exempted" data-rule="{_text(f.rule_id)}"><td class="ids">{_text(f.source)}:'
            f"{_text(f.rule_id)}</td><td>{_text(f.resource_name or '–')}</td><td>{_text(e.get('reason', ''))}</td>"
            f"<td>{_text(e.get('approved_by') or '–')}</td><td>{_text(e.get('expires', '–'))}</td>"
            f"<td>{_days_left(e.get('expires'), today)}</td></tr>")
    out = [f"<h3>Failed ({len(failed)})</h3>"]
    out.append(_table(["gate", "rule", "severity", "resource", "finding", "remediation", "where"], failed,
                      ' id="failed"') if failed else "<p>No failures.</p>")
    out.append(f"<h3>Exempted ({len(exempted)})</h3>")
    out.append(_table(["rule", "resource", "reason", "approved by", "expires", "days left"], exempted,
                      ' id="exempted"') if exempted else "<p>No exemptions in force.</p>")
    return "".join(out)


def _passed(evidence: dict[str, Any]) -> str:
    def rows(items: list[dict[str, Any]], title_key: str) -> list[str]:
        return [f'<tr data-check="{_text(i["id"])}"><td class="ids">{_text(i["id"])}</td>'
                f"<td>{_text(i.get(title_key, ''))}</td><td>{_status(i['status'])}</td></tr>" for i in items]

    rules, checks = evidence["policy_rules"], evidence["checkov_checks"]
    return (f"<details><summary>Policy rules ({len(rules)}): "
            + _text(", ".join(f"{n} {s.replace('_', ' ')}" for s, n in evidence["summary"]["policy_rules"].items()
                              if n))
            + "</summary>" + _table(["rule", "title", "status"], rows(rules, "title"), ' id="policy-rules"')
            + f"</details><details><summary>checkov checks ({len(checks)}): "
            + _text(", ".join(f"{n} {s.replace('_', ' ')}" for s, n in evidence["summary"]["checkov_checks"].items()
                              if n))
            + "</summary>" + _table(["check", "name", "status"], rows(checks, "name"), ' id="checkov-checks"')
            + "</details>")


def _controls(evidence: dict[str, Any]) -> str:
    out = []
    frameworks = sorted(evidence["controls"].items(), key=lambda kv: (not kv[1]["in_scope"], kv[0]))
    for key, framework in frameworks:
        rows = []
        for c in framework["controls"]:
            rules = ", ".join(f"{r['rule']} ({r['status'].replace('_', ' ')})" for r in c["rules"])
            checks = ", ".join(f"{k['check']} ({k['status'].replace('_', ' ')})" for k in c["checkov"])
            rows.append(f'<tr data-framework="{_text(key)}" data-control="{_text(c["id"])}" '
                        f'data-status="{_text(c["status"])}"><td class="ids">{_text(c["id"])}</td>'
                        f"<td>{_text(c['title'])}</td><td>{_status(c['status'])}</td>"
                        f'<td class="ids">{_text(rules)}</td><td class="ids">{_text(checks or "–")}</td></tr>')
        scope = "in the spec's compliance" if framework["in_scope"] else "not in the spec's compliance"
        table = _table(["control", "title", "status", "policy rules", "checkov checks on the same resources"],
                       rows, f' class="controls" data-framework="{_text(key)}"')
        heading = (f"<h3>{_text(framework['name'])} {_text(framework['version'])} ({scope}): "
                   f"{_status(framework['status'])}</h3>")
        out.append(heading + table if framework["in_scope"]
                   else f"<details><summary>{heading}</summary>{table}</details>")
    return "".join(out) or "<p>No rule evaluated here maps to a control.</p>"


def page(verdict: Verdict, stack: StackReport, inventory: Inventory, diagram_svg: str, evidence: dict[str, Any],
         today: dt.date | None = None) -> str:
    """The HTML page of one judged stack. `evidence` is stack_evidence(verdict, stack)."""
    today = today or dt.date.today()
    result = verdict.stack_verdict(stack)
    compliance = ", ".join(stack.compliance) or "none"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hardstack evidence: {_text(stack.stack)}</title>
<style>{CSS}</style></head>
<body data-stack="{_text(stack.stack)}" data-verdict="{_text(result)}">
<header><h1>{_text(stack.stack)}</h1>
<span class="badge {_text(result)}" id="verdict">{_text(VERDICT_TEXT[result])}</span>
<span class="meta">{_text(inventory.cloud)} · {_text(inventory.region or '–')} · compliance: {_text(compliance)}
 · {len(stack.graph or [])} resources · spec {_text(stack.file)} · hardstack {_text(__version__)}
 · {_text(today.isoformat())}</span></header>
<main>
<section id="environment"><h2>Environment</h2><div class="diagram">{diagram_svg}</div>
{_inventory(inventory)}</section>
<section id="findings"><h2>Findings</h2>{_findings(verdict, stack, today)}
<h3>Passed</h3>{_passed(evidence)}</section>
<section id="controls"><h2>Control matrix</h2>{_controls(evidence)}</section>
</main></body></html>
"""
