"""The `hardstack` command line: scaffold, validate, render and describe environment specs."""

from __future__ import annotations

import click

from hardstack import __version__
from hardstack.cli.check import check
from hardstack.cli.export import export_cmd
from hardstack.cli.new import new
from hardstack.cli.plan import plan
from hardstack.cli.policies import policies
from hardstack.cli.schema import schema
from hardstack.cli.validate import validate
from hardstack.report.gates import EXIT_STATUS


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EXIT_STATUS)
@click.version_option(__version__, prog_name="hardstack")
def main() -> None:
    """Hardened AI environments on AWS, Azure and GCP from one spec per environment.

    \b
    A stack file (stacks/Pulumi.NAME.yaml) holds the spec under `hardstack:environment`.
    Typical flow:
      hardstack new prod-eu --cloud aws --region eu-west-1 --compliance gdpr
      hardstack validate
      hardstack plan stacks/Pulumi.prod-eu.yaml --out prod-eu.graph.json
      hardstack check --format sarif --output results.sarif   # policies + checkov, as in CI
      pulumi up -s prod-eu          # with cloud credentials, outside hardstack
    """


main.add_command(new)
main.add_command(validate)
main.add_command(plan)
main.add_command(schema)
main.add_command(check)
main.add_command(export_cmd)
main.add_command(policies)
