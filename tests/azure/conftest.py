"""Fixtures for the Azure blueprint tests: both example stacks rendered once, and variants (each
distinct variant rendered once per session, handed out as a deep copy: tests/conftest.py).

Helpers live in azure_helpers.py (a unique module name: tests/ has no packages and several
directories bring their own conftest.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from azure_helpers import AZURE_STACK, GPU_STACK

from hardstack.render import Graph
from hardstack.spec import Environment, load


@pytest.fixture(scope="session")
def azure_spec() -> Environment:
    return load(AZURE_STACK).environment


@pytest.fixture(scope="session")
def azure_graph(azure_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(azure_spec, "azure-prod-eu")


@pytest.fixture(scope="session")
def gpu_spec() -> Environment:
    return load(GPU_STACK).environment


@pytest.fixture(scope="session")
def gpu_graph(gpu_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(gpu_spec, "azure-gpu-eu")


def _variant(spec: Environment, changes: dict[str, Any]) -> Environment:
    data = copy.deepcopy(spec.model_dump(mode="python"))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return Environment.model_validate(data)


@pytest.fixture(scope="session")
def render_variant(azure_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Callable[..., Graph]:
    """Render the Azure example with some spec fields changed, e.g. network={"egress": "nat"}."""

    def render(**changes: Any) -> Graph:
        return rendered(_variant(azure_spec, changes), "azure-variant")

    return render
