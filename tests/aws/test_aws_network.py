"""Private network: subnets across zones, no internet unless asked, locked default SG,
no 0.0.0.0/0 ingress, VPC endpoints with policies, flow logs to an encrypted log group."""

from __future__ import annotations

from aws_helpers import as_list, key_arn, statements

from components.aws.endpoints import INTERFACE_SERVICES
from hardstack.render import Graph
from hardstack.spec import Environment

REQUIRED_INTERFACE = {
    "kms", "sts", "logs", "ecr.api", "ecr.dkr", "sagemaker.api", "sagemaker.runtime", "bedrock-runtime",
}


def test_vpc_uses_the_spec_cidr(aws_graph: Graph, aws_spec: Environment) -> None:
    (vpc,) = aws_graph.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == aws_spec.network.cidr
    assert vpc.inputs["enableDnsSupport"] and vpc.inputs["enableDnsHostnames"]


def test_private_subnets_across_zones(aws_graph: Graph, aws_spec: Environment) -> None:
    subnets = aws_graph.of_type("aws:ec2/subnet:Subnet")
    workload = [s for s in subnets if s.inputs["tags"]["tier"] == "workload"]
    assert len(workload) == aws_spec.network.zones
    assert len({s.inputs["availabilityZone"] for s in workload}) == aws_spec.network.zones
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)


def test_no_internet_path_when_egress_none(aws_graph: Graph) -> None:
    for token in ("aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway",
                  "aws:ec2/eip:Eip", "aws:ec2/route:Route"):
        assert aws_graph.of_type(token) == [], token
    for table in aws_graph.of_type("aws:ec2/routeTable:RouteTable"):
        assert not table.inputs.get("routes"), table.name


def test_nat_egress_adds_a_default_route_for_workloads(render_variant) -> None:
    graph = render_variant(network={"egress": "nat"})
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert len(graph.of_type("aws:ec2/internetGateway:InternetGateway")) == 1
    routes = graph.of_type("aws:ec2/route:Route")
    assert len(routes) == 2 and all(r.inputs["destinationCidrBlock"] == "0.0.0.0/0" for r in routes)


def test_proxy_egress_keeps_workload_subnets_without_default_route(render_variant) -> None:
    graph = render_variant(network={"egress": "proxy"})
    assert len(graph.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert graph.of_type("aws:ec2/route:Route") == []


def test_default_security_group_has_no_rules(aws_graph: Graph) -> None:
    (default,) = aws_graph.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs.get("ingress", []) == [] and default.inputs.get("egress", []) == []


def test_no_security_group_allows_ingress_from_anywhere(aws_graph: Graph) -> None:
    groups = aws_graph.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert groups
    for group in groups:
        for rule in group.inputs.get("ingress", []):
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), group.name
            assert "::/0" not in rule.get("ipv6CidrBlocks", []), group.name


def test_no_egress_to_anywhere_when_egress_none(aws_graph: Graph) -> None:
    for group in aws_graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("egress", []):
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), group.name


def test_s3_gateway_endpoint_on_workload_route_tables(aws_graph: Graph, aws_spec: Environment) -> None:
    endpoints = aws_graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    (s3,) = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Gateway"]
    assert s3.inputs["serviceName"] == f"com.amazonaws.{aws_spec.region}.s3"
    assert len(s3.inputs["routeTableIds"]) == aws_spec.network.zones
    resources = [r for st in statements(s3) for r in as_list(st["Resource"])]
    assert resources and all(r.startswith("arn:aws:s3:::") for r in resources)
    assert "*" not in resources


def test_interface_endpoints_private_with_policies(aws_graph: Graph, aws_spec: Environment) -> None:
    endpoints = [e for e in aws_graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs["vpcEndpointType"] == "Interface"]
    prefix = f"com.amazonaws.{aws_spec.region}."
    services = {e.inputs["serviceName"].removeprefix(prefix) for e in endpoints}
    assert REQUIRED_INTERFACE <= services == set(INTERFACE_SERVICES)
    for endpoint in endpoints:
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["securityGroupIds"] and len(endpoint.inputs["subnetIds"]) == aws_spec.network.zones
        for st in statements(endpoint):
            assert st["Condition"]["StringEquals"]["aws:PrincipalAccount"] == aws_spec.account
            assert all("*" not in action for action in as_list(st["Action"])), endpoint.name


def test_flow_logs_to_encrypted_retained_log_group(aws_graph: Graph, aws_spec: Environment) -> None:
    (flow,) = aws_graph.of_type("aws:ec2/flowLog:FlowLog")
    (vpc,) = aws_graph.of_type("aws:ec2/vpc:Vpc")
    assert flow.inputs["trafficType"] == "ALL"
    assert vpc.urn in flow.propertyDependencies["vpcId"]
    group = next(g for g in aws_graph.of_type("aws:cloudwatch/logGroup:LogGroup")
                 if g.urn in flow.propertyDependencies["logDestination"])
    assert group.inputs["kmsKeyId"] == key_arn(aws_graph, "logs")
    assert group.inputs["retentionInDays"] >= aws_spec.logging.retention_days
    role = next(r for r in aws_graph.of_type("aws:iam/role:Role") if r.urn in flow.propertyDependencies["iamRoleArn"])
    assert "vpc-flow-logs.amazonaws.com" in role.inputs["assumeRolePolicy"]
