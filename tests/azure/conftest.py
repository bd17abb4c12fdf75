"""Fixtures for the Azure blueprint tests: both example stacks rendered once, and variants.

Helpers live in azure_helpers.py (a unique module name: tests/ has no packages and several
directories bring their own conftest.py).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from azure_helpers import AZURE_STACK, GPU_STACK

from hardstack.render import Graph, render_environment
from hardstack.spec import Environment, load


@pytest.fixture(scope="session")
def azure_spec() -> Environment:
    return load(AZURE_STACK).environment


@pytest.fixture(scope="session")
def azure_graph(azure_spec: Environment) -> Graph:
    return render_environment(azure_spec, "azure-prod-eu").graph


@pytest.fixture(scope="session")
def gpu_spec() -> Environment:
    return load(GPU_STACK).environment


@pytest.fixture(scope="session")
def gpu_graph(gpu_spec: Environment) -> Graph:
    return render_environment(gpu_spec, "azure-gpu-eu").graph


def _variant(spec: Environment, changes: dict[str, Any]) -> Environment:
    data = copy.deepcopy(spec.model_dump(mode="python"))
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return Environment.model_validate(data)


@pytest.fixture(scope="session")
def render_variant(azure_spec: Environment) -> Callable[..., Graph]:
    """Render the Azure example with some spec fields changed, e.g. network={"egress": "nat"}."""

    def render(**changes: Any) -> Graph:
        return render_environment(_variant(azure_spec, changes), "azure-variant").graph

    return render
