"""Fixtures for the AWS blueprint tests: the example stack rendered once, and variants."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from aws_helpers import AWS_STACK

from hardstack.render import Graph, render_environment
from hardstack.spec import Environment, load


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
