"""Confidential VMs: Intel TDX or AMD SEV-SNP, sealed OS disk, SSH keys only, no public IP.

Always: security type ConfidentialVM with secure boot and vTPM, the OS disk encrypted together
with the VM guest state (DiskWithVMGuestState) by a ConfidentialVmEncryptedWithCustomerKey disk
encryption set, encryption at host (temp disk and caches; see ENCRYPTION_AT_HOST), password
login off, a confidential-VM image, the workload's own managed identity, NICs without public
IPs, metrics to the workspace, and no VM extensions: an extension is root code the control
plane pushes into the TEE, which is exactly what a confidential VM keeps out
(`allow_extensions=True` is the explicit exception, for example for Defender for Endpoint).
Patches come from the image's own updater (unattended-upgrades) through the spec's egress path,
not from the platform's patch extension.

Sizes (from hardstack.spec.catalog, which owns them with their sources and regions): TDX on
DCesv6/DCedsv6/ECesv6/ECedsv6 and the retiring v5 families, SEV-SNP on DCasv5/DCadsv5/ECasv5/
ECadsv5 and on the one confidential GPU size, NCCadsH100v5 (SEV-SNP with an H100). Azure has no
TDX GPU size. `kind="none"` (allowed by the spec only with an exemption) runs a Trusted Launch
VM with a customer-key disk encryption set instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi_azure_native import compute, network

from hardstack.components.azure.diagnostics import send_to_workspace
from hardstack.spec import catalog

Kind = Literal["tdx", "sev-snp", "none"]
# Canonical's confidential-VM build of Ubuntu 24.04: boots with the CVM firmware and measured
# into the vTPM; it serves both TDX and SEV-SNP sizes, including NCCadsH100v5.
CONFIDENTIAL_IMAGE = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "cvm", "version": "latest"}
TRUSTED_LAUNCH_IMAGE = {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}


def check_size(vm_size: str, kind: Kind, gpu: bool) -> None:
    """Reject a size that cannot run `kind`, naming the sizes that can."""
    if kind == "none":
        return
    gpu_sizes = catalog.examples("azure", "sev-snp", gpu=True)
    if gpu and kind == "tdx":
        raise ValueError(f"Azure has no Intel TDX GPU size; its confidential GPU size is {gpu_sizes} (sev-snp)")
    family = catalog.family_of("azure", vm_size)
    if family is not None and family.kind == kind and (family.gpu is not None or not gpu):
        return
    wanted = gpu_sizes if gpu else catalog.examples("azure", kind, gpu=False)
    raise ValueError(f"{vm_size} cannot run {'a confidential GPU with ' if gpu else ''}{kind}; "
                     f"sizes that can: {wanted}")


@dataclass
class ConfidentialWorkloadArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    vm_size: str
    kind: Kind
    subnet_id: pulumi.Input[str]
    identity_id: pulumi.Input[str]  # the workload's user-assigned identity
    disk_encryption_set_id: pulumi.Input[str]  # confidential set for tdx/sev-snp, at-rest set for none
    workspace_id: pulumi.Input[str]
    ssh_public_key: str
    count: int = 1
    gpu: bool = False
    disk_gb: int = 100
    admin_username: str = "azureuser"
    zones: Sequence[str] = ()  # VMs are spread over these in turn; empty for a regional placement
    image: Mapping[str, str] | None = None
    allow_extensions: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_size(self.vm_size, self.kind, self.gpu)
        if not self.ssh_public_key.startswith(("ssh-ed25519 ", "ssh-rsa ", "ecdsa-sha2-")):
            raise ValueError("ssh_public_key must be an OpenSSH public key: password login is always off")
        if self.count < 1:
            raise ValueError("count must be at least 1")


# Encryption at host on confidential VMs (OS disk DiskWithVMGuestState) is kept on, knowingly:
# it encrypts temp disks and disk caches at rest on the host. Older tooling refused the pair
# (terraform-provider-azurerm: "`encryption_at_host_enabled` cannot be set to `true` when
# `os_disk.0.security_encryption_type` is set to `DiskWithVMGuestState`"; cluster-api-provider-azure
# PR 3265: "When this field is defined, EncryptionAtHost should be disabled"), but the provider
# dropped that check because "this restriction is no longer enforced by the service API"
# (https://github.com/hashicorp/terraform-provider-azurerm/pull/32885, 2026-07, after issue 32846).
# No Microsoft page states either way: only a deployment confirms it (README, "What only a
# deployment can confirm"). It needs `az feature register --namespace Microsoft.Compute --name
# EncryptionAtHost` once per subscription
# (https://learn.microsoft.com/azure/virtual-machines/disks-enable-host-based-encryption-portal).
ENCRYPTION_AT_HOST = True


def _security_profile(kind: Kind) -> dict[str, Any]:
    return {
        "security_type": "TrustedLaunch" if kind == "none" else "ConfidentialVM",
        "uefi_settings": {"secure_boot_enabled": True, "v_tpm_enabled": True},
        "encryption_at_host": ENCRYPTION_AT_HOST,
    }


def _managed_disk(kind: Kind, des_id: pulumi.Input[str]) -> dict[str, Any]:
    if kind == "none":
        return {"storage_account_type": "Premium_LRS", "disk_encryption_set": {"id": des_id}}
    return {"storage_account_type": "Premium_LRS", "security_profile": {
        "security_encryption_type": "DiskWithVMGuestState", "disk_encryption_set": {"id": des_id},
    }}


class ConfidentialWorkload(pulumi.ComponentResource):
    vms: list[compute.VirtualMachine]
    nics: list[network.NetworkInterface]

    def __init__(self, name: str, args: ConfidentialWorkloadArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:ConfidentialWorkload", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        image = dict(args.image or (TRUSTED_LAUNCH_IMAGE if args.kind == "none" else CONFIDENTIAL_IMAGE))
        self.vms, self.nics = [], []
        for index in range(args.count):
            vm_name = f"vm-{name}-{index}"
            nic = network.NetworkInterface(
                f"{name}-{index}-nic", network_interface_name=f"nic-{name}-{index}",
                resource_group_name=args.resource_group_name, location=args.location,
                ip_configurations=[{
                    "name": "primary", "primary": True, "private_ip_allocation_method": "Dynamic",
                    "subnet": {"id": args.subnet_id},  # no public_ip_address: never reachable from outside
                }],
                enable_ip_forwarding=False, tags=tags, opts=child,
            )
            vm = compute.VirtualMachine(
                f"{name}-{index}",
                vm_name=vm_name,
                resource_group_name=args.resource_group_name,
                location=args.location,
                hardware_profile={"vm_size": args.vm_size},
                identity={"type": "UserAssigned", "user_assigned_identities": [args.identity_id]},
                security_profile=_security_profile(args.kind),
                storage_profile={
                    "image_reference": image,
                    "os_disk": {
                        "name": f"osdisk-{name}-{index}", "create_option": "FromImage", "caching": "ReadWrite",
                        "delete_option": "Delete", "disk_size_gb": args.disk_gb,
                        "managed_disk": _managed_disk(args.kind, args.disk_encryption_set_id),
                    },
                },
                os_profile={
                    "computer_name": vm_name[:64],
                    "admin_username": args.admin_username,
                    "allow_extension_operations": args.allow_extensions,
                    "linux_configuration": {
                        "disable_password_authentication": True,
                        "ssh": {"public_keys": [{
                            "key_data": args.ssh_public_key,
                            "path": f"/home/{args.admin_username}/.ssh/authorized_keys",
                        }]},
                        "provision_vm_agent": True,
                        "patch_settings": {"patch_mode": "AutomaticByPlatform" if args.allow_extensions
                                           else "ImageDefault"},
                    },
                },
                network_profile={"network_interfaces": [{"id": nic.id, "primary": True, "delete_option": "Delete"}]},
                # Managed boot diagnostics: serial log and screenshot without a storage account key.
                diagnostics_profile={"boot_diagnostics": {"enabled": True}},
                zones=[args.zones[index % len(args.zones)]] if args.zones else None,
                tags={**tags, "confidential": args.kind},
                opts=child,
            )
            # Virtual machines have platform metrics but no diagnostic log categories.
            send_to_workspace(f"{name}-{index}-diag", vm.id, args.workspace_id, parent=self, logs=False)
            self.nics.append(nic)
            self.vms.append(vm)
        self.register_outputs({"vm_ids": [vm.id for vm in self.vms]})
