"""Read a Pulumi stack file and validate its `hardstack:environment` spec, with line numbers.

ruamel.yaml keeps the position of every key and item, so each pydantic or cross-field error is
reported at the line that caused it. Every problem is collected before anything is raised.
"""

from __future__ import annotations

import io
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from hardstack.spec import models
from hardstack.spec.errors import SpecError, SpecIssue, dotted
from hardstack.spec.rules import Problem, SpecView, cross_field_problems

CONFIG_KEY = "hardstack:environment"


@dataclass(frozen=True)
class LoadedSpec:
    """A validated environment and where it came from, so findings can point at lines."""

    environment: models.Environment
    file: Path
    stack: str
    node: Any  # the ruamel node of hardstack:environment (line lookups)

    def line_of(self, path: tuple[str | int, ...]) -> int:
        return line_of(self.node, path)


def stack_name(file: Path) -> str:
    name = file.name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")):
        return name[len("Pulumi."):].rsplit(".", 1)[0]
    return file.stem


def line_of(node: Any, path: tuple[str | int, ...]) -> int:
    """1-based line of the deepest part of `path` present in the YAML tree (0: not known)."""
    line = (getattr(getattr(node, "lc", None), "line", None) or -1) + 1
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def load(file: Path) -> LoadedSpec:
    """Load and validate one stack file; raise SpecError listing every problem."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError([SpecIssue(file, 0, "", f"cannot read the file: {exc.strerror}")]) from None
    return loads(text, file)


def loads(text: str, file: Path) -> LoadedSpec:
    yaml = YAML(typ="rt")
    try:
        doc = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError([SpecIssue(file, line, "", f"not valid YAML: {exc.problem or exc}")]) from None
    except Exception as exc:  # the parser's own failures are the file's, reported as such
        # ruamel also fails with ValueError, KeyError, IndexError, TypeError or RecursionError on
        # bad explicit tags (!!int abc) or absurd nesting: still the user's file, a spec error.
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise SpecError([SpecIssue(file, line, "", f"not valid YAML: {type(exc).__name__}: {exc}")]) from None
    config = doc.get("config") if isinstance(doc, CommentedMap) else None
    if not isinstance(config, CommentedMap) or CONFIG_KEY not in config:
        raise SpecError([SpecIssue(
            file, 1, "",
            f"no '{CONFIG_KEY}' under 'config:'; a stack file holds the spec there "
            f"(run 'hardstack new NAME --cloud aws --region eu-west-1' for a template)",
        )])
    node = config[CONFIG_KEY]
    if not isinstance(node, Mapping):
        raise SpecError([SpecIssue(
            file, line_of(config, (CONFIG_KEY,)), "", f"'{CONFIG_KEY}' must be a mapping of spec fields, "
            f"not {type(node).__name__}; run 'hardstack new' for a template",
        )])
    env = validate(node, file)
    return LoadedSpec(environment=env, file=file, stack=stack_name(file), node=node)


def validate(node: Any, file: Path) -> models.Environment:
    """Validate a spec mapping (ruamel node or plain dict); raise SpecError with every issue."""
    if not isinstance(node, Mapping):
        raise SpecError([SpecIssue(
            file, line_of(node, ()), "", f"'{CONFIG_KEY}' must be a mapping of spec fields"
        )])
    raw = _plain(node)
    issues: list[SpecIssue] = []
    try:
        env = models.Environment.model_validate(raw)
    except ValidationError as exc:
        env = None
        for err in exc.errors():
            if err["type"] == "hardstack_rules":
                continue  # reported below from the partial view, with precise paths
            path = tuple(err["loc"])
            issues.append(SpecIssue(file, line_of(node, path), dotted(path), _explain(err, path)))
    problems = cross_field_problems(_partial_view(raw))
    issues.extend(_issue(file, node, p) for p in problems)
    if issues:
        unique = list(dict.fromkeys(issues))
        raise SpecError(sorted(unique, key=lambda i: (i.line, i.field)))
    assert env is not None
    return env


def _issue(file: Path, node: Any, problem: Problem) -> SpecIssue:
    message = problem.message
    # A missing optional block (azure:) has no default to speak of; a missing setting has one.
    field = models.Environment.model_fields.get(str(problem.path[0])) if len(problem.path) == 1 else None
    optional_block = field is not None and not field.is_required() and field.default is None
    if not _present(node, problem.path) and not optional_block:
        message += f" ({dotted(problem.path)} is not set, so its default applies: set it explicitly)"
    return SpecIssue(file, line_of(node, problem.path), dotted(problem.path), message)


def _present(node: Any, path: tuple[str | int, ...]) -> bool:
    for part in path:
        in_map = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            node = node[part]
        else:
            return False
    return True


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _try(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


_STR = TypeAdapter(str)


def _partial_view(raw: dict[str, Any]) -> SpecView:
    env_fields = models.Environment.model_fields

    def part(key: str, adapter: TypeAdapter[Any]) -> Any:
        if key in raw:
            return _try(adapter, raw[key])
        info = env_fields[key]
        # A missing required field is reported by pydantic; the rules just skip it.
        return None if info.is_required() else info.get_default(call_default_factory=True)

    def items(key: str, model: type[BaseModel]) -> list[tuple[int, Any]]:
        values = raw.get(key)
        if not isinstance(values, list):
            return []
        out = [(i, _try(TypeAdapter(model), v)) for i, v in enumerate(values)]
        return [(i, v) for i, v in out if v is not None]

    return SpecView(
        name=part("name", TypeAdapter(models.Name)),
        cloud=part("cloud", TypeAdapter(models.Cloud)),
        region=part("region", _STR),
        account=part("account", _STR),
        project_number=part("project_number", _STR),
        azure=part("azure", TypeAdapter(models.AzureTenant)) if "azure" in raw else None,
        azure_given="azure" in raw,
        compliance=part("compliance", TypeAdapter(list[models.Framework])),
        keys=part("keys", TypeAdapter(models.Keys)),
        logging=part("logging", TypeAdapter(models.Logging)),
        monitoring=part("monitoring", TypeAdapter(models.Monitoring)),
        workloads=items("workloads", models.Workload),
        exemptions=items("exemptions", models.Exemption),
    )


def _model_at(path: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = models.Environment
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        model = _model_in(info.annotation) if info else None
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None


def _explain(err: Mapping[str, Any], path: tuple[Any, ...]) -> str:
    kind, msg = err["type"], err["msg"]
    parent = _model_at(path[:-1]) if path else None
    leaf = path[-1] if path else None
    if kind == "extra_forbidden" and parent is not None:
        allowed = ", ".join(parent.model_fields)
        return f"unknown field '{leaf}'; allowed here: {allowed}"
    info = parent.model_fields.get(leaf) if parent is not None and isinstance(leaf, str) else None
    hint = f" ({info.description})" if info is not None and info.description else ""
    if kind == "missing":
        return f"required field is missing{hint}"
    if kind.startswith("value_error"):
        msg = msg.removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, (dict, list)) or got is None or str(got) in msg else f"; got {got!r}"
    return f"{msg}{shown}{hint}"
