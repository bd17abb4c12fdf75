"""Export a rendered Azure graph as an ARM template that checkov reads.

azure-native flattens ARM's `properties` and names some fields differently; a flattened
template makes checkov's checks pass falsely (they look inside `properties`). So everything
but the top-level ARM keys is re-nested into `properties`, renamed fields are mapped back (also
below the top level), sub-resource arrays get their own `properties`, user-assigned identities
become ARM's map of ids, REST path parameters are dropped, and child resources get ARM's path
names ("vault/key"), so that no two resources of a template share a checkov address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hardstack.checkov.azure_types import (
    ARM_TYPES,
    DISCRIMINATED,
    NAME_PARTS,
    NESTED_RENAMED,
    PATH_PARAMETERS,
    RENAMED,
    SCOPE_INPUTS,
    SUB_RESOURCE_ARRAYS,
    TOKEN_NAME_PARTS,
    TOP_LEVEL,
)
from hardstack.checkov.terraform_plan import Exported
from hardstack.render.graph import Graph, Resource

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
API_VERSION = "2023-01-01"


def _sub_resource(item: Any) -> Any:
    if not isinstance(item, dict) or "properties" in item:
        return item
    outer = {k: v for k, v in item.items() if k in ("name", "id", "type")}
    inner = {k: v for k, v in item.items() if k not in outer}
    return {**outer, "properties": inner} if inner else outer


def _renamed(value: Any, renames: Mapping[tuple[str, ...], str], path: tuple[str, ...] = ()) -> Any:
    """`value` with the keys at the given azure-native paths given their ARM names."""
    if isinstance(value, list):
        return [_renamed(v, renames, path) for v in value]
    if not isinstance(value, dict):
        return value
    return {renames.get((*path, k), k): _renamed(v, renames, (*path, k)) for k, v in value.items()}


def _identity(identity: Any) -> Any:
    # azure-native takes a list of identity ids; ARM keys them: {"<id>": {}}.
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        return {**identity, "userAssignedIdentities": {str(i): {} for i in identity["userAssignedIdentities"]}}
    return identity


def _discriminated(properties: dict[str, Any], arm_type: str) -> dict[str, Any]:
    """Nest a flattened polymorphic object's fields under its own `properties` again."""
    for path, discriminator in DISCRIMINATED.get(arm_type, {}).items():
        *parents, last = path
        node: Any = properties
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        value = node.get(last) if isinstance(node, dict) else None
        if isinstance(value, dict) and "properties" not in value:
            rest = {k: v for k, v in value.items() if k != discriminator}
            node[last] = {discriminator: value.get(discriminator), **({"properties": rest} if rest else {})}
    return properties


def _nest(arm_type: str, inputs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = dict(inputs.get("properties") or {})
    top: dict[str, Any] = {}
    for key, value in inputs.items():
        if value is None or key == "properties":
            continue
        if key in SCOPE_INPUTS:
            top["scope"] = value
            continue
        if key in PATH_PARAMETERS:
            continue
        if key in TOP_LEVEL:
            top[key] = _identity(value) if key == "identity" else value
            continue
        name = RENAMED.get((arm_type, key), key)
        properties[name] = [_sub_resource(v) for v in value] if key in SUB_RESOURCE_ARRAYS else value
    if properties:
        top["properties"] = _discriminated(_renamed(properties, NESTED_RENAMED.get(arm_type, {})), arm_type)
    return top


def _name(arm_type: str, res: Resource) -> str:
    """ARM's name: the resource's own name, prefixed by its parents' for a child type."""
    segments = []
    for part in TOKEN_NAME_PARTS.get(res.type) or NAME_PARTS.get(arm_type, ("name",)):
        value = part[1:] if part.startswith("=") else res.inputs.get(part)
        segments.append(str(value or res.name))
    return "/".join(segments)


def to_arm(graph: Graph) -> Exported:
    exported = Exported(plan={})
    resources: list[dict[str, Any]] = []
    for res in graph:
        if not res.is_cloud_resource:
            continue
        arm_type = ARM_TYPES.get(res.type)
        if arm_type is None:
            exported.unmapped.append(res)
            continue
        body = _nest(arm_type, res.inputs)
        body.pop("name", None)
        name = _name(arm_type, res)
        # checkov names ARM resources "<type>.<name>". Two resources may still share a path when
        # they live in different resource groups (a flow log sits in NetworkWatcherRG): number them.
        address, n = f"{arm_type}.{name}", 1
        while address in exported.addresses:
            n += 1
            address = f"{arm_type}.{name}-{n}"
        name = address[len(arm_type) + 1:]
        resources.append({"type": arm_type, "apiVersion": API_VERSION, "name": name, **body})
        exported.addresses[address] = res.urn
    exported.plan = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "parameters": {}, "resources": resources}
    return exported
