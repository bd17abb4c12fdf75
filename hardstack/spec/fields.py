"""Building blocks every part of the spec shares: the strict base model and the name type."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,28}[a-z0-9]$"),
    Field(description="lower-case letters, digits and '-', 2-30 characters, starting with a letter"),
]


class _Strict(BaseModel):
    # Unknown keys are typos until proven otherwise: a misspelt security setting must not be
    # silently ignored and replaced by a default.
    model_config = ConfigDict(extra="forbid", populate_by_name=False)
