"""Azure VMs: confidential VMs (Intel TDX or AMD SEV-SNP) whose OS disk is sealed to the TEE by a
customer key that only attested VMs can release; verified boot, encryption at host, SSH keys
only, no extensions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import DES, KEY, VAULT, VM, inner, lifetime_actions
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

CONFIDENTIAL = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SC-28"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
CONFIDENTIAL_DES = "ConfidentialVmEncryptedWithCustomerKey"
CUSTOMER_KEY_TYPES = ("EncryptionAtRestWithCustomerKey", "EncryptionAtRestWithPlatformAndCustomerKeys",
                      CONFIDENTIAL_DES)


def _security(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return props.get("securityProfile") or {}


def _os_disk(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return ((props.get("storageProfile") or {}).get("osDisk") or {}).get("managedDisk") or {}


def _disks(props: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    data = (props.get("storageProfile") or {}).get("dataDisks") or []
    return [("OS disk", _os_disk(props))] + [
        (f"data disk {d.get('lun', '?')}", d.get("managedDisk") or {}) for d in data]


def _disk_set(disk: Mapping[str, Any]) -> str | None:
    # A confidential OS disk names its set under securityProfile, any other disk beside it.
    return ((disk.get("securityProfile") or {}).get("diskEncryptionSet") or {}).get("id") or (
        disk.get("diskEncryptionSet") or {}).get("id")


@resource_rule(
    id="azure-vm-confidential-computing", title="VMs are confidential VMs with the OS disk sealed to the TEE",
    severity="high", cloud="azure", practice="encryption", types=[VM], controls=CONFIDENTIAL,
    remediation="Use a DCesv5/ECesv5 (TDX), DCasv5/ECasv5 or NCCadsH100v5 (SEV-SNP) size with security_type "
    "ConfidentialVM and an OS disk of security_encryption_type DiskWithVMGuestState (components.azure."
    "ConfidentialWorkload); a workload that cannot needs an exemption with a reason.",
    aliases=["confidential-computing"],
)
def confidential_vm(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    size = (props.get("hardwareProfile") or {}).get("vmSize", "the VM")
    security_type = _security(props).get("securityType")
    if security_type != "ConfidentialVM":
        yield (f"{size} runs as {security_type or 'a standard VM'}, not a confidential VM: the host can read "
               "its memory")
        return
    encryption = (_os_disk(props).get("securityProfile") or {}).get("securityEncryptionType")
    if encryption != "DiskWithVMGuestState":
        yield f"the OS disk is encrypted as {encryption or 'a normal disk'}, not DiskWithVMGuestState"


@resource_rule(
    id="azure-vm-secure-boot-vtpm", title="VMs boot with secure boot and a vTPM", severity="high",
    cloud="azure", practice="encryption", types=[VM],
    controls={"hipaa": ["164.312(c)(1)"], "nist-800-53": ["SI-7", "SC-39"]},
    remediation="Set security_profile.uefi_settings secure_boot_enabled and v_tpm_enabled to True.",
)
def secure_boot(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    uefi = _security(props).get("uefiSettings") or {}
    if uefi.get("secureBootEnabled") is not True:
        yield "secure boot is off: an unsigned boot chain goes unnoticed"
    if uefi.get("vTpmEnabled") is not True:
        yield "no vTPM: boot measurements cannot be attested"


@resource_rule(
    id="azure-vm-encryption-at-host", title="VMs encrypt temp disks and caches at the host", severity="high",
    cloud="azure", practice="encryption", types=[VM], controls=AT_REST,
    remediation="Set security_profile.encryption_at_host=True (register the EncryptionAtHost feature once).",
)
def encryption_at_host(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if _security(props).get("encryptionAtHost") is not True:
        yield "encryption at host is off: temp disks and disk caches are stored unencrypted"


@resource_rule(
    id="azure-vm-password-auth-disabled", title="VMs accept SSH keys only, never passwords", severity="critical",
    cloud="azure", practice="access", types=[VM],
    controls={"hipaa": ["164.312(d)"], "nist-800-53": ["IA-2", "IA-5"], "gdpr": ["32(1)(b)"]},
    remediation="Use Linux with linux_configuration.disable_password_authentication=True and SSH public keys.",
)
def password_auth(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    os_profile = props.get("osProfile") or {}
    if os_profile.get("windowsConfiguration"):
        yield "a Windows VM signs in with a password"
    elif (os_profile.get("linuxConfiguration") or {}).get("disablePasswordAuthentication") is not True:
        yield "password login is allowed"
    if os_profile.get("adminPassword"):
        yield "an admin password is set"


@resource_rule(
    id="azure-vm-no-extensions", title="VMs run no extensions", severity="medium", cloud="azure",
    practice="access", types=[VM], controls={"nist-800-53": ["CM-7", "SC-39"], "hipaa": ["164.312(a)(1)"]},
    remediation="Set os_profile.allow_extension_operations=False; an extension is root code the control plane "
    "pushes into the VM (and into the TEE of a confidential VM).",
)
def no_extensions(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("osProfile") or {}).get("allowExtensionOperations") is not False:
        yield "VM extensions are allowed: the control plane can run root code in the VM"


@resource_rule(
    id="azure-vm-disks-customer-key", title="VM disks are encrypted by a customer-key disk encryption set",
    severity="high", cloud="azure", practice="encryption", types=[VM], controls=AT_REST,
    remediation="Give every managed disk a disk_encryption_set (components.azure.DiskEncryption).",
)
def disks_customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for label, disk in _disks(props):
        if not _disk_set(disk):
            yield f"the {label} is encrypted with a platform key, not a customer key"


@resource_rule(
    id="azure-disk-encryption-set-customer-key", title="Disk encryption sets use a customer-managed key",
    severity="high", cloud="azure", practice="encryption", types=[DES], controls=AT_REST,
    remediation="Set encryption_type to ConfidentialVmEncryptedWithCustomerKey (confidential VMs) or "
    "EncryptionAtRestWithCustomerKey, with active_key naming a Key Vault key.",
)
def des_customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("encryptionType") not in CUSTOMER_KEY_TYPES:
        yield f"encryption type {props.get('encryptionType', 'unset')} does not use a customer-managed key"
    if not (props.get("activeKey") or {}).get("keyUrl"):
        yield "no active key"


def _sets(vm: PolicyResource) -> list[PolicyResource]:
    return referenced(vm, "storageProfile", DES)


@stack_rule(
    id="azure-confidential-vm-disk-set", title="Confidential VMs seal their OS disk with a "
    "confidential disk encryption set of this stack", severity="high", cloud="azure", practice="encryption",
    controls=CONFIDENTIAL,
    remediation="Point the OS disk's security_profile.disk_encryption_set at a ConfidentialVmEncryptedWithCustomerKey "
    "set defined in this stack.",
)
def confidential_disk_set(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for vm in of_type(resources, VM):
        if _security(vm.props).get("securityType") != "ConfidentialVM":
            continue  # reported by azure-vm-confidential-computing
        sets = _sets(vm)
        if not sets:
            yield f"VM {vm.name} seals its OS disk with no disk encryption set of this stack", vm.urn
        for des in sets:
            if des.props.get("encryptionType") != CONFIDENTIAL_DES:
                yield (f"VM {vm.name} seals its OS disk with {des.name}, of type "
                       f"{des.props.get('encryptionType')}, not {CONFIDENTIAL_DES}"), vm.urn


def _key_problems(des: PolicyResource, key: PolicyResource) -> Iterator[str]:
    settings = inner(key.props)
    hsm = str(settings.get("kty", "")).endswith("-HSM")
    exportable = (settings.get("attributes") or {}).get("exportable") is True
    if not (hsm and exportable and (settings.get("releasePolicy") or {}).get("data")):
        yield f"uses key {key.name}, which is not an exportable HSM key with a release policy"
    # The set pins one version; automatic rotation is not supported for confidential VMs
    # (https://learn.microsoft.com/azure/confidential-computing/key-rotation-offline), and Key Vault
    # announces only the current version's expiry
    # (https://learn.microsoft.com/azure/event-grid/event-schema-key-vault).
    if lifetime_actions(key.props, "rotate"):
        yield (f"uses key {key.name}, which rotates automatically: the set never uses the new versions, and the "
               "pinned one expires without a KeyNearExpiry event (its VMs then shut down)")
    if not lifetime_actions(key.props, "notify"):
        yield f"uses key {key.name}, whose expiry nobody is told of (no notify action starts its offline rotation)"
    # "Your key vault instance and your confidential VM must be in the same Azure region" and
    # "The standard SKU is not supported"
    # (https://learn.microsoft.com/azure/confidential-computing/quick-create-confidential-vm-arm).
    for vault in referenced(key, "vaultName", VAULT):
        vault_sku = str((inner(vault.props).get("sku") or {}).get("name", "standard")).lower()
        if vault_sku != "premium":
            yield f"uses key {key.name} of vault {vault.name}, whose {vault_sku} SKU confidential VMs do not support"
        here, there = des.props.get("location"), vault.props.get("location")
        if here and there and str(here).lower() != str(there).lower():
            yield f"is in {here} but its key's vault {vault.name} is in {there}; confidential VMs need one region"


@stack_rule(
    id="azure-confidential-disk-key", title="Confidential disk encryption sets use an attested-release HSM key "
    "of this stack, rotated offline, in a Premium vault of their region", severity="high", cloud="azure",
    practice="encryption", controls=CONFIDENTIAL,
    remediation="Use a VaultKey with confidential_release (RSA-HSM 3072, exportable, a release policy admitting only "
    "attested confidential VMs, an expiry and a notify action instead of automatic rotation) in a Premium vault in "
    "the set's region.",
)
def confidential_disk_key(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for des in of_type(resources, DES):
        if des.props.get("encryptionType") != CONFIDENTIAL_DES:
            continue
        keys = referenced(des, "activeKey", KEY)
        if not keys:
            yield f"disk encryption set {des.name} uses a key outside this stack", des.urn
        for key in keys:
            for problem in _key_problems(des, key):
                yield f"disk encryption set {des.name} {problem}", des.urn
