"""HS_AZ_32 - HS_AZ_40: the managed AI platform (components/azure/ml_workspace.py, ml_compute.py,
openai.py). checkov's ARM checks cover an Azure ML workspace's private endpoint rule and public
network access (CKV_AZURE_243, CKV2_AZURE_49) and a Cognitive Services account's public access,
local auth and identity (CKV_AZURE_134/236/238); its checks for workspace encryption, compute
instance local auth and Cognitive Services customer keys and outbound restriction
(CKV_AZURE_144, CKV_AZURE_142, CKV_AZURE_247, CKV2_AZURE_22) read Terraform only, and none reads
managed network isolation, datastore authentication, online endpoints or model deployments."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_false, is_true
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

WORKSPACES = ["Microsoft.MachineLearningServices/workspaces"]
ACCOUNTS = ["Microsoft.CognitiveServices/accounts"]


def _result(ok: bool) -> CheckResult:
    return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureMLWorkspaceCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure Machine Learning workspaces are encrypted with a customer-managed key and run in "
                 "high-business-impact mode",
            id="HS_AZ_32", categories=[CheckCategories.ENCRYPTION], supported_resources=WORKSPACES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/encryption", "properties/hbiWorkspace"]
        ok = (str(get(conf, "properties/encryption/status")).lower() == "enabled"
              and bool(get(conf, "properties/encryption/keyVaultProperties/keyIdentifier"))
              and is_true(get(conf, "properties/hbiWorkspace")))
        return _result(ok)


class AzureMLManagedNetworkApprovedOutbound(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure Machine Learning managed networks allow only approved outbound traffic, without "
                 "FQDN (internet) rules",
            id="HS_AZ_33", categories=[CheckCategories.NETWORKING], supported_resources=WORKSPACES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/managedNetwork"]
        rules = get(conf, "properties/managedNetwork/outboundRules")
        rules = rules if isinstance(rules, dict) else {}
        fqdn = [r for r in rules.values() if isinstance(r, dict) and r.get("type") == "FQDN"]
        return _result(get(conf, "properties/managedNetwork/isolationMode") == "AllowOnlyApprovedOutbound"
                       and not fqdn)


class AzureMLIdentityDatastores(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure Machine Learning system datastores authenticate with identities, not account keys",
            id="HS_AZ_34", categories=[CheckCategories.IAM], supported_resources=WORKSPACES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/systemDatastoresAuthMode"]
        return _result(str(get(conf, "properties/systemDatastoresAuthMode")).lower() == "identity")


class AzureMLComputeInstanceHardened(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure Machine Learning compute instances disable local auth, public IPs and SSH",
            id="HS_AZ_35", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.MachineLearningServices/workspaces/computes"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if get(conf, "properties/computeType") != "ComputeInstance":
            return CheckResult.UNKNOWN
        self.evaluated_keys = ["properties/disableLocalAuth", "properties/properties/enableNodePublicIp",
                               "properties/properties/sshSettings/sshPublicAccess"]
        ssh = get(conf, "properties/properties/sshSettings/sshPublicAccess")
        return _result(is_true(get(conf, "properties/disableLocalAuth"))
                       and is_false(get(conf, "properties/properties/enableNodePublicIp"))
                       and ssh in (None, "Disabled"))


class AzureMLOnlineEndpointPrivate(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure Machine Learning online endpoints disable public access and accept Entra tokens only",
            id="HS_AZ_36", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.MachineLearningServices/workspaces/onlineEndpoints"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/publicNetworkAccess", "properties/authMode"]
        return _result(get(conf, "properties/publicNetworkAccess") == "Disabled"
                       and get(conf, "properties/authMode") == "AADToken")


class AzureCognitiveServicesCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cognitive Services accounts encrypt data at rest with a Key Vault key",
            id="HS_AZ_37", categories=[CheckCategories.ENCRYPTION], supported_resources=ACCOUNTS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/encryption"]
        return _result(get(conf, "properties/encryption/keySource") == "Microsoft.KeyVault"
                       and bool(get(conf, "properties/encryption/keyVaultProperties/keyName")))


class AzureCognitiveServicesOutboundRestricted(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cognitive Services accounts restrict outbound access to an allow-list without wildcards",
            id="HS_AZ_38", categories=[CheckCategories.NETWORKING], supported_resources=ACCOUNTS,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/restrictOutboundNetworkAccess", "properties/allowedFqdnList"]
        allowed = get(conf, "properties/allowedFqdnList")
        allowed = allowed if isinstance(allowed, list) else []
        return _result(is_true(get(conf, "properties/restrictOutboundNetworkAccess"))
                       and not any("*" in str(f) for f in allowed))


class AzureOpenAIDeploymentPinned(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Azure OpenAI deployments are not Global (data stays in the zone) and never auto-upgrade",
            id="HS_AZ_39", categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["Microsoft.CognitiveServices/accounts/deployments"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["sku/name", "properties/versionUpgradeOption", "properties/model/version"]
        return _result(not str(get(conf, "sku/name") or "").startswith("Global")
                       and get(conf, "properties/versionUpgradeOption") == "NoAutoUpgrade"
                       and bool(get(conf, "properties/model/version")))


class AzureContainerRegistryCustomerKeyNoExport(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure container registries encrypt with a Key Vault key and disable image export",
            id="HS_AZ_40", categories=[CheckCategories.ENCRYPTION],
            supported_resources=["Microsoft.ContainerRegistry/registries"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/encryption", "properties/policies/exportPolicy/status"]
        return _result(str(get(conf, "properties/encryption/status")).lower() == "enabled"
                       and bool(get(conf, "properties/encryption/keyVaultProperties/keyIdentifier"))
                       and get(conf, "properties/policies/exportPolicy/status") == "disabled")


check_32 = AzureMLWorkspaceCustomerKey()
check_33 = AzureMLManagedNetworkApprovedOutbound()
check_34 = AzureMLIdentityDatastores()
check_35 = AzureMLComputeInstanceHardened()
check_36 = AzureMLOnlineEndpointPrivate()
check_37 = AzureCognitiveServicesCustomerKey()
check_38 = AzureCognitiveServicesOutboundRestricted()
check_39 = AzureOpenAIDeploymentPinned()
check_40 = AzureContainerRegistryCustomerKeyNoExport()
