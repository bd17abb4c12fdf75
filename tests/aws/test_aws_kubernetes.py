"""The EKS cluster as rendered from stacks/Pulumi.aws-k8s-eu.yaml: every hardening setting is in the graph
(private endpoint, secrets on the data key, all control-plane logs into our encrypted group, access entries,
Pod Identity, nodes from a launch template with IMDSv2 hop limit 1 and customer-key volumes, no SSH), the keys
let exactly the cluster role and Auto Scaling use them, the private cluster has the endpoints it needs, and a
stack without a `kubernetes` section renders none of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_helpers import ROOT, deps, key_arn, one, statements, workload_subnets

from hardstack.evidence.inventory import inventory
from hardstack.render import Graph, Resource
from hardstack.spec import Environment, load

EXAMPLE = ROOT / "stacks" / "Pulumi.aws-k8s-eu.yaml"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
KEY = "aws:kms/key:Key"
EKS_TYPES = (CLUSTER, NODE_GROUP, LAUNCH_TEMPLATE, ADDON)
ASG_SLR = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


@pytest.fixture(scope="module")
def env() -> Environment:
    return load(EXAMPLE).environment


@pytest.fixture(scope="module")
def graph(env: Environment, rendered) -> Graph:
    return rendered(env, "aws-k8s-eu")


def key(graph: Graph, purpose: str) -> Resource:
    return next(r for r in graph.of_type(KEY) if r.inputs["tags"]["purpose"] == purpose)


def statement(resource: Resource, sid: str) -> dict[str, Any]:
    return next(st for st in statements(resource) if st.get("Sid") == sid)


def test_cluster_is_private_encrypted_logged_and_uses_access_entries(graph: Graph, env: Environment) -> None:
    cluster = one(graph, CLUSTER)
    i = cluster.inputs
    assert env.kubernetes is not None
    assert (i["name"], i["version"]) == ("aws-k8s-eu-eks", env.kubernetes.version) == ("aws-k8s-eu-eks", "1.35")
    vpc = i["vpcConfig"]
    assert (vpc["endpointPrivateAccess"], vpc["endpointPublicAccess"]) == (True, False)
    assert "publicAccessCidrs" not in vpc
    assert set(deps(cluster, "vpcConfig")) >= workload_subnets(graph)
    assert i["encryptionConfig"] == {"provider": {"keyArn": key_arn(graph, "data")}, "resources": ["secrets"]}
    assert deps(cluster, "encryptionConfig") == [key(graph, "data").urn]
    assert i["enabledClusterLogTypes"] == ["api", "audit", "authenticator", "controllerManager", "scheduler"]
    assert i["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True}


def test_control_plane_logs_go_to_our_encrypted_group_created_first(graph: Graph) -> None:
    cluster = one(graph, CLUSTER)
    group = one(graph, LOG_GROUP, "control-plane")
    assert group.inputs["name"] == "/aws/eks/aws-k8s-eu-eks/cluster"
    assert group.inputs["kmsKeyId"] == key_arn(graph, "logs")
    assert group.inputs["retentionInDays"] == 400
    assert group.urn in cluster.dependencies


def test_cluster_security_group_admits_the_api_from_the_vpc_only(graph: Graph, env: Environment) -> None:
    group = one(graph, "aws:ec2/securityGroup:SecurityGroup", "eks-api-sg")
    assert [(r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in group.inputs["ingress"]] == [
        (443, 443, [env.network.cidr])]
    assert all(r["cidrBlocks"] == [env.network.cidr] for r in group.inputs["egress"])
    assert group.urn in deps(one(graph, CLUSTER), "vpcConfig")


def test_cluster_role_is_bound_to_this_cluster_and_holds_only_the_cluster_policy(graph: Graph) -> None:
    role = one(graph, ROLE, "eks-cluster-role")
    (trust,) = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "eks.amazonaws.com"}
    assert trust["Condition"] == {
        "ArnLike": {"aws:SourceArn": "arn:aws:eks:eu-west-1:123456789012:cluster/aws-k8s-eu-eks"},
        "StringEquals": {"aws:SourceAccount": "123456789012"}}
    attached = [a.inputs["policyArn"] for a in graph.of_type(ATTACHMENT) if role.urn in deps(a, "role")]
    assert attached == ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]
    (grant,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if role.urn in deps(p, "role")]
    (only,) = statements(grant)
    assert only["Resource"] == [key_arn(graph, "data")] and "kms:Decrypt" in only["Action"]


def test_data_key_lets_the_cluster_role_and_eks_use_it(graph: Graph) -> None:
    data = key(graph, "data")
    users = statement(data, "NamedPrincipalsUse")["Condition"]["ArnEquals"]["aws:PrincipalArn"]
    assert "arn:aws:iam::123456789012:role/aws-k8s-eu-eks-cluster" in users
    via = statement(data, "AccountUsesThroughServices")
    assert via["Condition"]["StringEquals"]["kms:ViaService"] == ["eks.eu-west-1.amazonaws.com"]
    assert "kms:CreateGrant" in via["Action"]
    # EKS's hourly health check lists the key's grants as the cluster role: the key lets it, and only it.
    listers = statement(data, "NamedPrincipalsListGrants")
    assert listers["Action"] == ["kms:ListGrants"]
    cluster_role = "arn:aws:iam::123456789012:role/aws-k8s-eu-eks-cluster"
    assert listers["Condition"]["ArnEquals"]["aws:PrincipalArn"] == [cluster_role]
    inline = json.loads(one(graph, "aws:iam/rolePolicy:RolePolicy", "cluster-secrets-key").inputs["policy"])
    assert "kms:ListGrants" in inline["Statement"][0]["Action"]


def test_compute_key_lets_auto_scaling_launch_node_volumes(graph: Graph) -> None:
    compute = key(graph, "compute")
    use = statement(compute, "ServiceLinkedRolesUse")
    grants = statement(compute, "ServiceLinkedRolesAttachVolumes")
    assert use["Principal"] == grants["Principal"] == {"AWS": [ASG_SLR]}
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert "*" not in json.dumps(use["Action"])


def test_node_group_launches_from_the_hardened_template_in_the_private_subnets(graph: Graph) -> None:
    group = one(graph, NODE_GROUP)
    template = one(graph, LAUNCH_TEMPLATE)
    i = group.inputs
    assert (i["nodeGroupName"], i["instanceTypes"], i["amiType"]) == ("general", ["m6a.xlarge"],
                                                                       "AL2023_x86_64_STANDARD")
    assert i["scalingConfig"] == {"desiredSize": 2, "minSize": 2, "maxSize": 2}
    assert "remoteAccess" not in i and "diskSize" not in i
    assert i["launchTemplate"]["version"] == "1" and template.urn in deps(group, "launchTemplate")
    assert set(deps(group, "subnetIds")) == workload_subnets(graph)
    t = template.inputs
    assert t["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                    "httpPutResponseHopLimit": 1, "instanceMetadataTags": "disabled"}
    (root,) = t["blockDeviceMappings"]
    assert root["deviceName"] == "/dev/xvda"
    assert root["ebs"] == {"encrypted": "true", "kmsKeyId": key_arn(graph, "compute"), "volumeType": "gp3",
                           "volumeSize": 100, "deleteOnTermination": "true"}
    # What EKS forbids in a managed node group's template, or what would open the nodes.
    for forbidden in ("iamInstanceProfile", "keyName", "networkInterfaces", "vpcSecurityGroupIds", "cpuOptions"):
        assert forbidden not in t, forbidden


def test_node_role_has_the_three_node_policies_and_a_boundary(graph: Graph) -> None:
    role = one(graph, ROLE, "general-node-role")
    (trust,) = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert role.inputs["permissionsBoundary"]
    attached = sorted(a.inputs["policyArn"].rsplit("/", 1)[-1] for a in graph.of_type(ATTACHMENT)
                      if role.urn in deps(a, "role"))
    assert attached == ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy"]
    boundary = one(graph, "aws:iam/policy:Policy", "general-node-boundary")
    own = statement(boundary, "CeilingOwnCluster")
    assert own["Resource"] == "arn:aws:eks:eu-west-1:123456789012:cluster/aws-k8s-eu-eks"
    wide = [st for st in statements(boundary) if st["Resource"] == "*"]
    assert all(a.split(":")[1].startswith(("Describe", "GetAuthorizationToken")) for st in wide for a in st["Action"])
    # The node group waits for the role's policies.
    group = one(graph, NODE_GROUP)
    assert {a.urn for a in graph.of_type(ATTACHMENT) if role.urn in deps(a, "role")} <= set(group.dependencies)


def test_each_admin_gets_an_access_entry_with_cluster_admin_on_this_cluster(graph: Graph, env: Environment) -> None:
    cluster = one(graph, CLUSTER)
    entries = graph.of_type("aws:eks/accessEntry:AccessEntry")
    policies = graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert env.kubernetes is not None and env.kubernetes.admins == ["arn:aws:iam::123456789012:role/eks-admins"]
    assert [(e.inputs["principalArn"], e.inputs["type"]) for e in entries] == [(env.kubernetes.admins[0], "STANDARD")]
    assert all(cluster.urn in r.propertyDependencies["clusterName"] for r in (*entries, *policies))
    assert [(p.inputs["policyArn"], p.inputs["accessScope"]) for p in policies] == [
        ("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", {"type": "cluster"})]
    # The policy attaches to the entry, so it waits for it.
    assert entries[0].urn in policies[0].propertyDependencies["principalArn"]


def test_an_sts_session_cannot_be_an_admin() -> None:
    from hardstack.components.aws import EksClusterArgs

    with pytest.raises(ValueError, match="STS session"):
        EksClusterArgs(cluster_name="c", role_name="r", account_id="123456789012", region="eu-west-1",
                       version="1.35", vpc_id="v", vpc_cidr="10.0.0.0/16", subnet_ids=["a", "b"],
                       secrets_key_arn="k", logs_key_arn="l", log_retention_days=365,
                       admins=["arn:aws:sts::123456789012:assumed-role/eks-admins/ana"])


def test_pod_identity_and_guardduty_agents_are_installed_after_the_nodes(graph: Graph) -> None:
    addons = {a.inputs["addonName"]: a for a in graph.of_type(ADDON)}
    assert set(addons) == {"eks-pod-identity-agent", "aws-guardduty-agent"}
    group = one(graph, NODE_GROUP)
    for addon in addons.values():
        assert group.urn in addon.dependencies
        assert addon.inputs["clusterName"] == "aws-k8s-eu-eks"


def test_private_cluster_has_the_endpoints_it_needs(graph: Graph) -> None:
    services = {e.inputs["serviceName"].removeprefix("com.amazonaws.eu-west-1.") for e in graph.of_type(ENDPOINT)}
    assert {"ec2", "ecr.api", "ecr.dkr", "s3", "sts", "logs", "eks", "eks-auth", "guardduty-data"} <= services
    assert "elasticloadbalancing" not in services  # no load balancer is created
    auth = next(e for e in graph.of_type(ENDPOINT) if e.inputs["serviceName"].endswith(".eks-auth"))
    (st,) = statements(auth)
    assert st["Action"] == ["eks-auth:AssumeRoleForPodIdentity"]
    assert st["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}


def test_evidence_draws_the_cluster_and_its_nodes(graph: Graph) -> None:
    inv = inventory(graph)
    cluster = next(n for n in inv.of_kind("platform") if n.type == CLUSTER)
    assert {"service": "EKS", "version": "1.35", "endpoint": "private", "access": "API"}.items() <= \
        cluster.details.items()
    nodes = next(n for n in inv.of_kind("workload") if n.type == NODE_GROUP)
    assert (nodes.details["tee"], nodes.details["machine_type"], nodes.details["nodes"]) == ("none", "m6a.xlarge", "2")
    edges = {(inv.node(e.source).type, inv.node(e.target).type, e.relation) for e in inv.edges}
    assert (KEY, CLUSTER, "encrypts") in edges and (KEY, NODE_GROUP, "encrypts") in edges
    assert (CLUSTER, ROLE, "runs_as") in edges and (NODE_GROUP, ROLE, "runs_as") in edges
    assert (CLUSTER, LOG_GROUP, "logs_to") in edges


def test_stacks_without_kubernetes_render_no_cluster(aws_graph: Graph) -> None:
    assert not [r for r in aws_graph if r.type in EKS_TYPES]
    services = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in aws_graph.of_type(ENDPOINT)}
    assert not {"eks", "eks-auth", "ec2"} & services
    compute = key(aws_graph, "compute")
    assert not [st for st in statements(compute) if st.get("Sid", "").startswith("ServiceLinkedRoles")]
    assert "eks." not in json.dumps(statements(key(aws_graph, "data")))


@pytest.mark.parametrize("kind", ["sev-snp", "tdx"])
def test_a_confidential_eks_pool_is_refused_with_the_alternative(kind: str) -> None:
    from hardstack.spec import SpecError, loads

    text = EXAMPLE.read_text().replace("confidential: none ", f"confidential: {kind} ")
    assert f"confidential: {kind}" in text
    with pytest.raises(SpecError) as refused:
        loads(text, EXAMPLE)
    message = str(refused.value)
    assert "EKS documents no confidential-computing option" in message
    assert "confidential: none" in message and "exemption" in message
