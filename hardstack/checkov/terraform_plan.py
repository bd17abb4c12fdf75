"""Export a rendered graph as a Terraform plan JSON that checkov reads.

checkov silently ignores a plan without `terraform_version` or a resource without
`mode: managed`, so both are always written, and the caller asserts checkov's resource count.
Pulumi's names become Terraform's: camelCase -> snake_case, pluralized list blocks -> singular
(`rules` -> `rule`, `ebsBlockDevices` -> `ebs_block_device`), nested objects -> one-element
lists as Terraform renders blocks. References between resources go into `configuration` so
checkov's graph checks (CKV2_*) see which bucket a policy belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hardstack.render.graph import Graph, Resource

TERRAFORM_VERSION = "1.9.8"
# Map-typed attributes: kept as objects, never turned into blocks or renamed inside.
MAP_ATTRIBUTES = {"tags", "tags_all", "volume_tags", "labels", "default_labels", "metadata",
                  "resource_labels", "effective_labels", "terraform_labels", "label_extractors",
                  "user_labels", "annotations"}
# Attributes holding JSON documents or free text: kept verbatim.
VERBATIM = {"policy", "assume_role_policy", "event_pattern", "user_data"}


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses") or name.endswith("xes"):
        return name[:-2]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def tf_key(key: str, value: Any, renames: Mapping[str, str]) -> str:
    if key in renames:
        return renames[key]
    name = snake(key)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return singular(name)
    return name


def tf_value(key: str, value: Any, renames: Mapping[str, str]) -> Any:
    if key in MAP_ATTRIBUTES or key in VERBATIM:
        return value
    if isinstance(value, dict):
        return [tf_values(value, renames)]  # a block: Terraform renders blocks as lists
    if isinstance(value, list):
        return [tf_values(v, renames) if isinstance(v, dict) else v for v in value]
    return value


def tf_values(inputs: Mapping[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if value is None:
            continue
        name = tf_key(key, value, renames)
        out[name] = tf_value(name, value, renames)
    return out


def address_name(resource: Resource) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", resource.name)


@dataclass
class Exported:
    plan: dict[str, Any]
    addresses: dict[str, str] = field(default_factory=dict)  # terraform address -> pulumi urn
    unmapped: list[Resource] = field(default_factory=list)  # custom resources with no table entry


def to_plan(graph: Graph, types: Mapping[str, str], renames: Mapping[str, str] | None = None) -> Exported:
    renames = renames or {}
    exported = Exported(plan={})
    planned: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    address_of: dict[str, str] = {}
    for res in graph:
        if not res.is_cloud_resource:
            continue
        tf_type = types.get(res.type)
        if tf_type is None:
            exported.unmapped.append(res)
            continue
        address = f"{tf_type}.{address_name(res)}"
        address_of[res.urn] = address
        exported.addresses[address] = res.urn
        planned.append({
            "address": address, "mode": "managed", "type": tf_type, "name": address_name(res),
            "provider_name": f"registry.terraform.io/hashicorp/{tf_type.split('_', 1)[0]}",
            "schema_version": 0, "values": tf_values(res.inputs, renames),
        })
    for res in graph:
        address = address_of.get(res.urn)
        if address is None:
            continue
        expressions: dict[str, Any] = {}
        for prop, urns in res.propertyDependencies.items():
            targets = [address_of[u] for u in urns if u in address_of]
            if targets:
                key = tf_key(prop, res.inputs.get(prop), renames)
                expressions[key] = {"references": [r for t in targets for r in (f"{t}.id", f"{t}.arn", t)]}
        configured.append({
            "address": address, "mode": "managed", "type": address.split(".")[0],
            "name": address.split(".", 1)[1], "expressions": expressions,
        })
    exported.plan = {
        "format_version": "1.2",
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {"root_module": {"resources": configured}},
    }
    return exported
