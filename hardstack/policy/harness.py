"""A small public test harness for CrossGuard policies, hardstack's or your own.

    from hardstack.policy.harness import check_resource
    assert check_resource(my_policy, "aws:s3/bucket:Bucket", {"acl": "public-read"}) == ["..."]

Policies are called exactly as the Pulumi engine calls them (SDK argument objects, the
policy's own validate function, properties as pulumi_policy's list/dict proxies with numbers
as floats); config schema defaults are applied as the CLI would. To run a whole pack directory
in its own process over gRPC, as `pulumi preview --policy-pack` does, use
hardstack.policy.engine_driver.PackProcess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from hardstack.policy.adapter import policy_resources, resource_args, stack_args
from hardstack.render import Graph, Resource
from hardstack.rules.rule import Rule

AnyPolicy = ResourceValidationPolicy | StackValidationPolicy | Rule


def _policy(policy: AnyPolicy) -> ResourceValidationPolicy | StackValidationPolicy:
    return policy.policy() if isinstance(policy, Rule) else policy


def _defaults(policy: AnyPolicy) -> dict[str, Any]:
    if isinstance(policy, Rule):
        return policy.defaults()
    schema = getattr(policy, "config_schema", None)
    props = getattr(schema, "properties", {}) or {}
    return {k: v["default"] for k, v in props.items() if "default" in v}


def resource(resource_type: str, props: Mapping[str, Any], name: str = "subject",
             parent: str = "") -> Resource:
    """A graph resource for a fixture: type, inputs (engine camelCase names) and a name."""
    return Resource(urn=f"urn:pulumi:test::test::{resource_type}::{name}", type=resource_type, name=name,
                    parent=parent, inputs=dict(props))


def check_resource(policy: AnyPolicy, resource_type: str, props: Mapping[str, Any],
                   config: Mapping[str, Any] | None = None) -> list[str]:
    """Violation messages of a resource policy for one resource (empty list: it holds)."""
    subject = resource(resource_type, props)
    graph = Graph(stack="test", project="test", cloud="", root="", resources=[subject])
    messages: list[str] = []
    validate = _policy(policy)
    if not isinstance(validate, ResourceValidationPolicy):
        raise TypeError("check_resource takes a resource policy; use check_stack for stack policies")
    args = resource_args(graph, subject, {**_defaults(policy), **(config or {})})
    validate.validate(args, lambda message, urn=None: messages.append(message))
    return messages


def check_stack(policy: AnyPolicy, resources: Sequence[Resource] | Graph,
                config: Mapping[str, Any] | None = None) -> list[tuple[str, str | None]]:
    """(message, resource name or None) for each violation of a stack policy."""
    graph = resources if isinstance(resources, Graph) else Graph(
        stack="test", project="test", cloud="", root="", resources=list(resources))
    validate = _policy(policy)
    if not isinstance(validate, StackValidationPolicy):
        raise TypeError("check_stack takes a stack policy; use check_resource for resource policies")
    found: list[tuple[str, str | None]] = []
    names = {r.urn: r.name for r in graph}
    validate.validate(stack_args(policy_resources(graph), {**_defaults(policy), **(config or {})}),
                      lambda message, urn=None: found.append((message, names.get(urn) if urn else None)))
    return found
