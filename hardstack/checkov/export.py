"""Write each rendered stack in the format checkov reads: Terraform plan JSON for AWS and GCP,
an ARM template for Azure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hardstack.checkov.arm import to_arm
from hardstack.checkov.aws_types import AWS_RENAMES, AWS_TYPES
from hardstack.checkov.gcp_types import GCP_RENAMES, GCP_TYPES
from hardstack.checkov.terraform_plan import to_plan
from hardstack.render.graph import Graph, Resource

TABLES = {"aws": (AWS_TYPES, AWS_RENAMES), "gcp": (GCP_TYPES, GCP_RENAMES)}
FORMATS = {"aws": "terraform-plan", "gcp": "terraform-plan", "azure": "arm"}
FRAMEWORK = {"terraform-plan": "terraform_plan", "arm": "arm"}


class ExportUnsupportedError(Exception):
    """No exporter for this cloud yet: its stacks are reported as unjudged by checkov."""


SUFFIX = {"terraform-plan": "tfplan.json", "arm": "arm.json"}


def export_path(stack: str, cloud: str, out_dir: Path) -> Path:
    return out_dir / f"{stack}.{SUFFIX[FORMATS[cloud]]}"


def is_export(path: Path) -> bool:
    """Whether `path` holds an earlier export (safe to replace), not some other file."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and ("terraform_version" in data or "deploymentTemplate" in str(data.get("$schema")))


@dataclass
class ExportText:
    """One stack's export before it is written: what the render cache keeps and workers return."""

    stack: str
    cloud: str
    format: str
    text: str
    addresses: dict[str, str] = field(default_factory=dict)  # checkov resource id -> pulumi urn
    unmapped: list[Resource] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.stack}.{SUFFIX[self.format]}"


@dataclass
class ExportedStack:
    """An export written to `path`, where checkov reads it."""

    export: ExportText
    path: Path

    @property
    def stack(self) -> str:
        return self.export.stack

    @property
    def format(self) -> str:
        return self.export.format

    @property
    def addresses(self) -> dict[str, str]:
        return self.export.addresses

    @property
    def unmapped(self) -> list[Resource]:
        return self.export.unmapped

    @property
    def framework(self) -> str:
        return FRAMEWORK[self.format]


def export_text(graph: Graph) -> ExportText:
    if graph.cloud in TABLES:
        exported = to_plan(graph, *TABLES[graph.cloud])
    elif graph.cloud == "azure":
        exported = to_arm(graph)
    else:
        raise ExportUnsupportedError(f"no checkov exporter for {graph.cloud} yet")
    text = json.dumps(exported.plan, indent=1, default=str) + "\n"
    return ExportText(graph.stack, graph.cloud, FORMATS[graph.cloud], text, exported.addresses, exported.unmapped)


def write_export(exported: ExportText, out_dir: Path) -> ExportedStack:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / exported.file_name
    path.write_text(exported.text)
    return ExportedStack(exported, path)


def export(graph: Graph, out_dir: Path) -> ExportedStack:
    return write_export(export_text(graph), out_dir)
