"""A private custom-mode VPC: no default routes, deny-all firewalls, Google APIs through PSC.

- The network is created without auto subnets and without its default internet route, so
  nothing leaves it unless a route below says so.
- Firewalls deny all ingress and all egress at the lowest usable priority (65534), and every
  rule logs. The only allow by default is HTTPS to the Private Service Connect endpoint for
  Google APIs, which private DNS (`googleapis.com`) resolves to.
- Egress modes: "none" (default) adds nothing; "nat" adds Cloud NAT for the workload subnet,
  a default route to the internet gateway and an HTTPS-only allow; "proxy" adds an egress
  subnet whose NAT, route and HTTPS allow apply only to instances tagged `egress-proxy`, and
  lets workloads reach that subnet on the proxy port. The deny-all egress rule stays in every
  mode, so even with egress only HTTPS leaves.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import psc_name, resource_name
from hardstack.components.gcp.options import child_options

Egress = Literal["none", "nat", "proxy"]
LOWEST_PRIORITY = 65534  # 65535 is taken by GCP's implied rules
ALLOW_PRIORITY = 1000
PROXY_TAG = "egress-proxy"
PROXY_PORT = "3128"
LOG_ALL = {"metadata": "INCLUDE_ALL_METADATA"}
# Google's IAP TCP forwarding range: the only way to SSH in when instances have no public IP.
IAP_RANGE = "35.235.240.0/20"


@dataclass
class PrivateNetworkArgs:
    project: str
    region: str
    cidr: str
    egress: Egress = "none"
    # Off unless asked: SSH through Identity-Aware Proxy (with OS Login) to every instance.
    allow_iap_ssh: bool = False
    # A GKE cluster (spec `kubernetes`): pod and service secondary ranges on the workload subnet, and
    # the container registries resolved to the PSC endpoint. Off: the network is as before.
    kubernetes: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ipaddress.IPv4Network(self.cidr, strict=True)  # raises on a malformed range


def address_plan(cidr: str) -> dict[str, str]:
    """The workload subnet takes the first quarter of the range, the egress-proxy subnet a /24
    (or smaller) of the second, and the PSC endpoint an address in the last quarter, which no
    subnet uses (GCP requires the PSC address to be outside every subnet)."""
    net = ipaddress.IPv4Network(cidr)
    quarters = list(net.subnets(prefixlen_diff=2))
    proxy_prefix = max(24, quarters[1].prefixlen)
    return {
        "workload": str(quarters[0]),
        "proxy": str(next(quarters[1].subnets(new_prefix=proxy_prefix))),
        "psc": str(quarters[3].network_address + 2),
    }


PODS_RANGE = "pods"
SERVICES_RANGE = "services"
# Container images come from Artifact Registry (*.pkg.dev) and Container Registry (gcr.io, which GKE's
# own images also use); the PSC endpoint for Google APIs serves both once DNS sends them there
# (https://cloud.google.com/vpc/docs/configure-private-service-connect-apis#configure-dns).
REGISTRY_DOMAINS = ("pkg.dev.", "gcr.io.")


def kubernetes_plan(cidr: str) -> dict[str, str]:
    """Ranges a GKE cluster adds, outside the workload and proxy subnets and the PSC address: pods take
    the third quarter, services the last quarter of the second quarter (the proxy takes its first
    /24), the control plane the last /28 of the last quarter (the PSC address sits at its start)."""
    quarters = list(ipaddress.IPv4Network(cidr).subnets(prefixlen_diff=2))
    second = list(quarters[1].subnets(prefixlen_diff=2))
    return {
        "pods": str(quarters[2]),
        "services": str(second[-1]),
        "master": str(list(quarters[3].subnets(new_prefix=28))[-1]),
    }


class PrivateNetwork(pulumi.ComponentResource):
    network: gcp.compute.Network
    workload_subnet: gcp.compute.Subnetwork
    proxy_subnet: gcp.compute.Subnetwork | None = None
    psc_address: str
    workload_cidr: str

    def __init__(self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:PrivateNetwork", name, None, opts)
        self.child = child = child_options(self, opts)
        plan = address_plan(args.cidr)
        self.psc_address = plan["psc"]
        self.workload_cidr = plan["workload"]
        self.network = gcp.compute.Network(
            f"{name}-vpc", name=resource_name(name), project=args.project,
            auto_create_subnetworks=False, delete_default_routes_on_create=True,
            routing_mode="REGIONAL", description=f"{name}: private network, no default internet route",
            opts=child,
        )
        self.kubernetes_ranges = kubernetes_plan(args.cidr) if args.kubernetes else None
        self.workload_subnet = self._subnet(name, "workloads", plan["workload"], args, self.kubernetes_ranges)
        # What a machine needs before it boots to reach Google APIs and registries: the firewall rules, the
        # PSC endpoint and its DNS records (a GKE cluster waits for them: its nodes boot while it is created).
        self.paths: list[pulumi.Resource] = []
        self._baseline_firewalls(name, args)
        self._google_apis(name, args)
        if args.egress != "none":
            self._egress(name, args, plan["proxy"])
        self.register_outputs({"network": self.network.id, "workload_subnet": self.workload_subnet.id})

    def _subnet(self, name: str, tier: str, cidr: str, args: PrivateNetworkArgs,
                k8s: dict[str, str] | None = None) -> gcp.compute.Subnetwork:
        secondary = {"secondary_ip_ranges": [{"range_name": PODS_RANGE, "ip_cidr_range": k8s["pods"]},
                                             {"range_name": SERVICES_RANGE, "ip_cidr_range": k8s["services"]}]} \
            if k8s else {}
        return gcp.compute.Subnetwork(
            f"{name}-{tier}", name=resource_name(name, tier), project=args.project, region=args.region,
            network=self.network.id, ip_cidr_range=cidr, purpose="PRIVATE", stack_type="IPV4_ONLY",
            private_ip_google_access=True,
            # Every flow, every 5 seconds, with all metadata: what an investigation needs.
            log_config={
                "aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 1.0,
                "metadata": "INCLUDE_ALL_METADATA",
            },
            opts=self.child, **secondary,
        )

    def _firewall(self, name: str, args: PrivateNetworkArgs, suffix: str, **rule: object) -> gcp.compute.Firewall:
        firewall = gcp.compute.Firewall(
            f"{name}-{suffix}", name=resource_name(name, suffix), project=args.project,
            network=self.network.id, log_config=LOG_ALL, opts=self.child, **rule,
        )
        self.paths.append(firewall)
        return firewall

    def _baseline_firewalls(self, name: str, args: PrivateNetworkArgs) -> None:
        self._firewall(
            name, args, "deny-all-ingress", direction="INGRESS", priority=LOWEST_PRIORITY,
            denies=[{"protocol": "all"}], source_ranges=["0.0.0.0/0"],
            description="Deny every inbound connection not explicitly allowed above",
        )
        self._firewall(
            name, args, "deny-all-egress", direction="EGRESS", priority=LOWEST_PRIORITY,
            denies=[{"protocol": "all"}], destination_ranges=["0.0.0.0/0"],
            description="Deny every outbound connection not explicitly allowed above",
        )
        self._firewall(
            name, args, "allow-google-apis", direction="EGRESS", priority=ALLOW_PRIORITY,
            allows=[{"protocol": "tcp", "ports": ["443"]}], destination_ranges=[f"{self.psc_address}/32"],
            description="HTTPS to Google APIs through the Private Service Connect endpoint only",
        )
        if args.allow_iap_ssh:
            self._firewall(
                name, args, "allow-iap-ssh", direction="INGRESS", priority=ALLOW_PRIORITY,
                allows=[{"protocol": "tcp", "ports": ["22"]}], source_ranges=[IAP_RANGE],
                description="SSH through Identity-Aware Proxy only (OS Login decides who)",
            )

    def _google_apis(self, name: str, args: PrivateNetworkArgs) -> None:
        child = self.child
        address = gcp.compute.GlobalAddress(
            f"{name}-psc-ip", name=resource_name(name, "psc-googleapis"), project=args.project,
            address_type="INTERNAL", purpose="PRIVATE_SERVICE_CONNECT", network=self.network.id,
            address=self.psc_address, opts=child,
        )
        self.psc_rule = gcp.compute.GlobalForwardingRule(
            f"{name}-psc", name=psc_name("apis", name), project=args.project, network=self.network.id,
            ip_address=address.id, target="all-apis",
            # pulumi-gcp v10 otherwise sends EXTERNAL, which PSC for Google APIs rejects.
            load_balancing_scheme="", opts=child,
        )
        zone = gcp.dns.ManagedZone(
            f"{name}-googleapis", name=resource_name(name, "googleapis"), project=args.project,
            dns_name="googleapis.com.", visibility="private",
            description="Google APIs resolve to the Private Service Connect endpoint",
            private_visibility_config={"networks": [{"network_url": self.network.id}]},
            labels=dict(args.labels), opts=child,
        )
        self.paths += [self.psc_rule, gcp.dns.RecordSet(
            f"{name}-googleapis-a", project=args.project, managed_zone=zone.name, name="googleapis.com.",
            type="A", ttl=300, rrdatas=[self.psc_address], opts=child,
        ), gcp.dns.RecordSet(
            f"{name}-googleapis-wildcard", project=args.project, managed_zone=zone.name,
            name="*.googleapis.com.", type="CNAME", ttl=300, rrdatas=["googleapis.com."], opts=child,
        )]
        if args.kubernetes:
            self._registries(name, args)
        gcp.dns.Policy(
            f"{name}-dns-logging", name=resource_name(name, "dns-logging"), project=args.project,
            enable_logging=True, enable_inbound_forwarding=False,
            networks=[{"network_url": self.network.id}], opts=child,
        )

    def _registries(self, name: str, args: PrivateNetworkArgs) -> None:
        """Private zones sending the registries' names to the PSC endpoint, as googleapis.com is."""
        for domain in REGISTRY_DOMAINS:
            short = domain.rstrip(".").replace(".", "-")
            zone = gcp.dns.ManagedZone(
                f"{name}-{short}", name=resource_name(name, short), project=args.project, dns_name=domain,
                visibility="private", description=f"{domain} resolves to the Private Service Connect endpoint",
                private_visibility_config={"networks": [{"network_url": self.network.id}]},
                labels=dict(args.labels), opts=self.child,
            )
            self.paths += [gcp.dns.RecordSet(
                f"{name}-{short}-a", project=args.project, managed_zone=zone.name, name=domain,
                type="A", ttl=300, rrdatas=[self.psc_address], opts=self.child,
            ), gcp.dns.RecordSet(
                f"{name}-{short}-wildcard", project=args.project, managed_zone=zone.name, name=f"*.{domain}",
                type="A", ttl=300, rrdatas=[self.psc_address], opts=self.child,
            )]

    def _egress(self, name: str, args: PrivateNetworkArgs, proxy_cidr: str) -> None:
        child = self.child
        proxy = args.egress == "proxy"
        if proxy:
            self.proxy_subnet = self._subnet(name, "egress-proxy", proxy_cidr, args)
        nat_subnet = self.proxy_subnet if self.proxy_subnet is not None else self.workload_subnet
        router = gcp.compute.Router(
            f"{name}-router", name=resource_name(name, "router"), project=args.project,
            region=args.region, network=self.network.id, opts=child,
        )
        gcp.compute.RouterNat(
            f"{name}-nat", name=resource_name(name, "nat"), project=args.project, region=args.region,
            router=router.name, nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[{"name": nat_subnet.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}],
            log_config={"enable": True, "filter": "ALL"}, opts=child,
        )
        tags = [PROXY_TAG] if proxy else None
        gcp.compute.Route(
            f"{name}-internet", name=resource_name(name, "internet"), project=args.project,
            network=self.network.id, dest_range="0.0.0.0/0", next_hop_gateway="default-internet-gateway",
            priority=ALLOW_PRIORITY, tags=tags,
            description="Internet through Cloud NAT (spec: egress " + args.egress + ")", opts=child,
        )
        self._firewall(
            name, args, "allow-internet-https", direction="EGRESS", priority=ALLOW_PRIORITY,
            allows=[{"protocol": "tcp", "ports": ["443"]}], destination_ranges=["0.0.0.0/0"],
            target_tags=tags, description=f"HTTPS to the internet through Cloud NAT (egress {args.egress})",
        )
        if proxy:
            self._firewall(
                name, args, "allow-to-proxy", direction="EGRESS", priority=ALLOW_PRIORITY,
                allows=[{"protocol": "tcp", "ports": [PROXY_PORT]}], destination_ranges=[proxy_cidr],
                description="Workloads reach the internet only through the egress proxy",
            )
            self._firewall(
                name, args, "proxy-ingress", direction="INGRESS", priority=ALLOW_PRIORITY,
                allows=[{"protocol": "tcp", "ports": [PROXY_PORT]}], source_ranges=[self.workload_cidr],
                target_tags=[PROXY_TAG], description="The egress proxy accepts workload traffic on its port",
            )
