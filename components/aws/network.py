"""A private VPC: workload and endpoint subnets per zone, no internet unless asked, flow logs.

Egress modes: "none" gives no internet gateway at all; "nat" adds a NAT gateway in an egress
subnet and a default route from workload subnets; "proxy" adds the egress subnet and NAT but
no default route from workload subnets, so only a proxy placed in the egress subnet reaches out.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs

Egress = Literal["none", "nat", "proxy"]


@dataclass
class PrivateNetworkArgs:
    cidr: str
    region: str
    account_id: str
    zones: int
    flow_log_key_arn: pulumi.Input[str]
    flow_log_retention_days: int
    egress: Egress = "none"
    tags: Mapping[str, str] = field(default_factory=dict)


def subnet_plan(cidr: str, zones: int) -> dict[str, list[str]]:
    """Carve the VPC range: /4 of it per workload subnet, smaller slices for endpoints, egress."""
    net = ipaddress.IPv4Network(cidr)
    quarters = list(net.subnets(prefixlen_diff=2))
    tail = list(quarters[3].subnets(prefixlen_diff=2))
    return {
        "workload": [str(quarters[i]) for i in range(zones)],
        "endpoint": [str(s) for s in list(tail[0].subnets(prefixlen_diff=2))[:zones]],
        "egress": [str(s) for s in list(tail[1].subnets(prefixlen_diff=2))[:1]],
    }


class PrivateNetwork(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    workload_subnets: list[aws.ec2.Subnet]
    endpoint_subnets: list[aws.ec2.Subnet]
    route_tables: list[aws.ec2.RouteTable]

    def __init__(self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:PrivateNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc", cidr_block=args.cidr, enable_dns_support=True,
            enable_dns_hostnames=True, tags={**tags, "Name": name}, opts=child,
        )
        # Take over the default security group and strip every rule from it.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=self.vpc.id, ingress=[], egress=[],
            revoke_rules_on_delete=True, tags={**tags, "Name": f"{name}-default-unused"}, opts=child,
        )
        plan = subnet_plan(args.cidr, args.zones)
        zones = [f"{args.region}{letter}" for letter in "abc"[: args.zones]]
        self.workload_subnets, self.endpoint_subnets, self.route_tables = [], [], []
        for tier in ("workload", "endpoint"):
            for zone, cidr in zip(zones, plan[tier], strict=True):
                subnet = aws.ec2.Subnet(
                    f"{name}-{tier}-{zone}", vpc_id=self.vpc.id, cidr_block=cidr,
                    availability_zone=zone, map_public_ip_on_launch=False,
                    tags={**tags, "Name": f"{name}-{tier}-{zone}", "tier": tier}, opts=child,
                )
                table = aws.ec2.RouteTable(
                    f"{name}-{tier}-{zone}-rt", vpc_id=self.vpc.id,
                    tags={**tags, "Name": f"{name}-{tier}-{zone}"}, opts=child,
                )
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier}-{zone}-rta", subnet_id=subnet.id, route_table_id=table.id, opts=child,
                )
                (self.workload_subnets if tier == "workload" else self.endpoint_subnets).append(subnet)
                self.route_tables.append(table)
        if args.egress != "none":
            self._egress(name, args, plan["egress"][0], zones[0], tags)
        self.flow_logs = self._flow_logs(name, args, tags)
        self.register_outputs({
            "vpc_id": self.vpc.id,
            "workload_subnet_ids": [s.id for s in self.workload_subnets],
        })

    def _egress(self, name: str, args: PrivateNetworkArgs, cidr: str, zone: str, tags: dict[str, str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags, opts=child)
        subnet = aws.ec2.Subnet(
            f"{name}-egress-{zone}", vpc_id=self.vpc.id, cidr_block=cidr, availability_zone=zone,
            map_public_ip_on_launch=False, tags={**tags, "Name": f"{name}-egress", "tier": "egress"},
            opts=child,
        )
        table = aws.ec2.RouteTable(
            f"{name}-egress-rt", vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}], tags=tags, opts=child,
        )
        aws.ec2.RouteTableAssociation(f"{name}-egress-rta", subnet_id=subnet.id,
                                      route_table_id=table.id, opts=child)
        eip = aws.ec2.Eip(f"{name}-nat-ip", domain="vpc", tags=tags, opts=child)
        nat = aws.ec2.NatGateway(f"{name}-nat", subnet_id=subnet.id, allocation_id=eip.id,
                                 tags=tags, opts=child)
        if args.egress == "nat":
            for index, table in enumerate(self.route_tables[: len(self.workload_subnets)]):
                aws.ec2.Route(f"{name}-workload-{index}-default", route_table_id=table.id,
                              destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id, opts=child)

    def _flow_logs(self, name: str, args: PrivateNetworkArgs, tags: dict[str, str]) -> aws.ec2.FlowLog:
        child = pulumi.ResourceOptions(parent=self)
        group = EncryptedLogGroup(
            f"{name}-flow", EncryptedLogGroupArgs(
                kms_key_arn=args.flow_log_key_arn, retention_days=args.flow_log_retention_days, tags=tags,
            ), opts=child,
        )
        # Role and trust as the VPC guide gives them, scoped to this log group and account:
        # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": args.account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{args.region}:{args.account_id}:vpc-flow-log/*"},
                },
            }]}),
            tags=tags, opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-write", role=role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "WriteThisGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams",
                           "logs:PutLogEvents"],
                "Resource": [group.arn, pulumi.Output.concat(group.arn, ":*")],
            }, {
                # The guide's minimum includes logs:DescribeLogGroups, a list call that cannot
                # be narrowed to one group.
                "Sid": "FindTheGroup",
                "Effect": "Allow",
                "Action": ["logs:DescribeLogGroups"],
                "Resource": f"arn:aws:logs:{args.region}:{args.account_id}:log-group:*",
            }]}),
            opts=child,
        )
        return aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=self.vpc.id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=group.arn,
            iam_role_arn=role.arn, max_aggregation_interval=60, tags=tags, opts=child,
        )
