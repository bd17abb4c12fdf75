"""The Azure AI platform example's weakenings, shared by the Azure weakening tests: one setting of
azure-ai-eu weakened at a time, with the rule that must then fail and a fragment of its message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weakening import first

from hardstack.render import Graph

ROLE = "azure-native:authorization:RoleAssignment"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"


def set_path(token: str, path: str, value: Any, name_part: str = "") -> Callable[[Graph], str]:
    """Set (None: remove) the input at a "/"-separated path of the first matching resource; a
    removed input takes its references with it."""
    def mutate(graph: Graph) -> str:
        res = first(graph, token, name_part)
        *parents, last = path.split("/")
        node = res.inputs
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
            if not parents:
                res.propertyDependencies.pop(last, None)
        else:
            node[last] = value
        return res.name
    return mutate


ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"
DNS_GROUP = "azure-native:network:PrivateDnsZoneGroup"
# Rules of the VM examples that find something to judge in the AI example too (keys, storage, network).
AI_ALSO_JUDGES = frozenset({
    "azure-keyvault-purge-protection", "azure-keyvault-soft-delete", "azure-keyvault-rbac", "azure-key-rotation",
    "azure-storage-customer-key", "azure-storage-no-shared-key", "azure-private-endpoints", "azure-role-resource-scope",
    "azure-diagnostics-to-workspace", "gdpr-data-residency",
})


def drop_notebooks_zone(graph: Graph) -> str:
    group = first(graph, DNS_GROUP, "ml-ws-dns")
    group.inputs["privateDnsZoneConfigs"] = group.inputs["privateDnsZoneConfigs"][:1]
    return first(graph, ML_WORKSPACE).name


def drop_platform_grant(graph: Graph) -> str:
    grant = first(graph, ROLE, "platform-cmk")
    graph.resources.remove(grant)
    return first(graph, ML_WORKSPACE).name


def drop_cosmos_grant(graph: Graph) -> str:
    graph.resources.remove(first(graph, ROLE, "cosmos-cmk"))
    return first(graph, ML_WORKSPACE).name


def fqdn_rule(graph: Graph) -> str:
    workspace = first(graph, ML_WORKSPACE)
    workspace.inputs["managedNetwork"]["outboundRules"]["pypi"] = {"type": "FQDN", "destination": "pypi.org"}
    return workspace.name


# rule id -> (weakening of azure-ai-eu, a fragment of the message it must produce).
PLATFORM_WEAKENINGS: dict[str, tuple[Callable[[Graph], str], str]] = {
    "azure-ml-workspace-private": (set_path(ML_WORKSPACE, "publicNetworkAccess", "Enabled"),
                                   "public network access is Enabled"),
    "azure-ml-managed-network-approved": (fqdn_rule, "opens the internet host pypi.org"),
    "azure-ml-workspace-encrypted": (set_path(ML_WORKSPACE, "hbiWorkspace", False), "high-business-impact mode"),
    "azure-ml-identity-datastores": (set_path(ML_WORKSPACE, "systemDatastoresAuthMode", "accessKey"),
                                     "authenticate with accessKey"),
    "azure-ml-workspace-key-usable": (drop_platform_grant, "its encryption identity holds no"),
    "azure-ml-workspace-endpoint": (drop_notebooks_zone, "privatelink.notebooks.azure.net"),
    "azure-ml-compute-hardened": (set_path(COMPUTE, "properties/properties/sshSettings/sshPublicAccess", "Enabled"),
                                  "SSH access"),
    "azure-ml-endpoint-private": (set_path(ONLINE_ENDPOINT, "properties/publicNetworkAccess", "Enabled"),
                                  "reachable publicly"),
    "azure-openai-private": (set_path(OPENAI, "properties/disableLocalAuth", False), "accepts API keys"),
    "azure-openai-egress-restricted": (set_path(OPENAI, "properties/restrictOutboundNetworkAccess", False),
                                       "outbound access is unrestricted"),
    "azure-openai-own-key": (set_path(OPENAI, "properties/encryption/keySource", "Microsoft.CognitiveServices"),
                             "not a Key Vault key"),
    "azure-openai-deployment-pinned": (set_path(DEPLOYMENT, "properties/versionUpgradeOption",
                                                "OnceNewDefaultVersionAvailable"), "upgraded automatically"),
    "azure-registry-private": (set_path(REGISTRY, "anonymousPullEnabled", True), "pull images anonymously"),
}


def drop_diagnostics_of(token: str) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        target = first(graph, token)
        graph.resources[:] = [r for r in graph.resources if not (
            r.type == DIAGNOSTIC and target.urn in r.propertyDependencies.get("resourceUri", []))]
        return target.name
    return mutate


# Every hardening setting of the AI example, weakened alone: (weakening, rule, message fragment).
# Settings only checkov judges are in tests/checkov/test_checkov_platform_azure.py.
SETTINGS: dict[str, tuple[Callable[[Graph], str], str, str]] = {
    "workspace public access": (set_path(ML_WORKSPACE, "publicNetworkAccess", "Enabled"),
                                "azure-ml-workspace-private", "public network access is Enabled"),
    "workspace public behind vnet": (set_path(ML_WORKSPACE, "allowPublicAccessWhenBehindVnet", True),
                                     "azure-ml-workspace-private", "allows public access"),
    "managed network mode": (set_path(ML_WORKSPACE, "managedNetwork/isolationMode", "AllowInternetOutbound"),
                             "azure-ml-managed-network-approved", "isolation is AllowInternetOutbound"),
    "managed network fqdn": (fqdn_rule, "azure-ml-managed-network-approved", "opens the internet host"),
    "serverless public ip": (set_path(ML_WORKSPACE, "serverlessComputeSettings/serverlessComputeNoPublicIP", False),
                             "azure-ml-managed-network-approved", "serverless compute gets public IP"),
    "workspace cmk": (set_path(ML_WORKSPACE, "encryption/status", "Disabled"), "azure-ml-workspace-encrypted",
                      "Microsoft's keys"),
    "workspace cmk identity": (set_path(ML_WORKSPACE, "encryption/identity", None), "azure-ml-workspace-encrypted",
                               "no user-assigned identity"),
    "workspace hbi": (set_path(ML_WORKSPACE, "hbiWorkspace", False), "azure-ml-workspace-encrypted",
                      "high-business-impact"),
    "workspace service-side cmk": (set_path(ML_WORKSPACE, "enableServiceSideCMKEncryption", True),
                                   "azure-ml-workspace-encrypted", "service-side encryption"),
    "identity datastores": (set_path(ML_WORKSPACE, "systemDatastoresAuthMode", "accessKey"),
                            "azure-ml-identity-datastores", "accessKey"),
    "platform key grant": (drop_platform_grant, "azure-ml-workspace-key-usable", "its encryption identity holds no"),
    "cosmos db grant": (drop_cosmos_grant, "azure-ml-workspace-key-usable",
                        "for the Azure Cosmos DB service principal"),
    "workspace endpoint zones": (drop_notebooks_zone, "azure-ml-workspace-endpoint", "notebooks.azure.net"),
    "workspace diagnostics": (drop_diagnostics_of(ML_WORKSPACE), "azure-diagnostics-to-workspace",
                              "Azure Machine Learning workspace"),
    "compute local auth": (set_path(COMPUTE, "properties/disableLocalAuth", False), "azure-ml-compute-hardened",
                           "local authentication is on"),
    "compute public ip": (set_path(COMPUTE, "properties/properties/enableNodePublicIp", True),
                          "azure-ml-compute-hardened", "public IP"),
    "compute ssh": (set_path(COMPUTE, "properties/properties/sshSettings/sshPublicAccess", "Enabled"),
                    "azure-ml-compute-hardened", "SSH access"),
    "compute idle shutdown": (set_path(COMPUTE, "properties/properties/idleTimeBeforeShutdown", None),
                              "azure-ml-compute-hardened", "never shuts down"),
    "endpoint public access": (set_path(ONLINE_ENDPOINT, "properties/publicNetworkAccess", "Enabled"),
                               "azure-ml-endpoint-private", "reachable publicly"),
    "endpoint auth": (set_path(ONLINE_ENDPOINT, "properties/authMode", "Key"), "azure-ml-endpoint-private",
                      "accepts Key credentials"),
    "endpoint identity": (set_path(ONLINE_ENDPOINT, "identity", None), "azure-ml-endpoint-private",
                          "no managed identity"),
    "endpoint diagnostics": (drop_diagnostics_of(ONLINE_ENDPOINT), "azure-diagnostics-to-workspace",
                             "online endpoint"),
    "openai local auth": (set_path(OPENAI, "properties/disableLocalAuth", False), "azure-openai-private",
                          "accepts API keys"),
    "openai public access": (set_path(OPENAI, "properties/publicNetworkAccess", "Enabled"), "azure-openai-private",
                             "public network access is Enabled"),
    "openai network acls": (set_path(OPENAI, "properties/networkAcls/defaultAction", "Allow"), "azure-openai-private",
                            "default action is not Deny"),
    "openai subdomain": (set_path(OPENAI, "properties/customSubDomainName", None), "azure-openai-private",
                         "no custom subdomain"),
    "openai outbound": (set_path(OPENAI, "properties/restrictOutboundNetworkAccess", False),
                        "azure-openai-egress-restricted", "unrestricted"),
    "openai fqdn wildcard": (set_path(OPENAI, "properties/allowedFqdnList", ["*.blob.core.windows.net"]),
                             "azure-openai-egress-restricted", "wildcard"),
    "openai cmk": (set_path(OPENAI, "properties/encryption/keySource", "Microsoft.CognitiveServices"),
                   "azure-openai-own-key", "not a Key Vault key"),
    "openai cmk identity": (set_path(OPENAI, "properties/encryption/keyVaultProperties/identityClientId", None),
                            "azure-openai-own-key", "identityClientId"),
    "openai diagnostics": (drop_diagnostics_of(OPENAI), "azure-diagnostics-to-workspace", "Azure OpenAI account"),
    "deployment global": (set_path(DEPLOYMENT, "sku/name", "GlobalStandard"), "azure-openai-deployment-pinned",
                          "any Azure region"),
    "deployment version": (set_path(DEPLOYMENT, "properties/model/version", None), "azure-openai-deployment-pinned",
                           "not pinned"),
    "deployment upgrade": (set_path(DEPLOYMENT, "properties/versionUpgradeOption", "OnceCurrentVersionExpired"),
                           "azure-openai-deployment-pinned", "upgraded automatically"),
    "registry admin": (set_path(REGISTRY, "adminUserEnabled", True), "azure-registry-private", "admin account"),
    "registry anonymous": (set_path(REGISTRY, "anonymousPullEnabled", True), "azure-registry-private", "anonymously"),
    "registry public": (set_path(REGISTRY, "publicNetworkAccess", "Enabled"), "azure-registry-private",
                        "public network access is Enabled"),
    "registry sku": (set_path(REGISTRY, "sku/name", "Standard"), "azure-registry-private", "Premium"),
    "registry export": (set_path(REGISTRY, "policies/exportPolicy/status", "enabled"), "azure-registry-private",
                        "exported"),
    "registry cmk": (set_path(REGISTRY, "encryption/status", "disabled"), "azure-registry-private", "Microsoft's keys"),
    "registry diagnostics": (drop_diagnostics_of(REGISTRY), "azure-diagnostics-to-workspace", "container registry"),
    "openai user scope": (set_path(ROLE, "scope", "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/"
                                   "rg-azure-ai-eu", "openai-user"), "azure-role-resource-scope",
                          "whole resource group"),
}
