"""Every evidence file of a check, per judged stack, in one directory:

    DIR/<stack>/report.html   the page: diagram, verdict, findings, control matrix
    DIR/<stack>/summary.md    the Markdown summary with a Mermaid diagram
    DIR/<stack>/bom.cdx.json  the CycloneDX 1.6 bill of materials
    DIR/<stack>/diagram.svg   the diagram alone
    DIR/summary.md            every stack's summary, for $GITHUB_STEP_SUMMARY or a PR comment

A stack that was not judged (invalid spec, render failure) has no graph to draw: the combined
summary says so, and no files are written for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hardstack.check import StackReport
from hardstack.cli.files import write_atomically
from hardstack.evidence.bom import bill_of_materials
from hardstack.evidence.diagram import svg
from hardstack.evidence.inventory import inventory
from hardstack.evidence.page import page
from hardstack.evidence.summary import ICON, stack_summary
from hardstack.report.evidence import stack_evidence
from hardstack.report.gates import Verdict

PAGE, SUMMARY, BOM, DIAGRAM = "report.html", "summary.md", "bom.cdx.json", "diagram.svg"


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # stacks with nothing to draw, and why


def _bom_properties(verdict: Verdict, stack: StackReport) -> dict[str, str]:
    # The BOM's verdict is pass or fail; why it fails (a blocking finding, checkov not running)
    # is the stack verdict, kept beside it.
    return {"hardstack:stack-verdict": verdict.stack_verdict(stack),
            "hardstack:blocking": str(len(verdict.blocking(stack))),
            "hardstack:exempted": str(len(verdict.exempted(stack))),
            "hardstack:resources": str(len(stack.graph or [])),
            "hardstack:spec": str(stack.file)}


def write_reports(verdict: Verdict, out: Path, progress: Callable[[str], None] = lambda _: None,
                  today: dt.date | None = None) -> Written:
    written = Written()
    summaries = [f"## hardstack evidence: exit {verdict.exit_code} ({verdict.meaning})", ""]
    for stack in verdict.check.stacks:
        if stack.graph is None or stack.scope is None:
            why = "invalid spec" if stack.issues else (stack.render_error or "not rendered")
            written.skipped.append(f"{stack.stack}: {why}")
            summaries += [f"### {stack.stack}: {ICON[verdict.stack_verdict(stack)]}", "",
                          f"Not judged, so no evidence: {why}", ""]
            continue
        held = inventory(stack.graph, region=stack.region)
        evidence = stack_evidence(verdict, stack)
        picture = svg(held)
        directory = out / stack.stack
        files = {
            DIAGRAM: picture,
            PAGE: page(verdict, stack, held, picture, evidence, today=today),
            SUMMARY: stack_summary(verdict, stack, held, evidence, page_name=f"{stack.stack}/{PAGE}"),
            BOM: bill_of_materials(held, verdict="pass" if verdict.stack_verdict(stack) == "pass" else "fail",
                                   properties=_bom_properties(verdict, stack)),
        }
        for name, text in files.items():
            write_atomically(directory / name, text)
            written.files.append(directory / name)
        summaries.append(files[SUMMARY])
        progress(f"  evidence for {stack.stack}: {directory}/ ({', '.join(files)})")
    write_atomically(out / SUMMARY, "\n".join(summaries))
    written.files.append(out / SUMMARY)
    return written
