"""The AKS cluster of the azure-k8s-eu example (components/azure/aks.py, aks_pools.py,
blueprints/azure_kubernetes.py): each hardening setting is in the rendered graph, the grants exist
before the cluster, the network has the AKS subnets, and the stacks without kubernetes are unchanged."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest
from azure_helpers import IDENTITY, KEY, NSG, ROLE, ROOT, SUBNET, WORKSPACE, rules

from hardstack.components.azure import roles
from hardstack.components.azure.aks import AksClusterArgs, system_pool
from hardstack.components.azure.aks_pools import GPU_TAINT, SYSTEM_TAINT, PoolSpec, pool_name
from hardstack.components.azure.network import POD_CIDR, PrivateNetworkArgs, subnet_plan
from hardstack.render import Graph, Resource
from hardstack.spec import Environment, load

K8S_STACK = ROOT / "stacks" / "Pulumi.azure-k8s-eu.yaml"
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
PRICING = "azure-native:security:Pricing"


@pytest.fixture(scope="module")
def k8s_spec() -> Environment:
    return load(K8S_STACK).environment


@pytest.fixture(scope="module")
def k8s_graph(k8s_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(k8s_spec, "azure-k8s-eu")


def one(graph: Graph, token: str, part: str = "") -> Resource:
    (res,) = [r for r in graph.of_type(token) if part in r.name]
    return res


def cluster(graph: Graph) -> dict[str, Any]:
    return one(graph, CLUSTER).inputs


def test_the_api_server_is_private_in_its_own_delegated_subnet(k8s_graph: Graph) -> None:
    access = cluster(k8s_graph)["apiServerAccessProfile"]
    assert access["enablePrivateCluster"] is True and access["enablePrivateClusterPublicFQDN"] is False
    assert access["enableVnetIntegration"] is True and access["disableRunCommand"] is True
    api = one(k8s_graph, SUBNET, "aks-apiserver")
    assert access["subnetId"].endswith("/subnets/snet-aks-apiserver")
    assert api.inputs["delegations"] == [{"name": "aks-apiserver",
                                          "serviceName": "Microsoft.ContainerService/managedClusters"}]
    assert ipaddress.IPv4Network(api.inputs["addressPrefix"]).prefixlen == 28


def test_entra_only_with_azure_rbac_and_workload_identity(k8s_graph: Graph) -> None:
    c = cluster(k8s_graph)
    assert c["disableLocalAccounts"] is True and c["enableRBAC"] is True
    assert c["aadProfile"]["managed"] is True and c["aadProfile"]["enableAzureRBAC"] is True
    assert c["oidcIssuerProfile"] == {"enabled": True}
    assert c["securityProfile"]["workloadIdentity"] == {"enabled": True}


def test_kms_uses_the_versioned_kms_key_of_the_private_vault(k8s_graph: Graph) -> None:
    kms = cluster(k8s_graph)["securityProfile"]["azureKeyVaultKms"]
    key = one(k8s_graph, KEY, "kms-key")
    assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Private"
    assert kms["keyVaultResourceId"].endswith("/providers/Microsoft.KeyVault/vaults/" + key.inputs["vaultName"])
    assert kms["keyId"].startswith(f"https://{key.inputs['vaultName']}.vault.azure.net/keys/kms/")
    assert len(kms["keyId"].rsplit("/", 1)[1]) == 32  # the version: KMS pins one
    # KMS encrypts and decrypts; a person rotates it (notify only, an expiry), as AKS pins the version.
    props = key.inputs["properties"]
    assert props["keyOps"] == ["encrypt", "decrypt"]
    assert [a["action"]["type"] for a in props["rotationPolicy"]["lifetimeActions"]] == ["notify"]
    assert key.inputs["tags"]["rotation"] == "offline"


def test_the_control_plane_identity_is_granted_before_the_cluster(k8s_graph: Graph) -> None:
    c = one(k8s_graph, CLUSTER)
    cp = one(k8s_graph, IDENTITY, "k8s-cp")
    assert c.inputs["identity"]["type"] == "UserAssigned"
    grants = {r.name.rsplit("k8s-", 1)[1]: r for r in k8s_graph.of_type(ROLE)
              if r.name.startswith("azure-k8s-eu-k8s-") and "-admin-" not in r.name}
    expected = {"kms-key": (roles.KEY_VAULT_CRYPTO_USER, "/keys/kms"),
                "kms-vault": (roles.KEY_VAULT_CONTRIBUTOR, "/vaults/"),
                "node-subnet": (roles.NETWORK_CONTRIBUTOR, "/subnets/snet-aks-nodes"),
                "apiserver-subnet": (roles.NETWORK_CONTRIBUTOR, "/subnets/snet-aks-apiserver"),
                "kubelet-identity": (roles.MANAGED_IDENTITY_OPERATOR, "/id-azure-k8s-eu-k8s-kubelet")}
    assert set(grants) == set(expected)
    for purpose, (role, scope) in expected.items():
        grant = grants[purpose]
        assert grant.inputs["roleDefinitionId"].endswith(role) and scope in grant.inputs["scope"]
        assert cp.urn in grant.propertyDependencies["principalId"]
        assert grant.urn in c.dependencies, purpose
    kubelet = c.inputs["identityProfile"]["kubeletidentity"]
    assert kubelet["resourceId"].endswith("/id-azure-k8s-eu-k8s-kubelet")


def test_each_admin_gets_cluster_admin_and_the_user_kubeconfig_on_this_cluster_only(k8s_graph: Graph) -> None:
    c = one(k8s_graph, CLUSTER)
    admin = "00000000-0000-4000-8000-0000000000ad"  # the example's admins
    grants = [r for r in k8s_graph.of_type(ROLE) if "-admin-" in r.name]
    assert sorted(g.inputs["roleDefinitionId"].rsplit("/", 1)[1] for g in grants) == sorted(
        [roles.AKS_RBAC_CLUSTER_ADMIN, roles.AKS_CLUSTER_USER])
    for grant in grants:
        assert grant.inputs["principalId"] == admin
        # ARM refuses a principalType that does not match (azure-native would send User by default).
        assert grant.inputs["principalType"] == "Group"
        assert grant.inputs["scope"].endswith("/managedClusters/aks-azure-k8s-eu")
        assert c.urn in grant.propertyDependencies["scope"]


def test_container_insights_collects_through_its_rule_into_the_audit_workspace(k8s_graph: Graph) -> None:
    c = one(k8s_graph, CLUSTER)
    workspace = one(k8s_graph, WORKSPACE)
    assert c.inputs["addonProfiles"]["omsagent"]["config"]["useAADAuth"] == "true"
    rule = one(k8s_graph, "azure-native:monitor:DataCollectionRule")
    (extension,) = rule.inputs["dataSources"]["extensions"]
    assert extension["extensionName"] == "ContainerInsights" and rule.inputs["kind"] == "Linux"
    assert workspace.urn in rule.propertyDependencies["destinations"]
    assert rule.inputs["dataFlows"] == [{"streams": extension["streams"], "destinations": ["ciworkspace"]}]
    association = one(k8s_graph, "azure-native:monitor:DataCollectionRuleAssociation")
    assert association.inputs["associationName"] == "ContainerInsightsExtension"
    assert c.urn in association.propertyDependencies["resourceUri"]
    assert rule.urn in association.propertyDependencies["dataCollectionRuleId"]


def test_a_cluster_without_admins_is_refused() -> None:
    pools = [PoolSpec("cpu", "Standard_DC4as_v5", 2, "sev-snp", system=True)]
    with pytest.raises(ValueError, match="needs admins"):
        AksClusterArgs(subscription_id="s", resource_group_name="rg", location="westeurope", cluster_name="c",
                       version="1.35", tenant_id="t", node_subnet_id="n", apiserver_subnet_id="a", vault_id="v",
                       kms_key_id="k", kms_key_uri_with_version="u", workspace_id="w", pools=pools)


def test_defender_logs_and_add_ons_report_to_the_audit_workspace(k8s_graph: Graph) -> None:
    c = one(k8s_graph, CLUSTER)
    workspace = one(k8s_graph, WORKSPACE)
    ws_id = f"/providers/Microsoft.OperationalInsights/workspaces/{workspace.inputs['workspaceName']}"
    defender = c.inputs["securityProfile"]["defender"]
    assert defender["logAnalyticsWorkspaceResourceId"].endswith(ws_id)
    assert defender["securityMonitoring"] == {"enabled": True}
    addons = c.inputs["addonProfiles"]
    assert addons["omsagent"]["config"]["logAnalyticsWorkspaceResourceID"].endswith(ws_id)
    assert addons["azureKeyvaultSecretsProvider"]["config"]["enableSecretRotation"] == "true"
    assert addons["azurepolicy"] == {"enabled": True}
    (diag,) = [d for d in k8s_graph.of_type("azure-native:monitor:DiagnosticSetting") if c.urn in
               d.propertyDependencies.get("resourceUri", [])]
    assert diag.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    plans = {p.inputs["pricingName"] for p in k8s_graph.of_type(PRICING)}
    assert "Containers" in plans


def test_network_policy_egress_upgrades_and_lockdown(k8s_graph: Graph) -> None:
    c = cluster(k8s_graph)
    net = c["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"], net["networkPolicy"]) == ("azure", "overlay", "cilium")
    assert net["outboundType"] == "userAssignedNATGateway"
    assert one(k8s_graph, SUBNET, "aks-nodes").inputs["natGateway"]
    assert c["autoUpgradeProfile"] == {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"}
    assert c["nodeResourceGroupProfile"] == {"restrictionLevel": "ReadOnly"}
    assert c["kubernetesVersion"] == "1.35" and one(k8s_graph, POOL).inputs["orchestratorVersion"] == "1.35"


def test_every_pool_is_sev_snp_without_public_ips(k8s_graph: Graph) -> None:
    c = cluster(k8s_graph)
    (system,) = c["agentPoolProfiles"]
    gpu = one(k8s_graph, POOL).inputs
    assert (system["name"], system["mode"], system["vmSize"], system["count"]) == ("cpu", "System",
                                                                                   "Standard_DC4as_v5", 2)
    assert system["availabilityZones"] == ["1", "2"] and "nodeTaints" not in system
    assert (gpu["agentPoolName"], gpu["mode"], gpu["vmSize"]) == ("gpu", "User", "Standard_NCC40ads_H100_v5")
    assert gpu["gpuProfile"] == {"driver": "None"} and gpu["nodeTaints"] == [GPU_TAINT]
    assert "availabilityZones" not in gpu
    for p in (system, gpu):
        assert p["enableNodePublicIP"] is False and p["enableEncryptionAtHost"] is True
        assert p["enableFIPS"] is False and p["osSKU"] == "AzureLinux" and p["osType"] == "Linux"
        assert p["vnetSubnetID"].endswith("/subnets/snet-aks-nodes") and "securityProfile" not in p
    # The cluster does not fight the separate pool over its list.
    assert one(k8s_graph, CLUSTER).ignoreChanges == ["agentPoolProfiles"]


def test_nodes_api_server_and_endpoints_reach_each_other_and_nothing_else(k8s_graph: Graph) -> None:
    nodes = rules(one(k8s_graph, NSG, "aks-nodes"))
    api = rules(one(k8s_graph, NSG, "aks-apiserver"))
    endpoints = rules(one(k8s_graph, NSG, "-endpoints"))
    # api-server-vnet-integration, NSG rules: nodes and the API server talk on 443 and 4443.
    assert nodes["allow-apiserver"]["destinationPortRanges"] == ["443", "4443"]
    assert api["allow-nodes-to-apiserver"]["destinationPortRanges"] == ["443", "4443"]
    # azure-cni-overlay, NSGs: node CIDR to pod CIDR on all ports (service routing), and the API server
    # to pods (webhooks, aggregated APIs): both would otherwise meet deny-all-inbound.
    prefixes = {s.inputs["subnetName"]: s.inputs["addressPrefix"] for s in k8s_graph.of_type(SUBNET)}
    for name, source in (("allow-nodes-to-pods", "snet-aks-nodes"), ("allow-apiserver-to-pods-inbound",
                                                                       "snet-aks-apiserver")):
        assert nodes[name]["destinationAddressPrefix"] == POD_CIDR and nodes[name]["destinationPortRange"] == "*"
        assert nodes[name]["priority"] < nodes["deny-all-inbound"]["priority"]
        assert nodes[name]["sourceAddressPrefix"] == prefixes[source]
    assert nodes["allow-https-internet"]["destinationAddressPrefix"] == "Internet"
    assert api["allow-deployers-to-apiserver"]["sourceAddressPrefix"] == "VirtualNetwork"
    assert api["allow-kms-private-endpoint"]["destinationPortRange"] == "443"
    assert {"allow-https-from-aks-nodes", "allow-https-from-aks-apiserver"} <= set(endpoints)
    for tier in (nodes, api, endpoints):
        assert tier["deny-all-inbound"]["priority"] == 4096 and tier["deny-all-outbound"]["priority"] == 4096


def test_stacks_without_kubernetes_are_unchanged(azure_graph: Graph) -> None:
    assert not azure_graph.of_type(CLUSTER) and not azure_graph.of_type(POOL)
    assert not [s for s in azure_graph.of_type(SUBNET) if "aks" in s.inputs["subnetName"]]
    assert not [n for n in azure_graph.of_type(NSG) if "aks" in n.inputs["networkSecurityGroupName"]]
    endpoints = rules(one(azure_graph, NSG, "net-endpoints"))
    assert not [r for r in endpoints if "aks" in r]
    assert "Containers" not in {p.inputs["pricingName"] for p in azure_graph.of_type(PRICING)}
    assert not [k for k in azure_graph.of_type(KEY) if k.inputs["keyName"] == "kms"]
    assert subnet_plan("10.0.0.0/16", "none") == {"workload": "10.0.0.0/18", "endpoints": "10.0.64.0/18"}


def test_network_isolated_when_the_spec_allows_no_egress(k8s_spec: Environment,
                                                         rendered: Callable[[Environment, str], Graph]) -> None:
    data = k8s_spec.model_dump(mode="python")
    data["network"]["egress"] = "none"
    graph = rendered(Environment.model_validate(data), "azure-k8s-isolated")
    c = cluster(graph)
    assert c["networkProfile"]["outboundType"] == "none"
    assert c["bootstrapProfile"] == {"artifactSource": "Cache"}
    assert "allow-https-internet" not in rules(one(graph, NSG, "aks-nodes"))


def test_tdx_and_small_system_pools_are_refused() -> None:
    with pytest.raises(ValueError, match="TDX"):
        PoolSpec("p", "Standard_DC4es_v5", 2, "tdx")
    with pytest.raises(ValueError, match="cannot run"):
        PoolSpec("p", "Standard_D4s_v5", 2, "sev-snp")
    with pytest.raises(ValueError, match="at least 2 nodes"):
        PoolSpec("p", "Standard_DC4as_v5", 1, "sev-snp", system=True)
    with pytest.raises(ValueError, match="egress 'proxy'"):
        PrivateNetworkArgs(resource_group_name="rg", location="westeurope", cidr="10.0.0.0/16",
                           workspace_id="ws", egress="proxy", kubernetes=True)


def test_a_gpu_only_cluster_gets_a_dedicated_sev_snp_system_pool() -> None:
    gpu = PoolSpec("train", "Standard_NCC40ads_H100_v5", 1, "sev-snp", gpu=True)
    pools = system_pool([gpu])
    system = pools[0]
    assert (system.name, system.vm_size, system.count, system.kind) == ("system", "Standard_DC4as_v5", 2, "sev-snp")
    assert system.system and system.dedicated_system and not gpu.system
    from hardstack.components.azure.aks_pools import pool_profile
    assert pool_profile(system, "subnet", "1.33")["node_taints"] == [SYSTEM_TAINT]


def test_pool_names_fit_aks_and_collisions_are_refused() -> None:
    assert pool_name("gpu-train-h100-big") == "gputrainh100"
    assert pool_name("1st") == "p1st"
    pools = [PoolSpec("gpu-a", "Standard_DC4as_v5", 2, "sev-snp", system=True),
             PoolSpec("gpua", "Standard_DC4as_v5", 2, "sev-snp")]
    with pytest.raises(ValueError, match="collide"):
        AksClusterArgs(subscription_id="s", resource_group_name="rg", location="westeurope", cluster_name="c",
                       version="1.33", tenant_id="t", node_subnet_id="n", apiserver_subnet_id="a", vault_id="v",
                       kms_key_id="k", kms_key_uri_with_version="u", workspace_id="w", pools=pools,
                       admins=["00000000-0000-4000-8000-0000000000ad"])


def test_the_evidence_shows_confidential_node_pools_and_the_kms_key(k8s_graph: Graph) -> None:
    from hardstack.evidence.inventory import inventory

    inv = inventory(k8s_graph, "westeurope")
    by_name = {n.name: n for n in inv.nodes}
    gpu = by_name["azure-k8s-eu-k8s-gpu"]
    assert gpu.kind == "workload" and gpu.details["tee"] == "SEV-SNP" and gpu.details["gpu"] == "1x H100"
    aks = by_name["azure-k8s-eu-k8s-aks"]
    assert aks.kind == "platform" and aks.details["system pool"] == "Standard_DC4as_v5 SEV-SNP"
    assert aks.details["etcd encryption"] == "KMS, private vault" and aks.details["local accounts"] == "off"
    by_id = {n.id: n.name for n in inv.nodes}
    encrypts = {(by_id[e.source], by_id[e.target]) for e in inv.related("encrypts")}
    assert {s for s, t in encrypts if t == aks.name} == {"azure-k8s-eu-kms-key"}
    runs_as = {(by_id[e.source], by_id[e.target]) for e in inv.related("runs_as")}
    assert (gpu.name, "azure-k8s-eu-k8s-kubelet") in runs_as and (aks.name, "azure-k8s-eu-k8s-cp") in runs_as


def test_outputs_name_the_cluster_and_the_kms_rotation(k8s_spec: Environment) -> None:
    text = K8S_STACK.read_text()
    assert "kubernetes:" in text and k8s_spec.kubernetes is not None
    assert [p.machine_type for p in k8s_spec.kubernetes.node_pools] == ["Standard_DC4as_v5",
                                                                        "Standard_NCC40ads_H100_v5"]


def test_a_manually_rotated_key_notifies_before_rotation_and_outlives_the_next_one() -> None:
    from hardstack.components.azure.vault_key import VaultKeyArgs, rotation_policy

    args = VaultKeyArgs(purpose="kms", vault_name="kv", resource_group_name="rg", rotation_days=90,
                        operations=("encrypt", "decrypt"), manual_rotation=True)
    # AKS KMS keeps the old and the new version in use until the next rotation (use-kms-etcd-encryption,
    # Rotate existing keys): a version lives two periods; the notice comes 30 days before the rotation is due.
    assert args.rotation == "offline" and args.lifetime_days == 180 and args.notify_before_expiry_days == 120
    assert args.lifetime_days - args.notify_before_expiry_days == args.rotation_days - 30
    policy = rotation_policy(args)
    assert policy["attributes"] == {"expiry_time": "P180D"}
    assert [a["action"]["type"] for a in policy["lifetime_actions"]] == ["notify"]
    with pytest.raises(ValueError, match="at least 28 days"):
        VaultKeyArgs(purpose="kms", vault_name="kv", resource_group_name="rg", rotation_days=14, manual_rotation=True)
