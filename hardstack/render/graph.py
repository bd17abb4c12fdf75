"""The rendered resource graph: what a stack would ask the Pulumi engine to create."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    parent: str
    inputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    propertyDependencies: dict[str, list[str]] = field(default_factory=dict)  # noqa: N815 engine name
    provider: str = ""
    protect: bool = False
    custom: bool = True
    # Resource options the engine honours on later updates (recorded so tests can pin them):
    # properties whose changes are ignored, and whether `pulumi destroy` leaves the resource.
    ignoreChanges: list[str] = field(default_factory=list)  # noqa: N815 engine name
    retainOnDelete: bool = False  # noqa: N815 engine name

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    @property
    def is_cloud_resource(self) -> bool:
        """Something a cloud will create: a custom resource that is not a provider."""
        return self.custom and not self.is_provider

    @property
    def provider_urn(self) -> str:
        # Provider references are "<urn>::<id>"; the URN itself contains "::" separators.
        return self.provider.rsplit("::", 1)[0] if self.provider else ""


@dataclass
class Lookup:
    """A value the program reads from the cloud at deploy time (a Pulumi invoke)."""

    token: str
    args: dict[str, Any]
    result: dict[str, Any]


@dataclass
class Graph:
    stack: str
    project: str
    cloud: str
    root: str  # URN of the pulumi:pulumi:Stack resource every tree hangs from
    resources: list[Resource]
    lookups: list[Lookup] = field(default_factory=list)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_type(self, token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str) -> Resource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r} in stack {self.stack}")
        return found[0]

    def by_urn(self, urn: str) -> Resource | None:
        return next((r for r in self.resources if r.urn == urn), None)

    def children(self, urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == urn]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "project": self.project,
            "cloud": self.cloud,
            "root": self.root,
            "resources": [asdict(r) for r in self.resources],
            "lookups": [asdict(lookup) for lookup in self.lookups],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str) + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Graph:
        return cls(
            stack=data["stack"], project=data["project"], cloud=data["cloud"], root=data["root"],
            resources=[Resource(**r) for r in data["resources"]],
            lookups=[Lookup(**lookup) for lookup in data.get("lookups", [])],
        )

    @classmethod
    def read(cls, path: Path) -> Graph:
        return cls.from_dict(json.loads(path.read_text()))
