"""Organisation defaults: a `hardstack:environment` in the project's Pulumi.yaml `config:`, merged
under every stack's spec.

Pulumi's own project-level config is documented at
https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options : a key maps to a
scalar set directly, or to a declaration; "anything more complex must be defined using the
structured schema declaration, or the nested value declaration", so a spec mapping is given as
`hardstack:environment: {value: {...}}` (or `default: {...}` of a schema declaration, which the
CLI applies the same way). A bare mapping of spec fields is not a documented form (the CLI's
project schema refuses keys other than type, items, description, secret, default and value), so
it is refused here too, with the fix.

Merge: mappings merge recursively and the stack's value wins for a scalar (null included) or a
list. Lists replace rather than extend: a list in the spec is a complete statement (workloads,
buckets, compliance), extending would leave a stack no way to drop an entry and would duplicate
unique names; it is also the JSON merge patch rule (RFC 7386) Pulumi uses for ESC environment
config. Defaults are defaults, not guardrails: a mandate belongs in a policy pack.

`name` and `exemptions` are refused as defaults: a name is each stack's own (it must equal the
stack's), and an exemption waives a security rule, so it must be approved and reviewed in the
stack it waives (the policy packs read exemptions from the stack's config alone).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

# loader imports this module for the merge; the module (not its names) is bound here, so the
# circular import resolves whichever side is imported first.
from hardstack.spec import loader
from hardstack.spec.errors import SpecError, SpecIssue

DOCS_URL = "https://www.pulumi.com/docs/iac/concepts/projects/project-file/#config-options"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
PROJECT_NAME = "hardstack"  # an unqualified project config key takes the project's name as namespace
REFUSED = {
    "name": "a stack's name is its own (it must equal the stack's); set it in each stack file",
    "exemptions": ("an exemption waives a security rule and must be approved in the stack it waives "
                   "(the policy packs read it from the stack's own config); list it in each stack file"),
}
_DECLARATION = {"value", "default", "description", "type", "secret", "items"}


@dataclass(frozen=True)
class ProjectDefaults:
    """The organisation defaults of a Pulumi.yaml: the spec mapping and where it stands."""

    file: Path
    node: Any  # the ruamel mapping given as `value:` or `default:` (line lookups)


def merge(under: Any, over: Any) -> Any:
    """`over` (the stack's) merged onto `under` (the defaults): mappings recursively, else `over`."""
    if isinstance(under, Mapping) and isinstance(over, Mapping):
        out = dict(under)
        for key, value in over.items():
            out[key] = merge(under[key], value) if key in under else value
        return out
    return over


def locate(stack_node: Any, stack_file: Path, defaults: ProjectDefaults | None,
           path: tuple[str | int, ...]) -> tuple[Path, int]:
    """(file, line) that gave the merged value at `path`: the stack's unless the stack lacks a key
    the defaults hold, from which point on the value is all the defaults'."""
    here, there = stack_node, (defaults.node if defaults is not None else None)
    for part in path:
        if isinstance(here, Mapping) and part in here:
            both = isinstance(there, Mapping) and part in there and isinstance(here[part], Mapping)
            here, there = here[part], (there[part] if both else None)
        elif isinstance(here, Mapping) and isinstance(there, Mapping) and part in there:
            assert defaults is not None
            return defaults.file, loader.line_of(defaults.node, path)
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here, there = here[part], None  # a list comes whole from one side
        else:
            break
    return stack_file, loader.line_of(stack_node, path)


def refused(defaults: ProjectDefaults) -> list[SpecIssue]:
    return [SpecIssue(defaults.file, loader.line_of(defaults.node, (key,)), key, f"not allowed as an organisation "
                      f"default: {why}") for key, why in REFUSED.items() if key in defaults.node]


def without_refused(node: Any) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in REFUSED}


def project_file(stack_file: Path) -> tuple[Path, Any] | None:
    """The Pulumi.yaml that governs `stack_file` and its parsed document, or None.

    As Pulumi finds it: the nearest directory holding a Pulumi.yaml (the stack file's, then its
    parent) is the project, and its stacks live in `stackConfigDir` (relative to Pulumi.yaml), else
    beside it; a stack file elsewhere is not one of its stacks and gets no defaults."""
    here = stack_file.parent.resolve()
    for directory in dict.fromkeys((here, here.parent)):
        found = next((directory / n for n in PROJECT_FILES if (directory / n).is_file()), None)
        if found is None:
            continue
        shown = found if stack_file.is_absolute() else Path(os.path.relpath(found))
        doc = loader.read_yaml(shown, "a Pulumi.yaml")
        if not isinstance(doc, CommentedMap):
            raise SpecError([SpecIssue(shown, 1, "", f"a project file is a mapping (name:, runtime:, config:), "
                                       f"not {type(doc).__name__}")])
        stack_dir = doc.get("stackConfigDir")
        if stack_dir is None and isinstance(doc.get("config"), str):
            stack_dir = doc["config"]  # the deprecated form of stackConfigDir
        if stack_dir is not None and not isinstance(stack_dir, str):
            raise SpecError([SpecIssue(shown, loader.line_of(doc, ("stackConfigDir",)), "stackConfigDir",
                                       "must be a directory path relative to Pulumi.yaml")])
        governs = (directory / (stack_dir or ".")).resolve() == here
        return (shown, doc) if governs else None
    return None


def project_defaults(stack_file: Path) -> ProjectDefaults | None:
    """The organisation defaults that reach `stack_file`, or None; SpecError when they are malformed."""
    found = project_file(stack_file)
    if found is None:
        return None
    file, doc = found
    return defaults_in(doc, file)


def defaults_in(doc: CommentedMap, file: Path) -> ProjectDefaults | None:
    config = doc.get("config")
    if config is None or isinstance(config, str):
        return None
    if not isinstance(config, CommentedMap):
        raise SpecError([SpecIssue(file, loader.line_of(doc, ("config",)), "", (
            f"'config:' must be a mapping of config keys, not {type(config).__name__} ({DOCS_URL})"))])
    full = loader.CONFIG_KEY
    short = full.split(":", 1)[1]
    # An unqualified key is the project's namespace: `environment` is hardstack:environment here.
    keys = [k for k in (full, short) if k in config and (k == full or doc.get("name") == PROJECT_NAME)]
    if not keys:
        return None
    if len(keys) > 1:
        raise SpecError([SpecIssue(file, loader.line_of(config, (short,)), "", (
            f"'{short}' and '{full}' are the same key in project '{PROJECT_NAME}': keep one"))])
    key = keys[0]
    entry = config[key]
    where = loader.line_of(config, (key,))

    def fail(line: int, message: str) -> SpecError:
        return SpecError([SpecIssue(file, line, "", f"'{key}' in Pulumi.yaml: {message} ({DOCS_URL})")])

    if not isinstance(entry, CommentedMap):
        raise fail(where, f"a spec is a mapping, given as 'value: {{...}}', not {type(entry).__name__}")
    unknown = [k for k in entry if k not in _DECLARATION]
    if unknown:
        raise fail(loader.line_of(entry, (unknown[0],)), (
            f"'{unknown[0]}' is not part of a config declaration; Pulumi takes a mapping only under "
            f"'value:' (or 'default:'), so write the spec fields one level down, under 'value:'"))
    if "value" in entry and "default" in entry:
        raise fail(loader.line_of(entry, ("default",)), "give 'value:' or 'default:', not both")
    if "type" in entry:
        raise fail(loader.line_of(entry, ("type",)), (
            "Pulumi checks every stack's value against 'type', and none of its types "
            "(string, integer, boolean, array) is a mapping: leave 'type' out"))
    if entry.get("secret"):
        raise fail(loader.line_of(entry, ("secret",)), "the spec holds no secrets; leave 'secret' out")
    field = "value" if "value" in entry else "default" if "default" in entry else None
    if field is None:
        return None  # a declaration without a value sets nothing
    node = entry[field]
    if node is None:
        return None
    if not isinstance(node, CommentedMap):
        raise fail(loader.line_of(entry, (field,)), (
            f"'{field}' must be a mapping of spec fields, not {type(node).__name__}"))
    return ProjectDefaults(file=file, node=node)
