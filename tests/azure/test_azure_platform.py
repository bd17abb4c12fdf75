"""The Azure AI platform as rendered from stacks/Pulumi.azure-ai-eu.yaml: every hardening setting
of the workspace, its compute, endpoints, registry and the Azure OpenAI account is in the graph,
the grants that make the customer-managed key usable exist before what uses the key, and stacks
without a platform section render without any of it."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from azure_helpers import (
    ACCOUNT,
    DIAGNOSTIC,
    DNS_GROUP,
    ENDPOINT,
    IDENTITY,
    KEY,
    ROLE,
    ZONE,
    arm_id,
    by_input,
    grants_to,
    key,
    principal_of,
    role_id,
)

from hardstack.components.azure import roles
from hardstack.components.azure.ml_compute import MlComputeArgs, idle_minutes
from hardstack.components.azure.ml_workspace import MlWorkspaceArgs, PlatformKey
from hardstack.components.azure.naming import regional_name
from hardstack.components.azure.openai import OpenAIAccountArgs
from hardstack.components.azure.private_endpoint import DNS_ZONES, PrivateEndpointArgs
from hardstack.render import Graph, Resource, render_environment
from hardstack.spec import Environment, load

AI_STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.azure-ai-eu.yaml"
ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"
VAULT = "azure-native:keyvault:Vault"
PLATFORM_TYPES = (ML_WORKSPACE, COMPUTE, ONLINE_ENDPOINT, OPENAI, DEPLOYMENT, REGISTRY)


@pytest.fixture(scope="module")
def ai_spec() -> Environment:
    return load(AI_STACK).environment


@pytest.fixture(scope="module")
def ai_graph(ai_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(ai_spec, "azure-ai-eu")


def one(graph: Graph, token: str) -> Resource:
    (res,) = graph.of_type(token)
    return res


def endpoint_of(graph: Graph, target: Resource) -> Resource:
    target_id = arm_id(graph, target)
    (endpoint,) = [e for e in graph.of_type(ENDPOINT)
                   if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == target_id]
    return endpoint


def zones_of(graph: Graph, endpoint: Resource) -> set[str]:
    (group,) = [g for g in graph.of_type(DNS_GROUP) if endpoint.urn in g.propertyDependencies["privateEndpointName"]]
    return {c["name"] for c in group.inputs["privateDnsZoneConfigs"]}


def test_workspace_is_private_isolated_encrypted_and_keyless(ai_graph: Graph) -> None:
    ws = one(ai_graph, ML_WORKSPACE).inputs
    assert ws["publicNetworkAccess"] == "Disabled" and ws["allowPublicAccessWhenBehindVnet"] is False
    assert ws["hbiWorkspace"] is True and ws["systemDatastoresAuthMode"] == "identity"
    # Service-side encryption is not supported with a vault whose public access is disabled.
    assert ws["enableServiceSideCMKEncryption"] is False
    assert ws["provisionNetworkNow"] is True  # online deployments need the network provisioned
    assert ws["serverlessComputeSettings"] == {"serverlessComputeNoPublicIP": True}
    encryption = ws["encryption"]
    platform_key = key(ai_graph, "platform")
    assert encryption["status"] == "Enabled"
    # The environment's vault, which holds the platform key (not the workspace's own secrets vault).
    env_vault = by_input(ai_graph, VAULT, "vaultName", platform_key.inputs["vaultName"])
    assert encryption["keyVaultProperties"]["keyVaultArmId"] == arm_id(ai_graph, env_vault)
    assert encryption["keyVaultProperties"]["keyIdentifier"].endswith("/keys/platform")
    cmk = by_input(ai_graph, IDENTITY, "resourceName", "id-azure-ai-eu-svc-platform-cmk")
    assert encryption["identity"]["userAssignedIdentity"] == arm_id(ai_graph, cmk)
    assert ws["identity"]["type"] == "SystemAssigned,UserAssigned"


def test_managed_network_allows_only_private_endpoints_to_what_is_called(ai_graph: Graph) -> None:
    network = one(ai_graph, ML_WORKSPACE).inputs["managedNetwork"]
    assert network["isolationMode"] == "AllowOnlyApprovedOutbound"
    rules_ = network["outboundRules"]
    assert {r["type"] for r in rules_.values()} == {"PrivateEndpoint"}  # no FQDN rule: no firewall, no internet
    assert {n: r["destination"]["subresourceTarget"] for n, r in rules_.items()} == {"data-blob": "blob",
                                                                                      "openai": "account"}
    assert rules_["openai"]["destination"]["serviceResourceId"] == arm_id(ai_graph, one(ai_graph, OPENAI))
    # The account exists before the workspace provisions its managed network's endpoint to it.
    assert one(ai_graph, OPENAI).urn in one(ai_graph, ML_WORKSPACE).dependencies
    data = by_input(ai_graph, ACCOUNT, "accountName", rules_["data-blob"]["destination"]["serviceResourceId"]
                    .rsplit("/", 1)[-1])
    assert data.inputs["accountName"].startswith("stdata")


def test_workspace_brings_private_keyless_dependencies(ai_graph: Graph) -> None:
    ws = one(ai_graph, ML_WORKSPACE).inputs
    registry = one(ai_graph, REGISTRY)
    assert ws["containerRegistry"] == arm_id(ai_graph, registry)
    r = registry.inputs
    assert r["sku"] == {"name": "Premium"} and r["adminUserEnabled"] is False and r["anonymousPullEnabled"] is False
    assert r["publicNetworkAccess"] == "Disabled" and r["policies"]["exportPolicy"] == {"status": "disabled"}
    assert r["encryption"]["status"] == "enabled" and r["encryption"]["keyVaultProperties"]["keyIdentifier"] \
        .endswith("/keys/platform")
    storage = by_input(ai_graph, ACCOUNT, "accountName", ws["storageAccount"].rsplit("/", 1)[-1]).inputs
    assert storage["allowSharedKeyAccess"] is False and storage["publicNetworkAccess"] == "Disabled"
    assert storage["encryption"]["keyVaultProperties"]["keyName"] == "platform"
    vault = by_input(ai_graph, VAULT, "vaultName", ws["keyVault"].rsplit("/", 1)[-1]).inputs["properties"]
    assert vault["publicNetworkAccess"] == "Disabled" and vault["enablePurgeProtection"] is True
    # The workspace's vault holds its connection secrets, apart from the environment's keys.
    assert not [k for k in ai_graph.of_type(KEY) if k.inputs["vaultName"] == ws["keyVault"].rsplit("/", 1)[-1]]


def test_every_platform_service_has_a_private_endpoint_in_its_zones(ai_graph: Graph) -> None:
    ws, openai, registry = one(ai_graph, ML_WORKSPACE), one(ai_graph, OPENAI), one(ai_graph, REGISTRY)
    assert zones_of(ai_graph, endpoint_of(ai_graph, ws)) == {"privatelink.api.azureml.ms",
                                                             "privatelink.notebooks.azure.net"}
    assert zones_of(ai_graph, endpoint_of(ai_graph, openai)) == {"privatelink.openai.azure.com"}
    assert zones_of(ai_graph, endpoint_of(ai_graph, registry)) == {"privatelink.azurecr.io"}
    groups = {e.inputs["privateLinkServiceConnections"][0]["groupIds"][0] for e in ai_graph.of_type(ENDPOINT)}
    assert {"amlworkspace", "account", "registry", "file", "blob", "vault"} <= groups
    zones = {z.inputs["privateZoneName"] for z in ai_graph.of_type(ZONE)}
    assert zones == {DNS_ZONES[g] for g in ("vault", "blob", "file", "amlworkspace", "notebooks", "registry",
                                            "account")}


def test_compute_instances_have_no_public_ip_ssh_or_local_auth(ai_graph: Graph, ai_spec: Environment) -> None:
    instances = ai_graph.of_type(COMPUTE)
    assert ai_spec.platform is not None and ai_spec.platform.notebooks is not None
    assert len(instances) == ai_spec.platform.notebooks.count == 2
    for compute in instances:
        props = compute.inputs["properties"]
        assert props["computeType"] == "ComputeInstance" and props["disableLocalAuth"] is True
        inner = props["properties"]
        assert inner["enableNodePublicIp"] is False and inner["sshSettings"] == {"sshPublicAccess": "Disabled"}
        assert inner["idleTimeBeforeShutdown"] == "PT60M" and inner["vmSize"] == "Standard_DS3_v2"
        assert "subnet" not in inner  # in the workspace's managed network
    names = [c.inputs["computeName"] for c in instances]
    assert all(re.fullmatch(r"ci-azure-ai-eu-[0-9a-f]{6}-[12]", n) for n in names) and len(set(names)) == 2


def test_each_compute_instance_belongs_to_its_owner_not_the_deployer(ai_graph: Graph, ai_spec: Environment) -> None:
    assert ai_spec.platform is not None and ai_spec.platform.notebooks is not None and ai_spec.azure is not None
    assigned = [c.inputs["properties"]["properties"]["personalComputeInstanceSettings"]["assignedUser"]
                for c in ai_graph.of_type(COMPUTE)]
    assert sorted(a["objectId"] for a in assigned) == sorted(ai_spec.platform.notebooks.owners or [])
    assert {a["tenantId"] for a in assigned} == {ai_spec.azure.tenant_id}


def test_online_endpoints_are_private_and_entra_only(ai_graph: Graph) -> None:
    (endpoint,) = ai_graph.of_type(ONLINE_ENDPOINT)
    # The spec's name made unique in the region (endpoint names are regional across subscriptions).
    assert endpoint.name == "azure-ai-eu-ml-scoring" and re.fullmatch(r"scoring-[0-9a-f]{6}",
                                                                     endpoint.inputs["endpointName"])
    assert endpoint.inputs["properties"] == {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}
    assert endpoint.inputs["identity"] == {"type": "SystemAssigned"}


def test_openai_account_is_keyless_private_and_egress_restricted(ai_graph: Graph) -> None:
    account = one(ai_graph, OPENAI).inputs
    props = account["properties"]
    assert account["kind"] == "OpenAI" and props["customSubDomainName"] == account["accountName"]
    assert props["disableLocalAuth"] is True and props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"] == {"defaultAction": "Deny", "bypass": "None", "ipRules": [], "virtualNetworkRules": []}
    assert props["restrictOutboundNetworkAccess"] is True
    assert props["allowedFqdnList"] == [f"{one_data(ai_graph)}.blob.core.windows.net"]
    encryption = props["encryption"]
    assert encryption["keySource"] == "Microsoft.KeyVault"
    assert encryption["keyVaultProperties"]["keyName"] == "platform"
    assert "keyVersion" not in encryption["keyVaultProperties"]  # versionless: follows rotation


def one_data(graph: Graph) -> str:
    (data,) = [a.inputs["accountName"] for a in graph.of_type(ACCOUNT) if a.inputs["accountName"].startswith("stdata")]
    return str(data)


def test_only_the_allowed_models_are_deployed_pinned_in_the_data_zone(ai_graph: Graph, ai_spec: Environment) -> None:
    deployments = ai_graph.of_type(DEPLOYMENT)
    assert ai_spec.platform is not None and ai_spec.platform.foundation_models is not None
    assert [d.inputs["deploymentName"] for d in deployments] == ai_spec.platform.foundation_models.allow
    for d in deployments:
        assert d.inputs["sku"]["name"] == "DataZoneStandard"
        assert d.inputs["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
    assert {(d.inputs["properties"]["model"]["name"], d.inputs["properties"]["model"]["version"])
            for d in deployments} == {("gpt-4o", "2024-11-20"), ("text-embedding-3-large", "1")}
    # One after the other: the account refuses concurrent deployment changes.
    assert deployments[0].urn in deployments[1].dependencies


def test_callers_get_openai_user_on_the_account_only(ai_graph: Graph) -> None:
    account_id = arm_id(ai_graph, one(ai_graph, OPENAI))
    users = [r for r in ai_graph.of_type(ROLE) if role_id(r) == roles.COGNITIVE_SERVICES_OPENAI_USER]
    assert {r.inputs["scope"] for r in users} == {account_id}
    assert {r.name.rsplit("-openai-user", 1)[0].split("-openai-")[-1] for r in users} == {"ml-workspace",
                                                                                          "endpoint-scoring"}


def test_one_identity_unwraps_the_platform_key_granted_before_its_users(ai_graph: Graph) -> None:
    cmk = by_input(ai_graph, IDENTITY, "resourceName", "id-azure-ai-eu-svc-platform-cmk")
    grants = grants_to(ai_graph, principal_of(ai_graph, cmk))
    assert [(role_id(g), g.inputs["scope"]) for g in grants] == [
        (roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, arm_id(ai_graph, key(ai_graph, "platform")))]
    for token in (ML_WORKSPACE, OPENAI, REGISTRY):
        assert grants[0].urn in one(ai_graph, token).dependencies, token
    storage = by_input(ai_graph, ACCOUNT, "accountName", one(ai_graph, ML_WORKSPACE).inputs["storageAccount"]
                       .rsplit("/", 1)[-1])
    assert grants[0].urn in storage.dependencies


def test_platform_services_log_to_the_audit_workspace(ai_graph: Graph) -> None:
    sources = {d.inputs["resourceUri"] for d in ai_graph.of_type(DIAGNOSTIC)}
    for token in (ML_WORKSPACE, OPENAI, REGISTRY, ONLINE_ENDPOINT):
        assert arm_id(ai_graph, one(ai_graph, token)) in sources, token


def test_the_cosmos_db_principal_is_granted_the_key_before_the_workspace(ai_graph: Graph, ai_spec: Environment) -> None:
    assert ai_spec.azure is not None and ai_spec.azure.cosmos_db_object_id
    (grant,) = grants_to(ai_graph, ai_spec.azure.cosmos_db_object_id)
    assert role_id(grant) == roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER
    assert grant.inputs["scope"] == arm_id(ai_graph, key(ai_graph, "platform"))
    assert grant.urn in one(ai_graph, ML_WORKSPACE).dependencies


def test_without_the_cosmos_db_principal_no_grant_is_invented(ai_spec: Environment) -> None:
    # A program that builds the workspace without the id (the spec refuses that) gets no made-up grant:
    # only the platform identity's, and the stack rule azure-ml-workspace-key-usable reports it.
    assert ai_spec.azure is not None
    tenant = ai_spec.azure.model_copy(update={"cosmos_db_object_id": None})
    graph = render_environment(ai_spec.model_copy(update={"azure": tenant}), "azure-ai-eu-no-cosmos").graph
    platform_key = arm_id(graph, key(graph, "platform"))
    assert len([r for r in graph.of_type(ROLE) if r.inputs["scope"] == platform_key]) == 1


def test_stacks_without_a_platform_have_none_of_it(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        assert not [r for r in graph if r.type in PLATFORM_TYPES]
        zones = {z.inputs["privateZoneName"] for z in graph.of_type(ZONE)}
        assert not zones & {DNS_ZONES[g] for g in ("file", "amlworkspace", "notebooks", "registry", "account")}
        assert not [k for k in graph.of_type(KEY) if k.inputs["keyName"] == "platform"]


def test_foundation_models_alone_build_no_workspace(ai_spec: Environment,
                                                    rendered: Callable[[Environment, str], Graph]) -> None:
    assert ai_spec.platform is not None
    env = ai_spec.model_copy(update={"platform": ai_spec.platform.model_copy(update={"notebooks": None,
                                                                                     "endpoints": []})})
    graph = rendered(env, "azure-ai-eu-models-only")
    assert not graph.of_type(ML_WORKSPACE) and not graph.of_type(REGISTRY) and not graph.of_type(COMPUTE)
    assert len(graph.of_type(OPENAI)) == 1 and len(graph.of_type(DEPLOYMENT)) == 2


def _key() -> PlatformKey:
    return PlatformKey(key_id="k", key_name="platform", key_uri="u", vault_id="v", vault_uri="vu", identity_id="i",
                       identity_principal_id="p", identity_client_id="c", grant=None)  # type: ignore[arg-type]


def test_component_arguments_refuse_what_azure_would() -> None:
    with pytest.raises(ValueError, match="idle shutdown must be 15 minutes to 3 days"):
        MlComputeArgs(resource_group_name="rg", location="swedencentral", workspace_name="w", workspace_id="l",
                      idle_shutdown="PT10M")
    assert idle_minutes("PT1H30M") == 90
    with pytest.raises(ValueError, match="online endpoint name"):
        MlComputeArgs(resource_group_name="rg", location="swedencentral", workspace_name="w", workspace_id="l",
                      endpoints={"scoring": "scoring-"})
    long_name = regional_name("e", "s", "a-rather-long-endpoint-name-from-the-spec", 32)
    assert len(long_name) == 32 and long_name.startswith("a-rather-long-endpoint-")
    with pytest.raises(ValueError, match="compute instance name"):
        MlComputeArgs(resource_group_name="rg", location="swedencentral", workspace_name="w", workspace_id="l",
                      notebooks=1, owners=["o"], tenant_id="t", prefix="a-very-long-compute-prefix")
    with pytest.raises(ValueError, match="2 notebooks need 2 owners, one each; got 1"):
        MlComputeArgs(resource_group_name="rg", location="swedencentral", workspace_name="w", workspace_id="l",
                      notebooks=2, owners=["o"], tenant_id="t")
    with pytest.raises(ValueError, match="owners need the tenant_id"):
        MlComputeArgs(resource_group_name="rg", location="swedencentral", workspace_name="w", workspace_id="l",
                      notebooks=1, owners=["o"])
    with pytest.raises(ValueError, match="no pinned version for model families"):
        OpenAIAccountArgs(subscription_id="s", name="oai", resource_group_name="rg", location="swedencentral",
                          key=_key(), workspace_id="l", endpoint_subnet_id="s", dns_zone_id="z",
                          families=["dall-e-3"])
    with pytest.raises(ValueError, match="DNS zones"):
        MlWorkspaceArgs(subscription_id="s", name="mlw-e", resource_group_name="rg", location="swedencentral",
                        tenant_id="t", key=_key(), workspace_id="l", endpoint_subnet_id="s",
                        dns_zone_ids={"vault": "z"}, storage_account_name="st", vault_name="kv",
                        registry_name="crexample")
    with pytest.raises(ValueError, match="also needs the zones"):
        PrivateEndpointArgs(resource_group_name="rg", location="swedencentral", target_id="t",
                            group_id="amlworkspace", subnet_id="s", dns_zone_id="z")


def test_graph_copies_are_independent(ai_graph: Graph) -> None:
    # A guard for the tests above: they read the shared rendering, never change it.
    assert copy.deepcopy(ai_graph).of_type(ML_WORKSPACE)[0].inputs == one(ai_graph, ML_WORKSPACE).inputs


def test_the_evidence_shows_the_platform_and_what_keys_it(ai_graph: Graph) -> None:
    from hardstack.evidence.inventory import inventory

    inv = inventory(ai_graph, "swedencentral")
    platform = {n.name: n for n in inv.of_kind("platform")}
    assert set(platform) == {"azure-ai-eu-ml-ws", "azure-ai-eu-ml-ci-1", "azure-ai-eu-ml-ci-2",
                             "azure-ai-eu-ml-scoring", "azure-ai-eu-openai-account"}
    assert platform["azure-ai-eu-ml-ws"].details["network"] == "AllowOnlyApprovedOutbound"
    assert platform["azure-ai-eu-ml-scoring"].details["auth"] == "AADToken"
    assert platform["azure-ai-eu-ml-ci-1"].details["public IP"] == "no"
    assert platform["azure-ai-eu-openai-account"].details["models"] == "gpt-4o 2024-11-20, text-embedding-3-large 1"
    by_id = {n.id: n.name for n in inv.nodes}
    encrypts = {(by_id[e.source], by_id[e.target]) for e in inv.related("encrypts")}
    # The platform key encrypts the platform's stores and the models account, and no other key does.
    assert {t for s, t in encrypts if s == "azure-ai-eu-platform-key"} == {
        "azure-ai-eu-ml-acr", "azure-ai-eu-ml-storage-account", "azure-ai-eu-openai-account"}
    assert not {t for s, t in encrypts if s != "azure-ai-eu-platform-key"} & set(platform)


def test_people_reach_the_platform_endpoints_from_joined_networks_on_https_only(ai_graph: Graph,
                                                                              azure_graph: Graph) -> None:
    from azure_helpers import NSG, rules

    (nsg,) = [n for n in ai_graph.of_type(NSG) if n.inputs["networkSecurityGroupName"].endswith("-endpoints")]
    clients = rules(nsg)["allow-https-from-platform-clients"]
    assert (clients["sourceAddressPrefix"], clients["destinationPortRange"], clients["protocol"]) == (
        "VirtualNetwork", "443", "Tcp")
    assert rules(nsg)["deny-internet-inbound"]["priority"] < rules(nsg)["deny-all-inbound"]["priority"]
    # Stacks without Azure Machine Learning keep the endpoints subnet to their workloads.
    (plain,) = [n for n in azure_graph.of_type(NSG)
                if n.inputs["networkSecurityGroupName"] == "nsg-azure-prod-eu-net-endpoints"]
    assert "allow-https-from-platform-clients" not in rules(plain)
