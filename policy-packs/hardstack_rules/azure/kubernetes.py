"""AKS (components/azure/aks.py, aks_pools.py): a private cluster reached only through the VNet,
Entra ID with Azure RBAC and no local accounts, workload identity, KMS etcd encryption with a
private vault through API Server VNet Integration, Defender for Containers, network policy,
managed upgrades and a locked node resource group; node pools on AMD SEV-SNP confidential VMs
without public IPs, with encryption at host.

Sources: https://learn.microsoft.com/azure/aks/private-clusters,
https://learn.microsoft.com/azure/aks/api-server-vnet-integration,
https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption (private key vault needs VNet
Integration; key id with version), https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad,
https://learn.microsoft.com/azure/aks/use-cvm (SEV-SNP only; OS SKUs; no FIPS, Trusted Launch or Pod
Sandboxing on CVM pools), https://learn.microsoft.com/azure/aks/node-resource-group-lockdown."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import ROLE
from ..relations import of_type, references
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
DCR = "azure-native:monitor:DataCollectionRule"
DCR_ASSOCIATION = "azure-native:monitor:DataCollectionRuleAssociation"

PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-17"]}
ENTRA = {"hipaa": ["164.312(d)", "164.308(a)(4)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["IA-2", "AC-2", "AC-6"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
CONFIDENTIAL = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SC-28"]}
MONITORED = {"hipaa": ["164.312(b)", "164.308(a)(1)(ii)(D)"], "gdpr": ["32(1)(d)"], "nist-800-53": ["SI-4", "IR-4"]}
SEGMENTED = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["AC-4", "SC-7"]}
BASELINE = {"hipaa": ["164.312(c)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["CM-2", "SI-7"]}

# AKS's SEV-SNP confidential VM sizes: DCasv5/DCadsv5 (and the memory-optimised ECasv5/ECadsv5) and the
# H100 size NCCadsH100v5 (use-cvm; hardstack.spec.catalog).
CVM_SIZE = re.compile(r"^Standard_(DC|EC)\d+a(d)?s_v5$|^Standard_NCC\d+ads_H100_v5$", re.IGNORECASE)
CVM_OS_SKUS = ("Ubuntu", "Ubuntu2404", "AzureLinux", "AzureLinux3")
# Built-in roles that administer a cluster's Kubernetes objects through Azure RBAC: RBAC Cluster Admin and
# RBAC Admin (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/containers).
AKS_ADMIN_ROLES = ("b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", "3498e952-d568-435e-9b2c-8d77e338d7f7")
VERSIONED_KEY = re.compile(r"^https://[^/]+/keys/[^/]+/[0-9a-fA-F]{32}$")


def _pools(props: Mapping[str, Any], token: str | None = None) -> list[Mapping[str, Any]]:
    """A cluster's inline pools, or an AgentPool's own properties."""
    if "agentPoolProfiles" in props or token == CLUSTER:
        return [p for p in (props.get("agentPoolProfiles") or []) if isinstance(p, Mapping)]
    return [props]


def _name(pool: Mapping[str, Any]) -> str:
    return str(pool.get("name") or "the pool")


@resource_rule(
    id="azure-aks-private", title="AKS API servers are private, inside the VNet", severity="high", cloud="azure",
    practice="access", types=[CLUSTER], controls=PRIVATE,
    remediation="Set api_server_access_profile enable_private_cluster=True, enable_private_cluster_public_fqdn=False, "
    "enable_vnet_integration=True with the delegated API server subnet, and disable_run_command=True; deploy from a "
    "network joined to the VNet.",
)
def aks_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    access = props.get("apiServerAccessProfile") or {}
    if access.get("enablePrivateCluster") is not True:
        yield "the API server has a public endpoint (not a private cluster)"
    if access.get("enablePrivateClusterPublicFQDN") is not False:
        yield "the private cluster's API server name resolves publicly (public FQDN not disabled)"
    if access.get("enableVnetIntegration") is not True or not access.get("subnetId"):
        yield "the API server is not injected into the VNet (API Server VNet Integration with its own subnet)"
    if access.get("disableRunCommand") is not True:
        yield "run command lets Azure Resource Manager callers run kubectl without reaching the private endpoint"


@resource_rule(
    id="azure-aks-entra-only", title="AKS clusters authenticate with Entra ID and authorize with RBAC only",
    severity="high", cloud="azure", practice="access", types=[CLUSTER], controls=ENTRA,
    remediation="Set disable_local_accounts=True, enable_rbac=True and aad_profile managed=True with "
    "enable_azure_rbac=True.",
)
def aks_entra_only(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("disableLocalAccounts") is not True:
        yield "local accounts are on: the static admin kubeconfig bypasses Entra ID"
    if props.get("enableRBAC") is not True:
        yield "Kubernetes RBAC is off"
    aad = props.get("aadProfile") or {}
    if aad.get("managed") is not True or aad.get("enableAzureRBAC") is not True:
        yield "Entra ID integration with Azure RBAC for Kubernetes authorization is not on"


@resource_rule(
    id="azure-aks-kms-etcd", title="AKS secrets in etcd are encrypted with a key of a private vault",
    severity="high", cloud="azure", practice="encryption", types=[CLUSTER], controls=AT_REST,
    remediation="Set security_profile.azure_key_vault_kms enabled with the key's versioned id, "
    "key_vault_network_access='Private' and key_vault_resource_id; a private vault needs API Server VNet Integration.",
)
def aks_kms(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    kms = (props.get("securityProfile") or {}).get("azureKeyVaultKms") or {}
    if kms.get("enabled") is not True:
        yield "secrets in etcd are encrypted with platform keys only (KMS is off)"
        return
    if not VERSIONED_KEY.match(str(kms.get("keyId") or "")):
        yield f"the KMS key id {kms.get('keyId')!r} is not a key identifier with its version"
    if kms.get("keyVaultNetworkAccess") != "Private" or not kms.get("keyVaultResourceId"):
        yield "the KMS key vault is reached publicly (key_vault_network_access is not Private with the vault's id)"
    elif (props.get("apiServerAccessProfile") or {}).get("enableVnetIntegration") is not True:
        yield "KMS with a private vault needs API Server VNet Integration, which is off"


@resource_rule(
    id="azure-aks-workload-identity", title="AKS pods get Entra tokens through workload identity",
    severity="medium", cloud="azure", practice="access", types=[CLUSTER], controls=ENTRA,
    remediation="Set oidc_issuer_profile.enabled=True and security_profile.workload_identity.enabled=True.",
)
def aks_workload_identity(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("oidcIssuerProfile") or {}).get("enabled") is not True:
        yield "the OIDC issuer is off"
    if ((props.get("securityProfile") or {}).get("workloadIdentity") or {}).get("enabled") is not True:
        yield "workload identity is off: pods would need secrets to reach Azure"


@resource_rule(
    id="azure-aks-defender", title="Defender for Containers watches AKS clusters", severity="medium",
    cloud="azure", practice="monitoring", types=[CLUSTER], controls=MONITORED,
    remediation="Set security_profile.defender with the audit workspace and security_monitoring.enabled=True "
    "(and the Containers Defender plan).",
)
def aks_defender(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    defender = (props.get("securityProfile") or {}).get("defender") or {}
    if not defender.get("logAnalyticsWorkspaceResourceId") or \
            (defender.get("securityMonitoring") or {}).get("enabled") is not True:
        yield "the Defender for Containers sensor is off or reports to no workspace"


@resource_rule(
    id="azure-aks-network-policy", title="AKS clusters enforce network policy, without a public load balancer "
    "for egress", severity="medium", cloud="azure", practice="access", types=[CLUSTER], controls=SEGMENTED,
    remediation="Set network_profile network_plugin='azure', network_policy 'cilium' (or 'azure'), and outbound_type "
    "'userAssignedNATGateway' (the environment's NAT gateway) or 'none'.",
)
def aks_network_policy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    network = props.get("networkProfile") or {}
    if network.get("networkPlugin") != "azure":
        yield f"network plugin is {network.get('networkPlugin', 'kubenet (the default)')}, not Azure CNI"
    if network.get("networkPolicy") not in ("cilium", "azure", "calico"):
        yield "no network policy engine: every pod can reach every other"
    if network.get("outboundType") not in ("userAssignedNATGateway", "none", "userDefinedRouting"):
        yield f"outbound type {network.get('outboundType', 'loadBalancer (the default)')} gives the cluster its own " \
              "public egress address"


@resource_rule(
    id="azure-aks-managed-upgrades", title="AKS upgrades patches and node images, with a read-only node group",
    severity="medium", cloud="azure", practice="compliance", types=[CLUSTER], controls=BASELINE,
    remediation="Set auto_upgrade_profile upgrade_channel 'patch' (or stable/rapid/node-image) and "
    "node_os_upgrade_channel 'NodeImage' (or 'SecurityPatch'), and node_resource_group_profile "
    "restriction_level 'ReadOnly'.",
)
def aks_upgrades(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    upgrade = props.get("autoUpgradeProfile") or {}
    if str(upgrade.get("upgradeChannel") or "none").lower() == "none":
        yield "no automatic upgrade channel"
    if upgrade.get("nodeOSUpgradeChannel") not in ("NodeImage", "SecurityPatch"):
        yield f"node OS upgrade channel is {upgrade.get('nodeOSUpgradeChannel', 'unset')}"
    if (props.get("nodeResourceGroupProfile") or {}).get("restrictionLevel") != "ReadOnly":
        yield "the node resource group is writable: node VMs can be changed outside AKS"


@resource_rule(
    id="azure-aks-secrets-rotation", title="The Key Vault secrets provider refreshes rotated secrets",
    severity="low", cloud="azure", practice="encryption", types=[CLUSTER], controls=AT_REST,
    remediation="Enable addon_profiles.azureKeyvaultSecretsProvider with config enableSecretRotation 'true'.",
)
def aks_secrets_rotation(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    addon = (props.get("addonProfiles") or {}).get("azureKeyvaultSecretsProvider") or {}
    if addon.get("enabled") is not True or str((addon.get("config") or {}).get("enableSecretRotation")).lower() != \
            "true":
        yield "pods keep a Key Vault secret's old value after it is rotated (secrets provider rotation is off)"


def _pool_problems(pool: Mapping[str, Any]) -> Iterator[str]:
    name, size = _name(pool), str(pool.get("vmSize") or "")
    if not CVM_SIZE.match(size):
        yield f"pool {name} runs {size or 'the default size'}, not an AMD SEV-SNP confidential VM size"
        return
    if str(pool.get("osSKU") or "Ubuntu") not in CVM_OS_SKUS or pool.get("osType") == "Windows":
        yield f"pool {name} runs OS SKU {pool.get('osSKU')}, which AKS does not run on confidential VMs"
    if pool.get("enableFIPS") is True:
        yield f"pool {name} asks for a FIPS image, which confidential VM pools do not support"
    security = pool.get("securityProfile") or {}
    if security.get("enableSecureBoot") is True or security.get("enableVTPM") is True:
        yield f"pool {name} asks for Trusted Launch, which confidential VM pools do not support"
    if pool.get("workloadRuntime") == "KataVmIsolation":
        yield f"pool {name} runs Pod Sandboxing, which is not supported on confidential VM pools"
    if "H100" in size and (pool.get("gpuProfile") or {}).get("driver") != "None":
        yield f"pool {name}: AKS installs its GPU driver; skip it (gpu_profile driver None) for the NVIDIA GPU Operator"


@resource_rule(
    id="azure-aks-confidential-pools", title="Every AKS node pool runs on AMD SEV-SNP confidential VMs",
    severity="high", cloud="azure", practice="encryption", types=[CLUSTER, POOL], controls=CONFIDENTIAL,
    remediation="Use Standard_DCasv5/DCadsv5 sizes (Standard_NCC40ads_H100_v5 for an H100) with os_sku AzureLinux or "
    "Ubuntu2404, no FIPS, no Trusted Launch settings and no Pod Sandboxing; a GPU pool skips AKS's driver "
    "(gpu_profile driver None). A pool that must not be confidential needs an exemption.",
)
def aks_confidential_pools(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for pool in _pools(props):
        yield from _pool_problems(pool)


def _exposed(pools: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    for pool in pools:
        if pool.get("enableNodePublicIP") is not False:
            yield f"pool {_name(pool)} may give nodes public IPs (enable_node_public_ip is not False)"
        if pool.get("enableEncryptionAtHost") is not True:
            yield f"pool {_name(pool)} keeps temp disks and disk caches unencrypted on the host"


@resource_rule(
    id="azure-aks-nodes-private-encrypted", title="AKS nodes have no public IPs and encrypt at host",
    severity="high", cloud="azure", practice="access", types=[CLUSTER, POOL], controls=PRIVATE,
    remediation="Set enable_node_public_ip=False and enable_encryption_at_host=True on every pool.",
)
def aks_nodes_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    yield from _exposed(_pools(props))


@stack_rule(
    id="azure-aks-admins", title="Someone can administer an AKS cluster whose local accounts are off",
    severity="medium", cloud="azure", practice="access", controls=ENTRA,
    remediation="Name the Entra groups that administer the cluster (spec kubernetes.admins, AksClusterArgs.admins): "
    "each is granted Azure Kubernetes Service RBAC Cluster Admin and Cluster User on the cluster.",
)
def aks_admins(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # With local accounts off and Azure RBAC deciding, only principals holding an AKS RBAC role can use
    # the Kubernetes API; Owner and Contributor hold no data actions
    # (https://learn.microsoft.com/azure/aks/manage-azure-rbac).
    for cluster in of_type(resources, CLUSTER):
        aad = cluster.props.get("aadProfile") or {}
        if cluster.props.get("disableLocalAccounts") is not True or aad.get("enableAzureRBAC") is not True:
            continue
        admins = [g for g in of_type(resources, ROLE)
                  if str(g.props.get("roleDefinitionId") or "").rsplit("/", 1)[-1] in AKS_ADMIN_ROLES
                  and references(g, "scope", cluster)]
        if not admins:
            yield (f"cluster {cluster.name}: local accounts are off and no principal holds an AKS RBAC admin role "
                   "on it, so nobody can use its Kubernetes API"), cluster.urn


@stack_rule(
    id="azure-aks-container-insights", title="Container insights on an AKS cluster has a data collection rule",
    severity="medium", cloud="azure", practice="monitoring", controls=MONITORED,
    remediation="Create a data collection rule with the ContainerInsights extension sending to the Log Analytics "
    "workspace and associate it with the cluster as ContainerInsightsExtension "
    "(components.azure.container_insights).",
)
def aks_container_insights(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # The omsagent add-on with managed identity collects nothing without a data collection rule associated
    # with the cluster (https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-data-collection-configure).
    rules = [r for r in of_type(resources, DCR)
             if any(e.get("extensionName") == "ContainerInsights" for e in
                    (r.props.get("dataSources") or {}).get("extensions") or [])
             and (r.props.get("destinations") or {}).get("logAnalytics")]
    for cluster in of_type(resources, CLUSTER):
        agent = (cluster.props.get("addonProfiles") or {}).get("omsagent") or {}
        if agent.get("enabled") is not True:
            continue
        if not any(references(a, "resourceUri", cluster) and any(references(a, "dataCollectionRuleId", r)
                                                                  for r in rules)
                   for a in of_type(resources, DCR_ASSOCIATION)):
            yield (f"cluster {cluster.name}: Container insights is on but no data collection rule with the "
                   "ContainerInsights extension and a Log Analytics destination is associated with it, so it "
                   "collects nothing"), cluster.urn
