"""Private network: no inbound from the internet, no outbound unless the spec allows egress, no
public IPs on workloads, private DNS for every private endpoint, VNet flow logs."""

from __future__ import annotations

from azure_helpers import (
    ACCOUNT,
    DNS_GROUP,
    ENDPOINT,
    FLOW_LOG,
    IDENTITY,
    NAT,
    NIC,
    NSG,
    PUBLIC_IP,
    SUBNET,
    VNET,
    WORKSPACE,
    ZONE,
    ZONE_LINK,
    arm_id,
    by_input,
    diagnostics_of,
    environment_only,
    grants_to,
    principal_of,
    role_id,
    rules,
)

from hardstack.components.azure import roles
from hardstack.render import Graph
from hardstack.spec import Environment


def subnets(graph: Graph) -> dict[str, dict]:
    """The network component's subnets (containment's own are judged in test_azure_containment.py)."""
    return {s.inputs["subnetName"]: s.inputs for s in environment_only(graph, SUBNET)}


def nsg_of(graph: Graph, subnet: dict) -> dict:
    (nsg,) = [n for n in graph.of_type(NSG) if arm_id(graph, n) == subnet["networkSecurityGroup"]["id"]]
    return rules(nsg)


def test_vnet_uses_the_spec_cidr(azure_graph: Graph, azure_spec: Environment) -> None:
    (vnet,) = azure_graph.of_type(VNET)
    assert vnet.inputs["addressSpace"]["addressPrefixes"] == [azure_spec.network.cidr]


def test_workload_and_endpoint_subnets_without_default_outbound(azure_graph: Graph) -> None:
    found = subnets(azure_graph)
    assert set(found) == {"snet-workload", "snet-endpoints"}
    for name, subnet in found.items():
        assert subnet["defaultOutboundAccess"] is False, name
        assert subnet["networkSecurityGroup"]["id"], name
        assert "natGateway" not in subnet, name
    # NSG rules only bind private endpoints when network policies are on.
    assert found["snet-endpoints"]["privateEndpointNetworkPolicies"] == "Enabled"


def test_every_nsg_denies_inbound_from_the_internet_and_ends_with_deny_all(azure_graph: Graph) -> None:
    assert len(environment_only(azure_graph, NSG)) == 2
    nsgs = azure_graph.of_type(NSG)  # containment's quarantine, function and endpoint NSGs too
    assert len(nsgs) == 5
    for nsg in nsgs:
        found = rules(nsg)
        deny = found["deny-internet-inbound"]
        assert (deny["direction"], deny["access"], deny["sourceAddressPrefix"]) == ("Inbound", "Deny", "Internet")
        for direction in ("inbound", "outbound"):
            last = found[f"deny-all-{direction}"]
            assert last["access"] == "Deny" and last["priority"] == 4096 and last["sourceAddressPrefix"] == "*"
        allows = [r for r in nsg.inputs["securityRules"] if r["access"] == "Allow" and r["direction"] == "Inbound"]
        assert all(r["sourceAddressPrefix"] not in ("*", "Internet", "0.0.0.0/0") for r in allows), nsg.name


def test_no_internet_egress_when_the_spec_says_none(azure_graph: Graph) -> None:
    assert azure_graph.of_type(NAT) == [] and azure_graph.of_type(PUBLIC_IP) == []
    for nsg in azure_graph.of_type(NSG):
        found = rules(nsg)
        assert found["deny-internet-outbound"]["access"] == "Deny"
        assert not [r for r in nsg.inputs["securityRules"] if r["access"] == "Allow"
                    and r["direction"] == "Outbound" and r["destinationAddressPrefix"] in ("Internet", "*")]


def test_workloads_reach_only_the_private_endpoints_and_their_peers(azure_graph: Graph) -> None:
    found = subnets(azure_graph)
    workload = nsg_of(azure_graph, found["snet-workload"])
    endpoint_prefix = found["snet-endpoints"]["addressPrefix"]
    assert workload["allow-private-endpoints"]["destinationAddressPrefix"] == endpoint_prefix
    assert workload["allow-private-endpoints"]["destinationPortRange"] == "443"
    endpoints = nsg_of(azure_graph, found["snet-endpoints"])
    assert endpoints["allow-https-from-workloads"]["sourceAddressPrefix"] == found["snet-workload"]["addressPrefix"]


def test_nat_egress_adds_a_nat_gateway_and_https_out(render_variant) -> None:
    graph = render_variant(network={"egress": "nat"})
    (nat,) = graph.of_type(NAT)
    (address,) = graph.of_type(PUBLIC_IP)
    assert nat.inputs["publicIpAddresses"] == [{"id": arm_id(graph, address)}]
    found = subnets(graph)
    assert found["snet-workload"]["natGateway"] == {"id": arm_id(graph, nat)}
    assert "natGateway" not in found["snet-endpoints"]
    workload = nsg_of(graph, found["snet-workload"])
    out = workload["allow-https-internet"]
    assert (out["destinationAddressPrefix"], out["destinationPortRange"], out["access"]) == ("Internet", "443", "Allow")
    assert workload["deny-internet-outbound"]["priority"] > out["priority"]


def test_proxy_egress_keeps_workloads_off_the_internet(render_variant) -> None:
    graph = render_variant(network={"egress": "proxy"})
    found = subnets(graph)
    (nat,) = graph.of_type(NAT)
    assert found["snet-proxy"]["natGateway"] == {"id": arm_id(graph, nat)}
    assert "natGateway" not in found["snet-workload"]
    workload = nsg_of(graph, found["snet-workload"])
    assert "allow-https-internet" not in workload
    assert workload["allow-proxy"]["destinationAddressPrefix"] == found["snet-proxy"]["addressPrefix"]


def test_no_public_ip_on_any_network_interface(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        nics = graph.of_type(NIC)
        assert nics
        for nic in nics:
            for config in nic.inputs["ipConfigurations"]:
                assert "publicIPAddress" not in config and "publicIpAddress" not in config, nic.name
        assert graph.of_type(PUBLIC_IP) == []


def test_private_dns_zone_for_every_private_endpoint_linked_to_the_vnet(azure_graph: Graph) -> None:
    (vnet,) = azure_graph.of_type(VNET)
    zones = {z.inputs["privateZoneName"]: arm_id(azure_graph, z) for z in environment_only(azure_graph, ZONE)}
    assert set(zones) == {"privatelink.vaultcore.azure.net", "privatelink.blob.core.windows.net"}
    links = azure_graph.of_type(ZONE_LINK)  # with containment's servicebus zone link
    assert {link.inputs["privateZoneName"] for link in links} == set(zones) | {"privatelink.servicebus.windows.net"}
    for link in links:
        assert link.inputs["virtualNetwork"]["id"] == arm_id(azure_graph, vnet)
        assert link.inputs["registrationEnabled"] is False
    endpoints = azure_graph.of_type(ENDPOINT)
    assert {e.inputs["privateLinkServiceConnections"][0]["groupIds"][0] for e in endpoints} == {
        "vault", "blob", "namespace"}  # namespace: containment's Event Hubs
    every_zone = {z.inputs["privateZoneName"]: arm_id(azure_graph, z) for z in azure_graph.of_type(ZONE)}
    for endpoint in endpoints:
        group = by_input(azure_graph, DNS_GROUP, "privateEndpointName", endpoint.inputs["privateEndpointName"])
        (config,) = group.inputs["privateDnsZoneConfigs"]
        assert config["privateDnsZoneId"] == every_zone[config["name"]]


def test_vnet_flow_logs_go_to_the_log_account_with_traffic_analytics(azure_graph: Graph) -> None:
    (flow,) = azure_graph.of_type(FLOW_LOG)
    (vnet,) = azure_graph.of_type(VNET)
    (workspace,) = azure_graph.of_type(WORKSPACE)
    log_account = next(a for a in azure_graph.of_type(ACCOUNT) if a.inputs["accountName"].startswith("stlogs"))
    assert flow.inputs["enabled"] is True
    assert flow.inputs["targetResourceId"] == arm_id(azure_graph, vnet)
    assert flow.inputs["storageId"] == arm_id(azure_graph, log_account)
    analytics = flow.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
    assert analytics["enabled"] is True
    assert analytics["workspaceResourceId"] == arm_id(azure_graph, workspace)
    assert flow.inputs["networkWatcherName"] == "NetworkWatcher_westeurope"


def test_flow_log_account_is_one_network_watcher_can_write(azure_graph: Graph, gpu_graph: Graph) -> None:
    # vnet-flow-logs-overview, "Storage account": same region as the VNet, Standard performance
    # (Premium isn't supported); network-watcher FAQ: behind a firewall, trusted Azure services
    # must be allowed ("Enabled from selected virtual networks" plus the exception).
    for graph in (azure_graph, gpu_graph):
        (flow,) = graph.of_type(FLOW_LOG)
        (vnet,) = graph.of_type(VNET)
        (account,) = [a for a in graph.of_type(ACCOUNT) if arm_id(graph, a) == flow.inputs["storageId"]]
        assert account.inputs["location"] == vnet.inputs["location"] == flow.inputs["location"]
        assert account.inputs["sku"]["name"].startswith("Standard_")
        assert account.inputs["publicNetworkAccess"] == "Enabled"
        assert account.inputs["networkRuleSet"]["defaultAction"] == "Deny"
        assert account.inputs["networkRuleSet"]["bypass"] == "AzureServices"


def test_flow_logs_write_with_their_own_identity_scoped_to_the_log_account(azure_graph: Graph) -> None:
    (flow,) = azure_graph.of_type(FLOW_LOG)
    (identity_id,) = flow.inputs["identity"]["userAssignedIdentities"]
    (identity,) = [i for i in azure_graph.of_type(IDENTITY) if arm_id(azure_graph, i) == identity_id]
    (grant,) = grants_to(azure_graph, principal_of(azure_graph, identity))
    assert role_id(grant) == roles.STORAGE_BLOB_DATA_CONTRIBUTOR
    assert grant.inputs["scope"] == flow.inputs["storageId"]


def test_flow_log_retention_follows_the_spec(azure_graph: Graph, render_variant) -> None:
    # 400 days is past what flow logs keep themselves: they keep everything ("0") and the log
    # account's lifecycle policy deletes after the spec's retention.
    (flow,) = azure_graph.of_type(FLOW_LOG)
    assert flow.inputs["retentionPolicy"] == {"enabled": True, "days": 0}
    (short,) = render_variant(logging={"retention_days": 180}).of_type(FLOW_LOG)
    assert short.inputs["retentionPolicy"] == {"enabled": True, "days": 180}


def test_nsg_logs_go_to_the_workspace(azure_graph: Graph) -> None:
    for nsg in azure_graph.of_type(NSG):
        (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, nsg))
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
        assert "metrics" not in setting.inputs  # NSGs have no platform metrics
