"""The subjects of `hardstack check --program / --state / --preview`: each read (or run) into a
graph with what it declares, or with the reason it could not be. One that cannot be read is
reported as not judged, like a stack whose blueprint fails, and the others are still judged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hardstack.pipeline.subject import Subject, declared, urn_lines
from hardstack.render.errors import RenderError

Progress = Callable[[str], None]


def _config_node(file: Path | None) -> Any:
    """The `config:` mapping of a stack settings file as ruamel reads it: lines for exemptions."""
    if file is None:
        return None
    from ruamel.yaml import YAML

    doc = YAML(typ="rt").load(file)  # load_program has read it already: it parses
    return doc.get("config") if isinstance(doc, dict) else None


def _program(directory: Path, stack: str | None, progress: Progress) -> Subject:
    from hardstack.sources.errors import SourceError
    from hardstack.sources.program import load_program, program_target, render_user_program

    try:
        program = load_program(directory, stack)
    except SourceError as exc:
        return Subject("program", directory / "Pulumi.yaml", stack or directory.name, None, error=str(exc))
    file = program.config_file or directory / "Pulumi.yaml"
    progress(f"  running program {program.project} (stack {program.stack}) under the mocks ...")
    try:
        graph = render_user_program(program)
    except (RenderError, SourceError) as exc:
        return Subject("program", file, program.stack, None, error=str(exc))
    node = _config_node(program.config_file)
    compliance, exemptions, issues = declared(program.config, node, file)
    return Subject("program", file, program.stack, graph, region=program_target(program).region,
                   compliance=compliance, exemptions=exemptions, issues=issues, node=node, name=program.stack)


def _file(kind: str, path: Path, compliance: list[str]) -> Subject:
    from hardstack.sources.errors import SourceError
    from hardstack.sources.preview import read_preview
    from hardstack.sources.state import read_state

    try:
        graph = read_state(path) if kind == "state" else read_preview(path)
    except SourceError as exc:
        return Subject("state" if kind == "state" else "preview", path, path.name, None, error=str(exc))
    lines = urn_lines(path.read_text(encoding="utf-8", errors="replace"))
    return Subject("state" if kind == "state" else "preview", path, graph.stack, graph, compliance=list(compliance),
                   urn_lines=lines)


def collect(programs: tuple[Path, ...] = (), stack: str | None = None, states: tuple[Path, ...] = (),
            previews: tuple[Path, ...] = (), compliance: tuple[str, ...] = (),
            progress: Progress = lambda _: None) -> list[Subject]:
    subjects = [_program(d, stack, progress) for d in programs]
    subjects += [_file("state", p, list(compliance)) for p in states]
    subjects += [_file("preview", p, list(compliance)) for p in previews]
    return subjects
