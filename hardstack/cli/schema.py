"""`hardstack schema`: JSON Schemas for editor completion and checking: the spec's, or (with
`--stack-file`) a whole stack file's, which is what an editor opening stacks/Pulumi.<stack>.yaml needs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hardstack.cli.files import write_atomically
from hardstack.exit_codes import EXIT_STATUS
from hardstack.spec.stack_file_schema import spec_schema, stack_file_schema

__all__ = ["schema", "schema_text", "spec_schema", "stack_file_schema"]


def schema_text(stack_file: bool) -> str:
    """The schema as written: the committed hardstack.stack.schema.json is exactly this text."""
    return json.dumps(stack_file_schema() if stack_file else spec_schema(), indent=2) + "\n"


@click.command(epilog=EXIT_STATUS)
@click.option("--stack-file", is_flag=True,
              help="The schema of a whole stack file (Pulumi stack settings with the spec under "
                   "config: hardstack:environment), for editors; without it, the spec's alone.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of standard output.")
def schema(stack_file: bool, out: Path | None) -> None:
    """Print the JSON Schema of the environment spec, or of a whole stack file.

    \b
    Examples:
      hardstack schema > hardstack.schema.json
      hardstack schema --out .vscode/hardstack.schema.json
      hardstack schema --stack-file --out hardstack.stack.schema.json
    """
    text = schema_text(stack_file)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)
        click.echo(f"wrote {out}", err=True)
