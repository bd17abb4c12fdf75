"""Data buckets: CMEK only, uniform access, public access prevention, versioning (datasets),
retention (models, locked under HIPAA), access logging, lifecycle; and the access-log bucket."""

from __future__ import annotations

import pytest

from hardstack.components.gcp.bucket import SecureBucketArgs
from hardstack.render import Graph
from hardstack.spec import Environment

PURPOSES = ("datasets", "models", "access-logs")


def test_one_bucket_per_spec_bucket_plus_access_logs(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    purposes = sorted(b.inputs["labels"]["purpose"] for b in q.outside_containment(gcp_graph.of_type(q.BUCKET)))
    assert purposes == sorted([b.purpose for b in gcp_spec.data.buckets] + ["access-logs"])
    for bucket in gcp_graph.of_type(q.BUCKET):
        assert bucket.inputs["name"].startswith(f"{gcp_spec.account}-{gcp_spec.name}-")
        assert bucket.inputs["location"] == gcp_spec.region.upper()


def test_every_bucket_encrypted_with_a_customer_key_and_only_that(gcp_graph: Graph, q) -> None:
    expected = {"datasets": "data", "models": "data", "access-logs": "logs"}
    for purpose, key in expected.items():
        encryption = q.bucket(gcp_graph, purpose).inputs["encryption"]
        assert encryption["defaultKmsKeyName"] == q.key_id(gcp_graph, key), purpose
        assert encryption["googleManagedEncryptionEnforcementConfig"] == {"restrictionMode": "FullyRestricted"}
        assert encryption["customerSuppliedEncryptionEnforcementConfig"] == {"restrictionMode": "FullyRestricted"}


def test_uniform_access_and_public_access_prevention(gcp_graph: Graph, q) -> None:
    for purpose in PURPOSES:
        inputs = q.bucket(gcp_graph, purpose).inputs
        assert inputs["uniformBucketLevelAccess"] is True, purpose
        assert inputs["publicAccessPrevention"] == "enforced", purpose
        assert inputs["forceDestroy"] is False, purpose


def test_datasets_versioned_and_old_versions_expire(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    datasets = q.bucket(gcp_graph, "datasets").inputs
    assert datasets["versioning"] == {"enabled": True}
    assert "retentionPolicy" not in datasets  # erasable: GDPR
    expiry = [r for r in datasets["lifecycleRules"] if r["action"]["type"] == "Delete"]
    assert expiry == [{"action": {"type": "Delete"}, "condition": {
        "daysSinceNoncurrentTime": gcp_spec.data.retention_days, "withState": "ARCHIVED"}}]


def test_model_artifacts_retained_and_locked_under_hipaa(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    assert "hipaa" in gcp_spec.compliance
    models = q.bucket(gcp_graph, "models").inputs
    assert models["retentionPolicy"] == {
        "retentionPeriod": str(gcp_spec.data.model_lock_days * 86400), "isLocked": True,
    }


def test_model_retention_unlocked_without_hipaa(gcp_variant, q) -> None:
    graph = gcp_variant(compliance=["gdpr"], logging={"retention_days": 400})
    assert q.bucket(graph, "models").inputs["retentionPolicy"]["isLocked"] is False
    assert q.bucket(graph, "access-logs").inputs["retentionPolicy"]["isLocked"] is False


def test_model_retention_follows_the_spec(gcp_variant, q) -> None:
    graph = gcp_variant(data={"model_lock_days": 120})
    assert q.bucket(graph, "models").inputs["retentionPolicy"]["retentionPeriod"] == str(120 * 86400)


def test_data_bucket_access_logged_to_the_access_log_bucket(gcp_graph: Graph, q) -> None:
    logs = q.bucket(gcp_graph, "access-logs")
    for purpose in ("datasets", "models"):
        bucket = q.bucket(gcp_graph, purpose)
        assert bucket.inputs["logging"] == {
            "logBucket": logs.inputs["name"], "logObjectPrefix": bucket.inputs["name"],
        }
        assert logs.urn in bucket.propertyDependencies["logging"]


def test_access_log_bucket_kept_for_the_log_retention(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    logs = q.bucket(gcp_graph, "access-logs")
    assert logs.inputs["retentionPolicy"] == {
        "retentionPeriod": str(gcp_spec.logging.retention_days * 86400), "isLocked": True,
    }
    (writer,) = q.siblings(gcp_graph, logs, "gcp:storage/bucketIAMBinding:BucketIAMBinding")
    assert writer.inputs["role"] == "roles/storage.objectCreator"
    assert writer.inputs["members"] == ["group:cloud-storage-analytics@google.com"]


def test_soft_delete_and_abandoned_uploads_cleaned(gcp_graph: Graph, q) -> None:
    for purpose in PURPOSES:
        inputs = q.bucket(gcp_graph, purpose).inputs
        assert inputs["softDeletePolicy"]["retentionDurationSeconds"] >= 7 * 86400
        assert {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}} in inputs[
            "lifecycleRules"]


def test_buckets_wait_for_the_storage_agent_to_hold_the_key(gcp_graph: Graph, q) -> None:
    data_binding = q.key_binding(gcp_graph, "data")
    for purpose in ("datasets", "models"):
        assert data_binding.urn in q.bucket(gcp_graph, purpose).dependencies


def test_retention_and_versioning_never_combined(gcp_graph: Graph, q) -> None:
    for purpose in PURPOSES:
        inputs = q.bucket(gcp_graph, purpose).inputs
        assert not (inputs["versioning"]["enabled"] and "retentionPolicy" in inputs), purpose


def test_bucket_args_refuse_a_data_bucket_without_access_logging() -> None:
    with pytest.raises(ValueError, match="access_log_bucket"):
        SecureBucketArgs(bucket_name="b", project="p-123456", location="europe-west4", kind="datasets",
                         kms_key_id="k")
