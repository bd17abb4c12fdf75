"""Turn a rendered graph into the arguments the Pulumi policy SDK hands to validate functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from hardstack.render import Graph, Resource


def _options(res: Resource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=res.protect, ignore_changes=[], delete_before_replace=None, aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
        parent=res.parent or None,
    )


def _provider(graph: Graph, res: Resource) -> PolicyProviderResource | None:
    provider = graph.by_urn(res.provider_urn) if res.provider else None
    if provider is None:
        return None
    return PolicyProviderResource(provider.type, provider.inputs, provider.urn, provider.name)


def resource_args(graph: Graph, res: Resource, config: Mapping[str, Any]) -> ResourceValidationArgs:
    return ResourceValidationArgs(
        resource_type=res.type, props=res.inputs, urn=res.urn, name=res.name,
        opts=_options(res), provider=_provider(graph, res), config=dict(config),
    )


def policy_resources(graph: Graph) -> list[PolicyResource]:
    """Every resource, linked to its parent, dependencies and per-property dependencies, as the
    engine passes them to stack policies."""
    made: dict[str, PolicyResource] = {}
    for res in graph:
        made[res.urn] = PolicyResource(
            resource_type=res.type, props=res.inputs, urn=res.urn, name=res.name, opts=_options(res),
            provider=_provider(graph, res), parent=None, dependencies=[], property_dependencies={},
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
    return StackValidationArgs(resources=resources, config=dict(config))
