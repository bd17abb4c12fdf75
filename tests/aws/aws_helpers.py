"""Helpers for the AWS blueprint tests: reading policies and keys out of rendered graphs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hardstack.render import Graph, Resource

ROOT = Path(__file__).resolve().parents[2]
AWS_STACK = ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"


def policy(resource: Resource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def statements(resource: Resource, key: str = "policy") -> list[dict[str, Any]]:
    return policy(resource, key)["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def key_arn(graph: Graph, purpose: str) -> str:
    """The mocked ARN of the environment's key for `purpose` (data, logs, compute)."""
    key = next(r for r in graph.of_type("aws:kms/key:Key") if r.inputs["tags"]["purpose"] == purpose)
    alias = next(r for r in graph.of_type("aws:kms/alias:Alias") if r.parent == key.parent)
    # The alias targets the key id; ARNs share that id as their last part.
    key_id = alias.inputs["targetKeyId"]
    return f"arn:aws:kms:{graph_region(graph)}:{graph_account(graph)}:key/{key_id}"


def graph_region(graph: Graph) -> str:
    return graph.of_type("pulumi:providers:aws")[0].inputs["region"]


def graph_account(graph: Graph) -> str:
    return json.loads(graph.of_type("pulumi:providers:aws")[0].inputs["allowedAccountIds"])[0]


def one(graph: Graph, token: str, part: str = "") -> Resource:
    """The one resource of `token` whose name contains `part` (fails if none or several)."""
    (found,) = [r for r in graph.of_type(token) if part in r.name]
    return found


def deps(resource: Resource, prop: str) -> list[str]:
    return (resource.propertyDependencies or {}).get(prop) or []


def workload_subnets(graph: Graph) -> set[str]:
    return {r.urn for r in graph.of_type("aws:ec2/subnet:Subnet") if r.inputs["tags"]["tier"] == "workload"}
