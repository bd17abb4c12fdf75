"""A private VNet: no public IPs on workloads, nothing in from the internet, nothing out unless
the spec allows egress, private DNS for every private endpoint, and VNet flow logs.

Subnets: "workload" (the VMs) and "endpoints" (private endpoints of Key Vault and Storage);
egress "proxy" adds a "proxy" subnet for the team's forward proxy. Every subnet has its own
NSG, no default outbound access, and ends its rules with deny-all in both directions.
Egress modes: "none" gives no NAT gateway and denies outbound to the internet; "nat" attaches a
NAT gateway to the workload subnet and allows HTTPS out; "proxy" attaches the NAT gateway to
the proxy subnet only, and workloads may reach the internet only through that proxy.
Flow logs of the VNet are a component of their own (flow_logs.VnetFlowLog): they need the log
storage account, whose key lives in a vault reached through this network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi_azure_native import network, privatedns

from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.components.azure.private_endpoint import DNS_ZONES

Egress = Literal["none", "nat", "proxy"]
PROXY_PORTS = ["3128", "443"]


@dataclass
class PrivateNetworkArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    cidr: str
    workspace_id: pulumi.Input[str]  # NSG diagnostics go there
    egress: Egress = "none"
    private_dns_groups: Sequence[str] = ("vault", "blob")
    # People reach the AI platform (the Azure ML studio, notebooks, online endpoints) through its
    # private endpoints from networks joined to the VNet (peering, VPN or ExpressRoute gateway):
    # the VirtualNetwork service tag, which covers those address spaces, may reach the endpoints
    # subnet on 443. Off, only the workload subnet may.
    platform_clients: bool = False
    # An AKS cluster (components/azure/aks.py): its node subnet and the delegated subnet its API
    # server is injected into (API Server VNet Integration), in the third quarter of the range.
    kubernetes: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        net = ipaddress.IPv4Network(self.cidr)
        if not net.is_private:
            raise ValueError(f"{self.cidr} is not a private range")
        if self.kubernetes and self.egress == "proxy":
            raise ValueError("an AKS cluster and egress 'proxy' both need the range's third quarter; use egress "
                             "'nat' or 'none' with kubernetes")
        unknown = set(self.private_dns_groups) - set(DNS_ZONES)
        if unknown:
            raise ValueError(f"no private DNS zone known for {sorted(unknown)}")


# The overlay ranges of an AKS cluster's pods and services (Azure CNI Overlay): outside every
# environment's VNet range, which the spec takes from 10.0.0.0/8.
POD_CIDR = "172.16.0.0/16"
SERVICE_CIDR = "172.17.0.0/16"
# API Server VNet Integration needs a delegated subnet of at least /28
# (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
APISERVER_PREFIX = 28


def subnet_plan(cidr: str, egress: Egress, kubernetes: bool = False) -> dict[str, str]:
    """A quarter of the range for workloads, a quarter for endpoints, a quarter for a proxy or,
    with kubernetes, for AKS nodes (its first half) and the API server (its last /28)."""
    quarters = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=2))
    plan = {"workload": str(quarters[0]), "endpoints": str(quarters[1])}
    if egress == "proxy":
        plan["proxy"] = str(quarters[2])
    if kubernetes:
        halves = list(quarters[2].subnets(prefixlen_diff=1))
        plan["aks-nodes"] = str(halves[0])
        plan["aks-apiserver"] = str(list(halves[1].subnets(new_prefix=APISERVER_PREFIX))[-1])
    return plan


def rule(name: str, priority: int, direction: str, access: str, source: str, destination: str,
         ports: Sequence[str] = ("*",), protocol: str = "*") -> dict[str, Any]:
    port_field = {"destination_port_range": ports[0]} if len(ports) == 1 else {"destination_port_ranges": list(ports)}
    return {
        "name": name, "priority": priority, "direction": direction, "access": access, "protocol": protocol,
        "source_address_prefix": source, "source_port_range": "*", "destination_address_prefix": destination,
        **port_field,
    }


def closing_rules() -> list[dict[str, Any]]:
    # Explicit internet denies name the intent; deny-all overrides Azure's AllowVnet defaults.
    return [
        rule("deny-internet-inbound", 4000, "Inbound", "Deny", "Internet", "*"),
        rule("deny-all-inbound", 4096, "Inbound", "Deny", "*", "*"),
        rule("deny-internet-outbound", 4000, "Outbound", "Deny", "*", "Internet"),
        rule("deny-all-outbound", 4096, "Outbound", "Deny", "*", "*"),
    ]


def security_rules(plan: Mapping[str, str], egress: Egress,
                   platform_clients: bool = False) -> dict[str, list[dict[str, Any]]]:
    workload, endpoints = plan["workload"], plan["endpoints"]
    work = [
        rule("allow-ssh-from-vnet", 100, "Inbound", "Allow", "VirtualNetwork", workload, ["22"], "Tcp"),
        rule("allow-peers-inbound", 110, "Inbound", "Allow", workload, workload),
        rule("allow-private-endpoints", 100, "Outbound", "Allow", workload, endpoints, ["443"], "Tcp"),
        rule("allow-peers-outbound", 110, "Outbound", "Allow", workload, workload),
    ]
    if egress == "nat":
        work.append(rule("allow-https-internet", 200, "Outbound", "Allow", workload, "Internet", ["443"], "Tcp"))
    if egress == "proxy":
        work.append(rule("allow-proxy", 200, "Outbound", "Allow", workload, plan["proxy"], PROXY_PORTS, "Tcp"))
    rules = {
        "workload": work + closing_rules(),
        "endpoints": [
            rule("allow-https-from-workloads", 100, "Inbound", "Allow", workload, endpoints, ["443"], "Tcp"),
            *([rule("allow-https-from-platform-clients", 110, "Inbound", "Allow", "VirtualNetwork", endpoints,
                    ["443"], "Tcp")] if platform_clients else []),
            *closing_rules(),
        ],
    }
    if "aks-nodes" in plan:
        _kubernetes_rules(rules, plan, egress)
    if egress == "proxy":
        proxy = plan["proxy"]
        rules["proxy"] = [
            rule("allow-proxy-from-workloads", 100, "Inbound", "Allow", workload, proxy, PROXY_PORTS, "Tcp"),
            rule("allow-web-internet", 100, "Outbound", "Allow", proxy, "Internet", ["80", "443"], "Tcp"),
            *[r for r in closing_rules() if r["name"] != "deny-internet-outbound"],
        ]
    return rules


APISERVER_PORTS = ("443", "4443")


def _kubernetes_rules(rules: dict[str, list[dict[str, Any]]], plan: Mapping[str, str], egress: Egress) -> None:
    """Nodes, pods and the VNet-integrated API server reach each other; nodes and the API server
    reach the private endpoints (Key Vault for KMS, Storage); people reach the API server on 443
    from networks joined to the VNet (peering, VPN or ExpressRoute gateway), the only way in to a
    private cluster (https://learn.microsoft.com/azure/aks/private-clusters). Pod traffic keeps
    its overlay source address inside the VNet, so the pod range is allowed like the nodes
    (https://learn.microsoft.com/azure/aks/azure-cni-overlay)."""
    nodes, api, endpoints = plan["aks-nodes"], plan["aks-apiserver"], plan["endpoints"]
    node_rules = [
        rule("allow-cluster-inbound", 100, "Inbound", "Allow", nodes, nodes),
        rule("allow-pods-inbound", 110, "Inbound", "Allow", POD_CIDR, "*"),
        # Service routing and the API server's webhook and aggregated-API calls reach pods on other nodes:
        # "Traffic from the node CIDR to the pod CIDR on all ports" (azure-cni-overlay, NSGs).
        rule("allow-nodes-to-pods", 115, "Inbound", "Allow", nodes, POD_CIDR),
        rule("allow-apiserver-inbound", 120, "Inbound", "Allow", api, nodes),
        rule("allow-apiserver-to-pods-inbound", 125, "Inbound", "Allow", api, POD_CIDR),
        rule("allow-load-balancer-probes", 130, "Inbound", "Allow", "AzureLoadBalancer", "*"),
        rule("allow-cluster-outbound", 100, "Outbound", "Allow", nodes, nodes),
        rule("allow-pods-outbound", 110, "Outbound", "Allow", "*", POD_CIDR),
        # "APIServer Subnet CIDR, Cluster Subnet, TCP, 443 and 4443: required to enable communication between
        # Nodes and the API server" (https://learn.microsoft.com/azure/aks/api-server-vnet-integration, NSG rules).
        rule("allow-apiserver", 120, "Outbound", "Allow", nodes, api, APISERVER_PORTS, "Tcp"),
        rule("allow-private-endpoints", 130, "Outbound", "Allow", nodes, endpoints, ["443"], "Tcp"),
    ]
    if egress == "nat":
        # Node bootstrap and images (MCR, packages) over HTTPS through the NAT gateway
        # (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress).
        node_rules.append(rule("allow-https-internet", 200, "Outbound", "Allow", nodes, "Internet", ["443"], "Tcp"))
    rules["aks-nodes"] = node_rules + closing_rules()
    rules["aks-apiserver"] = [
        rule("allow-nodes-to-apiserver", 100, "Inbound", "Allow", nodes, api, APISERVER_PORTS, "Tcp"),
        rule("allow-deployers-to-apiserver", 110, "Inbound", "Allow", "VirtualNetwork", api, ["443"], "Tcp"),
        rule("allow-load-balancer-probes", 120, "Inbound", "Allow", "AzureLoadBalancer", "*"),
        rule("allow-apiserver-to-nodes", 100, "Outbound", "Allow", api, nodes),
        rule("allow-apiserver-to-pods", 105, "Outbound", "Allow", api, POD_CIDR),
        rule("allow-kms-private-endpoint", 110, "Outbound", "Allow", api, endpoints, ["443"], "Tcp"),
        *closing_rules(),
    ]
    # Before the endpoints tier's closing rules.
    rules["endpoints"][-4:-4] = [
        rule("allow-https-from-aks-nodes", 120, "Inbound", "Allow", nodes, endpoints, ["443"], "Tcp"),
        rule("allow-https-from-aks-apiserver", 130, "Inbound", "Allow", api, endpoints, ["443"], "Tcp"),
    ]


# API Server VNet Integration delegates its subnet to AKS
# (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
DELEGATIONS = {"aks-apiserver": [{"name": "aks-apiserver",
                                  "service_name": "Microsoft.ContainerService/managedClusters"}]}


class PrivateNetwork(pulumi.ComponentResource):
    vnet: network.VirtualNetwork
    subnets: dict[str, network.Subnet]
    security_groups: dict[str, network.NetworkSecurityGroup]
    dns_zones: dict[str, privatedns.PrivateZone]
    nat_gateway: network.NatGateway | None = None

    def __init__(self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:PrivateNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, location, tags = args.resource_group_name, args.location, dict(args.tags)
        plan = subnet_plan(args.cidr, args.egress, args.kubernetes)
        self.vnet = network.VirtualNetwork(
            f"{name}-vnet", virtual_network_name=f"vnet-{name}", resource_group_name=rg, location=location,
            address_space={"address_prefixes": [args.cidr]}, tags=tags, opts=child,
        )
        self.security_groups = {}
        for tier, rules in security_rules(plan, args.egress, args.platform_clients).items():
            nsg = network.NetworkSecurityGroup(
                f"{name}-{tier}-nsg", network_security_group_name=f"nsg-{name}-{tier}", resource_group_name=rg,
                location=location, security_rules=rules, tags={**tags, "tier": tier}, opts=child,
            )
            self.security_groups[tier] = nsg
            # NSGs have log categories (rule matches, counters) but no platform metrics.
            send_to_workspace(f"{name}-{tier}-nsg-diag", nsg.id, args.workspace_id, parent=self, metrics=())
        nat_tier = {"nat": "workload", "proxy": "proxy"}.get(args.egress)
        if nat_tier is not None:
            self.nat_gateway = self._nat(name, rg, location, tags)
        self.subnets = {}
        previous: list[pulumi.Resource] = []
        for tier, prefix in plan.items():
            extra: dict[str, Any] = {}
            if self.nat_gateway is not None and (tier == nat_tier or (tier == "aks-nodes" and nat_tier == "workload")):
                extra["nat_gateway"] = {"id": self.nat_gateway.id}
            if tier in DELEGATIONS:
                extra["delegations"] = DELEGATIONS[tier]
            subnet = network.Subnet(
                f"{name}-{tier}", subnet_name=f"snet-{tier}", virtual_network_name=self.vnet.name,
                resource_group_name=rg, address_prefix=prefix,
                network_security_group={"id": self.security_groups[tier].id},
                default_outbound_access=False,
                # NSG rules apply to private endpoints only when these policies are on.
                private_endpoint_network_policies="Enabled",
                **extra,
                # ARM rejects concurrent writes to one VNet's subnets: create them one by one.
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            self.subnets[tier] = subnet
            previous = [subnet]
        self.dns_zones = {}
        for group in args.private_dns_groups:
            zone = privatedns.PrivateZone(
                f"{name}-{group}-zone", private_zone_name=DNS_ZONES[group], resource_group_name=rg,
                location="global", tags=tags, opts=child,
            )
            privatedns.VirtualNetworkLink(
                f"{name}-{group}-link", virtual_network_link_name=f"link-{name}", private_zone_name=zone.name,
                resource_group_name=rg, location="global", registration_enabled=False,
                virtual_network={"id": self.vnet.id}, tags=tags, opts=child,
            )
            self.dns_zones[group] = zone
        self.register_outputs({"vnet_id": self.vnet.id, "subnet_ids": {t: s.id for t, s in self.subnets.items()}})

    def _nat(self, name: str, rg: pulumi.Input[str], location: str, tags: dict[str, str]) -> network.NatGateway:
        child = pulumi.ResourceOptions(parent=self)
        # The NAT gateway's own address: the only public IP of the environment, never on a VM.
        address = network.PublicIPAddress(
            f"{name}-nat-ip", public_ip_address_name=f"pip-{name}-nat", resource_group_name=rg, location=location,
            sku={"name": "Standard", "tier": "Regional"}, public_ip_allocation_method="Static",
            public_ip_address_version="IPv4", tags=tags, opts=child,
        )
        return network.NatGateway(
            f"{name}-nat", nat_gateway_name=f"ng-{name}", resource_group_name=rg, location=location,
            sku={"name": "Standard"}, public_ip_addresses=[{"id": address.id}], idle_timeout_in_minutes=4,
            tags=tags, opts=child,
        )
