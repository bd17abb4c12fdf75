"""HS_AZ_22 - HS_AZ_26 and HS_AZ_48: private endpoints resolve through private DNS, private DNS
zones register no VM names, subnets have an NSG and no default outbound access, NSGs end with
deny-all inbound, NICs have no public IP, and public IPs (the NAT gateway's) are Standard SKU with
no DNS name. checkov's ARM checks cover none of these."""

from __future__ import annotations

from typing import Any

from azure_values import get, is_false, is_true, items
from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

ANY_SOURCE = {"*", "any", "internet", "0.0.0.0/0", "::/0"}


class AzurePrivateDnsZoneGroup(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure private endpoints register in a private DNS zone",
            id="HS_AZ_22", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/privateEndpoints/privateDnsZoneGroups"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/privateDnsZoneConfigs"]
        zones = [c for c in items(conf, "properties/privateDnsZoneConfigs") if get(c, "properties/privateDnsZoneId")]
        return CheckResult.PASSED if zones else CheckResult.FAILED


class AzurePrivateDnsLinkNoRegistration(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure private DNS zone links resolve only (no automatic VM registration)",
            id="HS_AZ_23", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/privateDnsZones/virtualNetworkLinks"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # A privatelink zone holds the service's records; VMs writing theirs could shadow them.
        self.evaluated_keys = ["properties/registrationEnabled", "properties/virtualNetwork/id"]
        ok = not is_true(get(conf, "properties/registrationEnabled")) and bool(
            get(conf, "properties/virtualNetwork/id"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureSubnetIsolation(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure subnets have a network security group and no default outbound access",
            id="HS_AZ_24", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/virtualNetworks/subnets"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/networkSecurityGroup/id", "properties/defaultOutboundAccess"]
        ok = bool(get(conf, "properties/networkSecurityGroup/id")) and is_false(
            get(conf, "properties/defaultOutboundAccess"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureNsgDenyAllInbound(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure network security groups end inbound traffic with an explicit deny-all rule",
            id="HS_AZ_25", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/networkSecurityGroups"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # Azure's defaults admit the whole VNet and the load balancer; only an explicit deny of
        # everything, below the allows, keeps the NSG default-deny.
        self.evaluated_keys = ["properties/securityRules"]
        for rule in items(conf, "properties/securityRules"):
            p = rule.get("properties", {}) if isinstance(rule, dict) else {}
            if (str(p.get("direction")).lower() == "inbound" and str(p.get("access")).lower() == "deny"
                    and str(p.get("sourceAddressPrefix")).lower() in ANY_SOURCE - {"internet"}
                    and p.get("destinationPortRange") == "*" and p.get("protocol") == "*"):
                return CheckResult.PASSED
        return CheckResult.FAILED


class AzureNicPrivateOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure network interfaces have no public IP address and do not forward traffic",
            id="HS_AZ_26", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/networkInterfaces"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["properties/ipConfigurations", "properties/enableIPForwarding"]
        public = [c for c in items(conf, "properties/ipConfigurations") if get(c, "properties/publicIPAddress")]
        forwarding = is_true(get(conf, "properties/enableIPForwarding"))
        return CheckResult.FAILED if public or forwarding else CheckResult.PASSED


class AzurePublicIpClosed(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure public IP addresses are Standard SKU (closed to inbound by default) without a DNS name",
            id="HS_AZ_48", categories=[CheckCategories.NETWORKING],
            supported_resources=["Microsoft.Network/publicIPAddresses"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # Standard SKU addresses are "secure by default and closed to inbound traffic"; Basic ones are
        # open until an NSG closes them, and were retired on 2025-09-30
        # (https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-basic-upgrade-guidance,
        # https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.PublicIP.StandardSKU). A DNS label
        # publishes the address under a guessable name; an egress-only address needs none.
        self.evaluated_keys = ["sku/name", "properties/dnsSettings/domainNameLabel"]
        standard = str(get(conf, "sku/name")).lower() == "standard"
        labelled = bool(get(conf, "properties/dnsSettings/domainNameLabel"))
        return CheckResult.PASSED if standard and not labelled else CheckResult.FAILED


private_dns_zone_group = AzurePrivateDnsZoneGroup()
private_dns_link = AzurePrivateDnsLinkNoRegistration()
subnet_isolation = AzureSubnetIsolation()
nsg_deny_all = AzureNsgDenyAllInbound()
nic_private = AzureNicPrivateOnly()
public_ip_closed = AzurePublicIpClosed()
