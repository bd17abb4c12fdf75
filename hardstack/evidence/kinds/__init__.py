"""Per-cloud tables that turn a rendered graph's resources into inventory nodes and edges."""

from __future__ import annotations

from hardstack.evidence.kinds import aws, azure, gcp
from hardstack.evidence.kinds.base import Index, Link, Reverse, Table

TABLES: tuple[Table, ...] = (aws.TABLE, azure.TABLE, gcp.TABLE)

__all__ = ["TABLES", "Index", "Link", "Reverse", "Table"]
