"""Fixtures for the AWS blueprint tests: the example stack rendered once, and variants (each
distinct variant rendered once per session, handed out as a deep copy: tests/conftest.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from aws_helpers import AWS_STACK

from hardstack.render import Graph
from hardstack.spec import Environment, load


@pytest.fixture(scope="session")
def aws_spec() -> Environment:
    return load(AWS_STACK).environment


@pytest.fixture(scope="session")
def aws_graph(aws_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(aws_spec, "aws-prod-eu")


@pytest.fixture(scope="session")
def render_variant(aws_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Callable[..., Graph]:
    """Render the example with some spec fields changed, e.g. network={"egress": "nat"}."""

    def render(**changes: Any) -> Graph:
        data = copy.deepcopy(aws_spec.model_dump(mode="python"))
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        return rendered(Environment.model_validate(data), "aws-variant")

    return render
