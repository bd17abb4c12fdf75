"""HS_GCP_1: Compute Engine instances run as Confidential VMs with Intel TDX or AMD SEV-SNP.
HS_GCP_3: Confidential VMs terminate, rather than live-migrate, on host maintenance.

checkov has no confidential-computing check for any cloud."""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

INSTANCES = ["google_compute_instance", "google_compute_instance_template",
             "google_compute_region_instance_template"]
CONFIDENTIAL_TYPES = ("TDX", "SEV_SNP")


def confidential_type(conf: dict[str, Any]) -> str | None:
    """TDX, SEV_SNP, SEV (enable_confidential_compute alone) or None."""
    config = block(conf, "confidential_instance_config")
    kind = first(config.get("confidential_instance_type"))
    if kind:
        return str(kind)
    return "SEV" if first(config.get("enable_confidential_compute")) is True else None


class GcpConfidentialComputing(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Compute Engine instances run as Confidential VMs (Intel TDX or AMD SEV-SNP)",
            id="HS_GCP_1", categories=[CheckCategories.ENCRYPTION], supported_resources=INSTANCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        kind = confidential_type(conf)
        # enable_confidential_compute without a type is accepted as the provider's documented
        # switch for a Confidential VM (AMD SEV on N2D).
        return CheckResult.PASSED if kind in (*CONFIDENTIAL_TYPES, "SEV") else CheckResult.FAILED


class GcpConfidentialMaintenance(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Confidential VMs terminate on host maintenance instead of live-migrating",
            id="HS_GCP_3", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=INSTANCES,
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if confidential_type(conf) is None:
            return CheckResult.UNKNOWN  # not a Confidential VM: nothing to judge
        # Compute Engine's default is MIGRATE.
        policy = first(block(conf, "scheduling").get("on_host_maintenance")) or "MIGRATE"
        return CheckResult.PASSED if policy == "TERMINATE" else CheckResult.FAILED


confidential_check = GcpConfidentialComputing()
maintenance_check = GcpConfidentialMaintenance()
