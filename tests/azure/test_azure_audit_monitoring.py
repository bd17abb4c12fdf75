"""Audit logging and monitoring: a Log Analytics workspace with the spec's retention and no
local auth, every diagnostic setting pointing at it, Defender plans, alerts to the spec's email."""

from __future__ import annotations

from azure_helpers import (
    ACCOUNT,
    ACTION_GROUP,
    ACTIVITY_LOG,
    ALERT,
    BLOB_SERVICE,
    CONTACT,
    DIAGNOSTIC,
    NSG,
    PRICING,
    TABLE,
    VAULT,
    VM,
    WORKSPACE,
    arm_id,
    diagnostics_of,
)

from hardstack.render import Graph
from hardstack.spec import Environment


def workspace_id(graph: Graph) -> str:
    (workspace,) = graph.of_type(WORKSPACE)
    return arm_id(graph, workspace)


def test_workspace_retention_and_local_auth_off(azure_graph: Graph, azure_spec: Environment) -> None:
    (workspace,) = azure_graph.of_type(WORKSPACE)
    assert workspace.inputs["retentionInDays"] == azure_spec.logging.retention_days
    assert workspace.inputs["features"]["disableLocalAuth"] is True
    assert workspace.inputs["features"]["enableLogAccessUsingOnlyResourcePermissions"] is True
    assert workspace.protect is True


def test_retention_beyond_two_years_is_kept_per_table(gpu_graph: Graph, gpu_spec: Environment) -> None:
    # HIPAA keeps six years; a workspace keeps 730 days interactively, the tables the rest.
    (workspace,) = gpu_graph.of_type(WORKSPACE)
    assert workspace.inputs["retentionInDays"] == 730
    tables = {t.inputs["tableName"]: t.inputs for t in gpu_graph.of_type(TABLE)}
    assert {"AzureActivity", "AZKVAuditLogs", "StorageBlobLogs", "NTANetAnalytics"} <= set(tables)
    for name, table in tables.items():
        assert table["totalRetentionInDays"] == gpu_spec.logging.retention_days, name


def test_subscription_activity_log_flows_into_the_workspace(azure_graph: Graph) -> None:
    (activity,) = azure_graph.of_type(ACTIVITY_LOG)
    assert activity.inputs["workspaceId"] == workspace_id(azure_graph)
    categories = {log["category"] for log in activity.inputs["logs"] if log["enabled"]}
    assert {"Administrative", "Security", "Policy"} <= categories


def test_vault_storage_nsgs_and_vms_send_diagnostics_to_the_workspace(azure_graph: Graph) -> None:
    wanted = [VAULT, BLOB_SERVICE, NSG, VM, ACCOUNT]
    for token in wanted:
        resources = azure_graph.of_type(token)
        assert resources, token
        for res in resources:
            settings = diagnostics_of(azure_graph, arm_id(azure_graph, res))
            assert len(settings) == 1, (token, res.name)
            assert settings[0].inputs["workspaceId"] == workspace_id(azure_graph)


def test_storage_diagnostics_name_the_metric_categories_storage_has(azure_graph: Graph) -> None:
    # Storage accounts and blob services reject "AllMetrics" ("Metric category 'AllMetrics' is not
    # supported"); their exportable category is Transaction (supported-metrics references of
    # Microsoft.Storage/storageAccounts[/blobServices]). Other types keep AllMetrics.
    transaction = [{"category": "Transaction", "enabled": True}]
    for token in (ACCOUNT, BLOB_SERVICE):
        for res in azure_graph.of_type(token):
            (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, res))
            assert setting.inputs["metrics"] == transaction, res.name
    for token in (VAULT, VM):
        for res in azure_graph.of_type(token):
            (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, res))
            assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}], res.name


def test_every_diagnostic_setting_targets_the_one_workspace(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        for setting in graph.of_type(DIAGNOSTIC):
            assert setting.inputs["workspaceId"] == workspace_id(graph), setting.name


def test_defender_plans_at_the_subscription(azure_graph: Graph, azure_spec: Environment) -> None:
    plans = {p.inputs["pricingName"]: p.inputs for p in azure_graph.of_type(PRICING)}
    assert set(plans) == {"VirtualMachines", "StorageAccounts", "KeyVaults", "AI"}
    for name, plan in plans.items():
        assert plan["pricingTier"] == "Standard", name
        assert plan["scopeId"] == f"/subscriptions/{azure_spec.account}", name
    assert plans["VirtualMachines"]["subPlan"] == "P2"
    assert {e["name"] for e in plans["StorageAccounts"]["extensions"]} == {"OnUploadMalwareScanning",
                                                                           "SensitiveDataDiscovery"}
    (contact,) = azure_graph.of_type(CONTACT)
    assert contact.inputs["emails"] == azure_spec.monitoring.alert_email


def test_action_group_mails_the_spec_address(azure_graph: Graph, azure_spec: Environment) -> None:
    (group,) = azure_graph.of_type(ACTION_GROUP)
    assert group.inputs["enabled"] is True
    assert [r["emailAddress"] for r in group.inputs["emailReceivers"]] == [azure_spec.monitoring.alert_email]
    assert len(group.inputs["groupShortName"]) <= 12


def test_activity_log_alerts_on_key_vault_and_role_assignment_changes(azure_graph: Graph,
                                                                     azure_spec: Environment) -> None:
    (group,) = azure_graph.of_type(ACTION_GROUP)
    watched: set[str] = set()
    for alert in azure_graph.of_type(ALERT):
        assert alert.inputs["enabled"] is True
        assert alert.inputs["scopes"] == [f"/subscriptions/{azure_spec.account}"]
        assert alert.inputs["actions"]["actionGroups"] == [{"actionGroupId": arm_id(azure_graph, group)}]
        conditions = alert.inputs["condition"]["allOf"]
        assert {"field": "category", "equals": "Administrative"} in conditions
        watched |= {c["equals"] for cond in conditions for c in cond.get("anyOf", [])}
    assert {"Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults/delete",
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete"} <= watched


def test_threat_detection_off_only_when_the_spec_says_so(render_variant) -> None:
    graph = render_variant(monitoring={"threat_detection": False})
    assert graph.of_type(PRICING) == [] and graph.of_type(CONTACT) == []
    assert len(graph.of_type(ALERT)) == 2  # alerts stay
