"""azure-native type tokens and readers shared by the Azure rule modules (no rules live here).

azure-native flattens ARM's `properties` into the resource's inputs (camelCase), except for the
types whose SDK keeps a `properties` object (Key Vault vaults and keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
DES = "azure-native:compute:DiskEncryptionSet"
VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
SECURITY_RULE = "azure-native:network:SecurityRule"
SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
NAT = "azure-native:network:NatGateway"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
ENDPOINT = "azure-native:network:PrivateEndpoint"
DNS_GROUP = "azure-native:network:PrivateDnsZoneGroup"
FLOW_LOG = "azure-native:network:FlowLog"
ZONE = "azure-native:privatedns:PrivateZone"
ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY = "azure-native:storage:BlobContainerImmutabilityPolicy"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE = "azure-native:authorization:RoleAssignment"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
WORKSPACE = "azure-native:operationalinsights:Workspace"
TABLE = "azure-native:operationalinsights:Table"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT = "azure-native:monitor:ActivityLogAlert"
PRICING = "azure-native:security:Pricing"
CONTACT = "azure-native:security:SecurityContact"
SYSTEM_TOPIC = "azure-native:eventgrid:SystemTopic"
EVENT_SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription"

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def inner(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A vault's or key's settings: azure-native keeps those two types' ARM `properties`."""
    value = props.get("properties")
    return value if isinstance(value, Mapping) else {}


def days(duration: Any) -> int | None:
    """Days in an ISO 8601 date duration (P90D, P3M, P1Y: months 30 days, years 365); None if
    it is none (Key Vault rotation policies take date durations only)."""
    match = DURATION.match(str(duration or ""))
    if not match or not any(match.groups()):
        return None
    years, months, weeks, day = (int(g or 0) for g in match.groups())
    return years * 365 + months * 30 + weeks * 7 + day


def lifetime_actions(props: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """A key's rotation-policy lifetime actions of `kind` ("rotate" or "notify")."""
    policy = inner(props).get("rotationPolicy") or {}
    return [a for a in policy.get("lifetimeActions") or []
            if str((a.get("action") or {}).get("type", "")).lower() == kind]


def releasable(props: Mapping[str, Any]) -> bool:
    """A key bound to a secure key release policy (a confidential VM disk key)."""
    return bool((inner(props).get("releasePolicy") or {}).get("data"))


def expiry_days(props: Mapping[str, Any]) -> int | None:
    """Days a rotated version lives (the rotation policy's expiry time)."""
    return days(((inner(props).get("rotationPolicy") or {}).get("attributes") or {}).get("expiryTime"))


def enabled(entries: Any) -> list[Mapping[str, Any]]:
    """The enabled entries of a diagnostic setting's `logs` or `metrics` list."""
    return [e for e in entries or [] if isinstance(e, Mapping) and e.get("enabled") is True]


def short(resource_id: Any) -> str:
    """The last segment of an ARM id (a role definition GUID, a resource name)."""
    return str(resource_id or "").rstrip("/").rsplit("/", 1)[-1]
