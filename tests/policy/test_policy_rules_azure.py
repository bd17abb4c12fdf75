"""Azure rules beyond their fixtures (test_policy_rule_fixtures.py): count, config, scope, aliases."""

from __future__ import annotations

from azure_resource_cases import KEY_OK, changed
from azure_stack_cases import retention_stack

from hardstack.policy.harness import check_resource, check_stack, resource
from hardstack_rules import REGISTRY, rules
from hardstack_rules.packs import PACKS

KEY = "azure-native:keyvault:Key"


def azure_rules() -> list:
    return [r for r in rules(cloud="azure") if r.cloud == "azure"]


def test_at_least_thirty_azure_rules() -> None:
    assert len(azure_rules()) >= 30
    assert all(r.id.startswith("azure-") for r in azure_rules())


def test_rules_ignore_other_resource_types() -> None:
    assert check_resource(REGISTRY["azure-keyvault-purge-protection"], "azure-native:storage:StorageAccount", {}) == []


def test_rotation_period_config_and_hipaa_threshold() -> None:
    rule = REGISTRY["azure-key-rotation-period"]
    half_yearly = changed(KEY_OK, "properties/rotationPolicy/lifetimeActions",
                     [{"trigger": {"timeAfterCreate": "P180D"}, "action": {"type": "rotate"}}])
    assert check_resource(rule, KEY, half_yearly) == []
    hipaa = PACKS["hipaa"].rule_config(rule)
    assert hipaa["maximumDays"] == 90
    assert check_resource(rule, KEY, half_yearly, hipaa) == ["rotates 180 days after creation; the maximum is 90"]


def test_rotation_before_expiry_counts_from_the_expiry() -> None:
    rule = REGISTRY["azure-key-rotation-period"]
    before_expiry = changed(KEY_OK, "properties/rotationPolicy", {
        "attributes": {"expiryTime": "P1Y"},
        "lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "rotate"}}]})
    assert check_resource(rule, KEY, before_expiry, {"maximumDays": 90}) == [
        "rotates 335 days after creation; the maximum is 90"]


def test_retention_reads_table_total_retention_beyond_the_workspace() -> None:
    # The blueprint keeps the workspace at its 730-day interactive maximum and each audit table
    # for the spec's six years: HIPAA's 2190 days hold, a table kept shorter does not.
    rule = REGISTRY["azure-log-analytics-retention"]
    hipaa = PACKS["hipaa"].rule_config(rule)
    assert hipaa["minimumDays"] == 2190
    assert check_stack(rule, retention_stack(workspace_days=730, table_days=2190), hipaa) == []
    found = check_stack(rule, retention_stack(workspace_days=730, table_days=400), hipaa)
    assert ("table AzureActivity of workspace workspace keeps 400 days; the minimum is 2190",
            "table-AzureActivity") in found
    assert check_stack(rule, retention_stack(workspace_days=400, table_days=400)) == []


def test_confidential_computing_alias() -> None:
    assert "confidential-computing" in REGISTRY["azure-vm-confidential-computing"].aliases


def test_azure_stack_rules_ignore_stacks_without_azure_resources() -> None:
    aws_only = [resource("aws:s3/bucket:Bucket", {"bucket": "b"}),
                resource("pulumi:providers:aws", {"region": "eu-central-1"}, name="aws")]
    stack_rules = [r for r in azure_rules() if r.kind == "stack"]
    assert len(stack_rules) >= 10
    for rule in stack_rules:
        assert check_stack(rule, aws_only) == [], rule.id
    # ...while the same rules do judge an Azure stack that lacks what they ask for.
    azure_empty = [resource("azure-native:resources:ResourceGroup", {"resourceGroupName": "rg"})]
    assert check_stack(REGISTRY["azure-defender-plans"], azure_empty)
