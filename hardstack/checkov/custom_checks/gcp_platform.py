"""The managed AI platform on GCP (Vertex AI), where checkov has no check for a setting we rely on.

checkov judges Workbench instances only on their public IP and disk keys (CKV2_GCP_27/28) and
the older google_notebooks_instance on Shielded VM (CKV_GCP_126/127); a Vertex AI endpoint is
"private" to it only when peered (CKV2_GCP_33 wants `network`), which rules out Private Service
Connect; service connection policies and service perimeters have no check at all.

HS_GCP_21: Workbench instances lock JupyterLab down: no root, no terminal, no downloads, no
  nbconvert (https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-metadata).
HS_GCP_22: Workbench instances are Confidential VMs (SEV) with secure boot, vTPM and integrity
  monitoring.
HS_GCP_23: Workbench instances are not registered with the public notebook proxy and run as a
  service account of their own (not the Compute Engine default account).
HS_GCP_24: Vertex AI endpoints are private: Private Service Connect with an allow-list of
  consumer projects, or VPC peering.
HS_GCP_25: service connection policies let producers into named subnetworks only, with a
  connection limit.
HS_GCP_26: service perimeters are enforced and restrict Vertex AI, Workbench, Cloud Storage and
  Cloud KMS, with VPC accessible services restricted.
"""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WORKBENCH = ["google_workbench_instance"]
LOCKDOWN = ("notebook-disable-root", "notebook-disable-terminal", "notebook-disable-downloads",
            "notebook-disable-nbconvert")
PERIMETER_SERVICES = {"aiplatform.googleapis.com", "notebooks.googleapis.com", "storage.googleapis.com",
                      "cloudkms.googleapis.com"}


def _true(value: Any) -> bool:
    return str(first(value)).lower() == "true"


def _strings(value: Any) -> list[str]:
    value = first(value) if isinstance(value, list) and value and isinstance(value[0], list) else value
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or [] if v]


def _setup(conf: dict[str, Any]) -> dict[str, Any]:
    return block(conf, "gce_setup")


class _Check(BaseResourceCheck):
    def __init__(self, id: str, name: str, resources: list[str], category: CheckCategories) -> None:
        super().__init__(name=name, id=id, categories=[category], supported_resources=resources)


class WorkbenchLockedDown(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_21", "Ensure Workbench instances disable root, terminal, downloads and nbconvert",
                         WORKBENCH, CheckCategories.GENERAL_SECURITY)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        metadata = first(_setup(conf).get("metadata"))
        metadata = metadata if isinstance(metadata, dict) else {}
        return CheckResult.PASSED if all(_true(metadata.get(k)) for k in LOCKDOWN) else CheckResult.FAILED


class WorkbenchConfidential(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_22", "Ensure Workbench instances are Confidential VMs with Shielded VM",
                         WORKBENCH, CheckCategories.ENCRYPTION)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        setup = _setup(conf)
        shielded = block(setup, "shielded_instance_config")
        confidential = first(block(setup, "confidential_instance_config").get("confidential_instance_type"))
        ok = confidential == "SEV" and all(
            _true(shielded.get(k)) for k in ("enable_secure_boot", "enable_vtpm", "enable_integrity_monitoring"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class WorkbenchNoProxyOwnAccount(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_23", "Ensure Workbench instances skip the public proxy and run as their own account",
                         WORKBENCH, CheckCategories.IAM)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if not _true(conf.get("disable_proxy_access")):
            return CheckResult.FAILED
        accounts = _setup(conf).get("service_accounts") or []
        emails = [str(first(block({"a": a}, "a").get("email")) or "") for a in accounts]
        own = [e for e in emails if e and not e.endswith("-compute@developer.gserviceaccount.com")]
        return CheckResult.PASSED if own and len(own) == len(emails) else CheckResult.FAILED


class VertexEndpointPrivate(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_24", "Ensure Vertex AI endpoints are reachable only privately (PSC or peering)",
                         ["google_vertex_ai_endpoint"], CheckCategories.NETWORKING)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if first(conf.get("network")):
            return CheckResult.PASSED
        psc = block(conf, "private_service_connect_config")
        allowlist = _strings(psc.get("project_allowlists"))
        return CheckResult.PASSED if _true(psc.get("enable_private_service_connect")) and allowlist \
            else CheckResult.FAILED


class ServiceConnectionPolicyScoped(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_25", "Ensure service connection policies name their subnetworks and a limit",
                         ["google_network_connectivity_service_connection_policy"], CheckCategories.NETWORKING)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        psc = block(conf, "psc_config")
        ok = bool(_strings(psc.get("subnetworks"))) and bool(first(psc.get("limit")))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class PerimeterRestrictsPlatform(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_26", "Ensure service perimeters enforce and restrict Vertex AI, Workbench, "
                         "Cloud Storage and Cloud KMS", ["google_access_context_manager_service_perimeter"],
                         CheckCategories.NETWORKING)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if _true(conf.get("use_explicit_dry_run_spec")):
            return CheckResult.FAILED
        status = block(conf, "status")
        vpc = block(status, "vpc_accessible_services")
        ok = (set(_strings(status.get("restricted_services"))) >= PERIMETER_SERVICES
              and bool(_strings(status.get("resources"))) and _true(vpc.get("enable_restriction")))
        return CheckResult.PASSED if ok else CheckResult.FAILED


checks = [WorkbenchLockedDown(), WorkbenchConfidential(), WorkbenchNoProxyOwnAccount(), VertexEndpointPrivate(),
          ServiceConnectionPolicyScoped(), PerimeterRestrictsPlatform()]
