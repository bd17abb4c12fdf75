"""AWS networking: nothing reachable from the internet, default-deny, endpoints with policies,
flow logs on every VPC."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import (
    allows,
    as_list,
    has_condition,
    is_wildcard_principal,
    statements,
    wildcard_actions,
)
from ..relations import configured, of_type, references
from ..rule import resource_rule, stack_rule
from ..values import number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
ANYWHERE = {"0.0.0.0/0", "::/0"}
BOUNDARY = {"hipaa": ["164.312(e)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}


@resource_rule(
    id="aws-sg-no-ingress-from-anywhere", title="No security group admits traffic from the internet",
    severity="critical", cloud="aws", practice="access", types=[SG, INGRESS_RULE, SG_RULE],
    controls=BOUNDARY,
    remediation="Restrict ingress to the VPC range or to other security groups; use Session Manager, not SSH.",
)
def no_open_ingress(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    rules: list[Mapping[str, Any]] = list(props.get("ingress") or [])
    if "cidrIpv4" in props or "cidrIpv6" in props:  # vpc.SecurityGroupIngressRule
        rules.append({"cidrBlocks": [props.get("cidrIpv4")], "ipv6CidrBlocks": [props.get("cidrIpv6")]})
    if props.get("type") == "ingress":  # ec2.SecurityGroupRule
        rules.append(props)
    for rule in rules:
        open_to = ANYWHERE & {*(rule.get("cidrBlocks") or []), *(rule.get("ipv6CidrBlocks") or [])}
        if open_to:
            ports = f"{number(rule.get('fromPort', '?'))}-{number(rule.get('toPort', '?'))}"
            yield f"ingress from {', '.join(sorted(open_to))} on ports {ports}"


@resource_rule(
    id="aws-default-sg-no-rules", title="The default security group allows nothing", severity="high",
    cloud="aws", practice="access", types=["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"],
    controls={"nist-800-53": ["SC-7", "CM-7"]},
    remediation="Manage the default security group with empty ingress and egress.",
)
def default_sg(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("ingress") or props.get("egress"):
        yield "the default security group still has rules"


@stack_rule(
    id="aws-default-sg-managed", title="Every VPC's default security group is taken over and emptied",
    severity="high", cloud="aws", practice="access", controls={"nist-800-53": ["SC-7", "CM-7"]},
    remediation="Add an ec2.DefaultSecurityGroup for the VPC with no rules.",
)
def default_sg_managed(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for vpc in of_type(resources, "aws:ec2/vpc:Vpc"):
        if not configured(resources, vpc, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "vpcId"):
            yield f"VPC {vpc.name} keeps AWS's default security group rules", vpc.urn


@resource_rule(
    id="aws-subnet-no-public-ip", title="Subnets do not hand out public IPs", severity="high", cloud="aws",
    practice="access", types=["aws:ec2/subnet:Subnet"], controls=BOUNDARY,
    remediation="Set map_public_ip_on_launch=False.",
)
def subnet_public_ip(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("mapPublicIpOnLaunch") is True:
        yield "instances launched here get public IPs"


@resource_rule(
    id="aws-vpc-endpoint-policy", title="VPC endpoints carry a policy limited to named principals",
    severity="medium", cloud="aws", practice="access", types=["aws:ec2/vpcEndpoint:VpcEndpoint"],
    controls={"nist-800-53": ["AC-4", "SC-7"], "gdpr": ["25"]},
    remediation="Give each endpoint a policy for this account's principals and the actions workloads need.",
)
def endpoint_policy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("policy"):
        yield "no endpoint policy: any principal may use it for any action"
        return
    fenced = _account_fenced_guardduty_data(props)
    for st in allows(props["policy"]):
        if fenced or _reads_aws_owned_objects(st):
            continue
        if is_wildcard_principal(st) and not has_condition(st):
            yield f"statement {st.get('Sid', '?')} allows any principal"
        for action in wildcard_actions(st):
            yield f"statement {st.get('Sid', '?')} allows {action}"


# Buckets AWS owns whose objects are fetched without this account's credentials (ECR layers by
# URLs ECR presigns, Amazon Linux repositories unsigned): a read of their objects may name any
# principal, since nothing can be written and no bucket of the account is reachable that way.
# https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
# https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
AWS_OWNED_OBJECTS = (
    r"arn:aws:s3:::prod-[a-z0-9-]+-starport-layer-bucket/\*",
    r"arn:aws:s3:::al2023-repos-[a-z0-9-]+-(\*|[0-9a-f]{8})/\*",
)


def _reads_aws_owned_objects(st: Mapping[str, Any]) -> bool:
    actions = as_list(st.get("Action"))
    resources = as_list(st.get("Resource"))
    return (bool(actions) and all(a == "s3:GetObject" for a in actions) and bool(resources)
            and all(isinstance(r, str) and any(re.fullmatch(p, r) for p in AWS_OWNED_OBJECTS) for r in resources))


def _account_fenced_guardduty_data(props: Mapping[str, Any]) -> bool:
    """GuardDuty's documented policy for its `guardduty-data` endpoint: everything allowed, then
    everything denied to principals outside one account (the agent's calls are not IAM actions
    one could name). https://docs.aws.amazon.com/guardduty/latest/ug/creating-vpc-endpoint-ec2-agent-manually.html"""
    if not str(props.get("serviceName", "")).endswith(".guardduty-data"):
        return False
    for st in statements(props.get("policy")):
        if (st.get("Effect") == "Deny" and is_wildcard_principal(st) and as_list(st.get("Action")) == ["*"]
                and as_list(st.get("Resource")) == ["*"]
                and list((st.get("Condition") or {}).get("StringNotEquals", {})) == ["aws:PrincipalAccount"]
                and len(st.get("Condition") or {}) == 1):
            return True
    return False


@resource_rule(
    id="aws-vpc-endpoint-private-dns", title="Interface endpoints resolve the public API names privately",
    severity="medium", cloud="aws", practice="access", types=["aws:ec2/vpcEndpoint:VpcEndpoint"],
    controls={"nist-800-53": ["SC-7"]},
    remediation="Set private_dns_enabled=True so SDKs reach the endpoint without configuration.",
)
def endpoint_private_dns(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("vpcEndpointType") == "Interface" and props.get("privateDnsEnabled") is not True:
        yield "private DNS is off: clients resolve and use the public endpoint"


@stack_rule(
    id="aws-vpc-flow-logs", title="Every VPC records flow logs of all traffic", severity="high",
    cloud="aws", practice="monitoring",
    controls={"hipaa": ["164.312(b)"], "gdpr": ["32(1)(d)"], "nist-800-53": ["AU-12", "SI-4"]},
    remediation="Add an ec2.FlowLog with traffic_type ALL for the VPC (or each of its subnets).",
)
def flow_logs(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    logs = of_type(resources, "aws:ec2/flowLog:FlowLog")
    full = [fl for fl in logs if fl.props.get("trafficType") == "ALL"]
    for vpc in of_type(resources, "aws:ec2/vpc:Vpc"):
        if any(references(fl, "vpcId", vpc) for fl in full):
            continue
        for subnet in configured(resources, vpc, "aws:ec2/subnet:Subnet", "vpcId"):
            if not any(references(fl, "subnetId", subnet) for fl in full):
                yield f"subnet {subnet.name} of VPC {vpc.name} has no flow log", subnet.urn
        if not configured(resources, vpc, "aws:ec2/subnet:Subnet", "vpcId"):
            yield f"VPC {vpc.name} has no flow log", vpc.urn
