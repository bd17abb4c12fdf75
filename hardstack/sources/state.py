"""A Graph from `pulumi stack export`: the resources a stack's state records.

The file is an UntypedDeployment, {"version": N, "deployment": DeploymentV3}, whose resources are ResourceV3
(sdk/go/common/apitype/core.go, https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/core.go;
JSON schema: https://github.com/pulumi/pulumi/blob/master/sdk/go/common/apitype/deployments.json; the command:
https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_export/). Version 4 is the same DeploymentV3 with a
"features" list (views, hooks, taint...) the CLI writes only when a stack uses them
(DeploymentSchemaVersionLatest in core.go), so both are read.

Property values are serialized as in pkg/resource/stack/deployment.go (SerializePropertyValue,
https://github.com/pulumi/pulumi/blob/master/pkg/resource/stack/deployment.go): a secret is
{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": JSON-TEXT} with
--show-secrets and {... "ciphertext": ...} without; a value unknown at preview time is the string
"04da6b54-80e4-46f7-96ec-b56ff0331ba9".
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hardstack.render.graph import Graph, Resource
from hardstack.sources import urns
from hardstack.sources.errors import SourceError, SourceWarning

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# Unknowns stay as the engine writes them: a rule asking "is this set?" should hear yes, since it will be.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# What `pulumi preview --json` writes for every secret (massagePropertyValue in pkg/backend/display/json.go);
# an encrypted secret read with redact_encrypted=True becomes the same string, so rules see one convention.
SECRET_PLACEHOLDER = "[secret]"
# Bridged (Terraform) providers record which properties they defaulted under this key, in any object; it is
# bookkeeping, not a property, and rendered graphs never carry it.
DEFAULTS_KEY = "__defaults"
VERSIONS = (3, 4)
SHOW_SECRETS = "Export it again with `pulumi stack export --show-secrets --file FILE`"


def read_state(path: Path, *, redact_encrypted: bool = False) -> Graph:
    """The Graph of the resources that `pulumi stack export` recorded in the file at `path`.

    Encrypted secrets in inputs are an error unless `redact_encrypted`: a rule reading a placeholder would
    judge a value it never saw. With it they become "[secret]" and a SourceWarning says where.
    Resources marked for deletion and external (read) resources are left out: the stack neither keeps nor
    manages them. Outputs are not read, so secrets encrypted there do not matter.
    """
    data = load_json(path)
    if not isinstance(data, dict):
        raise SourceError(path, f"expected a JSON object, found {_kind(data)}.", _EXPORT_FIX)
    if "steps" in data and "deployment" not in data:
        raise SourceError(path, "this is `pulumi preview --json` output, not a state export.",
                          "Read it as a preview (hardstack.sources.preview.read_preview).")
    if "checkpoint" in data and "deployment" not in data:
        raise SourceError(path, "this is a backend checkpoint file, not a state export.", _EXPORT_FIX)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SourceError(path, "no deployment \"version\" number at the top level.", _EXPORT_FIX)
    if version not in VERSIONS:
        newer = version > max(VERSIONS)
        raise SourceError(
            path, f"deployment version {version} is not supported (hardstack reads versions 3 and 4).",
            "Upgrade hardstack to read it." if newer else
            "Export it again with a current Pulumi CLI, which migrates old state to version 3.")
    deployment = data.get("deployment")
    if not isinstance(deployment, dict):
        raise SourceError(path, "\"deployment\" is missing or not an object.", _EXPORT_FIX)
    raw = deployment.get("resources") or []
    if not isinstance(raw, list):
        raise SourceError(path, "\"deployment.resources\" is not a list.", _EXPORT_FIX)
    kept = [r for r in _resource_objects(path, raw, "deployment.resources")
            if not r.get("delete") and not r.get("external")]
    return assemble(path, kept, redact_encrypted=redact_encrypted, what="state export")


_EXPORT_FIX = "Give the output of `pulumi stack export --show-secrets --file FILE`."


def load_json(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(path, "no such file.") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}).",
                          "Write the file with the Pulumi CLI's --file option rather than a shell redirect.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                          "Give the file exactly as the Pulumi CLI wrote it (no log lines around it).") from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


def _resource_objects(path: Path, raw: list[Any], where: str) -> list[dict[str, Any]]:
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise SourceError(path, f"{where}[{i}] is {_kind(item)}, not a resource object.", _EXPORT_FIX)
    return raw


def assemble(path: Path, raw: list[dict[str, Any]], *, redact_encrypted: bool, what: str,
             missing_fix: str = "") -> Graph:
    """A Graph from ResourceV3 objects (a state export's resources, or a preview's new states)."""
    parsed = []
    for i, item in enumerate(raw):
        urn = parse_urn(path, item.get("urn"), f"resource {i}")
        parsed.append((urn, item))
    if not parsed:
        raise SourceError(path, f"the {what} has no resources.", "Export or preview a stack that has resources.")
    pairs = {(u.stack, u.project) for u, _ in parsed}
    if len(pairs) > 1:
        found = ", ".join(f"{p}/{s}" for s, p in sorted(pairs))
        raise SourceError(path, f"resources from more than one stack ({found}).", "Give one stack's file.")
    ((stack, project),) = pairs
    roots = [item["urn"] for u, item in parsed if u.type == urns.STACK_TYPE and not item.get("parent")]
    root = roots[0] if roots else urns.root_urn(stack, project)

    redacted: list[str] = []
    resources = [_resource(path, u, item, redact_encrypted, redacted)
                 for u, item in parsed if u.type != urns.STACK_TYPE]
    resources.sort(key=lambda r: r.urn)
    if redacted:
        warnings.warn(SourceWarning(
            f"{path}: {len(redacted)} encrypted secret input(s) judged as {SECRET_PLACEHOLDER!r}: "
            f"{', '.join(redacted[:5])}{' ...' if len(redacted) > 5 else ''}. {SHOW_SECRETS} to judge them."),
            stacklevel=3)
    _warn_dangling(path, resources, root, missing_fix)
    return Graph(stack=stack, project=project, cloud=_cloud(path, resources, what), root=root, resources=resources)


def parse_urn(path: Path, urn: Any, where: str) -> urns.Urn:
    parsed = urns.parse(urn)
    if parsed is None:
        raise SourceError(path, f"{where} has no valid URN ({urn!r}); expected urn:pulumi:STACK::PROJECT::TYPE::NAME.",
                          _EXPORT_FIX)
    return parsed


def _resource(path: Path, urn: urns.Urn, item: dict[str, Any], redact: bool, redacted: list[str]) -> Resource:
    where = item["urn"]
    inputs = item.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise SourceError(path, f"the inputs of {where} are not an object.", _EXPORT_FIX)
    deps = item.get("propertyDependencies") or {}
    return Resource(
        urn=where,
        type=str(item.get("type") or urn.type),
        name=urn.name,
        parent=item.get("parent") or "",
        inputs=plain(path, inputs, where, redact, redacted),
        # Sorted and without the engine's empty (null) lists, as the renderer records them.
        dependencies=sorted(set(item.get("dependencies") or [])),
        propertyDependencies={k: sorted(set(v)) for k, v in sorted(deps.items()) if v},
        provider=item.get("provider") or "",
        protect=bool(item.get("protect")),
        custom=bool(item.get("custom")),
        ignoreChanges=list(item.get("ignoreChanges") or []),
        retainOnDelete=bool(item.get("retainOnDelete")),
    )


def plain(path: Path, value: Any, where: str, redact: bool, redacted: list[str]) -> Any:
    """Serialized property values as policy rules read them: secrets opened, bridge bookkeeping dropped.

    Other signed objects (assets, archives, resource references) stay as serialized: rules do not read them.
    """
    if isinstance(value, list):
        return [plain(path, v, f"{where}[{i}]", redact, redacted) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if value.get(SIG_KEY) == SECRET_SIG:
        if "plaintext" in value:
            try:
                inner = json.loads(value["plaintext"])
            except (TypeError, json.JSONDecodeError):
                raise SourceError(path, f"the secret at {where} has plaintext that is not JSON text.",
                                  _EXPORT_FIX) from None
            return plain(path, inner, where, redact, redacted)
        if not redact:
            raise SourceError(path, f"secrets are encrypted (first at {where}); hardstack cannot judge them.",
                              f"{SHOW_SECRETS}, or read it with redact_encrypted=True to judge them as "
                              f"{SECRET_PLACEHOLDER!r}.")
        redacted.append(where)
        return SECRET_PLACEHOLDER
    return {k: plain(path, v, f"{where}.{k}", redact, redacted) for k, v in value.items() if k != DEFAULTS_KEY}


def _cloud(path: Path, resources: Iterable[Resource], what: str) -> str:
    judged = [r.type for r in resources if r.is_cloud_resource]
    counts = urns.clouds(judged)
    if not counts:
        seen = ", ".join(sorted({t.split(":", 1)[0] for t in judged})) or "none"
        raise SourceError(path, f"the {what} has no AWS (aws:), Azure (azure-native:) or Google Cloud (gcp:) "
                          f"resources (cloud resource packages found: {seen}).",
                          "hardstack judges stacks built with the aws, azure-native or gcp providers.")
    (cloud, top), *rest = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if rest:
        others = ", ".join(f"{n} {c}" for c, n in rest)
        warnings.warn(SourceWarning(f"{path}: judged as {cloud} ({top} resources); rules for {cloud} "
                                    f"do not cover the other clouds' resources ({others})."), stacklevel=4)
    return cloud


def _warn_dangling(path: Path, resources: list[Resource], root: str, fix: str) -> None:
    known = {r.urn for r in resources} | {root}
    missing = sorted({u for r in resources for u in [r.parent, *r.dependencies] if u and u not in known})
    if missing:
        warnings.warn(SourceWarning(
            f"{path}: {len(missing)} resource(s) referred to as parent or dependency are not in the file "
            f"(first: {missing[0]}); rules that follow references will not find them." + (f" {fix}" if fix else "")),
            stacklevel=4)
