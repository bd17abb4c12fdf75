"""HS_AZ_9 - HS_AZ_12: Key Vault keys rotate within 90 days (confidential VM disk keys offline),
vaults authorize through Azure RBAC only, disk encryption sets use a customer key, and exportable
keys are HSM keys released only under a policy. checkov checks a key's expiry and HSM backing,
not its rotation or release."""

from __future__ import annotations

from typing import Any

from azure_values import days, get, is_true, items
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

KEY = "Microsoft.KeyVault/vaults/keys"
MAX_ROTATION_DAYS = 90
CUSTOMER_KEY_TYPES = {"EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys",
                      "ConfidentialVmEncryptedWithCustomerKey"}


class AzureKeyRotation(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name=f"Ensure Key Vault keys rotate at least every {MAX_ROTATION_DAYS} days: automatically, or "
            "(confidential VM disk keys) offline before versions that expire within that time",
            id="HS_AZ_9", categories=[CheckCategories.ENCRYPTION], supported_resources=[KEY],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/rotationPolicy/lifetimeActions", "properties/rotationPolicy/attributes",
                               "properties/releasePolicy"]
        actions = items(conf, "properties/rotationPolicy/lifetimeActions")
        for action in actions:
            if str(get(action, "action/type")).lower() != "rotate":
                continue
            period = days(get(action, "trigger/timeAfterCreate"))
            if period is not None and period <= MAX_ROTATION_DAYS:
                return CheckResult.PASSED
        # Azure rotates confidential VM disk keys only offline
        # (https://learn.microsoft.com/azure/confidential-computing/key-rotation-offline): such a key
        # (one with a release policy) passes when no version outlives the period and a notify action
        # announces each expiry.
        rotates = any(str(get(a, "action/type")).lower() == "rotate" for a in actions)
        notifies = any(str(get(a, "action/type")).lower() == "notify" and get(a, "trigger/timeBeforeExpiry")
                       for a in actions)
        lifetime = days(get(conf, "properties/rotationPolicy/attributes/expiryTime"))
        offline = (bool(get(conf, "properties/releasePolicy/data")) and not rotates and notifies
                   and lifetime is not None and lifetime <= MAX_ROTATION_DAYS)
        return CheckResult.PASSED if offline else CheckResult.FAILED


class AzureVaultRbac(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Key Vaults authorize data access with Azure RBAC, not access policies",
            id="HS_AZ_10", categories=[CheckCategories.IAM], supported_resources=["Microsoft.KeyVault/vaults"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/enableRbacAuthorization", "properties/accessPolicies"]
        rbac = is_true(get(conf, "properties/enableRbacAuthorization"))
        return CheckResult.PASSED if rbac and not items(conf, "properties/accessPolicies") else CheckResult.FAILED


class AzureDiskEncryptionSetCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure disk encryption sets encrypt with a customer-managed key",
            id="HS_AZ_11", categories=[CheckCategories.ENCRYPTION],
            supported_resources=["Microsoft.Compute/diskEncryptionSets"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/encryptionType", "properties/activeKey/keyUrl"]
        ok = get(conf, "properties/encryptionType") in CUSTOMER_KEY_TYPES and bool(
            get(conf, "properties/activeKey/keyUrl"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureExportableKeyRelease(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure exportable Key Vault keys are HSM keys bound to a secure key release policy",
            id="HS_AZ_12", categories=[CheckCategories.ENCRYPTION], supported_resources=[KEY],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/attributes/exportable", "properties/kty", "properties/releasePolicy"]
        exportable = is_true(get(conf, "properties/attributes/exportable"))
        released = bool(get(conf, "properties/releasePolicy/data"))
        if not exportable and not released:
            return CheckResult.PASSED  # never leaves the vault: nothing to release
        hsm = str(get(conf, "properties/kty")).endswith("-HSM")
        return CheckResult.PASSED if exportable and hsm and released else CheckResult.FAILED


rotation = AzureKeyRotation()
vault_rbac = AzureVaultRbac()
disk_encryption_set = AzureDiskEncryptionSetCustomerKey()
exportable_release = AzureExportableKeyRelease()
