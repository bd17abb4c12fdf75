"""`hardstack schema`: the spec's JSON Schema, for editor completion and checking."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hardstack.cli.files import write_atomically
from hardstack.exit_codes import EXIT_STATUS
from hardstack.spec import Environment


def spec_schema() -> dict[str, object]:
    schema = Environment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "hardstack environment (stack config key hardstack:environment)"
    return schema


@click.command(epilog=EXIT_STATUS)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of standard output.")
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the environment spec.

    \b
    Examples:
      hardstack schema > hardstack.schema.json
      hardstack schema --out .vscode/hardstack.schema.json
    """
    text = json.dumps(spec_schema(), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomically(out, text)
        click.echo(f"wrote {out}", err=True)
