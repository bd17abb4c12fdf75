"""GKE, where checkov has no check for a setting we rely on.

checkov judges GKE clusters and node pools on many settings (CKV_GCP_1/7/8/12/13/18/20/21/23/25/61/64/
65/66/68/69/70/71/72, CKV_GCP_9/10 on pools, CKV2_GCP_1/19) but not on confidential nodes, on the
private endpoint (CKV_GCP_25/64 only ask for a private_cluster_config block), on secrets encryption or
boot disk keys, and it has no check for Binary Authorization policies at all.

HS_GCP_27: node pools (and the cluster's default pool) are Confidential GKE Nodes of the type their
  machine family runs: TDX on c3 and a3-highgpu-1g, SEV_SNP (or SEV) on n2d.
HS_GCP_28: node pools and the cluster's node config use the GKE metadata server (GKE_METADATA), so pods
  never see the node's credentials; the cluster has a Workload Identity pool.
HS_GCP_29: the cluster's secrets are encrypted with a customer key (database_encryption ENCRYPTED).
HS_GCP_30: the cluster's control plane has a private endpoint only, and private nodes.
HS_GCP_31: node boot disks are encrypted with a customer key (boot_disk_kms_key).
HS_GCP_32: the project's Binary Authorization policy blocks what it does not admit (default rule not
  ALWAYS_ALLOW, enforced with audit).
"""

from __future__ import annotations

from typing import Any

from _values import block, first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

CLUSTER_AND_POOLS = ["google_container_cluster", "google_container_node_pool"]
# Machine families and the Confidential GKE Nodes types they run (hardstack.spec.catalog).
TYPES_BY_PREFIX = {"c3-": {"TDX"}, "a3-highgpu-1g": {"TDX"}, "n2d-": {"SEV_SNP", "SEV"}}


def _true(value: Any) -> bool:
    return str(first(value)).lower() == "true"


def _node_config(conf: dict[str, Any]) -> dict[str, Any]:
    return block(conf, "node_config")


class _Check(BaseResourceCheck):
    def __init__(self, id: str, name: str, resources: list[str], category: CheckCategories) -> None:
        super().__init__(name=name, id=id, categories=[category], supported_resources=resources)


class ConfidentialNodes(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_27", "Ensure GKE nodes are Confidential GKE Nodes of their machine family's type",
                         CLUSTER_AND_POOLS, CheckCategories.ENCRYPTION)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        node = _node_config(conf)
        if not node:  # a cluster without node_config: its pools are judged on their own
            return CheckResult.UNKNOWN
        nodes = block(node, "confidential_nodes")
        kind = str(first(nodes.get("confidential_instance_type")) or "")
        if not _true(nodes.get("enabled")) or not kind:
            return CheckResult.FAILED
        machine = str(first(node.get("machine_type")) or "")
        allowed = next((types for prefix, types in TYPES_BY_PREFIX.items() if machine.startswith(prefix)), None)
        return CheckResult.PASSED if allowed is None or kind in allowed else CheckResult.FAILED


class MetadataServer(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_28", "Ensure GKE nodes use GKE_METADATA and the cluster a Workload Identity pool",
                         CLUSTER_AND_POOLS, CheckCategories.IAM)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        node = _node_config(conf)
        if node and first(block(node, "workload_metadata_config").get("mode")) != "GKE_METADATA":
            return CheckResult.FAILED
        if self.entity_type == "google_container_cluster":
            pool = str(first(block(conf, "workload_identity_config").get("workload_pool")) or "")
            return CheckResult.PASSED if pool.endswith(".svc.id.goog") else CheckResult.FAILED
        return CheckResult.PASSED if node else CheckResult.FAILED


class SecretsEncrypted(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_29", "Ensure GKE secrets are encrypted with a customer-managed key",
                         ["google_container_cluster"], CheckCategories.ENCRYPTION)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        encryption = block(conf, "database_encryption")
        ok = first(encryption.get("state")) == "ENCRYPTED" and bool(first(encryption.get("key_name")))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class PrivateEndpoint(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_30", "Ensure the GKE control plane has a private endpoint only and private nodes",
                         ["google_container_cluster"], CheckCategories.NETWORKING)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        private = block(conf, "private_cluster_config")
        ok = _true(private.get("enable_private_endpoint")) and _true(private.get("enable_private_nodes"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class BootDiskKey(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_31", "Ensure GKE node boot disks are encrypted with a customer-managed key",
                         CLUSTER_AND_POOLS, CheckCategories.ENCRYPTION)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        node = _node_config(conf)
        if not node:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if first(node.get("boot_disk_kms_key")) else CheckResult.FAILED


class BinaryAuthorizationBlocks(_Check):
    def __init__(self) -> None:
        super().__init__("HS_GCP_32", "Ensure the Binary Authorization policy blocks images it does not admit",
                         ["google_binary_authorization_policy"], CheckCategories.GENERAL_SECURITY)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rule = block(conf, "default_admission_rule")
        ok = (first(rule.get("evaluation_mode")) in ("ALWAYS_DENY", "REQUIRE_ATTESTATION")
              and first(rule.get("enforcement_mode")) == "ENFORCED_BLOCK_AND_AUDIT_LOG")
        return CheckResult.PASSED if ok else CheckResult.FAILED


checks = [ConfidentialNodes(), MetadataServer(), SecretsEncrypted(), PrivateEndpoint(), BootDiskKey(),
          BinaryAuthorizationBlocks()]
