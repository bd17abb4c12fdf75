"""Fixtures for the AWS blueprint tests: the example stack rendered once, and variants."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hardstack.render import Graph, Resource, render_environment
from hardstack.spec import Environment, load

ROOT = Path(__file__).resolve().parents[2]
AWS_STACK = ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"


@pytest.fixture(scope="session")
def aws_spec() -> Environment:
    return load(AWS_STACK).environment


@pytest.fixture(scope="session")
def aws_graph(aws_spec: Environment) -> Graph:
    return render_environment(aws_spec, "aws-prod-eu").graph


@pytest.fixture(scope="session")
def render_variant(aws_spec: Environment) -> Callable[..., Graph]:
    """Render the example with some spec fields changed, e.g. network={"egress": "nat"}."""

    def render(**changes: Any) -> Graph:
        data = copy.deepcopy(aws_spec.model_dump(mode="python"))
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        return render_environment(Environment.model_validate(data), "aws-variant").graph

    return render


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
