"""Azure rules beyond their fixtures (test_policy_rule_fixtures.py): count, config, scope, aliases."""

from __future__ import annotations

from azure_resource_cases import KEY_OK, OFFLINE_KEY, RELEASABLE_KEY, changed
from azure_stack_cases import disk_stack, flow_storage_stack, key_alert_stack, retention_stack

from hardstack.policy.harness import check_resource, check_stack, resource
from hardstack.rules import REGISTRY, rules
from hardstack.rules.packs import PACKS

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


def test_confidential_disk_keys_rotate_offline() -> None:
    # Azure does not rotate confidential VM disk keys automatically (confidential-computing/
    # key-rotation-offline): a releasable key with an expiry and a notify action passes the
    # rotation rules, measured by its expiry. Before, the rule demanded a rotate action.
    rotation, period = REGISTRY["azure-key-rotation"], REGISTRY["azure-key-rotation-period"]
    assert check_resource(rotation, KEY, OFFLINE_KEY) == []
    hipaa = PACKS["hipaa"].rule_config(period)
    assert check_resource(period, KEY, OFFLINE_KEY, hipaa) == []
    long_lived = changed(OFFLINE_KEY, "properties/rotationPolicy/attributes/expiryTime", "P120D")
    assert check_resource(period, KEY, long_lived, hipaa) == [
        "a version lives 120 days before its offline rotation is due; the maximum is 90"]
    silent = changed(OFFLINE_KEY, "properties/rotationPolicy/lifetimeActions", [])
    assert check_resource(rotation, KEY, silent) == [
        "no rotation policy rotates the key: every version stays in use until someone rotates it, and no expiry "
        "with a notify action tells them to"]
    # A key without a release policy still has to rotate automatically.
    assert check_resource(rotation, KEY, changed(KEY_OK, "properties/rotationPolicy/lifetimeActions", [
        {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}}]))


def test_confidential_disk_key_rule_refuses_auto_rotation_standard_vaults_and_other_regions() -> None:
    rule = REGISTRY["azure-confidential-disk-key"]
    found = [m for m, _ in check_stack(rule, disk_stack(key_props=RELEASABLE_KEY))]
    assert any("rotates automatically: the set never uses the new versions" in m for m in found), found
    silent = changed(OFFLINE_KEY, "properties/rotationPolicy/lifetimeActions", [])
    assert any("whose expiry nobody is told of" in m for m, _ in check_stack(rule, disk_stack(key_props=silent)))
    assert ("disk encryption set des uses key disks-key of vault vault, whose standard SKU confidential VMs do not "
            "support", "des") in check_stack(rule, disk_stack(vault_sku="standard"))
    assert ("disk encryption set des is in westeurope but its key's vault vault is in northeurope; confidential VMs "
            "need one region", "des") in check_stack(rule, disk_stack(vault_location="northeurope"))


def test_key_expiry_must_reach_people_by_mail() -> None:
    rule = REGISTRY["azure-key-expiry-alerts"]
    for stack in (key_alert_stack(endpoint="WebHook"), key_alert_stack(email=False), key_alert_stack(events=())):
        found = check_stack(rule, stack)
        assert {m.split(":")[1].split()[0] for m, _ in found} == {"KeyNearExpiry", "KeyExpired"}, found
        assert {urn for _, urn in found} == {"vault"}


def test_flow_log_storage_region_and_tier() -> None:
    rule = REGISTRY["azure-flow-log-storage"]
    assert check_stack(rule, flow_storage_stack(location="northeurope")) == [
        ("flow log flows writes to logs in northeurope, not the VNet's westeurope", "flows")]
    assert check_stack(rule, flow_storage_stack(sku="Premium_ZRS")) == [
        ("flow log flows writes to logs, a Premium_ZRS account; flow logs need Standard", "flows")]
