"""Data buckets: SSE-KMS with the data key and bucket keys, versioning, all four public
access blocks, ownership enforced, TLS-only and encrypted-upload policy, access logging,
lifecycle, and object lock (governance) on model artifacts."""

from __future__ import annotations

import pytest
from aws_helpers import key_arn, statements

from hardstack.render import Graph, Resource
from hardstack.spec import Environment


def part(graph: Graph, bucket: Resource, token: str) -> Resource:
    found = [r for r in graph.of_type(token) if r.parent == bucket.parent]
    assert len(found) == 1, (bucket.name, token, len(found))
    return found[0]


def data_buckets(graph: Graph, spec: Environment) -> dict[str, Resource]:
    buckets = {b.inputs["bucket"]: b for b in graph.of_type("aws:s3/bucket:Bucket")}
    return {b.name: buckets[f"{spec.name}-{b.name}-{spec.account}"] for b in spec.data.buckets}


@pytest.fixture(scope="module")
def buckets(aws_graph: Graph, aws_spec: Environment) -> dict[str, Resource]:
    return data_buckets(aws_graph, aws_spec)


def test_sse_kms_with_data_key_and_bucket_keys(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        sse = part(aws_graph, bucket, "aws:s3/bucketServerSideEncryptionConfiguration:"
                   "BucketServerSideEncryptionConfiguration")
        (rule,) = sse.inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        assert default["sseAlgorithm"] == "aws:kms"
        assert default["kmsMasterKeyId"] == key_arn(aws_graph, "data")
        assert rule["bucketKeyEnabled"] is True


def test_versioning_enabled(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        versioning = part(aws_graph, bucket, "aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_all_four_public_access_blocks(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        block = part(aws_graph, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block.inputs[flag] is True, (bucket.name, flag)


def test_ownership_enforced(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        owner = part(aws_graph, bucket, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
        assert owner.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_policy_denies_plain_http_and_unencrypted_uploads(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        sts = statements(part(aws_graph, bucket, "aws:s3/bucketPolicy:BucketPolicy"))
        tls = [s for s in sts if s["Effect"] == "Deny" and
               s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"]
        assert tls and tls[0]["Action"] == "s3:*"
        sse = [s for s in sts if s["Effect"] == "Deny" and "s3:x-amz-server-side-encryption" in
               s.get("Condition", {}).get("StringNotEqualsIfExists", {})]
        assert sse and sse[0]["Condition"]["StringNotEqualsIfExists"]["s3:x-amz-server-side-encryption"] == "aws:kms"
        assert all(s["Effect"] == "Deny" for s in sts), "data bucket policies only deny"


def test_access_logging_to_the_log_bucket(aws_graph: Graph, aws_spec: Environment,
                                          buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        logging = part(aws_graph, bucket, "aws:s3/bucketLogging:BucketLogging")
        assert logging.inputs["targetBucket"] == f"{aws_spec.name}-access-logs-{aws_spec.account}"


def test_lifecycle_expires_old_versions(aws_graph: Graph, aws_spec: Environment,
                                        buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        life = part(aws_graph, bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        (rule,) = life.inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == aws_spec.data.retention_days
        assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


def test_model_artifacts_locked_in_governance_mode(aws_graph: Graph, aws_spec: Environment,
                                                   buckets: dict[str, Resource]) -> None:
    purposes = {b.name: b.purpose for b in aws_spec.data.buckets}
    for name, bucket in buckets.items():
        locks = [r for r in aws_graph.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
                 if r.parent == bucket.parent]
        if purposes[name] == "models":
            assert bucket.inputs["objectLockEnabled"] is True
            (lock,) = locks
            retention = lock.inputs["rule"]["defaultRetention"]
            assert retention == {"mode": "GOVERNANCE", "days": aws_spec.data.model_lock_days}
        else:
            assert not bucket.inputs["objectLockEnabled"] and locks == []


def test_object_changes_become_events(aws_graph: Graph, buckets: dict[str, Resource]) -> None:
    for bucket in buckets.values():
        notification = part(aws_graph, bucket, "aws:s3/bucketNotification:BucketNotification")
        assert notification.inputs["eventbridge"] is True


def test_access_log_bucket_is_private_and_versioned(aws_graph: Graph, aws_spec: Environment) -> None:
    logs = next(b for b in aws_graph.of_type("aws:s3/bucket:Bucket")
                if b.inputs["bucket"] == f"{aws_spec.name}-access-logs-{aws_spec.account}")
    block = part(aws_graph, logs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block.inputs[f] for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets"))
    assert part(aws_graph, logs, "aws:s3/bucketVersioning:BucketVersioning").inputs[
        "versioningConfiguration"]["status"] == "Enabled"
    # S3 delivers server access logs only to SSE-S3 buckets: AES256 here, by necessity.
    sse = part(aws_graph, logs, "aws:s3/bucketServerSideEncryptionConfiguration:"
               "BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_account_wide_public_access_block(aws_graph: Graph) -> None:
    (block,) = aws_graph.of_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert all(block.inputs[f] for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                         "restrictPublicBuckets"))


def test_every_access_log_target_lets_the_logging_service_write_its_source_prefix(
        aws_graph: Graph, aws_spec: Environment) -> None:
    # With ACLs disabled (BucketOwnerEnforced) S3 delivers server access logs only when the
    # target's bucket policy allows logging.s3.amazonaws.com, per source and prefix
    # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
    loggings = aws_graph.of_type("aws:s3/bucketLogging:BucketLogging")
    buckets = {b.inputs["bucket"]: b for b in aws_graph.of_type("aws:s3/bucket:Bucket")}
    assert len(loggings) == len(aws_spec.data.buckets) + 1  # data buckets and the audit bucket
    for logging in loggings:
        (source_urn,) = logging.propertyDependencies["bucket"]
        source = aws_graph.by_urn(source_urn)
        assert source is not None
        source_name = source.inputs["bucket"]
        target = buckets[logging.inputs["targetBucket"]]
        prefix = logging.inputs["targetPrefix"]
        assert prefix == f"{source_name}/"
        grants = [st for st in statements(part(aws_graph, target, "aws:s3/bucketPolicy:BucketPolicy"))
                  if st["Effect"] == "Allow" and st["Principal"] == {"Service": "logging.s3.amazonaws.com"}
                  and st["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:s3:::{source_name}"]
        assert len(grants) == 1, logging.name
        assert grants[0]["Action"] == ["s3:PutObject"]
        assert grants[0]["Resource"] == f"arn:aws:s3:::{target.inputs['bucket']}/{prefix}*"
        assert grants[0]["Condition"] == {
            "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source_name}"},
            "StringEquals": {"aws:SourceAccount": aws_spec.account},
        }
        # SSE-S3 and no object lock on the target, as the same page requires.
        sse = part(aws_graph, target, "aws:s3/bucketServerSideEncryptionConfiguration:"
                   "BucketServerSideEncryptionConfiguration")
        assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
        assert target.inputs["objectLockEnabled"] is False
        assert [r for r in aws_graph.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
                if r.parent == target.parent] == []


def test_log_sources_only_on_the_access_log_bucket() -> None:
    from hardstack.components.aws.bucket import SecureBucketArgs

    with pytest.raises(ValueError, match="only an access-logs bucket"):
        SecureBucketArgs(bucket_name="b", kind="datasets", account_id="1", kms_key_arn="k",
                         access_log_bucket="logs", log_sources=["other"])
