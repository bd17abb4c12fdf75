"""Building blocks every part of the spec shares: the strict base model, names, GPUs, GCP zones
and provisioning models (VM workloads and Kubernetes node pools take the same)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,28}[a-z0-9]$"),
    Field(description="lower-case letters, digits and '-', 2-30 characters, starting with a letter"),
]


class _Strict(BaseModel):
    # Unknown keys are typos until proven otherwise: a misspelt security setting must not be
    # silently ignored and replaced by a default.
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


GpuKind = Literal["h100", "a100", "l4", "t4"]
Provisioning = Literal["standard", "spot", "flex-start"]
Zone = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]+-[a-z]+[0-9]+-[a-z]$"),
    Field(description="a GCP zone such as europe-west4-c"),
]


class Gpu(_Strict):
    kind: GpuKind = Field(description="GPU model: h100, a100, l4 or t4")
    count: int = Field(1, ge=1, le=8)


class _Named(Protocol):
    name: str


NamedT = TypeVar("NamedT", bound=_Named)


def unique_names(items: Sequence[NamedT], what: str) -> Sequence[NamedT]:
    """`items` unchanged, or a validation error naming every repeated name (`what`: "bucket")."""
    names = [item.name for item in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PydanticCustomError("unique", "{what} names must be unique; repeated: {dupes}",
                                  {"what": what, "dupes": ", ".join(dupes)})
    return items
