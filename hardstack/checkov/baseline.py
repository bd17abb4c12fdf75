"""A checkov baseline from the spec's exemptions, so bare checkov on `hardstack export` output
gives the verdict `hardstack check` gives.

checkov's `--baseline FILE` drops a failed check when the baseline lists its check id for the
same resource (checkov.common.output.baseline.Baseline._is_check_in_baseline matches resource and
check id; the file only groups entries). For every unexpired exemption that names a checkov id,
each exported resource the exemption covers, by the same matching `hardstack check` applies
(the resource, a component above it, a spec name, the environment), gets that id. Expired
exemptions are left out: checkov then fails them, as `hardstack check` does.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hardstack.checkov.export import ExportedStack
from hardstack.policy.exemptions import CHECKOV_ID, ancestry
from hardstack.render.graph import Graph
from hardstack.rules.exemptions import covers
from hardstack.spec import Environment

BASELINE_NAME = ".checkov.baseline"  # the name `checkov --create-baseline` gives it


def baseline_findings(exported: ExportedStack, graph: Graph, env: Environment,
                      today: dt.date | None = None) -> list[dict[str, Any]]:
    """checkov baseline findings ({"resource", "check_ids"}) for one exported stack."""
    today = today or dt.date.today()
    live = [e for e in env.exemptions if CHECKOV_ID.match(e.rule) and e.expires >= today]
    out = []
    for address, urn in sorted(exported.addresses.items()):
        names = ancestry(urn, graph)
        ids = sorted({e.rule for e in live if covers(e, e.rule, names, env.name)})
        if ids:
            out.append({"resource": address, "check_ids": ids})
    return out


def write_baseline(exported: ExportedStack, graph: Graph, env: Environment, today: dt.date | None = None) -> Path:
    """Add this stack's entries to the baseline beside its export, keeping other stacks' entries."""
    path = exported.path.parent / BASELINE_NAME
    entry_file = f"/{exported.path.name}"  # checkov's file_path: relative to -d, with a leading '/'
    try:
        existing = json.loads(path.read_text()).get("failed_checks", [])
    except (OSError, ValueError, AttributeError):
        existing = []
    kept = [e for e in existing if isinstance(e, dict) and e.get("file") != entry_file]
    findings = baseline_findings(exported, graph, env, today)
    if findings:
        kept.append({"file": entry_file, "findings": findings})
    path.write_text(json.dumps({"failed_checks": sorted(kept, key=lambda e: str(e.get("file")))}, indent=1) + "\n")
    return path
