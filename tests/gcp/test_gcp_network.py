"""Private network: custom-mode VPC without default routes, private subnet with Private Google
Access and flow logs, deny-all firewalls with logging, Google APIs through PSC and private DNS,
and Cloud NAT only when the spec asks for egress."""

from __future__ import annotations

import ipaddress

from hardstack.render import Graph
from hardstack.spec import Environment

NETWORK = "gcp:compute/network:Network"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
NAT = "gcp:compute/routerNat:RouterNat"
ROUTER = "gcp:compute/router:Router"
ROUTE = "gcp:compute/route:Route"


def psc_ip(graph: Graph) -> str:
    (address,) = graph.of_type("gcp:compute/globalAddress:GlobalAddress")
    return address.inputs["address"]


def test_custom_mode_vpc_without_default_internet_route(gcp_graph: Graph) -> None:
    (network,) = gcp_graph.of_type(NETWORK)
    assert network.inputs["autoCreateSubnetworks"] is False
    assert network.inputs["deleteDefaultRoutesOnCreate"] is True


def test_private_subnet_with_google_access_and_full_flow_logs(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (subnet,) = gcp_graph.of_type(SUBNET)
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert subnet.inputs["region"] == gcp_spec.region
    cidr = ipaddress.ip_network(subnet.inputs["ipCidrRange"])
    assert cidr.subnet_of(ipaddress.ip_network(gcp_spec.network.cidr))
    assert subnet.inputs["logConfig"] == {
        "aggregationInterval": "INTERVAL_5_SEC", "flowSampling": 1, "metadata": "INCLUDE_ALL_METADATA",
    }


def test_deny_all_ingress_and_egress_at_lowest_priority(gcp_graph: Graph, q) -> None:
    for direction, ranges in (("INGRESS", "sourceRanges"), ("EGRESS", "destinationRanges")):
        # The containment quarantine rules deny too, but only for the quarantine tag (test_gcp_containment.py).
        deny = [f for f in q.outside_containment(q.firewalls(gcp_graph, direction)) if f.inputs.get("denies")]
        assert len(deny) == 1, direction
        rule = deny[0].inputs
        assert rule["denies"] == [{"protocol": "all"}]
        assert rule[ranges] == ["0.0.0.0/0"]
        assert rule["priority"] == 65534
        assert not rule.get("targetTags") and not rule.get("targetServiceAccounts")


def test_every_firewall_rule_logs(gcp_graph: Graph, gcp_variant, q) -> None:
    for graph in (gcp_graph, gcp_variant(network={"egress": "proxy"})):
        rules = graph.of_type(q.FIREWALL)
        assert rules
        for rule in rules:
            assert rule.inputs["logConfig"] == {"metadata": "INCLUDE_ALL_METADATA"}, rule.name


def test_no_ingress_allowed_except_between_peers_of_a_workload(gcp_graph: Graph, q) -> None:
    for rule in q.firewalls(gcp_graph, "INGRESS"):
        if rule.inputs.get("allows"):
            assert rule.inputs["sourceServiceAccounts"] == rule.inputs["targetServiceAccounts"], rule.name
            assert not rule.inputs.get("sourceRanges"), rule.name


def test_egress_allowed_only_to_google_apis_and_workload_peers(gcp_graph: Graph, q) -> None:
    (subnet,) = gcp_graph.of_type(SUBNET)
    allowed = {(f.inputs["destinationRanges"][0], str(f.inputs["allows"]))
               for f in q.firewalls(gcp_graph, "EGRESS") if f.inputs.get("allows")}
    assert (f"{psc_ip(gcp_graph)}/32", str([{"ports": ["443"], "protocol": "tcp"}])) in allowed
    assert {dest for dest, _ in allowed} == {f"{psc_ip(gcp_graph)}/32", subnet.inputs["ipCidrRange"]}


def test_google_apis_through_private_service_connect(gcp_graph: Graph, gcp_spec: Environment) -> None:
    (address,) = gcp_graph.of_type("gcp:compute/globalAddress:GlobalAddress")
    assert address.inputs["purpose"] == "PRIVATE_SERVICE_CONNECT"
    assert address.inputs["addressType"] == "INTERNAL"
    (subnet,) = gcp_graph.of_type(SUBNET)
    ip = ipaddress.ip_address(address.inputs["address"])
    assert ip in ipaddress.ip_network(gcp_spec.network.cidr)
    assert ip not in ipaddress.ip_network(subnet.inputs["ipCidrRange"])
    (rule,) = gcp_graph.of_type("gcp:compute/globalForwardingRule:GlobalForwardingRule")
    assert rule.inputs["target"] == "all-apis"
    assert rule.inputs["loadBalancingScheme"] == ""
    assert address.urn in rule.propertyDependencies["ipAddress"]


def test_googleapis_resolves_privately_to_the_psc_endpoint(gcp_graph: Graph) -> None:
    (zone,) = gcp_graph.of_type("gcp:dns/managedZone:ManagedZone")
    (network,) = gcp_graph.of_type(NETWORK)
    assert zone.inputs["dnsName"] == "googleapis.com."
    assert zone.inputs["visibility"] == "private"
    assert network.urn in zone.propertyDependencies["privateVisibilityConfig"]
    records = {r.inputs["name"]: r.inputs for r in gcp_graph.of_type("gcp:dns/recordSet:RecordSet")}
    assert records["googleapis.com."]["type"] == "A"
    assert records["googleapis.com."]["rrdatas"] == [psc_ip(gcp_graph)]
    assert records["*.googleapis.com."]["type"] == "CNAME"
    assert records["*.googleapis.com."]["rrdatas"] == ["googleapis.com."]


def test_dns_queries_logged(gcp_graph: Graph) -> None:
    (policy,) = gcp_graph.of_type("gcp:dns/policy:Policy")
    assert policy.inputs["enableLogging"] is True


def test_no_nat_router_or_internet_route_without_egress(gcp_graph: Graph, gcp_spec: Environment) -> None:
    assert gcp_spec.network.egress == "none"
    assert gcp_graph.of_type(NAT) == gcp_graph.of_type(ROUTER) == gcp_graph.of_type(ROUTE) == []


def test_egress_nat_adds_logged_cloud_nat_route_and_https_only(gcp_variant, q) -> None:
    graph = gcp_variant(network={"egress": "nat"})
    (subnet,) = graph.of_type(SUBNET)
    (nat,) = graph.of_type(NAT)
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert [s["name"] for s in nat.inputs["subnetworks"]] == [
        f"projects/{subnet.inputs['project']}/regions/{subnet.inputs['region']}/subnetworks/{subnet.inputs['name']}"]
    assert nat.inputs["logConfig"] == {"enable": True, "filter": "ALL"}
    (route,) = graph.of_type(ROUTE)
    assert route.inputs["destRange"] == "0.0.0.0/0"
    assert route.inputs["nextHopGateway"] == "default-internet-gateway"
    internet = [f for f in q.firewalls(graph, "EGRESS") if f.inputs.get("allows")
                and f.inputs["destinationRanges"] == ["0.0.0.0/0"]]
    assert [f.inputs["allows"] for f in internet] == [[{"protocol": "tcp", "ports": ["443"]}]]
    # The deny-all egress rule stays: only HTTPS leaves.
    assert any(f.inputs.get("denies") for f in q.firewalls(graph, "EGRESS"))


def test_egress_proxy_limits_nat_and_route_to_the_proxy(gcp_variant, q) -> None:
    graph = gcp_variant(network={"egress": "proxy"})
    subnets = {s.inputs["name"]: s for s in graph.of_type(SUBNET)}
    proxy = next(s for n, s in subnets.items() if n.endswith("egress-proxy"))
    (nat,) = graph.of_type(NAT)
    assert [s["name"] for s in nat.inputs["subnetworks"]] == [
        f"projects/{proxy.inputs['project']}/regions/{proxy.inputs['region']}/subnetworks/{proxy.inputs['name']}"]
    (route,) = graph.of_type(ROUTE)
    assert route.inputs["tags"] == ["egress-proxy"]
    internet = [f for f in q.firewalls(graph, "EGRESS") if f.inputs.get("allows")
                and f.inputs["destinationRanges"] == ["0.0.0.0/0"]]
    assert len(internet) == 1 and internet[0].inputs["targetTags"] == ["egress-proxy"]


def test_psc_endpoint_waits_for_the_service_directory_api(gcp_graph: Graph) -> None:
    # "You must enable the Service Directory API in your project" and the Cloud DNS API to create a
    # PSC endpoint for Google APIs
    # (https://cloud.google.com/vpc/docs/configure-private-service-connect-apis#before-you-begin).
    apis = {s.inputs["service"]: s.urn for s in gcp_graph.of_type("gcp:projects/service:Service")}
    (rule,) = gcp_graph.of_type("gcp:compute/globalForwardingRule:GlobalForwardingRule")
    for api in ("servicedirectory.googleapis.com", "dns.googleapis.com", "compute.googleapis.com"):
        assert api in apis and apis[api] in rule.dependencies, api
