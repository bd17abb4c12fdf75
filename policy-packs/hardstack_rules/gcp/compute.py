"""GCP Compute Engine workloads: Confidential VMs (Intel TDX or AMD SEV-SNP), Shielded VM, no
external IP, OS Login only, customer-key disks, and a workload service account of their own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..gcp.tokens import DISK, INSTANCE
from ..rule import resource_rule

TEMPLATES = ("gcp:compute/instanceTemplate:InstanceTemplate",
             "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate")
VMS = [INSTANCE, *TEMPLATES]
CONFIDENTIAL_TYPES = ("TDX", "SEV_SNP")
TRUE = ("true", "1", "yes")
ISOLATION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SC-28"]}
LOGIN = {"hipaa": ["164.312(d)"], "nist-800-53": ["IA-2", "AC-17"], "gdpr": ["32(1)(b)"]}
DEFAULT_COMPUTE_SA = "-compute@developer.gserviceaccount.com"


def confidential_kind(props: Mapping[str, Any]) -> str | None:
    """TDX, SEV_SNP or SEV (the legacy flag); None when the VM is not confidential."""
    config = props.get("confidentialInstanceConfig") or {}
    kind = config.get("confidentialInstanceType")
    if kind:
        return str(kind)
    return "SEV" if config.get("enableConfidentialCompute") is True else None


def _metadata(props: Mapping[str, Any]) -> Mapping[str, Any]:
    found = props.get("metadata")
    return found if isinstance(found, Mapping) else {}


@resource_rule(
    id="gcp-compute-confidential-computing", title="Workload VMs run as Confidential VMs (Intel TDX or AMD SEV-SNP)",
    severity="high", cloud="gcp", practice="encryption", types=VMS, controls=ISOLATION,
    remediation="Set confidential_instance_config.confidential_instance_type = TDX (c3-standard-*, a3-highgpu-1g "
    "with a confidential H100) or SEV_SNP (n2d with min_cpu_platform AMD Milan); a workload that cannot needs "
    "an exemption (rule confidential-computing) with a reason.",
    aliases=["confidential-computing"],
)
def confidential(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    kind = confidential_kind(props)
    machine = props.get("machineType", "instance")
    if kind is None:
        yield f"{machine} runs without confidential computing: memory is readable by the host"
    elif kind not in CONFIDENTIAL_TYPES:
        # enable_confidential_compute alone is SEV: memory encryption without SNP's integrity.
        yield f"{machine} runs {kind}, not TDX or SEV_SNP (no memory integrity protection)"


@resource_rule(
    id="gcp-compute-confidential-maintenance", title="Confidential VMs stop, not migrate, on host maintenance",
    severity="medium", cloud="gcp", practice="encryption", types=VMS, controls={"nist-800-53": ["SC-39"]},
    remediation="Set scheduling.on_host_maintenance = TERMINATE (TDX and SEV-SNP VMs cannot live-migrate).",
)
def maintenance(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if confidential_kind(props) is None:
        return
    # Compute Engine's default is MIGRATE, which a TDX or SEV-SNP VM refuses at creation.
    policy = (props.get("scheduling") or {}).get("onHostMaintenance", "MIGRATE")
    if policy != "TERMINATE":
        yield f"on_host_maintenance is {policy}; confidential VMs need TERMINATE"


@resource_rule(
    id="gcp-compute-shielded-vm", title="VMs boot verified: secure boot, vTPM and integrity monitoring",
    severity="high", cloud="gcp", practice="access", types=VMS,
    controls={"nist-800-53": ["SI-7", "CM-2"], "hipaa": ["164.312(c)(1)"]},
    remediation="Set shielded_instance_config with enable_secure_boot, enable_vtpm and enable_integrity_monitoring.",
)
def shielded(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    shield = props.get("shieldedInstanceConfig") or {}
    # Compute Engine defaults: secure boot off, vTPM and integrity monitoring on.
    off = [name for name, key, default in (("secure boot", "enableSecureBoot", False),
                                           ("vTPM", "enableVtpm", True),
                                           ("integrity monitoring", "enableIntegrityMonitoring", True))
           if shield.get(key, default) is not True]
    if off:
        yield f"Shielded VM features off: {', '.join(off)}"


@resource_rule(
    id="gcp-compute-no-external-ip", title="VMs have no external IP address", severity="critical",
    cloud="gcp", practice="access", types=VMS,
    controls={"hipaa": ["164.312(e)(1)"], "gdpr": ["25"], "nist-800-53": ["SC-7"]},
    remediation="Remove access_configs from every network interface; reach Google APIs through Private Google "
    "Access and instances through IAP.",
)
def no_external_ip(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for index, nic in enumerate(props.get("networkInterfaces") or []):
        if nic.get("accessConfigs") or nic.get("ipv6AccessConfigs"):
            yield f"network interface {index} has an external IP (access_config)"


@resource_rule(
    id="gcp-compute-os-login", title="VMs use OS Login (IAM decides who logs in)", severity="high",
    cloud="gcp", practice="access", types=VMS, controls=LOGIN,
    remediation="Set metadata enable-oslogin = TRUE (the org policy compute.requireOsLogin enforces it).",
)
def os_login(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if str(_metadata(props).get("enable-oslogin", "")).lower() not in TRUE:
        yield "OS Login is not enabled: SSH keys in metadata grant access outside IAM"


@resource_rule(
    id="gcp-compute-block-project-ssh-keys", title="VMs ignore project-wide SSH keys", severity="high",
    cloud="gcp", practice="access", types=VMS, controls=LOGIN,
    remediation="Set metadata block-project-ssh-keys = TRUE.",
)
def block_project_keys(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if str(_metadata(props).get("block-project-ssh-keys", "")).lower() not in TRUE:
        yield "project-wide SSH keys open this VM to anyone holding one"


@resource_rule(
    id="gcp-compute-serial-port-off", title="Interactive serial console access is off", severity="medium",
    cloud="gcp", practice="access", types=VMS, controls={"nist-800-53": ["AC-17", "CM-7"]},
    remediation="Set metadata serial-port-enable = FALSE (or leave it unset).",
)
def serial_port(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if str(_metadata(props).get("serial-port-enable", "")).lower() in TRUE:
        yield "the interactive serial console is enabled"


@resource_rule(
    id="gcp-compute-disks-customer-key", title="Boot and data disks are encrypted with a customer key",
    severity="high", cloud="gcp", practice="encryption", types=[INSTANCE, DISK],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28"]},
    remediation="Set boot_disk.kms_key_self_link and each disk's disk_encryption_key.kms_key_self_link to the "
    "environment's disks key.",
)
def disks_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if "bootDisk" in props or "machineType" in props:  # an instance
        if not (props.get("bootDisk") or {}).get("kmsKeySelfLink"):
            yield "the boot disk is not encrypted with a customer-managed key"
        for disk in props.get("scratchDisks") or []:
            yield f"scratch disk {disk.get('deviceName', '?')} cannot use a customer-managed key"
    elif not (props.get("diskEncryptionKey") or {}).get("kmsKeySelfLink"):
        yield "the disk is not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-compute-no-ip-forwarding", title="VMs do not forward packets for others", severity="medium",
    cloud="gcp", practice="access", types=VMS, controls={"nist-800-53": ["SC-7", "AC-4"]},
    remediation="Set can_ip_forward=False; only a dedicated, tagged egress proxy may route.",
)
def ip_forwarding(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("canIpForward") is True:
        yield "IP forwarding is on: the VM can route around firewall rules"


@resource_rule(
    id="gcp-compute-own-service-account", title="VMs run as their workload's service account, not the default",
    severity="high", cloud="gcp", practice="access", types=VMS,
    controls={"hipaa": ["164.308(a)(4)"], "gdpr": ["25"], "nist-800-53": ["AC-6", "AC-2"]},
    remediation="Set service_account.email to the workload's own account (components.gcp.WorkloadIdentity).",
)
def own_service_account(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    account = props.get("serviceAccount")
    if not isinstance(account, Mapping):
        return  # no identity at all: nothing to misuse
    email = str(account.get("email") or "")
    # Without an email Compute Engine attaches the default compute account.
    if not email or email.endswith(DEFAULT_COMPUTE_SA):
        yield f"runs as the default compute service account{f' {email}' if email else ''}"
