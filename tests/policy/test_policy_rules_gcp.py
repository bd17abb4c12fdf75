"""GCP rules beyond their fixtures (test_policy_rule_fixtures.py): count, config, scope, aliases."""

from __future__ import annotations

from gcp_resource_cases import BUCKET, INSTANCE, INSTANCE_OK, KEY, KEY_OK, MODELS_OK, TOPIC, TOPIC_OK
from gcp_stack_cases import org_policy_stack

from hardstack.policy.harness import check_resource, check_stack, resource
from hardstack.rules import REGISTRY, rules
from hardstack.rules.controls import FRAMEWORKS
from hardstack.rules.packs import PACKS

GCP_RULES = [r for r in rules(cloud="gcp") if r.cloud == "gcp"]


def test_at_least_thirty_gcp_rules() -> None:
    assert len(GCP_RULES) >= 30
    assert all(r.id.startswith("gcp-") for r in GCP_RULES)


def test_gcp_rules_cite_known_controls() -> None:
    for rule in GCP_RULES:
        for framework, ids in rule.controls.items():
            unknown = set(ids) - set(FRAMEWORKS[framework].controls)
            assert not unknown, (rule.id, framework, unknown)


def test_rules_ignore_other_resource_types() -> None:
    assert check_resource(REGISTRY["gcp-kms-key-rotation"], BUCKET, {}) == []
    assert check_resource(REGISTRY["gcp-storage-customer-key"], "aws:s3/bucket:Bucket", {}) == []


def test_gcp_stack_rules_ignore_stacks_without_gcp_resources() -> None:
    aws_only = [resource("aws:s3/bucket:Bucket", {"bucket": "b"}),
                resource("pulumi:providers:aws", {"region": "eu-central-1"}, name="aws")]
    stack_rules = [r for r in GCP_RULES if r.kind == "stack"]
    assert len(stack_rules) >= 10
    for rule in stack_rules:
        assert check_stack(rule, aws_only) == [], rule.id
    # The same empty-of-GCP stack with one GCP resource is judged: the skip is by cloud, not luck.
    with_gcp = [*aws_only, resource("gcp:storage/bucket:Bucket", {"name": "b"})]
    assert check_stack(REGISTRY["gcp-audit-logs-all-services"], with_gcp)


def test_hipaa_pack_tightens_gcp_thresholds() -> None:
    hipaa = PACKS["hipaa"]
    half_year = {**KEY_OK, "rotationPeriod": f"{180 * 86400}s"}
    rule = REGISTRY["gcp-kms-rotation-period"]
    assert rule in hipaa.rules()
    assert check_resource(rule, KEY, half_year) == []
    assert check_resource(rule, KEY, half_year, hipaa.rule_config(rule)) == [
        "rotates every 180 days; the maximum is 90"]
    retention = REGISTRY["gcp-log-bucket-retention"]
    log_bucket = {"retentionDays": 400, "cmekSettings": {"kmsKeyName": "k"}}
    token = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
    assert check_resource(retention, token, log_bucket) == []
    assert check_resource(retention, token, log_bucket, hipaa.rule_config(retention)) == [
        "keeps logs 400 days; the minimum is 2190"]


def test_locks_are_mandated_only_by_configuration() -> None:
    unlocked = {**MODELS_OK, "retentionPolicy": {"retentionPeriod": "2592000", "isLocked": False}}
    write_once = REGISTRY["gcp-storage-write-once"]
    assert check_resource(write_once, BUCKET, unlocked) == []  # baseline: retained is write-once enough
    assert check_resource(write_once, BUCKET, unlocked, PACKS["hipaa"].rule_config(write_once)) == [
        "holds models under a retention policy that is not locked"]
    locked = REGISTRY["gcp-log-bucket-locked"]
    token = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
    assert check_resource(locked, token, {"locked": False}) == []
    assert check_resource(locked, token, {"locked": False}, PACKS["hipaa"].rule_config(locked)) == [
        "log bucket is not locked: its retention can be shortened and its logs deleted"]


def test_write_once_follows_the_purpose_label() -> None:
    datasets = {**MODELS_OK, "labels": {**MODELS_OK["labels"], "purpose": "datasets"}}
    unretained = {k: v for k, v in datasets.items() if k != "retentionPolicy"}
    assert check_resource(REGISTRY["gcp-storage-write-once"], BUCKET, unretained) == []  # datasets stay erasable


def test_confidential_computing_is_exempted_by_its_alias() -> None:
    rule = REGISTRY["gcp-compute-confidential-computing"]
    assert "confidential-computing" in rule.aliases
    legacy_sev = {**INSTANCE_OK, "confidentialInstanceConfig": {"enableConfidentialCompute": True}}
    assert check_resource(rule, INSTANCE, legacy_sev) == [
        "c3-standard-8 runs SEV, not TDX or SEV_SNP (no memory integrity protection)"]
    sev_snp = {**INSTANCE_OK, "confidentialInstanceConfig": {"confidentialInstanceType": "SEV_SNP"}}
    assert check_resource(rule, INSTANCE, sev_snp) == []


def test_confidential_only_org_policy_is_required_only_when_every_vm_is_confidential() -> None:
    rule = REGISTRY["gcp-org-policies"]
    missing = "compute.restrictNonConfidentialComputing"
    assert check_stack(rule, org_policy_stack(skip=missing)) == [(f"no organization policy {missing}", None)]
    assert check_stack(rule, org_policy_stack(skip=missing, confidential=False)) == []


def test_message_residency_is_the_storage_regions_not_the_transit_flag() -> None:
    # Defect 10b: the rule used to fail a topic without enforce_in_transit, which is the setting a
    # topic receiving Security Command Center findings needs (gcp-findings-topic-accepts-findings).
    rule = REGISTRY["gcp-pubsub-message-residency"]
    regions = TOPIC_OK["messageStoragePolicy"]["allowedPersistenceRegions"]
    for transit in ({"enforceInTransit": False}, {}, {"enforceInTransit": True}):
        topic = {**TOPIC_OK, "messageStoragePolicy": {"allowedPersistenceRegions": regions, **transit}}
        assert check_resource(rule, TOPIC, topic) == [], transit
    for policy in (None, {}, {"allowedPersistenceRegions": [], "enforceInTransit": True}):
        assert check_resource(rule, TOPIC, {**TOPIC_OK, "messageStoragePolicy": policy}) == [
            "messages may be stored in any region"], policy
