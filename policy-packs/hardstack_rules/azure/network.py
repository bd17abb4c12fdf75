"""Azure networking: nothing reachable from the internet, NSGs that end in deny-all, subnets
without implicit outbound access, private endpoints with private DNS for the vault and storage,
and VNet flow logs analysed in the workspace, written to an account Network Watcher can reach."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import (
    ACCOUNT,
    DNS_GROUP,
    ENDPOINT,
    FLOW_LOG,
    NIC,
    NSG,
    SECURITY_RULE,
    SUBNET,
    VAULT,
    VNET,
)
from ..relations import configured, of_type, referenced, references
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

BOUNDARY = {"hipaa": ["164.312(e)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
# Source prefixes meaning "anyone": Azure's service tag Internet, any, and the all-address ranges.
ANYWHERE = {"*", "internet", "any", "0.0.0.0/0", "::/0", "0.0.0.0"}
FLOW_MONITORING = {"hipaa": ["164.312(b)"], "gdpr": ["32(1)(d)"], "nist-800-53": ["AU-12", "SI-4"]}


@resource_rule(
    id="azure-nic-no-public-ip", title="Network interfaces have no public IP address", severity="critical",
    cloud="azure", practice="access", types=[NIC], controls=BOUNDARY,
    remediation="Remove public_ip_address from every ip configuration; reach VMs through the VNet (Bastion, VPN).",
)
def nic_public_ip(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for ip in props.get("ipConfigurations") or []:
        if ip.get("publicIPAddress"):
            yield f"ip configuration {ip.get('name', '?')} has a public IP address"


@resource_rule(
    id="azure-nic-no-ip-forwarding", title="Network interfaces do not forward traffic", severity="medium",
    cloud="azure", practice="access", types=[NIC], controls={"nist-800-53": ["SC-7", "AC-4"]},
    remediation="Set enable_ip_forwarding=False; only network appliances route others' traffic.",
)
def nic_forwarding(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableIPForwarding") is True:
        yield "IP forwarding is on: the VM can route traffic it does not own"


def _rules(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    # An NSG lists its rules; a stand-alone SecurityRule is one.
    return list(props.get("securityRules") or []) if "securityRules" in props else (
        [props] if "direction" in props else [])


def _sources(rule: Mapping[str, Any]) -> list[str]:
    return [str(s) for s in [rule.get("sourceAddressPrefix"), *(rule.get("sourceAddressPrefixes") or [])] if s]


def _ports(rule: Mapping[str, Any]) -> str:
    ports = [rule.get("destinationPortRange"), *(rule.get("destinationPortRanges") or [])]
    return ",".join(str(p) for p in ports if p) or "*"


@resource_rule(
    id="azure-nsg-no-inbound-from-internet", title="No NSG rule admits inbound traffic from the internet",
    severity="critical", cloud="azure", practice="access", types=[NSG, SECURITY_RULE], controls=BOUNDARY,
    remediation="Allow inbound only from the VNet or named private ranges; reach VMs through Bastion or a VPN.",
)
def nsg_internet(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for rule in _rules(props):
        if str(rule.get("direction")).lower() != "inbound" or str(rule.get("access")).lower() != "allow":
            continue
        open_to = [s for s in _sources(rule) if s.lower() in ANYWHERE]
        if open_to:
            yield f"rule {rule.get('name', '?')} allows inbound from {', '.join(open_to)} on ports {_ports(rule)}"


def _is_deny_all(rule: Mapping[str, Any], direction: str) -> bool:
    return (str(rule.get("direction")).lower() == direction.lower() and str(rule.get("access")).lower() == "deny"
            and rule.get("sourceAddressPrefix") == "*" and rule.get("destinationAddressPrefix") == "*"
            and rule.get("destinationPortRange") == "*" and rule.get("protocol") == "*")


@resource_rule(
    id="azure-nsg-deny-all", title="NSGs end with explicit deny-all rules in both directions", severity="high",
    cloud="azure", practice="access", types=[NSG], controls=BOUNDARY,
    remediation="Add Deny rules for * to * on all ports and protocols at priority 4096, inbound and outbound: "
    "Azure's default rules allow all VNet traffic and outbound internet.",
)
def nsg_deny_all(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    rules = _rules(props)
    for direction in ("Inbound", "Outbound"):
        if not any(_is_deny_all(r, direction) for r in rules):
            yield f"no deny-all {direction.lower()} rule: Azure's defaults allow what no rule names"


@resource_rule(
    id="azure-subnet-nsg", title="Subnets have a network security group", severity="high", cloud="azure",
    practice="access", types=[SUBNET], controls=BOUNDARY,
    remediation="Set network_security_group on every subnet (components.azure.PrivateNetwork gives each its own).",
)
def subnet_nsg(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not (props.get("networkSecurityGroup") or {}).get("id"):
        yield "no network security group filters this subnet"


@resource_rule(
    id="azure-subnet-no-default-outbound", title="Subnets give VMs no default outbound internet access",
    severity="medium", cloud="azure", practice="access", types=[SUBNET], controls=BOUNDARY,
    remediation="Set default_outbound_access=False; give egress explicitly (NAT gateway or proxy) when the spec asks.",
)
def subnet_outbound(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("defaultOutboundAccess") is not False:
        yield "default outbound access gives VMs an implicit public IP for outbound traffic"


@resource_rule(
    id="azure-flow-log-analytics", title="Flow logs are on and analysed by traffic analytics", severity="medium",
    cloud="azure", practice="monitoring", types=[FLOW_LOG], controls=FLOW_MONITORING,
    remediation="Set enabled=True and flow_analytics_configuration.network_watcher_flow_analytics_configuration "
    "enabled with the audit workspace.",
)
def flow_log_analytics(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enabled") is False:
        yield "the flow log is disabled"
    analytics = (props.get("flowAnalyticsConfiguration") or {}).get("networkWatcherFlowAnalyticsConfiguration") or {}
    if analytics.get("enabled") is not True or not analytics.get("workspaceResourceId"):
        yield "traffic analytics is off: flows are stored but never analysed"


@stack_rule(
    id="azure-vnet-flow-logs", title="Every VNet records flow logs", severity="high", cloud="azure",
    practice="monitoring", controls=FLOW_MONITORING,
    remediation="Add a network.FlowLog targeting the VNet (components.azure.VnetFlowLog).",
)
def vnet_flow_logs(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    logs = [f for f in of_type(resources, FLOW_LOG) if f.props.get("enabled") is not False]
    for vnet in of_type(resources, VNET):
        if not any(references(f, "targetResourceId", vnet) for f in logs):
            yield f"VNet {vnet.name} has no enabled flow log", vnet.urn


@stack_rule(
    id="azure-private-endpoints", title="Key Vaults and storage accounts are reached through private endpoints "
    "with private DNS", severity="high", cloud="azure", practice="access", controls=BOUNDARY,
    remediation="Add a private endpoint for the vault (group vault) and each account (group blob) with a DNS zone "
    "group in the privatelink zone linked to the VNet (components.azure.PrivateEndpoint).",
)
def private_endpoints(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for target in of_type(resources, VAULT, ACCOUNT):
        kind = "vault" if target.resource_type == VAULT else "storage account"
        endpoints = configured(resources, target, ENDPOINT, "privateLinkServiceConnections")
        if not endpoints:
            yield f"{kind} {target.name} has no private endpoint", target.urn
        for endpoint in endpoints:
            if not configured(resources, endpoint, DNS_GROUP, "privateEndpointName"):
                yield (f"private endpoint {endpoint.name} of {kind} {target.name} is registered in no private DNS "
                       "zone: clients still resolve the public address"), endpoint.urn


@stack_rule(
    id="azure-flow-log-storage", title="Flow logs write to a standard storage account of the VNet's region that "
    "admits trusted Azure services", severity="medium", cloud="azure", practice="monitoring",
    controls=FLOW_MONITORING,
    remediation="Point the flow log at a Standard (not Premium) account in the VNet's region whose firewall, if it "
    "denies by default, lets trusted Azure services through (network_rule_set.bypass 'AzureServices'; "
    "components.azure.SecureStorageAccount network_access='trusted-services').",
)
def flow_log_storage(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview ("Storage account":
    # "must be in the same region as the virtual network", "must be standard. Premium storage
    # accounts aren't supported") and https://learn.microsoft.com/azure/network-watcher/frequently-asked-questions
    # (a storage account behind a firewall must "Allow Azure services on the trusted services list").
    for flow in of_type(resources, FLOW_LOG):
        region = str(flow.props.get("location") or "").lower()
        for account in referenced(flow, "storageId", ACCOUNT):
            where = str(account.props.get("location") or "").lower()
            if region and where and where != region:
                yield f"flow log {flow.name} writes to {account.name} in {where}, not the VNet's {region}", flow.urn
            sku = str((account.props.get("sku") or {}).get("name", ""))
            if sku.lower().startswith("premium"):
                yield f"flow log {flow.name} writes to {account.name}, a {sku} account; flow logs need Standard", \
                    flow.urn
            rules = account.props.get("networkRuleSet") or {}
            if rules.get("defaultAction") == "Deny" and "azureservices" not in str(rules.get("bypass", "")).lower():
                yield (f"flow log {flow.name} writes to {account.name}, whose firewall denies by default without "
                       "letting trusted Azure services (Network Watcher) through"), flow.urn
