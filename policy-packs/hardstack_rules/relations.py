"""Navigating a stack's resources for stack rules: what configures what, what uses which key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource


def of_type(resources: Iterable[PolicyResource], *tokens: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in tokens]


def referenced(resource: PolicyResource, prop: str, *tokens: str) -> list[PolicyResource]:
    """The resources whose outputs feed `prop` of `resource`; only those of `tokens` if given."""
    found = list(resource.property_dependencies.get(prop, []) or [])
    return [r for r in found if r.resource_type in tokens] if tokens else found


def references(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    return any(dep.urn == target.urn for dep in referenced(resource, prop))


def configured(resources: Sequence[PolicyResource], target: PolicyResource, token: str,
               prop: str) -> list[PolicyResource]:
    """Resources of type `token` whose `prop` points at `target` (e.g. a bucket's versioning)."""
    return [r for r in of_type(resources, token) if references(r, prop, target)]


def ancestors(resource: PolicyResource) -> list[PolicyResource]:
    out, parent = [], resource.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


ROOT_STACK = "pulumi:pulumi:Stack"


def stack_ancestry(resource: PolicyResource | None) -> list[str]:
    """Names of a resource and of the components above it (not the root stack): what a spec
    exemption's `resource` may name."""
    names = []
    while resource is not None and resource.resource_type != ROOT_STACK:
        names.append(resource.name)
        resource = resource.parent
    return names
