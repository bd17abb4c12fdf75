"""HS_AZ_41 - HS_AZ_47: the AKS cluster (components/azure/aks.py, aks_pools.py). checkov's ARM checks
read local accounts (CKV_AZURE_141), RBAC (CKV_AZURE_5), network policy (CKV_AZURE_7), logging
(CKV_AZURE_4), upgrade channel (CKV_AZURE_171), max pods (CKV_AZURE_168), scale sets (CKV_AZURE_169)
and encryption at host (CKV_AZURE_227, first pool only); its private-cluster, KMS and Defender
checks (CKV_AZURE_115, CKV_AZURE_116/117, CKV_AZURE_232) read Terraform only, and none reads
confidential node sizes, node public IPs, API Server VNet Integration or Azure RBAC.
Sources: https://learn.microsoft.com/azure/aks/use-cvm, use-kms-etcd-encryption, private-clusters,
api-server-vnet-integration, manage-azure-rbac, workload-identity-deploy-cluster."""

from __future__ import annotations

import re
from typing import Any

from azure_values import get, is_false, is_true
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

CLUSTERS = ["Microsoft.ContainerService/managedClusters"]
POOLS = ["Microsoft.ContainerService/managedClusters/agentPools"]
CVM_SIZE = re.compile(r"^Standard_(DC|EC)\d+a(d)?s_v5$|^Standard_NCC\d+ads_H100_v5$", re.IGNORECASE)
CVM_OS_SKUS = {"ubuntu", "ubuntu2404", "azurelinux", "azurelinux3"}
VERSIONED_KEY = re.compile(r"^https://[^/]+/keys/[^/]+/[0-9a-fA-F]{32}$")


def _result(ok: bool) -> CheckResult:
    return CheckResult.PASSED if ok else CheckResult.FAILED


def _pools(check: BaseResourceCheck, conf: dict[str, Any]) -> list[dict[str, Any]]:
    if check.entity_type in POOLS:
        props = conf.get("properties")
        return [props] if isinstance(props, dict) else [{}]
    pools = get(conf, "properties/agentPoolProfiles")
    return [p for p in pools if isinstance(p, dict)] if isinstance(pools, list) else []


def _confidential(pool: dict[str, Any]) -> bool:
    security = pool.get("securityProfile") if isinstance(pool.get("securityProfile"), dict) else {}
    return (bool(CVM_SIZE.match(str(pool.get("vmSize") or "")))
            and str(pool.get("osSKU") or "Ubuntu").lower() in CVM_OS_SKUS
            and str(pool.get("osType") or "Linux") == "Linux"
            and not is_true(pool.get("enableFIPS"))
            and not is_true(security.get("enableSecureBoot")) and not is_true(security.get("enableVTPM"))
            and pool.get("workloadRuntime") != "KataVmIsolation")


class AKSConfidentialNodePools(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure every AKS node pool runs on AMD SEV-SNP confidential VM sizes with a CVM OS SKU, without "
                 "FIPS, Trusted Launch or Pod Sandboxing",
            id="HS_AZ_41", categories=[CheckCategories.ENCRYPTION], supported_resources=CLUSTERS + POOLS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/agentPoolProfiles", "properties/vmSize", "properties/osSKU"]
        pools = _pools(self, conf)
        return _result(bool(pools) and all(_confidential(p) for p in pools))


class AKSKmsPrivateVault(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure AKS encrypts etcd with KMS, a versioned key of a private Key Vault, through API Server VNet "
                 "Integration",
            id="HS_AZ_42", categories=[CheckCategories.ENCRYPTION], supported_resources=CLUSTERS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/securityProfile/azureKeyVaultKms",
                               "properties/apiServerAccessProfile/enableVnetIntegration"]
        kms = "properties/securityProfile/azureKeyVaultKms"
        return _result(is_true(get(conf, f"{kms}/enabled"))
                       and bool(VERSIONED_KEY.match(str(get(conf, f"{kms}/keyId") or "")))
                       and get(conf, f"{kms}/keyVaultNetworkAccess") == "Private"
                       and bool(get(conf, f"{kms}/keyVaultResourceId"))
                       and is_true(get(conf, "properties/apiServerAccessProfile/enableVnetIntegration")))


class AKSEntraOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure AKS disables local accounts and authorizes Entra ID users with Azure RBAC",
            id="HS_AZ_43", categories=[CheckCategories.IAM], supported_resources=CLUSTERS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/disableLocalAccounts", "properties/aadProfile"]
        return _result(is_true(get(conf, "properties/disableLocalAccounts"))
                       and is_true(get(conf, "properties/aadProfile/managed"))
                       and is_true(get(conf, "properties/aadProfile/enableAzureRBAC")))


class AKSNoNodePublicIp(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no AKS node pool gives its nodes public IP addresses",
            id="HS_AZ_44", categories=[CheckCategories.NETWORKING], supported_resources=CLUSTERS + POOLS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/agentPoolProfiles", "properties/enableNodePublicIP"]
        pools = _pools(self, conf)
        return _result(bool(pools) and all(is_false(p.get("enableNodePublicIP")) for p in pools))


class AKSPrivateApiServer(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the AKS API server is private, in the VNet (API Server VNet Integration), without a public "
                 "FQDN or run command",
            id="HS_AZ_45", categories=[CheckCategories.NETWORKING], supported_resources=CLUSTERS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        access = "properties/apiServerAccessProfile"
        self.evaluated_keys = [access]
        return _result(is_true(get(conf, f"{access}/enablePrivateCluster"))
                       and is_false(get(conf, f"{access}/enablePrivateClusterPublicFQDN"))
                       and is_true(get(conf, f"{access}/enableVnetIntegration"))
                       and bool(get(conf, f"{access}/subnetId"))
                       and is_true(get(conf, f"{access}/disableRunCommand")))


class AKSDefenderSensor(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the Defender for Containers sensor runs on AKS and reports to a Log Analytics workspace",
            id="HS_AZ_46", categories=[CheckCategories.LOGGING], supported_resources=CLUSTERS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        defender = "properties/securityProfile/defender"
        self.evaluated_keys = [defender]
        return _result(bool(get(conf, f"{defender}/logAnalyticsWorkspaceResourceId"))
                       and is_true(get(conf, f"{defender}/securityMonitoring/enabled")))


class AKSWorkloadIdentity(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure AKS pods authenticate with workload identity (OIDC issuer on)",
            id="HS_AZ_47", categories=[CheckCategories.IAM], supported_resources=CLUSTERS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/oidcIssuerProfile/enabled",
                               "properties/securityProfile/workloadIdentity/enabled"]
        return _result(is_true(get(conf, "properties/oidcIssuerProfile/enabled"))
                       and is_true(get(conf, "properties/securityProfile/workloadIdentity/enabled")))


check_41 = AKSConfidentialNodePools()
check_42 = AKSKmsPrivateVault()
check_43 = AKSEntraOnly()
check_44 = AKSNoNodePublicIp()
check_45 = AKSPrivateApiServer()
check_46 = AKSDefenderSensor()
check_47 = AKSWorkloadIdentity()
