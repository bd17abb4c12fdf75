"""Pulumi mocks that answer like the cloud providers: inputs echoed, computed attributes added."""

from __future__ import annotations

from typing import Any

import pulumi

from hardstack.render.computed import Target, aws, azure, gcp, short_hash

_BY_PACKAGE = {"aws": aws.computed, "gcp": gcp.computed, "azure-native": azure.computed}


class HardstackMocks(pulumi.runtime.Mocks):
    def __init__(self, target: Target) -> None:
        self.target = target

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        if not args.custom:
            return None, outputs
        package = args.typ.split(":", 1)[0]
        if package == "pulumi":  # providers: their id is what resources reference
            return f"{args.name}-{short_hash(args.typ, args.name, length=8)}", outputs
        compute = _BY_PACKAGE.get(package)
        extra = compute(args.typ, args.name, args.inputs, self.target) if compute else {}
        for key, value in extra.items():
            outputs.setdefault(key, value)
        return str(extra.get("id") or f"{args.name}-id"), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        # Blueprints avoid data-source invokes so that offline renders need no answers here.
        return {}, None
