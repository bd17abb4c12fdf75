"""`hardstack check`: the pull-request gate over every stack."""

from __future__ import annotations

from pathlib import Path

import click

from hardstack.check import run_check
from hardstack.cli.files import stack_files, write_atomically
from hardstack.report import FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="Report format written to --output (text is also printed).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report here (e.g. results.sarif for code scanning).")
@click.option("--no-checkov", is_flag=True, help="Skip checkov (policy packs only); for quick local runs.")
def check(paths: tuple[Path, ...], fmt: str, output: Path | None, no_checkov: bool) -> None:
    """Validate, render, run the policy packs and checkov on stacks (default: every stack).

    checkov runs once over all stacks, offline, from its isolated environment (.checkov-venv).
    Exemptions in each spec (rule or checkov id, resource, reason, expiry) turn failures into
    reported exemptions; expired ones count as failures.

    Exit status: 0 nothing mandatory fails, 1 something does, 2 bad input (invalid spec,
    exemption naming no rule or resource) or checkov missing.

    \b
    Examples:
      hardstack check
      hardstack check stacks/Pulumi.aws-prod-eu.yaml --format sarif --output results.sarif
      hardstack check --format junit --output junit.xml
      hardstack check --no-checkov            # policies only, no checkov start-up
    """
    files = stack_files(paths)
    click.echo(f"checking {len(files)} stack(s) ...", err=True)
    report = run_check(files, progress=lambda line: click.echo(line, err=True), with_checkov=not no_checkov)
    click.echo(FORMATS["text"](report), nl=False)
    if output is not None:
        write_atomically(output, FORMATS[fmt](report))
        click.echo(f"{fmt} report written to {output}", err=True)
    raise SystemExit(report.exit_code)
