"""Offline rendering of environments into resource graphs."""

from hardstack.render.computed import Target
from hardstack.render.engine import Rendered, RenderError, render, render_environment, render_program
from hardstack.render.graph import Graph, Resource

__all__ = [
    "Graph", "RenderError", "Rendered", "Resource", "Target", "render", "render_environment", "render_program",
]
