"""Turn a rendered graph into the arguments the Pulumi policy SDK hands to validate functions.

Values take the engine's road: properties and policy config are marshalled into a protobuf
Struct (as the engine's MarshalProperties and Configure do: every number a float), read back
the way pulumi_policy's server reads them, and properties are wrapped in its unknown-checking
list/dict proxies (pulumi_policy/policy.py, `Analyze` and `AnalyzeStack`). A rule that would
break on what the engine sends (json.dumps on a proxy, `isinstance(x, list)`, `proxy + [...]`)
breaks offline too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from hardstack.render import Graph, Resource


def to_struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """`values` as the protobuf Struct the engine sends (properties, policy config)."""
    struct = struct_pb2.Struct()
    struct.update(dict(values))
    return struct


def engine_props(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Properties exactly as pulumi_policy's server hands them to a policy: Struct -> dict ->
    `deserialize_properties` -> `unknown_checking_proxy` (lists and dicts become proxies)."""
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(to_struct(props))))


def engine_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Policy config as `Configure` stores it (`json_format.MessageToDict` of the Struct)."""
    return json_format.MessageToDict(to_struct(config))


def _options(res: Resource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=res.protect, ignore_changes=list(res.ignoreChanges), delete_before_replace=None, aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
        parent=res.parent or None,
    )


def _provider(graph: Graph, res: Resource) -> PolicyProviderResource | None:
    provider = graph.by_urn(res.provider_urn) if res.provider else None
    if provider is None:
        return None
    return PolicyProviderResource(provider.type, engine_props(provider.inputs), provider.urn, provider.name)


def resource_args(graph: Graph, res: Resource, config: Mapping[str, Any]) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type=res.type, props=engine_props(res.inputs), urn=res.urn, name=res.name,
        opts=_options(res), provider=_provider(graph, res), config=engine_config(config),
    )


def policy_resources(graph: Graph) -> list[PolicyResource]:
    """Every resource, linked to its parent, dependencies and per-property dependencies, as the
    engine passes them to stack policies."""
    made: dict[str, PolicyResource] = {}
    for res in graph:
        made[res.urn] = PolicyResource(
            resource_type=res.type, props=engine_props(res.inputs), urn=res.urn, name=res.name,
            opts=_options(res), provider=_provider(graph, res), parent=None, dependencies=[],
            property_dependencies={},
        )
    for res in graph:
        policy = made[res.urn]
        policy.parent = made.get(res.parent)
        policy.dependencies = [made[u] for u in res.dependencies if u in made]
        policy.property_dependencies = {
            prop: [made[u] for u in urns if u in made] for prop, urns in res.propertyDependencies.items()
        }
    return list(made.values())


def stack_args(resources: list[PolicyResource], config: Mapping[str, Any]) -> StackValidationArgs:
    return StackValidationArgs(resources=resources, config=engine_config(config))
