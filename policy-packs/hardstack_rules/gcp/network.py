"""GCP networking: custom-mode VPCs without a default internet route, deny-all firewalls that
log, nothing admitted from the internet, Private Google Access, and flow logs everywhere."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import DNS_POLICY, FIREWALL, NETWORK, SUBNET
from ..relations import of_type, references
from ..rule import resource_rule, stack_rule
from ..values import number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

ANYWHERE = {"0.0.0.0/0", "::/0"}
BOUNDARY = {"hipaa": ["164.312(e)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
FLOWS = {"hipaa": ["164.312(b)"], "gdpr": ["32(1)(d)"], "nist-800-53": ["AU-12", "SI-4"]}
NAT = "gcp:compute/routerNat:RouterNat"


def _direction(props: Mapping[str, Any]) -> str:
    return str(props.get("direction") or "INGRESS")  # GCP's default direction


def _open_to_all(rules: Any) -> bool:
    return any(isinstance(r, Mapping) and r.get("protocol") == "all" and not r.get("ports") for r in rules or [])


def on_network(resources: Sequence[PolicyResource], network: PolicyResource, token: str) -> list[PolicyResource]:
    """Resources of `token` whose `network` input comes from `network` (or names it)."""
    name = str(network.props.get("name") or network.name)
    return [
        r for r in of_type(resources, token)
        if references(r, "network", network) or str(r.props.get("network", "")).endswith(f"/networks/{name}")
    ]


@resource_rule(
    id="gcp-vpc-custom-mode", title="VPC networks are custom mode (no automatic subnets)", severity="high",
    cloud="gcp", practice="access", types=[NETWORK], controls={"nist-800-53": ["SC-7", "CM-7"], "gdpr": ["25"]},
    remediation="Set auto_create_subnetworks=False and create the subnets the environment needs.",
)
def custom_mode(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("autoCreateSubnetworks") is not False:
        yield "auto mode: a subnet with default firewall-free ranges appears in every region"


@resource_rule(
    id="gcp-vpc-no-default-internet-route", title="VPC networks start without a default internet route",
    severity="medium", cloud="gcp", practice="access", types=[NETWORK], controls=BOUNDARY,
    remediation="Set delete_default_routes_on_create=True; add an internet route only with egress nat/proxy.",
)
def no_default_route(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("deleteDefaultRoutesOnCreate") is not True:
        yield "keeps the default route to the internet gateway"


@resource_rule(
    id="gcp-subnet-private-google-access", title="Subnets reach Google APIs privately", severity="medium",
    cloud="gcp", practice="access", types=[SUBNET], controls={"nist-800-53": ["SC-7"], "hipaa": ["164.312(e)(1)"]},
    remediation="Set private_ip_google_access=True, so instances without external IPs reach Google APIs.",
)
def private_google_access(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("privateIpGoogleAccess") is not True:
        yield "Private Google Access is off: Google APIs need an external path"


@resource_rule(
    id="gcp-subnet-flow-logs", title="Subnet flow logs sample enough flows with metadata", severity="medium",
    cloud="gcp", practice="monitoring", types=[SUBNET], controls=FLOWS,
    remediation="Set log_config with flow_sampling 1.0 and metadata INCLUDE_ALL_METADATA.",
    config={"minimumSampling": {"type": "number", "default": 0.5, "minimum": 0, "maximum": 1}},
)
def subnet_flow_logs(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("purpose") not in (None, "PRIVATE"):
        return  # proxy-only and PSC subnets carry no VM flows
    log = props.get("logConfig")
    if not isinstance(log, Mapping):
        yield "flow logs are off"
        return
    sampling = float(log.get("flowSampling", 0.5))  # GCP's default sampling
    if sampling < config["minimumSampling"]:
        yield f"samples {sampling:g} of flows; the minimum is {number(config['minimumSampling'])}"
    if log.get("metadata") == "EXCLUDE_ALL_METADATA":
        yield "flow logs exclude metadata (no instance or VPC names for investigation)"


@stack_rule(
    id="gcp-vpc-flow-logs", title="Every subnet of every VPC network records flow logs", severity="high",
    cloud="gcp", practice="monitoring", controls=FLOWS,
    remediation="Give each subnet a log_config (components.gcp.PrivateNetwork does).",
)
def vpc_flow_logs(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for network in of_type(resources, NETWORK):
        for subnet in on_network(resources, network, SUBNET):
            if subnet.props.get("purpose") in (None, "PRIVATE") and not subnet.props.get("logConfig"):
                yield f"subnet {subnet.name} of network {network.name} has no flow logs", subnet.urn


@resource_rule(
    id="gcp-firewall-no-ingress-from-anywhere", title="No firewall rule admits traffic from the internet",
    severity="critical", cloud="gcp", practice="access", types=[FIREWALL], controls=BOUNDARY,
    remediation="Allow ingress from the VPC range, service accounts or IAP (35.235.240.0/20) only.",
)
def no_open_ingress(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if _direction(props) != "INGRESS" or not props.get("allows") or props.get("disabled") is True:
        return
    open_to = ANYWHERE & set(props.get("sourceRanges") or [])
    if open_to:
        ports = sorted({p for a in props["allows"] for p in (a.get("ports") or ["all"])})
        yield f"allows ingress from {', '.join(sorted(open_to))} on ports {', '.join(ports)}"


@resource_rule(
    id="gcp-firewall-logging", title="Every firewall rule logs its matches", severity="medium", cloud="gcp",
    practice="monitoring", types=[FIREWALL], controls=FLOWS,
    remediation="Set log_config with metadata INCLUDE_ALL_METADATA.",
)
def firewall_logging(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not isinstance(props.get("logConfig"), Mapping):
        yield "firewall logging is off: matched connections leave no trace"


@stack_rule(
    id="gcp-firewall-deny-all", title="Every VPC network denies all ingress and egress by default",
    severity="high", cloud="gcp", practice="access", controls=BOUNDARY,
    remediation="Add deny-all INGRESS (source 0.0.0.0/0) and EGRESS (destination 0.0.0.0/0) rules at "
    "priority 65534; allow what is needed above them.",
)
def deny_all(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for network in of_type(resources, NETWORK):
        # Only a rule for every instance is a default: a deny limited to target tags or service
        # accounts (the containment quarantine rules) leaves everything else open.
        rules = [f for f in on_network(resources, network, FIREWALL)
                 if f.props.get("disabled") is not True and _open_to_all(f.props.get("denies"))
                 and not f.props.get("targetTags") and not f.props.get("targetServiceAccounts")]
        ingress = [f for f in rules if _direction(f.props) == "INGRESS"
                   and ANYWHERE & set(f.props.get("sourceRanges") or [])]
        egress = [f for f in rules if _direction(f.props) == "EGRESS"
                  and ANYWHERE & set(f.props.get("destinationRanges") or [])]
        if not ingress:
            yield f"network {network.name} has no deny-all ingress rule (GCP's implied deny is unlogged)", network.urn
        if not egress:
            yield f"network {network.name} has no deny-all egress rule: GCP allows all egress by default", \
                network.urn


@resource_rule(
    id="gcp-dns-logging", title="Cloud DNS queries of the VPC are logged", severity="medium", cloud="gcp",
    practice="monitoring", types=[DNS_POLICY], controls={"nist-800-53": ["AU-12", "SI-4"], "gdpr": ["32(1)(d)"]},
    remediation="Set enable_logging=True on the network's DNS policy.",
)
def dns_logging(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableLogging") is not True:
        yield "DNS query logging is off: lookups of exfiltration domains go unseen"


@resource_rule(
    id="gcp-nat-logging", title="Cloud NAT logs every translation", severity="medium", cloud="gcp",
    practice="monitoring", types=[NAT], controls=FLOWS,
    remediation="Set log_config enable=True with filter ALL.",
)
def nat_logging(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    log = props.get("logConfig") or {}
    if log.get("enable") is not True:
        yield "NAT logging is off: outbound connections leave no trace"
    elif log.get("filter", "ALL") != "ALL":
        yield f"NAT logs only {log['filter']}"
