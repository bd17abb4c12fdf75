"""The Azure examples pass every mandatory rule; weakening one setting of one resource of the
azure-prod-eu graph (of the azure-ai-eu graph for the AI platform's rules) makes the named rule
fail on that resource."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure_kubernetes_cases import RULE_IDS, STACK_RULE_IDS
from azure_platform_weakenings import AI_ALSO_JUDGES, PLATFORM_WEAKENINGS, set_path
from weakening import blame, drop, edit_input, findings, first, named, weaken

from hardstack.policy import evaluate
from hardstack.render import Graph, Resource
from hardstack.rules import rules
from hardstack.rules.packs import packs_for
from hardstack.spec import LoadedSpec, load

STACKS = Path(__file__).resolve().parents[2] / "stacks"
EXAMPLES = ("azure-prod-eu", "azure-gpu-eu")
AI = "azure-ai-eu"  # the managed AI platform alone, no VMs

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
VM = "azure-native:compute:VirtualMachine"
DES = "azure-native:compute:DiskEncryptionSet"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
FLOW_LOG = "azure-native:network:FlowLog"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY = "azure-native:storage:BlobContainerImmutabilityPolicy"
ROLE = "azure-native:authorization:RoleAssignment"
WORKSPACE = "azure-native:operationalinsights:Workspace"
TABLE = "azure-native:operationalinsights:Table"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT = "azure-native:monitor:ActivityLogAlert"
PRICING = "azure-native:security:Pricing"
CONTACT = "azure-native:security:SecurityContact"
EVENT_SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription"
PROVIDER = "pulumi:providers:azure-native"
AUTOMATION = "azure-native:security:Automation"
NAMESPACE = "azure-native:eventhub:Namespace"
WEBAPP = "azure-native:web:WebApp"
INSIGHTS = "azure-native:applicationinsights:Component"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

KUBERNETES_RULES = (*RULE_IDS, *STACK_RULE_IDS)


@pytest.fixture(scope="module")
def specs() -> dict[str, LoadedSpec]:
    return {name: load(STACKS / f"Pulumi.{name}.yaml") for name in (*EXAMPLES, AI)}


@pytest.fixture(scope="module")
def graphs(specs: dict[str, LoadedSpec], rendered) -> dict[str, Graph]:
    # render(spec).graph for each, rendered once per session (tests/conftest.py)
    return {name: rendered(spec.environment, spec.stack) for name, spec in specs.items()}












def foreign_log_key(graph: Graph) -> str:
    account = first(graph, ACCOUNT, "logs")
    account.inputs["encryption"]["keyVaultProperties"]["keyVaultUri"] = "https://kv-elsewhere.vault.azure.net/"
    account.propertyDependencies["encryption"] = [
        u for u in account.propertyDependencies["encryption"] if f"{KEY}::" not in u]
    return account.name


def add_nat_gateway(graph: Graph) -> str:
    graph.resources.append(Resource(urn="urn:pulumi:x::x::azure-native:network:NatGateway::egress-nat",
                                    name="egress-nat", type="azure-native:network:NatGateway", parent=graph.root,
                                    inputs={}))
    return "egress-nat"


def not_releasable(graph: Graph) -> str:
    key = first(graph, KEY, "disks")
    key.inputs["properties"].pop("releasePolicy")
    key.inputs["properties"]["attributes"].pop("exportable")
    return first(graph, DES).name


def with_rule(rule: dict[str, Any]) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    return lambda rules_: [rule, *rules_]


INTERNET_SSH = {"name": "ssh-from-anywhere", "priority": 150, "direction": "Inbound", "access": "Allow",
                "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRange": "22"}
SUBSCRIPTION = "/subscriptions/00000000-0000-4000-8000-000000000000"

WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "azure-keyvault-purge-protection": set_path(VAULT, "properties/enablePurgeProtection", False),
    "azure-keyvault-soft-delete": set_path(VAULT, "properties/enableSoftDelete", False),
    "azure-keyvault-rbac": set_path(VAULT, "properties/enableRbacAuthorization", False),
    "azure-keyvault-public-network-disabled": set_path(VAULT, "properties/publicNetworkAccess", "Enabled"),
    "azure-keyvault-network-acl-deny": set_path(VAULT, "properties/networkAcls/defaultAction", "Allow"),
    "azure-keyvault-no-platform-access": set_path(VAULT, "properties/enabledForDeployment", True),
    "azure-key-rotation": set_path(KEY, "properties/rotationPolicy/lifetimeActions", [], "data"),
    "azure-key-rotation-period": set_path(KEY, "properties/rotationPolicy/lifetimeActions", [
        {"trigger": {"timeAfterCreate": "P2Y"}, "action": {"type": "rotate"}}], "data"),
    "azure-key-expiry": set_path(KEY, "properties/attributes/expires", None, "data"),
    "azure-key-release-hsm": set_path(KEY, "properties/kty", "RSA", "disks"),
    "azure-key-software-advisory": set_path(KEY, "properties/kty", "RSA", "data"),
    "internet-egress-advisory": add_nat_gateway,
    "azure-vm-confidential-computing": set_path(VM, "securityProfile/securityType", "TrustedLaunch"),
    "azure-vm-secure-boot-vtpm": set_path(VM, "securityProfile/uefiSettings/secureBootEnabled", False),
    "azure-vm-encryption-at-host": set_path(VM, "securityProfile/encryptionAtHost", False),
    "azure-vm-password-auth-disabled": set_path(VM, "osProfile/linuxConfiguration/disablePasswordAuthentication",
                                                False),
    "azure-vm-no-extensions": set_path(VM, "osProfile/allowExtensionOperations", True),
    "azure-vm-disks-customer-key": set_path(
        VM, "storageProfile/osDisk/managedDisk/securityProfile/diskEncryptionSet", None),
    "azure-vm-managed-identity": set_path(VM, "identity", None),
    "azure-disk-encryption-set-customer-key": set_path(DES, "encryptionType", "ConfidentialVmEncryptedWithPlatformKey"),
    "azure-nic-no-public-ip": edit_input(NIC, "ipConfigurations", lambda ips: [
        {**ips[0], "publicIPAddress": {"id": f"{SUBSCRIPTION}/x/publicIPAddresses/pip"}}, *ips[1:]]),
    "azure-nic-no-ip-forwarding": set_path(NIC, "enableIPForwarding", True),
    "azure-nsg-no-inbound-from-internet": edit_input(NSG, "securityRules", with_rule(INTERNET_SSH), "workload"),
    "azure-nsg-deny-all": edit_input(NSG, "securityRules",
                                     lambda rs: [r for r in rs if r["name"] != "deny-all-outbound"], "endpoints"),
    "azure-subnet-nsg": set_path(SUBNET, "networkSecurityGroup", None, "workload"),
    "azure-subnet-no-default-outbound": set_path(SUBNET, "defaultOutboundAccess", True, "workload"),
    "azure-flow-log-analytics": set_path(FLOW_LOG, "flowAnalyticsConfiguration", None),
    "azure-role-no-privileged": set_path(ROLE, "roleDefinitionId",
                                         f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{OWNER_ROLE}",
                                         "inference-data-key"),
    "azure-role-resource-scope": set_path(ROLE, "scope", SUBSCRIPTION, "inference-models"),
    "azure-storage-customer-key": set_path(ACCOUNT, "encryption/keySource", "Microsoft.Storage", "data"),
    "azure-storage-infrastructure-encryption": set_path(ACCOUNT, "encryption/requireInfrastructureEncryption", False,
                                                        "data"),
    "azure-storage-https-only": set_path(ACCOUNT, "enableHttpsTrafficOnly", False, "data"),
    "azure-storage-min-tls": set_path(ACCOUNT, "minimumTlsVersion", "TLS1_0", "data"),
    "azure-storage-no-public-blob": set_path(ACCOUNT, "allowBlobPublicAccess", True, "data"),
    "azure-storage-no-shared-key": set_path(ACCOUNT, "allowSharedKeyAccess", True, "data"),
    "azure-storage-public-network-disabled": set_path(ACCOUNT, "publicNetworkAccess", "Enabled", "data"),
    "azure-storage-network-deny": set_path(ACCOUNT, "networkRuleSet/defaultAction", "Allow", "data"),
    "azure-storage-no-tenant-replication": set_path(ACCOUNT, "allowCrossTenantReplication", True, "data"),
    "azure-blob-container-private": set_path(CONTAINER, "publicAccess", "Blob", "datasets"),
    "azure-log-analytics-local-auth-disabled": set_path(WORKSPACE, "features/disableLocalAuth", False),
    "azure-diagnostic-setting-to-workspace": set_path(DIAGNOSTIC, "workspaceId", None, "kv-vault-diag"),
    "azure-defender-security-contact": set_path(CONTACT, "isEnabled", False),
    "azure-required-tags": set_path(VNET, "tags", {"Name": "x"}),
    "azure-confidential-vm-disk-set": blame(
        set_path(DES, "encryptionType", "EncryptionAtRestWithCustomerKey"), named(VM)),
    "azure-confidential-disk-key": not_releasable,
    "azure-key-expiry-alerts": drop(EVENT_SUBSCRIPTION, "KeyNearExpiry", blamed=named(VAULT)),
    "azure-flow-log-storage": blame(set_path(ACCOUNT, "networkRuleSet/bypass", "None", "logs"), named(FLOW_LOG)),
    "azure-vnet-flow-logs": drop(FLOW_LOG, blamed=named(VNET)),
    "azure-private-endpoints": drop(ENDPOINT, "kv-vault", blamed=named(VAULT)),
    "azure-storage-versioning-soft-delete": blame(set_path(BLOB_SERVICE, "isVersioningEnabled", False, "data"),
                                                  named(ACCOUNT, "data")),
    "azure-storage-write-once-models": drop(IMMUTABILITY, blamed=named(CONTAINER, "models")),
    "azure-log-analytics-retention": set_path(TABLE, "totalRetentionInDays", 90, "AzureActivity"),
    "azure-diagnostics-to-workspace": drop(DIAGNOSTIC, "workload-nsg-diag", blamed=named(NSG, "workload")),
    "azure-activity-log-to-workspace": set_path(ACTIVITY_LOG, "logs", [{"category": "Administrative",
                                                                         "enabled": True}]),
    "azure-defender-plans": set_path(PRICING, "pricingTier", "Free", "defender-ai"),
    "azure-activity-alerts": blame(set_path(ACTION_GROUP, "emailReceivers", []), named(ALERT, "key-vault")),
    "azure-data-encrypted-with-own-key": foreign_log_key,
    "gdpr-data-residency": set_path(PROVIDER, "location", "eastus"),
    "azure-containment-responder": drop(AUTOMATION, blamed=named(PRICING, "defender-virtualmachines")),
    "azure-containment-delivery": set_path(NAMESPACE, "disableLocalAuth", False),
    "azure-function-private": set_path(WEBAPP, "publicNetworkAccess", "Enabled"),
    "azure-function-keyless": set_path(WEBAPP, "identity", None),
    "azure-function-logs-in-workspace": set_path(INSIGHTS, "disableLocalAuth", False),
    "azure-custom-role-narrow": edit_input(ROLE_DEFINITION, "permissions",
                                           lambda p: [{**p[0], "actions": ["Microsoft.Compute/*"]}]),
    "azure-role-deletion-conditioned": set_path(ROLE, "condition", None, "containment-responder"),
}


@pytest.mark.parametrize("stack", EXAMPLES)
def test_example_passes_every_mandatory_rule(stack: str, specs: dict[str, LoadedSpec],
                                             graphs: dict[str, Graph]) -> None:
    found = findings(specs[stack], graphs[stack])
    assert [(f.rule_id, f.resource_name, f.message) for f in found if f.status == "failed"] == []
    exempted = sorted((f.rule_id, f.resource_name) for f in found if f.status == "exempted")
    # The log account: Network Watcher reaches it through the trusted-services exception of a
    # public endpoint behind a Deny-all firewall. Containment: snapshots are created at
    # resource-group scope. (Defender's sender grant is made: azure.security_provider_object_id.)
    assert exempted == [("azure-private-endpoints", f"{stack}-logs-account"),
                        ("azure-role-resource-scope", f"{stack}-containment-responder"),
                        ("azure-storage-public-network-disabled", f"{stack}-logs-account")]
    reasons = {f.resource_name: f.exemption["reason"] for f in found if f.status == "exempted"}
    assert "Network Watcher" in reasons[f"{stack}-logs-account"]
    assert "resource-group scope" in reasons[f"{stack}-containment-responder"]


def test_examples_are_judged_by_every_azure_rule(specs: dict[str, LoadedSpec], graphs: dict[str, Graph]) -> None:
    platform = set(PLATFORM_WEAKENINGS)
    for stack in (*EXAMPLES, AI):
        result = evaluate(graphs[stack], packs_for(specs[stack].environment.compliance))
        # The VM examples have no AI platform; the AI example has no VMs and so no containment.
        # The AKS rules judge the AKS example (tests/policy/test_policy_kubernetes_azure.py).
        expected = [r.id for r in rules(cloud="azure") if r.id not in KUBERNETES_RULES and (
            (r.id in platform) == (stack == AI) or (stack == AI and r.id in AI_ALSO_JUDGES))]
        unused = [rule_id for rule_id in expected if not result.evaluated.get(rule_id)]
        assert unused == [], f"{stack}: rules that found nothing to judge: {unused}"


def test_every_azure_rule_has_a_weakening() -> None:
    # The AKS rules' weakenings are in azure_kubernetes_cases.SETTINGS (test_policy_kubernetes_azure.py).
    assert {r.id for r in rules(cloud="azure")} == set(WEAKENINGS) | set(PLATFORM_WEAKENINGS) | set(KUBERNETES_RULES)
    assert not set(WEAKENINGS) & set(PLATFORM_WEAKENINGS)


@pytest.mark.parametrize("rule_id", sorted(WEAKENINGS))
def test_weakened_example_fails_the_named_rule(rule_id: str, specs: dict[str, LoadedSpec],
                                               graphs: dict[str, Graph]) -> None:
    blamed, hits, failed = weaken(specs["azure-prod-eu"], graphs["azure-prod-eu"], WEAKENINGS[rule_id], rule_id)
    assert hits, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    assert blamed and any(f.resource_name == blamed for f in hits), [(f.resource_name, f.message) for f in hits]
    assert all(f.message for f in hits)


def auto_rotated_disk_key(graph: Graph) -> str:
    """The defect this suite once passed: the confidential disk key rotating automatically."""
    key = first(graph, KEY, "disks")
    key.inputs["properties"]["rotationPolicy"]["lifetimeActions"].insert(
        0, {"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}})
    return first(graph, DES).name


def test_auto_rotated_confidential_disk_key_fails(specs: dict[str, LoadedSpec], graphs: dict[str, Graph]) -> None:
    rule_id = "azure-confidential-disk-key"
    blamed, hits, _ = weaken(specs["azure-prod-eu"], graphs["azure-prod-eu"], auto_rotated_disk_key, rule_id)
    assert [f.resource_name for f in hits] == [blamed]
    assert "rotates automatically" in hits[0].message


def test_hipaa_example_is_held_to_hipaa_thresholds(specs: dict[str, LoadedSpec], graphs: dict[str, Graph]) -> None:
    # azure-gpu-eu is under HIPAA: a 365-day table passes the baseline but not the HIPAA pack.
    weakened = copy.deepcopy(graphs["azure-gpu-eu"])
    set_path(TABLE, "totalRetentionInDays", 400, "AzureActivity")(weakened)
    failed = [f for f in findings(specs["azure-gpu-eu"], weakened) if f.status == "failed"]
    assert [(f.rule_id, f.packs) for f in failed] == [("azure-log-analytics-retention", ["hipaa"])]
