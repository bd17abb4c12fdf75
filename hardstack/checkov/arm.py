"""Export a rendered Azure graph as an ARM template that checkov reads.

azure-native flattens ARM's `properties` and names some fields differently; a flattened
template makes checkov's checks pass falsely (they look inside `properties`). So everything
but the top-level ARM keys is re-nested into `properties`, renamed fields are mapped back,
sub-resource arrays get their own `properties`, and REST path parameters are dropped.
"""

from __future__ import annotations

from typing import Any

from hardstack.checkov.azure_types import ARM_TYPES, PATH_PARAMETERS, RENAMED, SUB_RESOURCE_ARRAYS, TOP_LEVEL
from hardstack.checkov.terraform_plan import Exported
from hardstack.render import Graph, Resource

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
API_VERSION = "2023-01-01"


def _sub_resource(item: Any) -> Any:
    if not isinstance(item, dict) or "properties" in item:
        return item
    outer = {k: v for k, v in item.items() if k in ("name", "id", "type")}
    inner = {k: v for k, v in item.items() if k not in outer}
    return {**outer, "properties": inner} if inner else outer


def _nest(arm_type: str, inputs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = dict(inputs.get("properties") or {})
    top: dict[str, Any] = {}
    for key, value in inputs.items():
        if key == "properties" or key in PATH_PARAMETERS or value is None:
            continue
        if key in TOP_LEVEL:
            top[key] = value
            continue
        name = RENAMED.get((arm_type, key), key)
        properties[name] = [_sub_resource(v) for v in value] if key in SUB_RESOURCE_ARRAYS else value
    if properties:
        top["properties"] = properties
    return top


def _name(res: Resource) -> str:
    for key in sorted(PATH_PARAMETERS):
        if key.endswith("Name") and key != "resourceGroupName" and res.inputs.get(key):
            return str(res.inputs[key])
    return str(res.inputs.get("name") or res.name)


def to_arm(graph: Graph) -> Exported:
    exported = Exported(plan={})
    resources: list[dict[str, Any]] = []
    for res in graph:
        if not res.custom or res.type.startswith("pulumi:providers:"):
            continue
        arm_type = ARM_TYPES.get(res.type)
        if arm_type is None:
            exported.unmapped.append(res)
            continue
        body = _nest(arm_type, res.inputs)
        body.pop("name", None)
        resource = {"type": arm_type, "apiVersion": API_VERSION, "name": _name(res), **body}
        resources.append(resource)
        # checkov names ARM resources "<type>.<name>"; two resources may share a name.
        exported.addresses[f"{arm_type}.{resource['name']}"] = res.urn
    exported.plan = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "parameters": {}, "resources": resources}
    return exported
