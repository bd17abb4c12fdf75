"""`hardstack policies`: the rules, their severities and the controls they serve."""

from __future__ import annotations

import json

import click

from hardstack.exit_codes import EXIT_STATUS
from hardstack.rules import rules
from hardstack.rules.packs import PACKS


@click.group(epilog=EXIT_STATUS)
def policies() -> None:
    """Inspect the policy rules and packs."""


@policies.command("list", epilog=EXIT_STATUS)
@click.option("--cloud", type=click.Choice(["aws", "azure", "gcp"]), help="Only this cloud's rules.")
@click.option("--framework", type=click.Choice(["hipaa", "gdpr", "nist-800-53"]),
              help="Only rules that map to this framework.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(cloud: str | None, framework: str | None, fmt: str) -> None:
    """List every rule with id, severity, kind and control ids.

    \b
    Examples:
      hardstack policies list
      hardstack policies list --cloud aws --framework hipaa
      hardstack policies list --format json > rules.json
    """
    picked = rules(cloud=cloud, framework=framework)
    if fmt == "json":
        click.echo(json.dumps([{
            "id": r.id, "title": r.title, "severity": r.severity, "cloud": r.cloud, "kind": r.kind,
            "practice": r.practice, "controls": {k: list(v) for k, v in r.controls.items()},
            "remediation": r.remediation, "packs": [p for p, pack in PACKS.items() if pack.select(r)],
        } for r in picked], indent=2))
        return
    for r in picked:
        controls = "; ".join(f"{k} {', '.join(v)}" for k, v in r.controls.items())
        click.echo(f"{r.id:<40} {r.severity:<8} {r.kind:<8} {r.title}")
        click.echo(f"{'':<40} {controls}")
    click.echo(f"{len(picked)} rule(s)")
