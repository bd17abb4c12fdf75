"""Helpers shared by the Azure tests: typed lookups into a rendered graph."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hardstack.render import Graph, Resource, Target
from hardstack.render.computed import azure as computed

ROOT = Path(__file__).resolve().parents[2]
AZURE_STACK = ROOT / "stacks" / "Pulumi.azure-prod-eu.yaml"
GPU_STACK = ROOT / "stacks" / "Pulumi.azure-gpu-eu.yaml"

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
DES = "azure-native:compute:DiskEncryptionSet"
VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
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
WORM = "azure-native:storage:BlobContainerImmutabilityPolicy"
LIFECYCLE = "azure-native:storage:ManagementPolicy"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE = "azure-native:authorization:RoleAssignment"
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
PROVIDER = "pulumi:providers:azure-native"


def target(graph: Graph) -> Target:
    (provider,) = graph.of_type(PROVIDER)
    return Target(cloud="azure", region=provider.inputs["location"], account=provider.inputs["subscriptionId"])


def arm_id(graph: Graph, res: Resource) -> str:
    """The ARM id the mocked provider returned for `res` (what references to it resolve to)."""
    # A copy: the mocks reshape nested output values in place, the graph must keep its inputs.
    return str(computed.computed(res.type, res.name, copy.deepcopy(res.inputs), target(graph))["id"])


def by_input(graph: Graph, token: str, key: str, value: Any) -> Resource:
    found = [r for r in graph.of_type(token) if r.inputs.get(key) == value]
    assert len(found) == 1, f"{len(found)} {token} with {key}={value!r}"
    return found[0]


def key(graph: Graph, purpose: str) -> Resource:
    return by_input(graph, KEY, "keyName", purpose)


def role_id(role: Resource) -> str:
    return str(role.inputs["roleDefinitionId"]).rsplit("/", 1)[-1]


def grants_to(graph: Graph, principal_id: str) -> list[Resource]:
    return [r for r in graph.of_type(ROLE) if r.inputs["principalId"] == principal_id]


def principal_of(graph: Graph, identity: Resource) -> str:
    outputs = computed.computed(identity.type, identity.name, copy.deepcopy(identity.inputs), target(graph))
    return str(outputs["principalId"])


def diagnostics_of(graph: Graph, resource_id: str) -> list[Resource]:
    return [d for d in graph.of_type(DIAGNOSTIC) if d.inputs["resourceUri"] == resource_id]


def rules(nsg: Resource) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in nsg.inputs["securityRules"]}


CONTAINMENT = "hardstack:azure:Containment"


def in_containment(graph: Graph, res: Resource) -> bool:
    """A resource below the containment component (its subnets, NSGs, identity, storage, grants)."""
    node: Resource | None = res
    while node is not None:
        if node.type == CONTAINMENT:
            return True
        node = graph.by_urn(node.parent) if node.parent else None
    return False


def environment_only(graph: Graph, token: str) -> list[Resource]:
    """The resources of `token` that the environment's own components own, without containment's."""
    return [r for r in graph.of_type(token) if not in_containment(graph, r)]
