"""Offline rendering of environments into resource graphs."""

from hardstack.render.engine import Rendered, RenderError, render, render_environment
from hardstack.render.graph import Graph, Resource

__all__ = ["Graph", "RenderError", "Rendered", "Resource", "render", "render_environment"]
