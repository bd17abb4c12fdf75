"""AWS EKS: a private control plane with its secrets on a customer key, every control-plane log type in a
log group of this stack, access entries instead of the aws-auth ConfigMap, Pod Identity for pods; managed
node groups from a launch template (IMDSv2 with hop limit 1: aws-ec2-imdsv2; SEV-SNP, which EKS cannot
offer: aws-ec2-confidential-computing, exempted per pool) with customer-key volumes that Auto Scaling can
actually use, and no SSH; and a secrets key that EKS and the cluster role can actually use."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import as_list, statements
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule
from ..values import is_map
from .compute import ASG_SLR, asg_slr_gaps

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ADDON = "aws:eks/addon:Addon"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")

NETWORK = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-28"]}
ACCESS = {"hipaa": ["164.312(a)(1)", "164.312(d)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-2", "AC-6", "IA-2"]}
AUDIT = {"hipaa": ["164.312(b)"], "gdpr": ["30", "32(1)(d)"], "nist-800-53": ["AU-2", "AU-12"]}


def _map(value: Any) -> Mapping[str, Any]:
    return value if is_map(value) else {}


@resource_rule(
    id="aws-eks-private-endpoint", title="The EKS API endpoint is private only", severity="critical", cloud="aws",
    practice="access", types=[CLUSTER], controls=NETWORK,
    remediation="Set vpc_config.endpoint_private_access True and endpoint_public_access False; deploy from inside "
    "the VPC or a network joined to it.",
)
def private_endpoint(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    vpc = _map(props.get("vpcConfig"))
    if vpc.get("endpointPublicAccess") is not False:
        yield "the Kubernetes API is reachable from the internet (endpoint_public_access is not false)"
    if vpc.get("endpointPrivateAccess") is not True:
        yield "no private endpoint: nodes in a VPC without egress cannot register"


@resource_rule(
    id="aws-eks-secrets-encryption", title="Kubernetes secrets are envelope-encrypted with a customer key",
    severity="high", cloud="aws", practice="encryption", types=[CLUSTER], controls=AT_REST,
    remediation="Set encryption_config {resources: [secrets], provider.key_arn: the environment's data key}.",
)
def secrets_encryption(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    blocks = [b for b in as_list(props.get("encryptionConfig")) if is_map(b)]
    keyed = [b for b in blocks if "secrets" in as_list(b.get("resources")) and _map(b.get("provider")).get("keyArn")]
    if not keyed:
        yield "secrets are not encrypted with a customer-managed KMS key"


@resource_rule(
    id="aws-eks-control-plane-logs", title="Every control-plane log type is enabled", severity="medium",
    cloud="aws", practice="monitoring", types=[CLUSTER], controls=AUDIT,
    remediation=f"Set enabled_cluster_log_types to {', '.join(LOG_TYPES)}.",
)
def control_plane_logs(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    missing = [t for t in LOG_TYPES if t not in as_list(props.get("enabledClusterLogTypes"))]
    if missing:
        yield f"control-plane log types not recorded: {', '.join(missing)}"


@resource_rule(
    id="aws-eks-access-entries", title="Cluster access is granted by access entries only (no aws-auth ConfigMap)",
    severity="high", cloud="aws", practice="access", types=[CLUSTER], controls=ACCESS,
    remediation="Set access_config.authentication_mode \"API\" and grant access with aws.eks.AccessEntry.",
)
def access_entries(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    mode = _map(props.get("accessConfig")).get("authenticationMode") or "CONFIG_MAP"
    if mode != "API":
        yield f"authentication mode {mode}: the aws-auth ConfigMap can grant cluster access outside IAM's view"


@resource_rule(
    id="aws-eks-nodes-launch-template", title="Node groups launch from a launch template of this stack",
    severity="high", cloud="aws", practice="access", types=[NODE_GROUP], controls=ACCESS,
    remediation="Pass launch_template {id, version} of a LaunchTemplate with IMDSv2 (hop limit 1) and "
    "customer-key volumes; EKS's generated template allows a hop limit of 2 and uses the default EBS key.",
)
def nodes_launch_template(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    template = _map(props.get("launchTemplate"))
    if not (template.get("id") or template.get("name")):
        yield "no launch template: nodes get EKS's default metadata and volume settings"


@resource_rule(
    id="aws-eks-nodes-no-remote-access", title="Nodes accept no SSH", severity="high", cloud="aws",
    practice="access", types=[NODE_GROUP], controls=NETWORK,
    remediation="Remove remote_access (and any key pair); nodes change by redeployment.",
)
def nodes_no_remote_access(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    remote = _map(props.get("remoteAccess"))
    if remote.get("ec2SshKey") or props.get("remoteAccess"):
        yield "SSH remote access is configured on the nodes"


@resource_rule(
    id="aws-eks-node-volumes-customer-key", title="Node volumes are encrypted with a customer key",
    severity="high", cloud="aws", practice="encryption", types=[LAUNCH_TEMPLATE], controls=AT_REST,
    remediation="Add block_device_mappings for the root device with ebs {encrypted: \"true\", kms_key_id}.",
)
def node_volumes(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    mappings = [m for m in as_list(props.get("blockDeviceMappings")) if is_map(m)]
    if not mappings:
        yield "no block device mapping: the root volume uses the account's default EBS encryption key"
    for m in mappings:
        ebs = _map(m.get("ebs"))
        if str(ebs.get("encrypted")).lower() != "true" or not ebs.get("kmsKeyId"):
            yield f"{m.get('deviceName', 'volume')} is not encrypted with a customer-managed key"


@stack_rule(
    id="aws-eks-control-plane-log-group", title="Control-plane logs land in an encrypted log group of this stack",
    severity="medium", cloud="aws", practice="monitoring", controls=AUDIT,
    remediation="Create /aws/eks/<cluster>/cluster (cloudwatch.LogGroup with the logs key and retention) before "
    "the cluster: EKS otherwise creates it without a key and keeps logs forever.",
)
def control_plane_log_group(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    groups = {str(g.props.get("name")) for g in of_type(resources, LOG_GROUP) if g.props.get("kmsKeyId")}
    for cluster in of_type(resources, CLUSTER):
        wanted = f"/aws/eks/{cluster.props.get('name')}/cluster"
        if wanted not in groups:
            yield f"no encrypted log group {wanted} in this stack: EKS creates one without a key", cluster.urn


@stack_rule(
    id="aws-eks-pod-identity", title="Pods get their own credentials through EKS Pod Identity", severity="medium",
    cloud="aws", practice="access",
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["25"], "nist-800-53": ["AC-6", "IA-5"]},
    remediation="Add aws.eks.Addon(addon_name=\"eks-pod-identity-agent\") to the cluster; grant pods roles with "
    "PodIdentityAssociation, never through the node role.",
)
def pod_identity(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    agents = {str(a.props.get("clusterName")) for a in of_type(resources, ADDON)
              if a.props.get("addonName") == "eks-pod-identity-agent"}
    for cluster in of_type(resources, CLUSTER):
        if str(cluster.props.get("name")) not in agents:
            yield "no eks-pod-identity-agent add-on: pods have no credentials of their own", cluster.urn


@stack_rule(
    id="aws-eks-node-key-usable", title="Auto Scaling can launch node volumes on their customer key",
    severity="high", cloud="aws", practice="encryption", controls=AT_REST,
    remediation="Name AWSServiceRoleForAutoScaling in the key policy: use of the key and kms:CreateGrant with "
    "kms:GrantIsForAWSResource (autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).",
)
def node_key_usable(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, NODE_GROUP):
        return
    for template in of_type(resources, LAUNCH_TEMPLATE):
        for key in referenced(template, "blockDeviceMappings", KEY):
            account = _account(template, key)
            missing = asg_slr_gaps(key.props.get("policy"), account)
            if missing:
                yield (f"{key.name} encrypts the node volumes of {template.name}, but its policy does not let "
                       f"{ASG_SLR.format(account=account)} use it ({', '.join(missing)}): no node would launch"), \
                    template.urn


def _via_eks(st: Mapping[str, Any]) -> bool:
    condition = _map(st.get("Condition"))
    via = [str(v) for op in condition.values() for k, v2 in _map(op).items() if k == "kms:ViaService"
           for v in as_list(v2)]
    return any(v.startswith("eks.") for v in via)


def _names_role(st: Mapping[str, Any], role_arn: str) -> bool:
    principal = st.get("Principal")
    named = as_list(_map(principal).get("AWS")) if is_map(principal) else as_list(principal)
    by_condition = [str(v) for op in _map(st.get("Condition")).values()
                    for v in as_list(_map(op).get("aws:PrincipalArn"))]
    return role_arn in named or role_arn in by_condition


@stack_rule(
    id="aws-eks-secrets-key-usable", title="The cluster's secrets key lets EKS and the cluster role use it",
    severity="high", cloud="aws", practice="encryption", controls=AT_REST,
    remediation="In the data key's policy allow kms:CreateGrant through eks.<region>.amazonaws.com (kms:ViaService; "
    "EKS creates the cluster role's grant as the deployer) and name the cluster role among the key's users.",
)
def secrets_key_usable(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for cluster in of_type(resources, CLUSTER):
        role_arn = str(cluster.props.get("roleArn") or "")
        for key in referenced(cluster, "encryptionConfig", KEY):
            allowed = [st for st in statements(key.props.get("policy")) if st.get("Effect") == "Allow"]
            if not any(_via_eks(st) and "kms:CreateGrant" in as_list(st.get("Action")) for st in allowed):
                yield (f"{key.name} encrypts the secrets of {cluster.name}, but its policy lets no one create a grant "
                       "through EKS: the cluster cannot be created with it"), cluster.urn
            if role_arn and not any(_names_role(st, role_arn) and "kms:Decrypt" in as_list(st.get("Action"))
                                    for st in allowed):
                yield (f"{key.name} encrypts the secrets of {cluster.name}, but its policy does not let the cluster "
                       f"role {role_arn} decrypt"), cluster.urn


def _account(template: PolicyResource, key: PolicyResource) -> str:
    """The key's account: from the key ARN the template names, else the root principal of its policy."""
    for m in as_list(template.props.get("blockDeviceMappings")):
        arn = str(_map(_map(m).get("ebs")).get("kmsKeyId") or "")
        if arn.startswith("arn:") and arn.count(":") >= 5:
            return arn.split(":")[4]
    for st in statements(key.props.get("policy")):
        for arn in as_list(_map(st.get("Principal")).get("AWS")):
            if str(arn).endswith(":root"):
                return str(arn).split(":")[4]
    return ""
