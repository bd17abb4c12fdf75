"""The AKS rules' fixtures and the AKS example's weakenings (policy-packs/hardstack_rules/azure/
kubernetes.py), shared by tests/policy/test_policy_kubernetes_azure.py, the rule fixture suite
(azure_resource_cases.CASES) and the Azure weakening suite: a hardened cluster and pool as policies see
them (azure-native inputs, camelCase), and one setting of azure-k8s-eu weakened at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from azure_platform_weakenings import set_path
from weakening import first

from hardstack.render import Graph

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
KEY_ID = "https://kv-x.vault.azure.net/keys/kms/" + "a" * 32
VAULT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-x"


def pool(**changes: Any) -> dict[str, Any]:
    return {"name": "cpu", "vmSize": "Standard_DC4as_v5", "osType": "Linux", "osSKU": "AzureLinux",
            "enableFIPS": False, "enableNodePublicIP": False, "enableEncryptionAtHost": True, **changes}


def cluster(**changes: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "apiServerAccessProfile": {"enablePrivateCluster": True, "enablePrivateClusterPublicFQDN": False,
                                   "enableVnetIntegration": True, "subnetId": "/subnets/api",
                                   "disableRunCommand": True},
        "disableLocalAccounts": True, "enableRBAC": True, "aadProfile": {"managed": True, "enableAzureRBAC": True},
        "securityProfile": {
            "azureKeyVaultKms": {"enabled": True, "keyId": KEY_ID, "keyVaultNetworkAccess": "Private",
                                 "keyVaultResourceId": VAULT_ID},
            "workloadIdentity": {"enabled": True},
            "defender": {"logAnalyticsWorkspaceResourceId": "/ws", "securityMonitoring": {"enabled": True}},
        },
        "oidcIssuerProfile": {"enabled": True},
        "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium",
                           "outboundType": "userAssignedNATGateway"},
        "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
        "nodeResourceGroupProfile": {"restrictionLevel": "ReadOnly"},
        "addonProfiles": {"azureKeyvaultSecretsProvider": {"enabled": True,
                                                           "config": {"enableSecretRotation": "true"}}},
        "agentPoolProfiles": [pool(mode="System")],
    }
    for path, value in changes.items():
        *parents, last = path.split("/")
        node = props
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return props


RULE_IDS = (
    "azure-aks-private", "azure-aks-entra-only", "azure-aks-kms-etcd", "azure-aks-workload-identity",
    "azure-aks-defender", "azure-aks-network-policy", "azure-aks-managed-upgrades", "azure-aks-secrets-rotation",
    "azure-aks-confidential-pools", "azure-aks-nodes-private-encrypted",
)
# The stack rules of the AKS example; their weakenings are tests of their own in test_policy_kubernetes_azure.py.
STACK_RULE_IDS = ("azure-aks-admins", "azure-aks-container-insights")
# rule -> (a weakened cluster, a fragment of the failure it must give)
FAILING: dict[str, tuple[dict[str, Any], str]] = {
    "azure-aks-private": (cluster(**{"apiServerAccessProfile/enablePrivateCluster": False}), "public endpoint"),
    "azure-aks-entra-only": (cluster(disableLocalAccounts=False), "local accounts are on"),
    "azure-aks-kms-etcd": (cluster(**{"securityProfile/azureKeyVaultKms/keyVaultNetworkAccess": "Public"}),
                           "reached publicly"),
    "azure-aks-workload-identity": (cluster(**{"oidcIssuerProfile/enabled": False}), "OIDC issuer is off"),
    "azure-aks-defender": (cluster(**{"securityProfile/defender": {}}), "Defender for Containers sensor"),
    "azure-aks-network-policy": (cluster(**{"networkProfile/networkPolicy": "none"}), "no network policy"),
    "azure-aks-managed-upgrades": (cluster(**{"nodeResourceGroupProfile/restrictionLevel": "Unrestricted"}),
                                   "node resource group is writable"),
    "azure-aks-secrets-rotation": (cluster(**{"addonProfiles/azureKeyvaultSecretsProvider/config": {}}),
                                   "rotation is off"),
    "azure-aks-confidential-pools": (cluster(agentPoolProfiles=[pool(vmSize="Standard_D4s_v5")]),
                                     "not an AMD SEV-SNP confidential VM size"),
    "azure-aks-nodes-private-encrypted": (cluster(agentPoolProfiles=[pool(enableNodePublicIP=True)]),
                                          "public IPs"),
}


# In the shape of azure_resource_cases.CASES: (type, good props, bad props, message fragment).
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    rule_id: (CLUSTER, cluster(), bad, fragment) for rule_id, (bad, fragment) in FAILING.items()
}


def _pool_setting(key: str, value: Any) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        res = first(graph, CLUSTER)
        res.inputs["agentPoolProfiles"][0][key] = value
        return res.name
    return mutate


# setting -> (weakening, the rule that must fail, a fragment of its message)
SETTINGS: dict[str, tuple[Callable[[Graph], str], str, str]] = {
    "private cluster": (set_path(CLUSTER, "apiServerAccessProfile/enablePrivateCluster", False),
                        "azure-aks-private", "public endpoint"),
    "no public FQDN": (set_path(CLUSTER, "apiServerAccessProfile/enablePrivateClusterPublicFQDN", True),
                       "azure-aks-private", "resolves publicly"),
    "vnet integration": (set_path(CLUSTER, "apiServerAccessProfile/enableVnetIntegration", False),
                         "azure-aks-private", "not injected into the VNet"),
    "run command off": (set_path(CLUSTER, "apiServerAccessProfile/disableRunCommand", False),
                        "azure-aks-private", "run command"),
    "local accounts off": (set_path(CLUSTER, "disableLocalAccounts", False), "azure-aks-entra-only",
                           "local accounts are on"),
    "kubernetes rbac": (set_path(CLUSTER, "enableRBAC", False), "azure-aks-entra-only", "Kubernetes RBAC is off"),
    "azure rbac": (set_path(CLUSTER, "aadProfile/enableAzureRBAC", False), "azure-aks-entra-only", "Azure RBAC"),
    "kms on": (set_path(CLUSTER, "securityProfile/azureKeyVaultKms/enabled", False), "azure-aks-kms-etcd",
               "KMS is off"),
    "kms private vault": (set_path(CLUSTER, "securityProfile/azureKeyVaultKms/keyVaultNetworkAccess", "Public"),
                          "azure-aks-kms-etcd", "reached publicly"),
    "oidc issuer": (set_path(CLUSTER, "oidcIssuerProfile/enabled", False), "azure-aks-workload-identity",
                    "OIDC issuer is off"),
    "workload identity": (set_path(CLUSTER, "securityProfile/workloadIdentity/enabled", False),
                          "azure-aks-workload-identity", "workload identity is off"),
    "defender sensor": (set_path(CLUSTER, "securityProfile/defender/securityMonitoring/enabled", False),
                        "azure-aks-defender", "sensor"),
    "network policy": (set_path(CLUSTER, "networkProfile/networkPolicy", "none"), "azure-aks-network-policy",
                       "no network policy"),
    "outbound through NAT": (set_path(CLUSTER, "networkProfile/outboundType", "loadBalancer"),
                             "azure-aks-network-policy", "public egress address"),
    "upgrade channel": (set_path(CLUSTER, "autoUpgradeProfile/upgradeChannel", "none"),
                        "azure-aks-managed-upgrades", "no automatic upgrade channel"),
    "node OS channel": (set_path(CLUSTER, "autoUpgradeProfile/nodeOSUpgradeChannel", "None"),
                        "azure-aks-managed-upgrades", "node OS upgrade channel"),
    "node group lockdown": (set_path(CLUSTER, "nodeResourceGroupProfile/restrictionLevel", "Unrestricted"),
                            "azure-aks-managed-upgrades", "writable"),
    "secret rotation": (set_path(CLUSTER, "addonProfiles/azureKeyvaultSecretsProvider/config/enableSecretRotation",
                                 "false"), "azure-aks-secrets-rotation", "rotation is off"),
    "system pool cvm size": (_pool_setting("vmSize", "Standard_D4s_v5"), "azure-aks-confidential-pools",
                             "not an AMD SEV-SNP"),
    "system pool os sku": (_pool_setting("osSKU", "Ubuntu2204"), "azure-aks-confidential-pools", "OS SKU"),
    "system pool public ip": (_pool_setting("enableNodePublicIP", True), "azure-aks-nodes-private-encrypted",
                              "public IPs"),
    "system pool encryption at host": (_pool_setting("enableEncryptionAtHost", False),
                                       "azure-aks-nodes-private-encrypted", "unencrypted on the host"),
    "gpu pool cvm size": (set_path(POOL, "vmSize", "Standard_NC40ads_H100_v5"), "azure-aks-confidential-pools",
                          "not an AMD SEV-SNP"),
    "gpu pool driver skipped": (set_path(POOL, "gpuProfile", None), "azure-aks-confidential-pools", "GPU driver"),
    "gpu pool fips off": (set_path(POOL, "enableFIPS", True), "azure-aks-confidential-pools", "FIPS"),
    "gpu pool public ip": (set_path(POOL, "enableNodePublicIP", True), "azure-aks-nodes-private-encrypted",
                           "public IPs"),
    "gpu pool encryption at host": (set_path(POOL, "enableEncryptionAtHost", False),
                                    "azure-aks-nodes-private-encrypted", "unencrypted on the host"),
}


