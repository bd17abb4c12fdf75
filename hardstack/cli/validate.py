"""`hardstack validate`: check stack files against the spec, listing every problem."""

from __future__ import annotations

from pathlib import Path

import click

from hardstack.cli.files import stack_files
from hardstack.exit_codes import EXIT_STATUS
from hardstack.spec import SpecError, load


@click.command(epilog=EXIT_STATUS)
@click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Validate stack files (default: every stacks/Pulumi.*.yaml).

    Every problem is listed with its file, line and field, not only the first.

    \b
    Examples:
      hardstack validate
      hardstack validate stacks/Pulumi.prod-eu.yaml
      hardstack validate stacks/ other-stacks/
    """
    failed = 0
    for file in stack_files(files):
        try:
            loaded = load(file)
        except SpecError as exc:
            failed += 1
            click.secho(f"✗ {file}: {len(exc.issues)} problem(s)", fg="red", err=True)
            for issue in exc.issues:
                click.echo(f"  {issue.format()}", err=True)
            continue
        env = loaded.environment
        click.secho(
            f"✓ {file}: {env.name} on {env.cloud} ({env.region}), "
            f"{len(env.workloads)} workload(s), compliance: {', '.join(env.compliance) or 'none'}",
            fg="green",
        )
    if failed:
        raise SystemExit(1)
