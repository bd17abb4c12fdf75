"""Why a render failed: importable without the Pulumi runtime, so that code which only handles
the error (the check, the CLI) never pays for the SDK."""

from __future__ import annotations


class RenderError(Exception):
    """The blueprint failed while building the resource graph."""
