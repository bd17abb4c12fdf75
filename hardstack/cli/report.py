"""`hardstack report`: the evidence people look at, per stack: an HTML page with the
environment diagram, a Markdown summary with a Mermaid diagram, and a CycloneDX bill of
materials."""

from __future__ import annotations

from pathlib import Path

import click

from hardstack.cache import Store
from hardstack.check import default_workers, reuse_summary, run_check
from hardstack.cli.files import stack_files
from hardstack.exit_codes import EXIT_STATUS
from hardstack.report.gates import Verdict


class EvidenceError(click.ClickException):
    """The evidence could not be drawn (no Graphviz): exit 2, hardstack could not do what was asked."""

    exit_code = 2


def write_evidence(verdict: Verdict, out: Path) -> None:
    from hardstack.evidence.diagram import GraphvizMissing
    from hardstack.evidence.reports import write_reports

    click.echo(f"writing evidence to {out}/ ...", err=True)
    try:
        written = write_reports(verdict, out, progress=lambda line: click.echo(line, err=True))
    except GraphvizMissing as exc:
        raise EvidenceError(str(exc)) from exc
    for line in written.skipped:
        click.echo(f"  no evidence for {line}", err=True)
    click.echo(f"{len(written.files)} evidence file(s) written; open {out}/<stack>/report.html in a browser, "
               f"or add {out}/summary.md to $GITHUB_STEP_SUMMARY", err=True)


@click.command(epilog=EXIT_STATUS)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Directory for the evidence (created; files of the same stacks are replaced).")
@click.option("--no-checkov", is_flag=True, help="Skip checkov: the evidence then holds the policy rules only.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Render in N worker processes (default: one per core; 1: in this process).")
@click.option("--no-cache", is_flag=True, help="Render and scan every stack afresh.")
def report(paths: tuple[Path, ...], out: Path, no_checkov: bool, workers: int | None, no_cache: bool) -> None:
    """Check stacks (default: every stack) and write their evidence into DIR.

    \b
    Per stack, in DIR/<stack>/:
      report.html   one self-contained page (no network needed): the environment diagram
                    (networks, confidential workloads with TEE and GPU, identities, keys and
                    what each encrypts, data stores, log and alert flows, private endpoints),
                    the verdict, failed, exempted and passed findings, and the control matrix
      summary.md    the verdict, a Mermaid diagram and the controls, for a PR comment
      bom.cdx.json  a CycloneDX 1.6 bill of materials: machines, GPUs, keys, data stores, services
      diagram.svg   the diagram alone
    and DIR/summary.md with every stack, for $GITHUB_STEP_SUMMARY.

    The diagram is laid out by Graphviz: install its `dot` program (apt install graphviz,
    brew install graphviz). The verdict and exit status are those of `hardstack check` with
    its default gates; `hardstack check --report-dir DIR` writes the same evidence under the
    gates you give it.

    \b
    Examples:
      hardstack report --out evidence/
      hardstack report stacks/Pulumi.aws-prod-eu.yaml --out evidence/ --no-checkov
      cat evidence/summary.md >> "$GITHUB_STEP_SUMMARY"
    """
    files = stack_files(paths)
    click.echo(f"checking {len(files)} stack(s) ...", err=True)
    cache = None if no_cache else Store()
    checked = run_check(files, progress=lambda line: click.echo(line, err=True), with_checkov=not no_checkov,
                        workers=workers or default_workers(), cache=cache)
    if cache is not None:
        click.echo(reuse_summary(checked, cache), err=True)
        if cache.misses:
            cache.prune()
    verdict = Verdict(checked)
    write_evidence(verdict, out)
    click.echo(f"exit {verdict.exit_code}: {verdict.meaning}", err=True)
    raise SystemExit(verdict.exit_code)
