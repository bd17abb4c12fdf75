"""The `hardstack` command line: scaffold, validate, render and describe environment specs.

Subcommands are imported only when they run (or show their own help): `hardstack --help` and
`hardstack validate` must not pay for the Pulumi runtime and the cloud SDKs that `plan` and
`check` need. The group lists them from the table below, whose short help a test keeps equal to
each command's own.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from hardstack import __version__
from hardstack.exit_codes import EXIT_STATUS

# name -> (module, attribute, short help as `hardstack --help` lists it)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("hardstack.cli.check", "check", "Validate, render, run the policy packs and checkov on stacks..."),
    "export": ("hardstack.cli.export", "export_cmd",
               "Render FILE offline and write it as Terraform plan JSON or an..."),
    "new": ("hardstack.cli.new", "new", "Write stacks/Pulumi.NAME.yaml: a complete, commented spec..."),
    "plan": ("hardstack.cli.plan", "plan", "Render FILE offline (no cloud, no Pulumi CLI) and show what..."),
    "policies": ("hardstack.cli.policies", "policies", "Inspect the policy rules and packs."),
    "report": ("hardstack.cli.report", "report", "Check stacks (default: every stack) and write their evidence..."),
    "schema": ("hardstack.cli.schema", "schema", "Print the JSON Schema of the environment spec, or of..."),
    "validate": ("hardstack.cli.validate", "validate", "Validate stack files (default: every stacks/Pulumi.*.yaml)."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented lazy-loading
    pattern), listed with their short help without importing them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = SUBCOMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _ = entry
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_STATUS)
@click.version_option(__version__, prog_name="hardstack")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Hardened AI environments on AWS, Azure and GCP from one spec per environment.

    \b
    A stack file (stacks/Pulumi.NAME.yaml) holds the spec under `hardstack:environment`.
    Typical flow:
      hardstack new prod-eu --cloud aws --region eu-west-1 --compliance gdpr
      hardstack validate
      hardstack plan stacks/Pulumi.prod-eu.yaml --out prod-eu.graph.json
      hardstack check --format sarif --output results.sarif   # policies + checkov, as in CI
      pulumi up -s prod-eu          # with cloud credentials, outside hardstack

    NO_COLOR (set and not empty) turns colours off, as https://no-color.org asks.
    """
    # The subcommand's context inherits `color` from this one, and click.echo/secho strip ANSI
    # styles when it is False: one switch for every command's output.
    if os.environ.get("NO_COLOR"):
        ctx.color = False


def run() -> None:
    """The `hardstack` console script: `main`, then an immediate exit.

    Once a command has written its output there is nothing left to do, yet a normal interpreter
    shutdown spends up to seconds freeing hundreds of thousands of objects (a check holds every
    stack's graph, and the Pulumi SDK when it rendered). So the exit status is taken from click,
    the streams are flushed, and the process ends with os._exit. Tests call `main` (through
    click's CliRunner), which exits normally. The garbage collector runs less often: a check
    allocates graphs and checkov's JSON in bulk, little of it garbage (as in the render workers,
    hardstack/pipeline/worker.py).
    """
    gc.set_threshold(50_000, 20, 100)
    try:
        main.main(prog_name="hardstack")
        code: int = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # sys.exit("message"): Python prints it and exits 1
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or 2
    os._exit(code)
