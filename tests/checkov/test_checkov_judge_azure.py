"""checkov as an independent judge of the Azure examples (exported as ARM templates): both pass
it whole, every resource is judged, and weakening one setting fails the named check on the named
resource. The examples and every weakened copy share one checkov run."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from checkov_helpers import STACKS, exported_count, first, judge_weakened, unexempted, weakened_failure
from checkov_helpers import set_input as setting

from hardstack.check import run_check
from hardstack.checkov.arm import to_arm
from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph

EXAMPLES = ("azure-prod-eu", "azure-gpu-eu")
# Distinct checks the examples pass today: 52 of checkov's ARM checks and hardstack's 31 HS_AZ
# checks (containment's Function app, plan, Event Hubs namespace, NSGs and role definition brought
# 18 checkov checks and HS_AZ_28-31). A lower count means a check stopped applying (an exporter
# regression, usually).
DISTINCT_CHECKS_FLOOR = 83
CUSTOM_CHECKS = {f"HS_AZ_{n}" for n in range(1, 32)}

VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
VM = "azure-native:compute:VirtualMachine"
DES = "azure-native:compute:DiskEncryptionSet"
NIC = "azure-native:network:NetworkInterface"
NSG = "azure-native:network:NetworkSecurityGroup"
SUBNET = "azure-native:network:Subnet"
FLOW_LOG = "azure-native:network:FlowLog"
DNS_GROUP = "azure-native:network:PrivateDnsZoneGroup"
ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY = "azure-native:storage:BlobContainerImmutabilityPolicy"
ROLE = "azure-native:authorization:RoleAssignment"
WORKSPACE = "azure-native:operationalinsights:Workspace"
TABLE = "azure-native:operationalinsights:Table"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
ALERT = "azure-native:monitor:ActivityLogAlert"
PRICING = "azure-native:security:Pricing"
CONTACT = "azure-native:security:SecurityContact"
EVENT_SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription"
AUTOMATION = "azure-native:security:Automation"
EH_NAMESPACE = "azure-native:eventhub:Namespace"
INSIGHTS = "azure-native:applicationinsights:Component"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
WEBAPP = "azure-native:web:WebApp"
SUBSCRIPTION = "/subscriptions/00000000-0000-4000-8000-000000000000"
OWNER = f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


@pytest.fixture(scope="module")
def graphs(example_graph) -> dict[str, Graph]:
    return {name: example_graph(STACKS / f"Pulumi.{name}.yaml") for name in EXAMPLES}




def rules_edit(part: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        nsg = first(graph, NSG, part)
        nsg.inputs["securityRules"] = change(nsg.inputs["securityRules"])
        return nsg.name
    return mutate


# Source "*": checkov compares prefixes case-sensitively with "internet" and so misses ARM's
# service tag "Internet" (the policy rule azure-nsg-no-inbound-from-internet catches both).
SSH_FROM_ANYWHERE = {"name": "ssh-from-anywhere", "priority": 150, "direction": "Inbound", "access": "Allow",
                     "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
                     "destinationAddressPrefix": "*", "destinationPortRange": "22"}
# checkov id -> weakening of one setting of azure-prod-eu; the check must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_AZURE_110": setting(VAULT, "properties/enablePurgeProtection", False),
    "CKV_AZURE_109": setting(VAULT, "properties/networkAcls/defaultAction", "Allow"),
    "CKV_AZURE_189": setting(VAULT, "properties/publicNetworkAccess", "Enabled"),
    "CKV_AZURE_112": setting(KEY, "properties/kty", "RSA", "data"),
    "CKV_AZURE_40": setting(KEY, "properties/rotationPolicy/attributes/expiryTime", None, "logs"),
    "CKV_AZURE_97": setting(VM, "securityProfile/encryptionAtHost", False),
    "CKV_AZURE_149": setting(VM, "osProfile/linuxConfiguration/disablePasswordAuthentication", False),
    "CKV_AZURE_50": setting(VM, "osProfile/allowExtensionOperations", True),
    # storage: ARM calls these supportsHttpsTrafficOnly and networkAcls (the exporter renames them)
    "CKV_AZURE_3": setting(ACCOUNT, "enableHttpsTrafficOnly", False, "data"),
    "CKV_AZURE_35": setting(ACCOUNT, "networkRuleSet/defaultAction", "Allow", "data"),
    "CKV_AZURE_44": setting(ACCOUNT, "minimumTlsVersion", "TLS1_0", "data"),
    "CKV_AZURE_59": setting(ACCOUNT, "publicNetworkAccess", "Enabled", "data"),
    "CKV_AZURE_34": setting(CONTAINER, "publicAccess", "Blob", "datasets"),
    "CKV_AZURE_10": rules_edit("endpoints", lambda rules: [SSH_FROM_ANYWHERE, *rules]),
    "CKV_AZURE_19": setting(PRICING, "pricingTier", "Free", "defender-keyvaults"),
    "HS_AZ_1": setting(VM, "securityProfile/securityType", "TrustedLaunch"),
    "HS_AZ_2": setting(ACCOUNT, "encryption/keySource", "Microsoft.Storage", "data"),
    "HS_AZ_3": setting(VM, "securityProfile/uefiSettings/vTpmEnabled", False),
    "HS_AZ_4": setting(VM, "storageProfile/osDisk/managedDisk/securityProfile/securityEncryptionType",
                       "VMGuestStateOnly"),
    "HS_AZ_5": setting(ACCOUNT, "allowSharedKeyAccess", True, "data"),
    "HS_AZ_6": setting(ACCOUNT, "allowBlobPublicAccess", True, "data"),
    "HS_AZ_7": setting(BLOB_SERVICE, "deleteRetentionPolicy/enabled", False, "data"),
    "HS_AZ_8": setting(IMMUTABILITY, "allowProtectedAppendWrites", True),
    "HS_AZ_9": setting(KEY, "properties/rotationPolicy/lifetimeActions/0/trigger/timeAfterCreate", "P1Y", "data"),
    "HS_AZ_10": setting(VAULT, "properties/enableRbacAuthorization", False),
    "HS_AZ_11": setting(DES, "encryptionType", "ConfidentialVmEncryptedWithPlatformKey"),
    "HS_AZ_12": setting(KEY, "properties/releasePolicy", None, "disks"),
    # The workspace's own setting sends logs only (a vault's sends metrics too, which would still pass).
    "HS_AZ_13": setting(DIAGNOSTIC, "logs/0/enabled", False, "audit-workspace-diag"),
    "HS_AZ_14": setting(WORKSPACE, "features/disableLocalAuth", False),
    "HS_AZ_15": setting(TABLE, "totalRetentionInDays", 90, "AzureActivity"),
    "HS_AZ_16": setting(FLOW_LOG, "flowAnalyticsConfiguration/networkWatcherFlowAnalyticsConfiguration/enabled", False),
    "HS_AZ_17": setting(ALERT, "actions/actionGroups", [], "role-assignment"),
    "HS_AZ_18": setting(ACTION_GROUP, "emailReceivers", []),
    "HS_AZ_19": setting(CONTACT, "isEnabled", False),
    "HS_AZ_20": setting(ROLE, "roleDefinitionId", OWNER, "inference-data-key"),
    "HS_AZ_21": setting(ROLE, "scope", f"{SUBSCRIPTION}/resourceGroups/rg-azure-prod-eu", "inference-models"),
    "HS_AZ_22": setting(DNS_GROUP, "privateDnsZoneConfigs", [], "kv-vault"),
    "HS_AZ_23": setting(ZONE_LINK, "registrationEnabled", True, "vault"),
    "HS_AZ_24": setting(SUBNET, "defaultOutboundAccess", True, "workload"),
    "HS_AZ_25": rules_edit("workload", lambda rules: [r for r in rules if r["name"] != "deny-all-inbound"]),
    "HS_AZ_26": setting(NIC, "enableIPForwarding", True),
    "HS_AZ_27": setting(EVENT_SUBSCRIPTION, "destination/actionGroups", [], "KeyNearExpiry"),
    # Containment (custom_checks/azure_containment.py)
    "HS_AZ_28": setting(AUTOMATION, "actions/0/isTrustedServiceEnabled", False),
    "HS_AZ_29": setting(EH_NAMESPACE, "disableLocalAuth", False),
    "HS_AZ_30": setting(INSIGHTS, "disableLocalAuth", False),
    "HS_AZ_31": setting(ROLE_DEFINITION, "assignableScopes", [SUBSCRIPTION]),
    "CKV_AZURE_222": setting(WEBAPP, "publicNetworkAccess", "Enabled"),
    "CKV_AZURE_14": setting(WEBAPP, "httpsOnly", False),
}


@pytest.fixture(scope="module")
def judged(graphs: dict[str, Graph]) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(graphs["azure-prod-eu"], WEAKENINGS, "weak-azure", list(graphs.values()))



@pytest.mark.parametrize("stack", EXAMPLES)
def test_example_parsed_whole_by_checkov(judged, graphs: dict[str, Graph], stack: str) -> None:
    result = judged[0][stack]
    assert result.resource_count == exported_count(graphs[stack]) > 60
    # Child resources carry their parents' names, so no two share a checkov address.
    names = [(r["type"], r["name"]) for r in to_arm(graphs[stack]).plan["resources"]]
    assert len(names) == len(set(names)) == result.resource_count


@pytest.mark.parametrize("stack", EXAMPLES)
def test_example_passes_at_least_the_floor_of_distinct_checks(judged, stack: str) -> None:
    passed = judged[0][stack].distinct_passed
    print(f"{stack}: {len(passed)} distinct checks passed")  # reported with pytest -s
    assert len(passed) >= DISTINCT_CHECKS_FLOOR, sorted(passed)
    assert len({c for c in passed if c.startswith("CKV_AZURE_")}) >= 52


@pytest.mark.parametrize("stack", EXAMPLES)
def test_example_has_no_unjudged_resources(judged, stack: str) -> None:
    assert judged[0][stack].unjudged == []


@pytest.mark.parametrize("stack", EXAMPLES)
def test_example_fails_only_what_its_spec_exempts(judged, graphs: dict[str, Graph], stack: str) -> None:
    failed = {f.rule_id for f in judged[0][stack].findings}
    assert failed, "the examples' checkov exemptions would be stale"
    assert unexempted(judged[0][stack], graphs[stack]) == []


@pytest.mark.parametrize("stack", EXAMPLES)
def test_custom_checks_pass_on_the_example(judged, stack: str) -> None:
    result = judged[0][stack]
    assert result.distinct_passed >= CUSTOM_CHECKS, CUSTOM_CHECKS - result.distinct_passed
    # The one exempted custom failure: the containment responder's resource-group grant, which
    # snapshot creation needs (the stack's HS_AZ_21 exemption says why).
    assert [(f.rule_id, f.resource_name) for f in result.findings if f.rule_id.startswith("HS_AZ_")] == [
        ("HS_AZ_21", f"{stack}-containment-responder")]


def test_every_custom_check_has_a_weakening() -> None:
    assert set(WEAKENINGS) >= CUSTOM_CHECKS
    assert len([c for c in WEAKENINGS if c.startswith("CKV_AZURE_")]) >= 10


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed


def test_custom_checks_read_the_exported_arm_names(graphs: dict[str, Graph]) -> None:
    # HS_AZ_2 reads ARM's keyvaultproperties; the template must say it the way ARM does.
    template = to_arm(graphs["azure-prod-eu"]).plan
    account = next(r for r in template["resources"] if r["type"] == "Microsoft.Storage/storageAccounts")
    assert set(account["properties"]["encryption"]["keyvaultproperties"]) == {"keyname", "keyvaulturi"}
    assert json.dumps(account).count("keyVaultProperties") == 0


def test_check_passes_both_azure_examples_with_one_checkov_run() -> None:
    report = run_check([STACKS / f"Pulumi.{name}.yaml" for name in EXAMPLES])
    assert report.checkov_runs == 1
    for stack in report.stacks:
        assert stack.checkov is not None and stack.checkov.unjudged == []
        assert stack.failed == [], [(f.rule_id, f.resource_name) for f in stack.failed]
