"""`hardstack plan`: render a stack offline, print its resource tree, write the graph."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hardstack.cli.files import write_atomically
from hardstack.exit_codes import EXIT_STATUS
from hardstack.render import Graph, RenderError, render
from hardstack.spec import SpecError, load


def _is_graph(path: Path) -> bool:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"stack", "resources"} <= data.keys()


def tree_lines(graph: Graph) -> list[str]:
    lines: list[str] = []

    def walk(urn: str, depth: int) -> None:
        for res in graph.children(urn):
            lines.append(f"{'  ' * depth}{res.type}  {res.name}")
            walk(res.urn, depth + 1)

    walk(graph.root, 0)
    return lines


@click.command(epilog=EXIT_STATUS)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the resource graph as JSON to this file.")
@click.option("--force", is_flag=True, help="Overwrite --out even if it is not a hardstack graph.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line, not the tree.")
def plan(file: Path, out: Path | None, force: bool, quiet: bool) -> None:
    """Render FILE offline (no cloud, no Pulumi CLI) and show what it would create.

    The real blueprint runs under the Pulumi SDK's mock runtime. The graph JSON holds, for
    every resource: urn, type, name, parent, inputs (engine camelCase names), dependencies,
    propertyDependencies, provider and protect.

    \b
    Examples:
      hardstack plan stacks/Pulumi.aws-prod-eu.yaml
      hardstack plan stacks/Pulumi.aws-prod-eu.yaml --out aws-prod-eu.graph.json -q
    """
    try:
        loaded = load(file)
    except SpecError as exc:
        click.secho(f"✗ {file}: {len(exc.issues)} problem(s)", fg="red", err=True)
        for issue in exc.issues:
            click.echo(f"  {issue.format()}", err=True)
        raise SystemExit(1) from None
    if out is not None and out.exists() and not force and not _is_graph(out):
        click.secho(f"✗ {out} exists and is not a hardstack graph; left unchanged "
                    "(use --force to overwrite it)", fg="red", err=True)
        raise SystemExit(2)
    click.echo(f"rendering {loaded.stack} offline ...", err=True)
    try:
        rendered = render(loaded)
    except RenderError as exc:
        click.secho(f"✗ render failed: {exc}", fg="red", err=True)
        raise SystemExit(2) from None
    graph = rendered.graph
    if not quiet:
        for line in tree_lines(graph):
            click.echo(line)
    custom = sum(1 for r in graph if r.custom)
    click.secho(
        f"✓ {loaded.stack}: {len(graph)} resources ({custom} cloud resources) "
        f"rendered in {rendered.seconds:.2f}s", fg="green",
    )
    if out is not None:
        write_atomically(out, json.dumps(graph.to_dict(), indent=2, sort_keys=True, default=str) + "\n")
        click.echo(f"  graph written to {out}")
