"""HS_AZ_2, HS_AZ_5 - HS_AZ_8: storage accounts use a customer key, Entra ID only and no
anonymous reads; blob services keep versions and deleted data; write-once policies stay
write-once. checkov's ARM checks read none of these settings."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_false, is_true
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

ACCOUNT = "Microsoft.Storage/storageAccounts"


class AzureStorageCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure storage accounts encrypt with a customer-managed key in Key Vault",
            id="HS_AZ_2", categories=[CheckCategories.ENCRYPTION], supported_resources=[ACCOUNT],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/encryption"]
        encryption = get(conf, "properties/encryption") or {}
        key = encryption.get("keyvaultproperties") or {}
        ok = str(encryption.get("keySource", "")).lower() == "microsoft.keyvault" and bool(
            key.get("keyname") and key.get("keyvaulturi"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureStorageNoSharedKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure storage accounts refuse shared key (account key and SAS) authorization",
            id="HS_AZ_5", categories=[CheckCategories.IAM], supported_resources=[ACCOUNT],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/allowSharedKeyAccess"]
        # Azure's default (null) allows shared keys: only an explicit false passes.
        return CheckResult.PASSED if is_false(get(conf, "properties/allowSharedKeyAccess")) else CheckResult.FAILED


class AzureStorageNoPublicBlobs(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure storage accounts forbid anonymous (public) blob access",
            id="HS_AZ_6", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=[ACCOUNT],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/allowBlobPublicAccess"]
        return CheckResult.PASSED if is_false(get(conf, "properties/allowBlobPublicAccess")) else CheckResult.FAILED


class AzureBlobServiceRecovery(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure blob services keep versions and soft-delete blobs and containers",
            id="HS_AZ_7", categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["Microsoft.Storage/storageAccounts/blobServices"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/isVersioningEnabled", "properties/deleteRetentionPolicy/enabled",
                               "properties/containerDeleteRetentionPolicy/enabled"]
        ok = all(is_true(get(conf, k)) for k in self.evaluated_keys)
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureImmutabilityWriteOnce(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure container immutability policies lock blobs for at least a day and allow no appends",
            id="HS_AZ_8", categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/immutabilityPeriodSinceCreationInDays",
                               "properties/allowProtectedAppendWrites"]
        try:
            period = int(get(conf, "properties/immutabilityPeriodSinceCreationInDays") or 0)
        except (TypeError, ValueError):
            return CheckResult.FAILED
        appends = is_true(get(conf, "properties/allowProtectedAppendWrites")) or is_true(
            get(conf, "properties/allowProtectedAppendWritesAll"))
        return CheckResult.PASSED if period >= 1 and not appends else CheckResult.FAILED


customer_key = AzureStorageCustomerKey()
no_shared_key = AzureStorageNoSharedKey()
no_public_blobs = AzureStorageNoPublicBlobs()
blob_recovery = AzureBlobServiceRecovery()
write_once = AzureImmutabilityWriteOnce()
