"""Read a Pulumi stack file and validate its `hardstack:environment` spec, with line numbers.

ruamel.yaml keeps the position of every key and item, so each pydantic or cross-field error is
reported at the line that caused it. Every problem is collected before anything is raised.
Organisation defaults from the project's Pulumi.yaml are merged under the spec (defaults.py); a
problem in a value that came from there is reported at Pulumi.yaml's line.
"""

from __future__ import annotations

import io
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent

from hardstack.spec import defaults as org
from hardstack.spec import models
from hardstack.spec.errors import SpecError, SpecIssue, dotted
from hardstack.spec.kubernetes.models import DEFAULT_VERSION, NodePool, Version
from hardstack.spec.platforms.models import Platform
from hardstack.spec.rules import cross_field_problems
from hardstack.spec.view import Problem, SpecView

CONFIG_KEY = "hardstack:environment"


@dataclass(frozen=True)
class LoadedSpec:
    """A validated environment and where it came from, so findings can point at lines."""

    environment: models.Environment
    file: Path
    stack: str
    node: Any  # the ruamel node of hardstack:environment (line lookups)
    defaults: org.ProjectDefaults | None = None  # organisation defaults merged under `node`

    def line_of(self, path: tuple[str | int, ...]) -> int:
        """The line in the stack file (`file`); for a value from the defaults, its nearest enclosing line."""
        return line_of(self.node, path)

    def where(self, path: tuple[str | int, ...]) -> tuple[Path, int]:
        """(file, line) of the value at `path`: the stack file, or Pulumi.yaml for a default."""
        return org.locate(self.node, self.file, self.defaults, path)


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


# A stack file is a few kilobytes of YAML. The limits keep a hostile or mistaken file from
# hanging validation: a larger file, NUL bytes, non-UTF-8 text, anchors/aliases (an alias bomb
# expands exponentially) and absurd nesting are refused before any value is built.
MAX_SPEC_BYTES = 256 * 1024
MAX_DEPTH = 16


class _StrictComposer(Composer):
    """Refuses anchors and aliases and deep nesting while the YAML tree is being composed."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise ComposerError(None, None, f"an alias (*{event.anchor}) stands here: anchors and aliases are not "
                                "allowed in a stack file or Pulumi.yaml; write each value out", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, f"an anchor (&{event.anchor}) stands here: anchors and aliases are not "
                                "allowed in a stack file or Pulumi.yaml; write each value out", event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise ComposerError(None, None, f"values are nested more than {MAX_DEPTH} levels deep; a spec "
                                "needs at most 6", event.start_mark)
        return super().compose_node(parent, index)


def _text_problem(data: bytes, what: str = "a stack file") -> tuple[int, str] | None:
    """(line, message) if `data` is not the text of `what`, else None."""
    if len(data) > MAX_SPEC_BYTES:
        return 0, (f"the file has {len(data):,} bytes; {what} has at most {MAX_SPEC_BYTES:,}: "
                   "is this the right file?")
    nul = data.find(b"\0")
    if nul >= 0:
        return data.count(b"\n", 0, nul) + 1, "the file contains a NUL byte: it is not a text file"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return line, (f"byte 0x{data[exc.start]:02x} is not UTF-8 ({exc.reason}): save the file as UTF-8")
    return None


def _read_text(file: Path, what: str) -> str:
    try:
        if file.stat().st_size > MAX_SPEC_BYTES:  # never read a huge file whole
            raise SpecError([SpecIssue(file, 0, "", f"the file has {file.stat().st_size:,} bytes; {what} "
                                       f"has at most {MAX_SPEC_BYTES:,}: is this the right file?")])
        data = file.read_bytes()
    except OSError as exc:
        raise SpecError([SpecIssue(file, 0, "", f"cannot read the file: {exc.strerror}")]) from None
    problem = _text_problem(data, what)
    if problem is not None:
        raise SpecError([SpecIssue(file, problem[0], "", problem[1])])
    return data.decode("utf-8")


def read_yaml(file: Path, what: str) -> Any:
    """The YAML document of `file` (ruamel round-trip nodes), read under the same limits as a stack file."""
    return _parse(_read_text(file, what), file, what)


def _named(file: Path) -> bool:
    return file.name.startswith("Pulumi.") and file.name.endswith((".yaml", ".yml"))


def load(file: Path) -> LoadedSpec:
    """Load and validate one stack file, with its project's organisation defaults merged under
    it; raise SpecError listing every problem."""
    text = _read_text(file, "a stack file")
    # Pulumi applies project config only to stack files, Pulumi.<stack>.yaml in the project's
    # stackConfigDir: any other file stands alone.
    return loads(text, file, defaults=org.project_defaults(file) if _named(file) else None)


def _parse(text: str, file: Path, what: str) -> Any:
    problem = _text_problem(text.encode("utf-8", errors="surrogatepass"), what)
    if problem is not None:
        raise SpecError([SpecIssue(file, problem[0], "", problem[1])])
    yaml = YAML(typ="rt")
    yaml.Composer = _StrictComposer
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
    return doc


def loads(text: str, file: Path, defaults: org.ProjectDefaults | None = None) -> LoadedSpec:
    """Validate a stack file's text; `defaults` (org.project_defaults) are merged under its spec."""
    doc = _parse(text, file, "a stack file")
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
    env = validate(node, file, stack_name(file) if _named(file) else None, defaults=defaults)
    return LoadedSpec(environment=env, file=file, stack=stack_name(file), node=node, defaults=defaults)


def validate(node: Any, file: Path, stack: str | None = None,
             defaults: org.ProjectDefaults | None = None) -> models.Environment:
    """Validate a spec mapping (ruamel node or plain dict); raise SpecError with every issue.
    With `stack`, the spec's name must be that stack's: Pulumi deploys a file as the stack its
    file name says, and every resource name derives from the spec's name. With `defaults`, the
    organisation defaults are merged under `node` first (org.merge)."""
    if not isinstance(node, Mapping):
        raise SpecError([SpecIssue(
            file, line_of(node, ()), "", f"'{CONFIG_KEY}' must be a mapping of spec fields"
        )])
    issues: list[SpecIssue] = []
    raw = _plain(node)
    if defaults is not None:
        issues += org.refused(defaults)
        raw = org.merge(_plain(org.without_refused(defaults.node)), raw)

    def where(path: tuple[str | int, ...]) -> tuple[Path, int]:
        return org.locate(node, file, defaults, path)

    model_problems: list[Problem] = []
    try:
        env = models.Environment.model_validate(raw)
    except ValidationError as exc:
        env = None
        for err in exc.errors():
            if err["type"] == "hardstack_rules":
                # reported below from the partial view, with precise paths; kept in case it sees none
                model_problems += [Problem(tuple(path), message) for path, message in err["ctx"]["problems"]]
                continue
            path = tuple(err["loc"])
            issues.append(SpecIssue(*where(path), dotted(path), _explain(err, path)))
    problems = cross_field_problems(_partial_view(raw)) or model_problems
    issues.extend(_issue(where, raw, p) for p in problems)
    name = raw.get("name")
    if stack is not None and isinstance(name, str) and name != stack:
        issues.append(SpecIssue(*where(("name",)), "name", (
            f"'{name}' is not the stack's name '{stack}' (Pulumi deploys {file.name} as stack '{stack}'): "
            f"set name: {stack}, or rename the file to Pulumi.{name}.yaml")))
    if issues:
        unique = list(dict.fromkeys(issues))
        # the stack file's issues first, then Pulumi.yaml's, each in line order
        raise SpecError(sorted(unique, key=lambda i: (i.file != file, i.line, i.field)))
    assert env is not None
    return env


def _issue(where: Callable[[tuple[str | int, ...]], tuple[Path, int]], raw: Any, problem: Problem) -> SpecIssue:
    message = problem.message
    # A missing optional block (azure:) has no default to speak of; a missing setting has one.
    field = models.Environment.model_fields.get(str(problem.path[0])) if len(problem.path) == 1 else None
    optional_block = field is not None and not field.is_required() and field.default is None
    if not _present(raw, problem.path) and not optional_block:
        # A setting whose default is "nothing" (image:, model_artifact:) has no default to blame.
        parent = _model_at(problem.path[:-1]) if problem.path else None
        leaf = parent.model_fields.get(problem.path[-1]) if parent is not None and isinstance(
            problem.path[-1], str) else None
        unset = leaf is not None and not leaf.is_required() and leaf.default is None
        message += f" ({dotted(problem.path)} is not set" + (")" if unset else ", so its default applies: set it "
                                                              "explicitly)")
    return SpecIssue(*where(problem.path), dotted(problem.path), message)


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
        azure=part("azure", TypeAdapter(models.AzureTenant)) if raw.get("azure") is not None else None,
        azure_given=raw.get("azure") is not None,  # `azure: null` gives no tenant, as the model sees it
        compliance=part("compliance", TypeAdapter(list[models.Framework])),
        keys=part("keys", TypeAdapter(models.Keys)),
        logging=part("logging", TypeAdapter(models.Logging)),
        monitoring=part("monitoring", TypeAdapter(models.Monitoring)),
        data=part("data", TypeAdapter(models.Data)),
        workloads=items("workloads", models.Workload),
        platform=part("platform", TypeAdapter(Platform | None)),
        **_kubernetes_view(raw.get("kubernetes")),
        exemptions=items("exemptions", models.Exemption),
    )


def _kubernetes_view(section: Any) -> dict[str, Any]:
    """The cluster's valid pools (with their indices) and its version, each judged alone."""
    if not isinstance(section, Mapping):
        return {}
    pools = section.get("node_pools")
    checked = [(i, _try(TypeAdapter(NodePool), p)) for i, p in enumerate(pools)] if isinstance(pools, list) else []
    return {"node_pools": [(i, p) for i, p in checked if p is not None],
            "kubernetes_version": _try(TypeAdapter(Version), section.get("version", DEFAULT_VERSION)),
            # [] when none are given; None when the list is broken (the model reports that).
            "kubernetes_admins": [] if section.get("admins") is None else _try(TypeAdapter(list[str]),
                                                                                 section["admins"]),
            "kubernetes_given": True}


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
