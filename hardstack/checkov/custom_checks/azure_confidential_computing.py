"""HS_AZ_1, HS_AZ_3, HS_AZ_4: Azure VMs are confidential VMs, boot verified, with the OS disk
sealed to the VM's TEE. checkov has no confidential-computing check for ARM."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_true
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

VM = "Microsoft.Compute/virtualMachines"


class AzureConfidentialVm(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure virtual machines are confidential VMs (AMD SEV-SNP or Intel TDX)",
            id="HS_AZ_1", categories=[CheckCategories.ENCRYPTION], supported_resources=[VM],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/securityProfile/securityType"]
        security_type = get(conf, "properties/securityProfile/securityType")
        return CheckResult.PASSED if security_type == "ConfidentialVM" else CheckResult.FAILED


class AzureVmSecureBoot(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure virtual machines boot with secure boot and a vTPM (measured boot, attestation)",
            id="HS_AZ_3", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=[VM],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/securityProfile/uefiSettings"]
        uefi = get(conf, "properties/securityProfile/uefiSettings") or {}
        ok = is_true(uefi.get("secureBootEnabled")) and is_true(uefi.get("vTpmEnabled"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureConfidentialOsDisk(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure confidential VM OS disks are encrypted with the VM guest state by a customer key",
            id="HS_AZ_4", categories=[CheckCategories.ENCRYPTION], supported_resources=[VM],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/storageProfile/osDisk/managedDisk/securityProfile"]
        disk = get(conf, "properties/storageProfile/osDisk/managedDisk/securityProfile") or {}
        # VMGuestStateOnly leaves the OS disk itself outside the TEE's key; only
        # DiskWithVMGuestState binds both to the attested VM, sealed with a customer key.
        sealed = disk.get("securityEncryptionType") == "DiskWithVMGuestState"
        customer_key = bool(get(disk, "diskEncryptionSet/id"))
        return CheckResult.PASSED if sealed and customer_key else CheckResult.FAILED


confidential_vm = AzureConfidentialVm()
secure_boot = AzureVmSecureBoot()
confidential_os_disk = AzureConfidentialOsDisk()
