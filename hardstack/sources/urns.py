"""Pulumi URNs: urn:pulumi:STACK::PROJECT::QUALIFIED-TYPE::NAME.

The parsing follows the engine's own (sdk/go/common/resource/urn/urn.go,
https://github.com/pulumi/pulumi/blob/master/sdk/go/common/resource/urn/urn.go): the name is everything after
the third "::" (so a name may itself contain "::"), and the qualified type is the parent types and the
resource's own type joined by "$", of which the type is the last.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

PREFIX = "urn:pulumi:"
STACK_TYPE = "pulumi:pulumi:Stack"

# Type-token prefixes hardstack has rules and exporters for, and the cloud names Graph.cloud uses.
# Only azure-native counts as Azure: the classic azure provider's properties are not what the rules read.
CLOUDS = {"aws:": "aws", "azure-native:": "azure", "gcp:": "gcp"}


@dataclass(frozen=True)
class Urn:
    stack: str
    project: str
    qualified_type: str
    name: str

    @property
    def type(self) -> str:
        return self.qualified_type.rsplit("$", 1)[-1]


def parse(urn: str) -> Urn | None:
    """The URN's parts, or None when it is not a Pulumi URN."""
    if not isinstance(urn, str) or not urn.startswith(PREFIX):
        return None
    parts = urn[len(PREFIX):].split("::", 3)
    if len(parts) != 4 or not all(parts):
        return None
    return Urn(*parts)


def root_urn(stack: str, project: str) -> str:
    # The engine names the root stack resource PROJECT-STACK (CreateRootStackResource in
    # https://github.com/pulumi/pulumi/blob/master/pkg/resource/stack/checkpoint.go); used only when a file omits it.
    return f"{PREFIX}{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def cloud_of(type_token: str) -> str | None:
    return next((cloud for prefix, cloud in CLOUDS.items() if type_token.startswith(prefix)), None)


def clouds(types: list[str]) -> Counter[str]:
    """How many of the given (custom, non-provider) resource types belong to each supported cloud."""
    return Counter(c for c in map(cloud_of, types) if c)
