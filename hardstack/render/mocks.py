"""Pulumi mocks that answer like the cloud providers: inputs echoed, computed attributes added."""

from __future__ import annotations

import copy
from typing import Any

import pulumi

from hardstack.render import lookups
from hardstack.render.computed import Target, aws, azure, gcp, short_hash

_BY_PACKAGE = {"aws": aws.computed, "gcp": gcp.computed, "azure-native": azure.computed}


class HardstackMocks(pulumi.runtime.Mocks):
    def __init__(self, target: Target) -> None:
        self.target = target

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        # The outputs start as a deep copy of the inputs: a computed function may reshape a
        # nested value where the provider returns another shape than it takes, without touching
        # the inputs; the top-level values it returns are added where the inputs have none.
        outputs = copy.deepcopy(args.inputs)
        if not args.custom:
            return None, outputs
        package = args.typ.split(":", 1)[0]
        if package == "pulumi":  # providers: their id is what resources reference
            return f"{args.name}-{short_hash(args.typ, args.name, length=8)}", outputs
        compute = _BY_PACKAGE.get(package)
        extra = compute(args.typ, args.name, outputs, self.target) if compute else {}
        for key, value in extra.items():
            outputs.setdefault(key, value)
        return str(extra.get("id") or f"{args.name}-id"), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        # Deploy-time lookups (AMI ids, service agents) answered as the provider would. A bare
        # dict: the SDK's MockMonitor iterates a tuple's second element, so (dict, None) raises.
        return lookups.answer(args.token, dict(args.args), self.target)
