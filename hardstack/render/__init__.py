"""Offline rendering of environments into resource graphs.

The graph, its resources, the render target and the render error import nothing of Pulumi; the
renderer itself (`render`, `render_environment`, `render_program`, `Rendered`) loads the Pulumi
runtime on first use, so that commands which only read graphs or specs start instantly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hardstack.render.computed import Target
from hardstack.render.errors import RenderError
from hardstack.render.graph import Graph, Resource

if TYPE_CHECKING:
    from hardstack.render.engine import Rendered, render, render_environment, render_program

_ENGINE = ("Rendered", "render", "render_environment", "render_program")


def __getattr__(name: str) -> Any:
    if name in _ENGINE:
        return getattr(importlib.import_module("hardstack.render.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Graph", "RenderError", "Rendered", "Resource", "Target", "render", "render_environment", "render_program",
]
