"""`hardstack export`: a rendered stack as checkov (and other IaC scanners) read it."""

from __future__ import annotations

from pathlib import Path

import click

from hardstack.checkov.baseline import write_baseline
from hardstack.checkov.export import FORMATS, ExportUnsupportedError, export, export_path, is_export
from hardstack.exit_codes import EXIT_STATUS
from hardstack.render import RenderError, render
from hardstack.spec import SpecError, load


@click.command("export", epilog=EXIT_STATUS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["terraform-plan", "arm"]),
              help="terraform-plan (AWS, GCP) or arm (Azure); default: the stack's cloud's format.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to write the export into (<stack>.tfplan.json or <stack>.arm.json).")
@click.option("--force", is_flag=True, help="Overwrite a file of that name even if it is not an earlier export.")
def export_cmd(file: Path, fmt: str | None, out_dir: Path, force: bool) -> None:
    """Render FILE offline and write it as Terraform plan JSON or an ARM template.

    \b
    Beside the export it keeps exported/.checkov.baseline: the spec's unexpired exemptions of
    checkov checks, so bare checkov with --baseline gives the verdict `hardstack check` gives.

    \b
    Examples:
      hardstack export stacks/Pulumi.aws-prod-eu.yaml --out exported/
      checkov -d exported/ --framework terraform_plan arm --skip-download \\
          --external-checks-dir hardstack/checkov/custom_checks \\
          --baseline exported/.checkov.baseline
    """
    try:
        loaded = load(file)
    except SpecError as exc:
        for issue in exc.issues:
            click.echo(issue.format(), err=True)
        raise SystemExit(1) from None
    expected = FORMATS[loaded.environment.cloud]
    if fmt is not None and fmt != expected:
        raise click.UsageError(f"{loaded.environment.cloud} stacks export as {expected}, not {fmt}")
    target = export_path(loaded.stack, loaded.environment.cloud, out_dir)
    if target.exists() and not force and not is_export(target):
        click.secho(f"✗ {target} exists and is not an earlier export; left unchanged "
                    "(use --force to overwrite it)", fg="red", err=True)
        raise SystemExit(2)
    try:
        graph = render(loaded).graph
        exported = export(graph, out_dir)
    except (RenderError, ExportUnsupportedError) as exc:
        click.secho(f"✗ {exc}", fg="red", err=True)
        raise SystemExit(2) from None
    baseline = write_baseline(exported, graph, loaded.environment)
    click.echo(f"✓ {exported.path} ({exported.format}, {len(exported.addresses)} resources); "
               f"exemptions as checkov baseline in {baseline}")
    for res in exported.unmapped:
        click.echo(f"  not exported (no {exported.format} type known): {res.type} {res.name}", err=True)
