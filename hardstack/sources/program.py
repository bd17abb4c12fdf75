"""A user's own Pulumi Python program, rendered offline under hardstack's mocks.

`load_program(directory, stack)` reads the project the way the Pulumi CLI does: `Pulumi.yaml`
(https://www.pulumi.com/docs/iac/concepts/projects/project-file/: `name`, `runtime` as `python` or
`{name: python, options: {...}}`, `main` as a directory holding `__main__.py` or a file, relative
to Pulumi.yaml, `stackConfigDir`, project-level `config`) and the stack settings file
`Pulumi.<stack>.yaml` (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/:
its `config` map). Without a stack name, the only `Pulumi.<stack>.yaml` there is the stack.
Config keys without a namespace belong to the project (`owner` is `<project>:owner`); stack
values override project defaults (`default:` or `value:` of a Pulumi.yaml config entry).

`render_user_program(program)` runs the entry point as `pulumi up` would (`runpy` with run name
`__main__`, the entry point's directory first on `sys.path` and as the working directory, both
restored afterwards) through `render_program`, and returns the graph. Under the mocks:

- Project and stack: `pulumi.get_project()`, `pulumi.Config()` and the URNs use the program's own
  project name and stack, as in a real deployment.
- Config: installed as the CLI hands it to a program: strings as they are, everything else
  JSON-encoded (`true`, `3`, `{"a": 1}`).
- Secrets: `secure:` values (at any depth) cannot be decrypted offline. Each becomes the string
  "[secret]", and its top-level key is a secret key, so `Config.require_secret` returns a secret
  Output of "[secret]". A program that parses a secret (a number, JSON) sees the placeholder.
  Pulumi ESC `environment:` imports are not resolved.
- Stack references: `pulumi.StackReference(name)` is a read of `pulumi:pulumi:StackReference`;
  its `outputs` are the map given for that exact name in the stack config
  `hardstack:stackReferences: {"org/proj/stack": {output: value}}`, else empty, so
  `get_output` returns the configured value or None and `require_output` fails (KeyError) on a
  missing output. Stack references are reads, so they are not resources of the graph.
- Invokes (`aws.ssm.get_parameter`, ...): answered by `hardstack.render.lookups` where it knows
  the function (AWS SSM parameters; GCP project, Cloud Storage and Logging service agents) and
  recorded as the graph's lookups. Any other invoke is an error naming the function (the SDK
  raises it from its RPC loop, so without the program's line), never an empty result: an empty
  answer would silently drop whatever the program builds from it. `aws.get_caller_identity` and
  `aws.get_availability_zones` are such invokes today.
- Cloud, region and account (computed ARNs, ids, and which policy rules apply): from config,
  `aws:region` (account: the first of `aws:allowedAccountIds`), `gcp:project`/`gcp:region`,
  `azure-native:location`/`azure-native:subscriptionId`; unset ones take a placeholder (us-east-1,
  123456789012; us-central1, offline-project; eastus, a zero subscription). With no config of
  one cloud, the graph's cloud is that of its resources (empty if they span clouds, so every
  cloud's rules apply), and computed attributes carry `offline-region` and `offline-account`.
- Failures: an exception in the program (or an `sys.exit` with a nonzero status) raises
  `ProgramRunError`, a `RenderError` whose message shows the traceback frames in the program's
  own files only, with file, line and source. An error inside an apply callback, an invoke or
  the serialization of a resource's inputs is re-raised by the SDK without the program's frames:
  the message then says so, and the SDK's text names the resource or function.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from hardstack.render.computed import Target
from hardstack.render.errors import RenderError
from hardstack.render.graph import Graph
from hardstack.sources import urns
from hardstack.sources.errors import SourceError
from hardstack.sources.program_failure import ProgramRunError, failure

SECRET_PLACEHOLDER = "[secret]"
STACK_REFERENCES = "hardstack:stackReferences"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# Keys of a Pulumi.yaml config entry that declare a value rather than being it.
_SCHEMA_KEYS = {"type", "description", "default", "secret", "items", "value"}
# Per cloud: Target.cloud, config namespace, region key, account key, placeholder region/account.
_CLOUDS = (
    ("aws", "aws", "aws:region", "aws:allowedAccountIds", "us-east-1", "123456789012"),
    ("gcp", "gcp", "gcp:region", "gcp:project", "us-central1", "offline-project"),
    ("azure", "azure-native", "azure-native:location", "azure-native:subscriptionId", "eastus",
     "00000000-0000-0000-0000-000000000000"),
)


@dataclass
class Program:
    directory: Path
    project: str
    stack: str
    main: Path  # the entry point: a .py file
    config_file: Path | None  # Pulumi.<stack>.yaml; None for a stack that has no settings file
    config: dict[str, Any]  # "namespace:key" -> value as YAML gave it, secrets as "[secret]"
    secret_keys: list[str] = field(default_factory=list)


# --- loading -------------------------------------------------------------------------------


def load_program(directory: Path, stack: str | None = None) -> Program:
    directory = Path(directory).resolve()
    project_file = next((directory / n for n in PROJECT_FILES if (directory / n).is_file()), None)
    if project_file is None:
        raise SourceError(directory, "no Pulumi.yaml here.",
                          "Point hardstack at the Pulumi project's directory (the one holding Pulumi.yaml), "
                          "or create a project with `pulumi new python`.")
    doc = _read_yaml(project_file)
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        raise SourceError(project_file, f"{_line(doc, 'name')}the project has no name.",
                          "Add `name: <project>` (letters, digits, hyphens, underscores, periods).")
    _check_runtime(project_file, doc)
    main = _entry_point(directory, project_file, doc)
    config_dir = directory / str(doc.get("stackConfigDir") or ".")
    short, config_file = _pick_stack(config_dir, stack)
    config, secrets = _project_config(project_file, doc, name)
    if config_file is not None:
        settings = _read_yaml(config_file)
        stack_config = settings.get("config") or {}
        if not isinstance(stack_config, dict):
            raise SourceError(config_file, f"{_line(settings, 'config')}`config:` is not a map.",
                              "Write it as `config:` followed by indented `namespace:key: value` lines.")
        for key, node in stack_config.items():
            full = _namespaced(str(key), name)
            value, secret = _plain(node)
            config[full] = value
            secrets.discard(full)
            if secret:
                secrets.add(full)
    return Program(directory=directory, project=name, stack=short, main=main, config_file=config_file,
                   config=config, secret_keys=sorted(secrets))


def _read_yaml(path: Path) -> CommentedMap:
    try:
        doc = YAML(typ="rt").load(path)
    except YAMLError as exc:  # the message carries the file name, line and column
        raise SourceError(path, f"not valid YAML: {exc}", "Fix the YAML at the line shown.") from exc
    if doc is None:
        return CommentedMap()
    if not isinstance(doc, dict):
        raise SourceError(path, f"holds a {type(doc).__name__}, not a map of settings.",
                          "Write the file as `key: value` lines.")
    return doc


def _line(node: Any, key: str) -> str:
    """"line N: " of a key in a mapping read by ruamel, so the user can jump to it; "" if absent."""
    try:
        return f"line {node.lc.key(key)[0] + 1}: " if key in node else ""
    except (AttributeError, KeyError, TypeError):
        return ""


def _check_runtime(project_file: Path, doc: CommentedMap) -> None:
    runtime = doc.get("runtime")
    name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if name != "python":
        found = f"runtime {name!r}" if name else "no runtime"
        raise SourceError(project_file, f"{_line(doc, 'runtime')}{found}: hardstack renders Python programs only.",
                          "Use `runtime: python` (or `runtime: {name: python, options: ...}`) with a Python "
                          "program; render other languages with `pulumi preview` and judge its output instead.")


def _entry_point(directory: Path, project_file: Path, doc: CommentedMap) -> Path:
    main = doc.get("main")
    target = (directory / str(main)).resolve() if main else directory
    # Without `main:` the entry point is the project's own __main__.py: blame the directory.
    blamed, where = (project_file, f"{_line(doc, 'main')}main: {main}: ") if main else (directory, "")
    fix = (f"Set `main:` in {project_file.name} to the program's directory (holding __main__.py) or its .py "
           f"file, relative to {project_file.name}.")
    if target.is_dir():
        entry = target / "__main__.py"
        if not entry.is_file():
            raise SourceError(blamed, f"{where}no __main__.py in {target}, the program's entry point.",
                              f"Add __main__.py there, or {fix[0].lower()}{fix[1:]}")
        return entry
    if not target.is_file():
        raise SourceError(blamed, f"{where}{target} does not exist.", fix)
    return target


def _pick_stack(config_dir: Path, stack: str | None) -> tuple[str, Path | None]:
    files = {p.name[len("Pulumi."):-len(p.suffix)]: p
             for p in sorted([*config_dir.glob("Pulumi.*.yaml"), *config_dir.glob("Pulumi.*.yml")])}
    known = ", ".join(files) or "none"
    if stack is None:
        if len(files) == 1:
            return next(iter(files.items()))
        problem = "no Pulumi.<stack>.yaml here" if not files else f"several stacks here ({known})"
        raise SourceError(config_dir, f"{problem}, and no stack was chosen.", "Choose one with --stack NAME.")
    short = stack.rsplit("/", 1)[-1]  # "org/project/dev" names the settings file Pulumi.dev.yaml
    if short in files:
        return short, files[short]
    if files:
        raise SourceError(config_dir, f"no Pulumi.{short}.yaml for stack {stack!r}; the stacks here are {known}.",
                          f"Pass one of them with --stack, or create Pulumi.{short}.yaml.")
    return short, None  # a stack nobody ran `pulumi config set` on has no settings file


def _namespaced(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _project_config(project_file: Path, doc: CommentedMap, project: str) -> tuple[dict[str, Any], set[str]]:
    entries = doc.get("config") or {}
    if not isinstance(entries, dict):
        raise SourceError(project_file, f"{_line(doc, 'config')}`config:` is not a map.",
                          "Write it as `config:` followed by indented `key: value` or `key: {default: ...}` lines.")
    config: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, node in entries.items():
        full = _namespaced(str(key), project)
        if isinstance(node, dict) and set(node) <= _SCHEMA_KEYS and not _is_secure(node):
            if "value" not in node and "default" not in node:
                continue  # declared (type, description) but given no value: the stack must set it
            node, declared_secret = node.get("value", node.get("default")), bool(node.get("secret"))
        else:
            declared_secret = False
        value, secret = _plain(node)
        config[full] = value
        if secret or declared_secret:
            secrets.add(full)
    return config, secrets


def _is_secure(node: Any) -> bool:
    return isinstance(node, dict) and list(node) == ["secure"]


def _plain(node: Any) -> tuple[Any, bool]:
    """A ruamel value as plain Python, `secure:` ciphertexts replaced; and whether it held any."""
    if _is_secure(node):
        return SECRET_PLACEHOLDER, True
    if isinstance(node, dict):
        pairs = [(str(k), _plain(v)) for k, v in node.items()]
        return {k: v for k, (v, _) in pairs}, any(s for _, (_, s) in pairs)
    if isinstance(node, list):
        items = [_plain(v) for v in node]
        return [v for v, _ in items], any(s for _, s in items)
    if isinstance(node, bool) or node is None:
        return node, False
    if isinstance(node, int):
        return int(node), False
    if isinstance(node, float):
        return float(node), False
    if isinstance(node, str):
        return str(node), False
    return str(node), False  # timestamps and tagged scalars: the CLI hands them over as text


# --- rendering -----------------------------------------------------------------------------


def cli_config(config: dict[str, Any]) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to a program: strings as is, anything else as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def program_target(program: Program) -> Target:
    """Cloud, region and account from the stack's config; cloud "" when no cloud is configured."""
    config = program.config
    clouds = [c for c in _CLOUDS if any(k.startswith(f"{c[1]}:") for k in config)]
    if len(clouds) != 1:
        return Target(cloud="", region="offline-region", account="offline-account")
    cloud, _, region_key, account_key, region, account = clouds[0]
    configured = config.get(account_key)
    if isinstance(configured, list):  # aws:allowedAccountIds
        configured = configured[0] if configured else None
    return Target(cloud=cloud, region=str(config.get(region_key) or region), account=str(configured or account))


def cloud_of(graph: Graph) -> str:
    """The one cloud the graph's resources belong to, "" when none or several."""
    # Resources of other packages (random, tls) belong to no cloud and decide nothing.
    found = urns.clouds([r.type for r in graph if r.is_cloud_resource])
    return next(iter(found)) if len(found) == 1 else ""


def render_user_program(program: Program) -> Graph:
    # Imported here: loading a program must not pay for the Pulumi SDK.
    from pulumi.runtime import config as pulumi_config

    from hardstack.render import engine

    target = program_target(program)
    references = program.config.get(STACK_REFERENCES) or {}
    if not isinstance(references, dict):
        raise SourceError(program.config_file or program.directory, f"{STACK_REFERENCES} is not a map.",
                          'Map each referenced stack to its outputs: {"org/project/stack": {"name": "value"}}.')
    saved_config = dict(pulumi_config.CONFIG.get())
    secret_keys = getattr(pulumi_config, "_SECRET_KEYS", None)  # private: absent from older SDKs
    saved_secrets = sorted(secret_keys.get()) if secret_keys is not None else []
    pulumi_config.set_all_config(cli_config(program.config), program.secret_keys)
    try:
        graph = engine.render_program(lambda: _run(program, references), program.stack, target,
                                      project=program.project).graph
    except RenderError as exc:
        raise failure(program.project, program.stack, {program.directory, program.main.parent}, exc) \
            from exc.__cause__ or exc
    finally:
        pulumi_config.set_all_config(saved_config, saved_secrets)
    if not target.cloud:
        graph.cloud = cloud_of(graph)
    return graph


def _run(program: Program, references: dict[str, Any]) -> None:
    from pulumi.runtime.stack import register_stack_transformation

    register_stack_transformation(_stack_reference_outputs(references))
    with _program_environment(program.main.parent):
        try:
            runpy.run_path(str(program.main), run_name="__main__")
        except SystemExit as exc:
            # A program may end early with sys.exit(); a nonzero status is a failure, and must not
            # end hardstack itself.
            if exc.code not in (None, 0):
                raise RuntimeError(f"the program exited with status {exc.code}") from exc


def _stack_reference_outputs(references: dict[str, Any]) -> Callable[[Any], Any]:
    from pulumi import ResourceTransformationResult

    def transform(args: Any) -> Any:
        # The mocks answer a read with its inputs, so the outputs given here are what
        # get_output sees.
        if args.type_ != STACK_REFERENCE_TYPE:
            return None
        outputs = references.get(str(args.props.get("name")), {})
        return ResourceTransformationResult(
            {**args.props, "outputs": dict(outputs), "secret_output_names": []}, args.opts)

    return transform


@contextmanager
def _program_environment(root: Path) -> Iterator[None]:
    """The program's directory first on sys.path and as the working directory; its modules
    isolated from any of the same name already imported (hardstack's own `components`), and
    forgotten afterwards so that the next render imports them afresh."""
    local = {p.stem for p in root.glob("*.py")} | {p.name for p in root.iterdir() if p.is_dir()}
    local = {n for n in local if n.isidentifier() and not n.startswith("__")}

    def ours(name: str) -> bool:
        return name.split(".", 1)[0] in local

    shadowed = {n: m for n, m in sys.modules.items() if ours(n)}
    for name in shadowed:
        del sys.modules[name]
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    sys.path.insert(0, str(root))
    os.chdir(root)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(shadowed)


__all__ = [
    "SECRET_PLACEHOLDER", "STACK_REFERENCES", "Program", "ProgramRunError", "SourceError", "cli_config",
    "cloud_of", "load_program", "program_target", "render_user_program",
]
