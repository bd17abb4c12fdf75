"""The shape of what one cloud's managed AI platform offers; each cloud fills one in
(`hardstack.spec.platforms.aws`, `.gcp`, `.azure`) with the source of every fact beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hardstack.spec.view import Problem, SpecView


@dataclass(frozen=True)
class PlatformOffer:
    cloud: str
    service: str  # how users know the platform, for messages ("SageMaker and Bedrock")
    notebook_service: str  # "SageMaker notebook instances"
    notebook_default: str
    notebook_sizes: tuple[str, ...]  # every notebook size hardstack accepts, exactly
    notebook_source: str
    # Who a notebook belongs to: what an owner is written as (None: the cloud's notebooks have no owner),
    # its pattern, whether the cloud needs one, and why (shown when an owner is refused or missing).
    owner_kind: str | None
    owner_pattern: str
    owner_required: bool
    owner_note: str
    endpoint_fields: frozenset[str]  # the endpoint settings beyond `name` this cloud takes
    endpoint_default: str | None  # the serving size when the cloud takes one and none is given
    endpoint_sizes: tuple[str, ...]
    endpoint_note: str  # why the other settings are not taken, for the refusal
    model_families: Mapping[str, str]  # family -> the model ids it covers (for messages and grants)
    model_source: str
    # family -> regions where it can be invoked; a family left out is offered wherever the platform is
    model_regions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    model_regions_source: str = ""
    # Rules only this cloud has (regions of a service, names derived from the spec).
    extra: Callable[[SpecView], Iterable[Problem]] | None = None
