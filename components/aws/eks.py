"""A private, hardened EKS control plane: no public endpoint, secrets encrypted with the environment's
data key, all five control-plane log types into a KMS-encrypted log group, access entries only (no
aws-auth ConfigMap), and the EKS Pod Identity agent so pods get their own short-lived credentials.

EKS documents no confidential-computing option for its nodes (managed node groups, self-managed
nodes, Fargate: https://docs.aws.amazon.com/eks/latest/userguide/eks-compute.html); the spec refuses
a confidential pool and the node groups (components.aws.eks_node_group) run without memory
encryption, an exempted decision.

How a deployer reaches the cluster: the Kubernetes API has a private endpoint only, so kubectl and
CD tooling run from inside the VPC or from a network joined to it (VPN, Direct Connect, peering, a CI
runner in the workload subnets); the cluster's own security group admits HTTPS from the VPC range for
that. The EKS management API (create, describe, node groups) stays the public AWS API Pulumi calls,
and the `eks` interface endpoint serves it inside the VPC. With `bootstrap_cluster_creator_admin_permissions`
the identity that runs `pulumi up` gets one access entry with cluster-admin, visible and revocable in
the EKS API (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.kms_key import USE_ACTIONS
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs

# checkov's CKV_AWS_37 and the EKS user guide name the same five
# (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html).
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
CLUSTER_POLICY = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
POD_IDENTITY_ADDON = "eks-pod-identity-agent"
GUARDDUTY_ADDON = "aws-guardduty-agent"
# What an admin gets, on this cluster only: the access policy like Kubernetes' cluster-admin
# (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html), scope "cluster".
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"


def log_group_name(cluster_name: str) -> str:
    """EKS writes control-plane logs to this group and creates it if missing: created first, it is
    ours, with our key and retention (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html)."""
    return f"/aws/eks/{cluster_name}/cluster"


def cluster_arn(region: str, account_id: str, cluster_name: str) -> str:
    return f"arn:aws:eks:{region}:{account_id}:cluster/{cluster_name}"


@dataclass
class EksClusterArgs:
    cluster_name: str
    role_name: str
    account_id: str
    region: str
    version: str
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    subnet_ids: Sequence[pulumi.Input[str]]
    secrets_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    # The identity running `pulumi up` gets cluster-admin through one access entry (see module doc);
    # False leaves the cluster without any admin until access entries are added.
    creator_is_admin: bool = True
    # IAM role or user ARNs that administer the cluster: one STANDARD access entry each, with the cluster
    # admin policy (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html).
    admins: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.subnet_ids) < 2:
            raise ValueError("EKS needs subnets in at least two availability zones")
        for arn in self.admins:
            if ":sts::" in arn:
                # "You can't use the STS session principal type with access entries" (creating-access-entries).
                raise ValueError(f"{arn} is an STS session: name the IAM role it assumes")


def cluster_trust_policy(account_id: str, region: str, cluster_name: str) -> str:
    """Only EKS, only for this cluster of this account: the confused-deputy form EKS documents
    (https://docs.aws.amazon.com/eks/latest/userguide/cross-service-confused-deputy-prevention.html)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "eks.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "ArnLike": {"aws:SourceArn": cluster_arn(region, account_id, cluster_name)},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }]}, sort_keys=True)


class EksCluster(pulumi.ComponentResource):
    role: aws.iam.Role
    security_group: aws.ec2.SecurityGroup
    logs: EncryptedLogGroup
    cluster: aws.eks.Cluster

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:EksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = self._tags = dict(args.tags)
        self.role = aws.iam.Role(
            f"{name}-cluster-role", name=args.role_name,
            assume_role_policy=cluster_trust_policy(args.account_id, args.region, args.cluster_name),
            force_detach_policies=True, tags=tags, opts=child,
        )
        # The one managed policy the EKS guide requires of a cluster role
        # (https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html).
        aws.iam.RolePolicyAttachment(f"{name}-cluster-policy", role=self.role.name, policy_arn=CLUSTER_POLICY,
                                     opts=child)
        # The KMS plugin of the control plane encrypts and decrypts secrets as this role: the key policy
        # names it (blueprint) and this grant is its IAM half, limited to the one key
        # (terraform-aws-modules/eks does the same: https://www.mintlify.com/terraform-aws-modules/terraform-aws-eks/configuration/encryption).
        self.key_grant = aws.iam.RolePolicy(
            f"{name}-cluster-secrets-key", role=self.role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [{
                "Sid": "EncryptSecretsWithTheDataKey", "Effect": "Allow",
                # EKS's hourly health check lists the key's grants as this role: without kms:ListGrants it
                # fails every hour (terraform-aws-modules/terraform-aws-eks#1913; its cluster_encryption
                # policy grants Encrypt, Decrypt, ListGrants and DescribeKey).
                "Action": [*USE_ACTIONS, "kms:ListGrants"],
                "Resource": [args.secrets_key_arn],
            }]}),
            opts=child,
        )
        # The control plane's own group (EKS adds its cluster security group to the nodes): HTTPS from
        # inside the VPC only, which is where deployers must come from (module doc).
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-api-sg", vpc_id=args.vpc_id,
            description=f"{args.cluster_name}: the Kubernetes API from inside the VPC only",
            ingress=[{"description": "Kubernetes API from the VPC", "protocol": "tcp", "from_port": 443,
                      "to_port": 443, "cidr_blocks": [args.vpc_cidr]}],
            egress=[{"description": "Control plane to kubelets and webhooks in the VPC", "protocol": "tcp",
                     "from_port": 0, "to_port": 65535, "cidr_blocks": [args.vpc_cidr]}],
            tags=tags, opts=child,
        )
        self.logs = EncryptedLogGroup(f"{name}-control-plane", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.log_retention_days, tags=tags,
            group_name=log_group_name(args.cluster_name),
        ), opts=child)
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster", name=args.cluster_name, version=args.version, role_arn=self.role.arn,
            vpc_config={
                "subnet_ids": list(args.subnet_ids), "security_group_ids": [self.security_group.id],
                # Private only (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html);
                # nodes register through the private endpoint
                # (https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html).
                "endpoint_private_access": True, "endpoint_public_access": False,
            },
            encryption_config={"provider": {"key_arn": args.secrets_key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(LOG_TYPES),
            # Access entries only: no aws-auth ConfigMap to edit or forget
            # (https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html).
            access_config={"authentication_mode": "API",
                           "bootstrap_cluster_creator_admin_permissions": args.creator_is_admin},
            tags=tags,
            # The group exists before EKS would create its own without key or retention; the key grant
            # exists before the control plane first encrypts a secret.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.logs.group, self.key_grant]),
        )
        self.admin_entries = [self._admin(index, arn, args, tags) for index, arn in enumerate(args.admins)]
        self.register_outputs({"cluster_name": self.cluster.name, "endpoint": self.cluster.endpoint})

    def _admin(self, index: int, principal_arn: str, args: EksClusterArgs,
               tags: Mapping[str, str]) -> aws.eks.AccessPolicyAssociation:
        entry = aws.eks.AccessEntry(
            f"{self._name}-admin-{index}", cluster_name=self.cluster.name, principal_arn=principal_arn,
            type="STANDARD", tags=dict(tags), opts=pulumi.ResourceOptions(parent=self))
        return aws.eks.AccessPolicyAssociation(
            f"{self._name}-admin-{index}-policy", cluster_name=self.cluster.name, principal_arn=entry.principal_arn,
            policy_arn=CLUSTER_ADMIN_POLICY, access_scope={"type": "cluster"},
            opts=pulumi.ResourceOptions(parent=self))

    def pod_identity_agent(self, depends_on: Sequence[pulumi.Resource]) -> aws.eks.Addon:
        """The EKS Pod Identity agent (preferred over IRSA: no OIDC provider to manage, roles trust one
        service principal, and the agent serves credentials on the node's link-local address, so the
        node's IMDS hop limit stays 1: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html).
        Installed once nodes exist: the add-on's DaemonSet needs them to become active."""
        return aws.eks.Addon(
            f"{self._name}-pod-identity", cluster_name=self.cluster.name, addon_name=POD_IDENTITY_ADDON,
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE",
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )

    def guardduty_agent(self, depends_on: Sequence[pulumi.Resource]) -> aws.eks.Addon:
        """GuardDuty Runtime Monitoring's security agent, managed by us (the detector keeps agent management
        off, as for the VMs); it delivers through the guardduty-data interface endpoint the blueprint adds
        (https://docs.aws.amazon.com/guardduty/latest/ug/managing-gdu-agent-eks-manually.html)."""
        return aws.eks.Addon(
            f"{self._name}-guardduty", cluster_name=self.cluster.name, addon_name=GUARDDUTY_ADDON,
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE", tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )
