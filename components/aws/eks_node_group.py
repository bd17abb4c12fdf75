"""One EKS managed node group per spec pool: Amazon Linux 2023 nodes in the private subnets, launched
from a launch template that requires IMDSv2 with a hop limit of 1 and encrypts the root volume with the
environment's compute key; no SSH, no public IP; a node role with the three policies EKS requires and a
permissions boundary capping it at them.

Not confidential: EKS documents no confidential-computing option for nodes
(https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html), so a pool runs without memory
encryption and says so (`confidential: none` with an exemption in the spec).

Launch template rules of managed node groups (https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html):
no subnet, instance profile or shutdown behaviour in the template; the disk is set in the template, not the
node group; no remote access with a template; without security groups in the template EKS adds the
cluster security group, which is what lets nodes reach the control plane and each other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# The policies the EKS guide requires of a node role
# (https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html): nodes join, pull images
# (pull only, no push: AmazonEC2ContainerRegistryPullOnly) and the VPC CNI assigns pod addresses.
NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
)
# The actions of those three managed policies, named: the boundary lets no later attachment widen the
# node role beyond them (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEKSWorkerNodePolicy.html,
# .../AmazonEC2ContainerRegistryPullOnly.html, .../AmazonEKS_CNI_Policy.html). Describe calls and the ECR token
# cannot be narrowed to a resource; the rest can, and the boundary does.
NODE_READS = (
    "ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications", "ec2:DescribeVpcs", "ecr:GetAuthorizationToken",
)
# The VPC CNI's writes: pod addresses on the node's interfaces, in this account and region.
CNI_WRITES = (
    "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface", "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
)
# Image pulls: add-on images come from AWS's regional registries (other accounts), so any account, this region.
ECR_PULLS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
# AL2023, the EKS-optimized image with nodeadm (https://docs.aws.amazon.com/eks/latest/userguide/al2023.html).
AMI_TYPE = "AL2023_x86_64_STANDARD"
AMI_TYPE_GPU = "AL2023_x86_64_NVIDIA"
ROOT_DEVICE = "/dev/xvda"  # the root device of the EKS-optimized AL2023 AMIs


@dataclass
class EksNodeGroupArgs:
    cluster_name: pulumi.Input[str]
    cluster_arn: str
    pool_name: str
    role_name: str
    account_id: str
    region: str
    version: str
    instance_type: str
    count: int
    subnet_ids: Sequence[pulumi.Input[str]]
    disk_key_arn: pulumi.Input[str]
    disk_gb: int = 100
    gpu: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("a node group needs at least one node")


def node_trust_policy(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    }]}, sort_keys=True)


def node_boundary(account_id: str, region: str, cluster_arn: str) -> dict[str, object]:
    ec2 = f"arn:aws:ec2:{region}:{account_id}"
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "CeilingReads", "Effect": "Allow", "Action": sorted(NODE_READS), "Resource": "*",
    }, {
        "Sid": "CeilingCni", "Effect": "Allow", "Action": sorted(CNI_WRITES),
        "Resource": [f"{ec2}:{kind}/*" for kind in ("instance", "network-interface", "security-group", "subnet")],
    }, {
        # AmazonEKS_CNI_Policy lets the CNI tag the interfaces it creates; nothing else may be tagged.
        "Sid": "CeilingTagInterfaces", "Effect": "Allow", "Action": ["ec2:CreateTags"],
        "Resource": f"{ec2}:network-interface/*",
    }, {
        "Sid": "CeilingImagePulls", "Effect": "Allow", "Action": sorted(ECR_PULLS),
        "Resource": f"arn:aws:ecr:{region}:*:repository/*",
    }, {
        # Nodes describe their own cluster; the Pod Identity agent exchanges tokens of this cluster only.
        "Sid": "CeilingOwnCluster", "Effect": "Allow",
        "Action": ["eks-auth:AssumeRoleForPodIdentity", "eks:DescribeCluster"], "Resource": cluster_arn,
    }]}


class EksNodeGroup(pulumi.ComponentResource):
    role: aws.iam.Role
    launch_template: aws.ec2.LaunchTemplate
    node_group: aws.eks.NodeGroup

    def __init__(self, name: str, args: EksNodeGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:EksNodeGroup", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, "node-pool": args.pool_name}
        self.boundary = aws.iam.Policy(
            f"{name}-node-boundary", name=f"{args.role_name}-boundary",
            description=f"Permissions boundary of {args.role_name}: what an EKS node needs, nothing more",
            policy=json.dumps(node_boundary(args.account_id, args.region, args.cluster_arn), sort_keys=True),
            tags=tags, opts=child,
        )
        self.role = aws.iam.Role(
            f"{name}-node-role", name=args.role_name, assume_role_policy=node_trust_policy(args.account_id),
            permissions_boundary=self.boundary.arn, force_detach_policies=True, tags=tags, opts=child,
        )
        self.attachments = [
            aws.iam.RolePolicyAttachment(f"{name}-{arn.rsplit('/', 1)[-1]}", role=self.role.name, policy_arn=arn,
                                         opts=child)
            for arn in NODE_POLICIES
        ]
        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt", name=f"{args.role_name}s",
            description=f"{args.pool_name}: IMDSv2 with hop limit 1, root volume on the compute key",
            # Pods reach AWS through Pod Identity, never with the node's credentials: IMDSv2 only and a hop
            # limit of 1 in a custom launch template is the EKS guide's way to "block access to IMDSv2 for all
            # containers that don't use host networking"
            # (https://docs.aws.amazon.com/eks/latest/userguide/best-practices-security.html). The Pod Identity
            # agent, the VPC CNI and kube-proxy run in the host network, so the limit does not stop them
            # (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html).
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required",
                              "http_put_response_hop_limit": 1, "instance_metadata_tags": "disabled"},
            block_device_mappings=[{
                "device_name": ROOT_DEVICE,
                "ebs": {"encrypted": "true", "kms_key_id": args.disk_key_arn, "volume_type": "gp3",
                        "volume_size": args.disk_gb, "delete_on_termination": "true"},
            }],
            monitoring={"enabled": True},
            tag_specifications=[{"resource_type": kind, "tags": {**tags, "Name": name}}
                                for kind in ("instance", "volume")],
            update_default_version=True, tags=tags, opts=child,
        )
        self.node_group = aws.eks.NodeGroup(
            f"{name}-nodes", cluster_name=args.cluster_name, node_group_name=args.pool_name,
            node_role_arn=self.role.arn, subnet_ids=list(args.subnet_ids), version=args.version,
            instance_types=[args.instance_type], ami_type=AMI_TYPE_GPU if args.gpu else AMI_TYPE,
            capacity_type="ON_DEMAND",
            scaling_config={"desired_size": args.count, "min_size": args.count, "max_size": args.count},
            update_config={"max_unavailable": 1},
            launch_template={"id": self.launch_template.id,
                             "version": self.launch_template.latest_version.apply(str)},
            tags=tags,
            # The node role must hold its policies before nodes try to join.
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.attachments),
        )
        self.register_outputs({"node_group": self.node_group.node_group_name})
