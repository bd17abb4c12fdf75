"""HS_GCP_10: every VPC firewall rule logs its matches.
HS_GCP_11: VPC networks are custom mode (no automatic subnets in every region).
HS_GCP_12: Cloud DNS policies log queries.
HS_GCP_14: Cloud NAT logs every translation (errors and established connections).

checkov checks firewall ranges and ports, not logging, and has no check for networks or DNS
policies or Cloud NAT."""

from __future__ import annotations

from typing import Any

from _values import first
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GcpFirewallLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure VPC firewall rules log their matches",
            id="HS_GCP_10", categories=[CheckCategories.LOGGING], supported_resources=["google_compute_firewall"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        log = first(conf.get("log_config"))
        return CheckResult.PASSED if isinstance(log, dict) and first(log.get("metadata")) else CheckResult.FAILED


class GcpNetworkCustomMode(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure VPC networks are custom mode (auto_create_subnetworks = false)",
            id="HS_GCP_11", categories=[CheckCategories.NETWORKING], supported_resources=["google_compute_network"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # The provider's default is true: an auto-mode network.
        return CheckResult.PASSED if first(conf.get("auto_create_subnetworks")) is False else CheckResult.FAILED


class GcpDnsLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud DNS policies log queries",
            id="HS_GCP_12", categories=[CheckCategories.LOGGING], supported_resources=["google_dns_policy"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf.get("enable_logging")) is True else CheckResult.FAILED


class GcpNatLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure Cloud NAT logs every translation",
            id="HS_GCP_14", categories=[CheckCategories.LOGGING], supported_resources=["google_compute_router_nat"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        log = first(conf.get("log_config"))
        if not isinstance(log, dict) or first(log.get("enable")) is not True:
            return CheckResult.FAILED
        return CheckResult.PASSED if first(log.get("filter")) in (None, "ALL") else CheckResult.FAILED


firewall_check = GcpFirewallLogging()
network_check = GcpNetworkCustomMode()
dns_check = GcpDnsLogging()
nat_check = GcpNatLogging()
