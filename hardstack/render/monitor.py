"""A MockMonitor that records everything the engine would be told about each resource.

`MockResourceArgs` lacks parents, dependencies, providers and protect flags; the raw
RegisterResource request has them all, so this monitor keeps a copy of each request.
"""

from __future__ import annotations

from typing import Any

from pulumi import asset
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from hardstack.render.graph import Lookup, Resource

STACK_TYPE = "pulumi:pulumi:Stack"


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.recorded: list[Resource] = []
        self.lookups: list[Lookup] = []
        self.root = ""

    def Invoke(self, request: Any) -> Any:  # noqa: N802 gRPC method name
        response = super().Invoke(request)
        if request.tok != "pulumi:pulumi:getResource":
            self.lookups.append(Lookup(
                token=request.tok, args=_plain(rpc.deserialize_properties(request.args)),
                result=_plain(rpc.deserialize_properties(getattr(response, "return")))))
        return response

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 gRPC method name
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            self.root = response.urn
            return response
        self.recorded.append(Resource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            parent=request.parent,
            inputs=_plain(rpc.deserialize_properties(request.object)),
            dependencies=list(request.dependencies),
            propertyDependencies={
                key: list(value.urns) for key, value in request.propertyDependencies.items()
                if list(value.urns)
            },
            provider=request.provider,
            protect=bool(request.protect),
            custom=bool(request.custom),
            ignoreChanges=list(request.ignoreChanges),
            retainOnDelete=bool(request.HasField("retainOnDelete") and request.retainOnDelete),
        ))
        return response


def _asset(value: asset.Asset | asset.Archive) -> dict[str, Any]:
    """An asset or archive (a function's code) as the engine's JSON shows it to policy packs:
    the signature key and its path, text, URI or member assets."""
    sig = rpc._special_asset_sig if isinstance(value, asset.Asset) else rpc._special_archive_sig
    out: dict[str, Any] = {rpc._special_sig_key: sig}
    for field in ("path", "text", "uri"):
        if isinstance(getattr(value, field, None), str):
            out[field] = getattr(value, field)
    if isinstance(value, asset.AssetArchive):
        out["assets"] = {k: _asset(v) for k, v in value.assets.items()}
    return out


def _plain(value: Any) -> Any:
    """Engine values as JSON: floats that are whole numbers become ints, as users wrote them;
    assets and archives in the engine's JSON form."""
    if isinstance(value, (asset.Asset, asset.Archive)):
        return _asset(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
