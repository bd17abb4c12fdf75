"""A private endpoint for one sub-resource (Key Vault `vault`, Storage `blob`, ...), registered
in the private DNS zone linked to the VNet, so the service's public name resolves to the private
IP from inside the network and the service can keep public network access disabled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network

# Group id -> the private DNS zone Azure uses for it (public cloud), from
# https://learn.microsoft.com/azure/private-link/private-endpoint-dns ("Azure services DNS zone
# configuration": Key Vault vault, Storage blob/dfs/file, Azure Machine Learning amlworkspace,
# whose endpoint also answers in privatelink.notebooks.azure.net, Container Registry registry,
# Azure OpenAI account).
DNS_ZONES: dict[str, str] = {
    "vault": "privatelink.vaultcore.azure.net",
    "blob": "privatelink.blob.core.windows.net",
    "dfs": "privatelink.dfs.core.windows.net",
    "file": "privatelink.file.core.windows.net",
    "amlworkspace": "privatelink.api.azureml.ms",
    "notebooks": "privatelink.notebooks.azure.net",  # not a group id: the workspace endpoint's second zone
    "registry": "privatelink.azurecr.io",
    "account": "privatelink.openai.azure.com",  # group "account" of an Azure OpenAI (kind OpenAI) account
}
# Group ids whose endpoint registers names in more than one zone: the zones after the first.
MORE_ZONES: dict[str, tuple[str, ...]] = {"amlworkspace": ("notebooks",)}


@dataclass
class PrivateEndpointArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    target_id: pulumi.Input[str]  # the resource the endpoint connects to
    group_id: str  # its sub-resource: "vault", "blob", ...
    subnet_id: pulumi.Input[str]
    dns_zone_id: pulumi.Input[str]
    tags: Mapping[str, str] = field(default_factory=dict)
    # DNS_ZONES key -> zone id, for the zones MORE_ZONES lists for the group.
    more_zone_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group_id not in DNS_ZONES:
            raise ValueError(f"unknown private endpoint group {self.group_id!r}; known: {', '.join(DNS_ZONES)}")
        missing = set(MORE_ZONES.get(self.group_id, ())) - set(self.more_zone_ids)
        if missing:
            raise ValueError(f"a {self.group_id} endpoint also needs the zones {sorted(missing)}")


class PrivateEndpoint(pulumi.ComponentResource):
    endpoint: network.PrivateEndpoint
    dns_group: network.PrivateDnsZoneGroup

    def __init__(self, name: str, args: PrivateEndpointArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:PrivateEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.endpoint = network.PrivateEndpoint(
            f"{name}-pe",
            private_endpoint_name=f"pe-{name}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet={"id": args.subnet_id},
            # An automatic connection: the target is in the same subscription and approved on creation.
            private_link_service_connections=[{
                "name": f"{name}-{args.group_id}",
                "private_link_service_id": args.target_id,
                "group_ids": [args.group_id],
            }],
            custom_network_interface_name=f"nic-pe-{name}",
            tags=dict(args.tags),
            opts=child,
        )
        self.dns_group = network.PrivateDnsZoneGroup(
            f"{name}-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=self.endpoint.name,
            resource_group_name=args.resource_group_name,
            private_dns_zone_configs=[{"name": DNS_ZONES[args.group_id], "private_dns_zone_id": args.dns_zone_id}]
            + [{"name": DNS_ZONES[k], "private_dns_zone_id": args.more_zone_ids[k]}
               for k in MORE_ZONES.get(args.group_id, ())],
            opts=child,
        )
        self.register_outputs({"id": self.endpoint.id})
