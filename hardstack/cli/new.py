"""`hardstack new`: scaffold a complete, commented, valid stack file."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from hardstack.cli.files import DEFAULT_STACKS_DIR, write_atomically
from hardstack.exit_codes import EXIT_STATUS
from hardstack.scaffold import ScaffoldArgs, render_stack_file
from hardstack.spec import SpecError, catalog, loads

CLOUDS = ("aws", "azure", "gcp")
FRAMEWORKS = ("gdpr", "hipaa", "nist-800-53")
EXAMPLE_REGION = {"aws": "eu-west-1", "gcp": "europe-west4", "azure": "westeurope"}


def _interactive() -> bool:
    return sys.stdin.isatty()


@click.command(epilog=EXIT_STATUS)
@click.argument("name", required=False)
@click.option("--cloud", type=click.Choice(CLOUDS), help="Target cloud (prompted if omitted).")
@click.option("--region", help="Cloud region, e.g. eu-west-1, europe-west4, westeurope.")
@click.option("--compliance", multiple=True, type=click.Choice(FRAMEWORKS),
              help="Compliance framework; repeat for several.")
@click.option("--account", help="AWS account id, GCP project id or Azure subscription id.")
@click.option("--owner", default="platform-team", show_default=True, help="Owning team (tags).")
@click.option("--alert-email", default="secops@example.com", show_default=True,
              help="Where security alerts go.")
@click.option("--dir", "stacks_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_STACKS_DIR, show_default=True, help="Stack directory.")
@click.option("--force", is_flag=True, help="Overwrite an existing stack file.")
def new(name: str | None, cloud: str | None, region: str | None, compliance: tuple[str, ...],
        account: str | None, owner: str, alert_email: str, stacks_dir: Path, force: bool) -> None:
    """Write stacks/Pulumi.NAME.yaml: a complete, commented spec that validates.

    Missing --cloud and --region are prompted for in a terminal; elsewhere they are required.
    An existing file is never overwritten unless --force is given.

    \b
    Examples:
      hardstack new prod-eu --cloud aws --region eu-west-1 --compliance gdpr --compliance hipaa
      hardstack new research --cloud gcp --region europe-west4 --account ml-research-4711
      hardstack new                                  # in a terminal: prompts for the rest
    """
    if name is None:
        if not _interactive():
            raise click.UsageError("NAME is required (the stack name, e.g. prod-eu)")
        name = click.prompt("Stack name")
    if re.fullmatch(r"[a-z][a-z0-9-]{0,28}[a-z0-9]", name) is None:
        raise click.BadParameter(
            "use 2-30 lower-case letters, digits and '-', starting with a letter", param_hint="NAME"
        )
    if cloud is None:
        if not _interactive():
            raise click.UsageError("--cloud is required (aws, azure or gcp)")
        cloud = click.prompt("Cloud", type=click.Choice(CLOUDS))
    if region is None:
        if not _interactive():
            raise click.UsageError(f"--region is required (e.g. {EXAMPLE_REGION[cloud]})")
        region = click.prompt("Region", default=EXAMPLE_REGION[cloud])
    if account is None and _interactive():
        account = click.prompt("Account / project / subscription (empty for a placeholder)",
                               default="", show_default=False) or None
    assert cloud is not None and region is not None
    target = stacks_dir / f"Pulumi.{name}.yaml"
    text = render_stack_file(ScaffoldArgs(
        name=name, cloud=cloud, region=region, compliance=compliance, account=account,
        owner=owner, alert_email=alert_email,
    ))
    try:
        loads(text, target)
    except SpecError as exc:
        click.secho(f"✗ not written: these options give an invalid spec for {target}:", fg="red", err=True)
        for issue in exc.issues:
            click.echo(f"  {issue.field}: {issue.message}", err=True)
        raise SystemExit(1) from None
    if target.exists() and not force:
        click.secho(f"✗ {target} exists; left unchanged (use --force to overwrite it)", fg="red", err=True)
        raise SystemExit(2)
    write_atomically(target, text)
    kinds = ", ".join(catalog.kinds_offered(cloud))
    click.secho(f"✓ wrote {target}", fg="green")
    click.echo(f"  confidential computing on {cloud}: {kinds}; edit workloads to fit, then run:")
    click.echo(f"  hardstack validate {target} && hardstack plan {target}")
