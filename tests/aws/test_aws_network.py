"""Private network: subnets across zones, no internet unless asked, locked default SG,
no 0.0.0.0/0 ingress, VPC endpoints with policies, flow logs to an encrypted log group."""

from __future__ import annotations

from aws_helpers import as_list, key_arn, statements

from hardstack.components.aws.endpoints import INTERFACE_SERVICES
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
    # The guardduty-data endpoint carries GuardDuty's documented account-fence policy instead
    # of named actions; it is pinned by test_guardduty_data_endpoint_with_the_documented_policy.
    endpoints = [e for e in aws_graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs["vpcEndpointType"] == "Interface"
                 and e.inputs["serviceName"] != f"com.amazonaws.{aws_spec.region}.guardduty-data"]
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


def gateway_statements(graph: Graph) -> dict[str, dict]:
    (s3,) = [e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Gateway"]
    return {st["Sid"]: st for st in statements(s3)}


def test_gateway_lets_ecr_pull_image_layers_read_only(aws_graph: Graph, aws_spec: Environment) -> None:
    # https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html: layers live in
    # prod-<region>-starport-layer-bucket and are fetched with URLs ECR presigns, so the caller
    # is not this account: any principal, GetObject only (PutObject is for pushes).
    st = gateway_statements(aws_graph)["EcrImageLayers"]
    assert st == {
        "Sid": "EcrImageLayers", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::prod-{aws_spec.region}-starport-layer-bucket/*",
    }


def test_gateway_lets_dnf_read_the_amazon_linux_repositories(aws_graph: Graph, aws_spec: Environment) -> None:
    # dnf reads the AL2023 repositories unsigned: a statement limited to this account's
    # principals never matched them (vpc/latest/privatelink/vpc-endpoints-s3.html example).
    st = gateway_statements(aws_graph)["OsPackageRepositories"]
    assert st["Principal"] == "*" and st["Action"] == "s3:GetObject" and "Condition" not in st
    assert st["Resource"] == f"arn:aws:s3:::al2023-repos-{aws_spec.region}-*/*"


def test_gateway_lets_this_account_read_the_guardduty_agent_artifacts(aws_graph: Graph, aws_spec: Environment) -> None:
    st = gateway_statements(aws_graph)["GuardDutyAgentArtifacts"]
    assert st == {
        "Sid": "GuardDutyAgentArtifacts", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{aws_spec.account}:root"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::694911143906-eu-west-1-guardduty-agent-rpm-artifacts/*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": aws_spec.account}},
    }
    writes = [st for st in gateway_statements(aws_graph).values() if "s3:PutObject" in as_list(st["Action"])]
    assert [st["Sid"] for st in writes] == ["EnvironmentBucketsOnly"]
    assert all(st["Principal"] != "*" for st in writes)


def test_guardduty_data_endpoint_with_the_documented_policy(aws_graph: Graph, aws_spec: Environment) -> None:
    # runtime-monitoring-agent-connectivity.html: "If you manage the agent manually, you need to
    # create an Amazon VPC endpoint"; policy from creating-vpc-endpoint-ec2-agent-manually.html.
    (endpoint,) = [e for e in aws_graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                   if e.inputs["serviceName"] == f"com.amazonaws.{aws_spec.region}.guardduty-data"]
    assert endpoint.inputs["vpcEndpointType"] == "Interface"
    assert endpoint.inputs["privateDnsEnabled"] is True
    assert len(endpoint.inputs["subnetIds"]) == aws_spec.network.zones and endpoint.inputs["securityGroupIds"]
    allow, deny = statements(endpoint)
    assert allow == {"Sid": "AgentDelivers", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    assert deny == {"Sid": "OnlyThisAccount", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:PrincipalAccount": aws_spec.account}}}


def test_endpoint_group_admits_https_from_the_workloads(aws_graph: Graph, aws_spec: Environment) -> None:
    # The agent reaches guardduty-data on 443 from the VPC; workload groups allow 443 to the VPC.
    (group,) = [g for g in aws_graph.of_type("aws:ec2/securityGroup:SecurityGroup") if "endpoints" in g.name]
    assert {"protocol": "tcp", "fromPort": 443, "toPort": 443}.items() <= group.inputs["ingress"][0].items()
    assert group.inputs["ingress"][0]["cidrBlocks"] == [aws_spec.network.cidr]


def test_flow_log_role_as_the_vpc_guide_requires(aws_graph: Graph, aws_spec: Environment) -> None:
    # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html: the role needs at
    # least CreateLogGroup, CreateLogStream, PutLogEvents, DescribeLogGroups, DescribeLogStreams.
    (flow,) = aws_graph.of_type("aws:ec2/flowLog:FlowLog")
    role = next(r for r in aws_graph.of_type("aws:iam/role:Role") if r.urn in flow.propertyDependencies["iamRoleArn"])
    (trust,) = statements(role, "assumeRolePolicy")
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": aws_spec.account},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{aws_spec.region}:{aws_spec.account}:vpc-flow-log/*"},
    }
    (policy,) = [p for p in aws_graph.of_type("aws:iam/rolePolicy:RolePolicy") if role.urn in p.dependencies]
    actions = {a for st in statements(policy) for a in as_list(st["Action"])}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                       "logs:DescribeLogGroups", "logs:DescribeLogStreams"}
    find = next(st for st in statements(policy) if st["Action"] == ["logs:DescribeLogGroups"])
    assert find["Resource"] == f"arn:aws:logs:{aws_spec.region}:{aws_spec.account}:log-group:*"
