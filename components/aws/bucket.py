"""An S3 bucket that cannot be read in the clear, made public, or changed without a trace.

One shape for every bucket of an environment; `kind` decides the few differences:
- "datasets": SSE-KMS with the data key, versioning, lifecycle of old versions;
- "models": as datasets, plus object lock (governance) so model artifacts are tamper-evident;
- "audit": CloudTrail's destination, object lock with the audit retention, SSE-KMS (logs key);
- "access-logs": the target of S3 server access logging. S3 only delivers those logs to
  buckets encrypted with SSE-S3, so this one kind uses AES256 instead of a customer key. With
  ACLs disabled (BucketOwnerEnforced) the logging service writes only what the bucket policy
  grants it, so this kind names its `log_sources` and grants each exactly its own prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

BucketKind = Literal["datasets", "models", "audit", "access-logs"]
LOCKED_KINDS = ("models", "audit")
# Server access logs need the target bucket's policy to allow the logging service principal
# when the target enforces bucket ownership (no ACLs), and the target must not use object
# lock default retention: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
LOGGING_SERVICE = "logging.s3.amazonaws.com"


def access_log_prefix(source_bucket_name: str) -> str:
    """Where a source bucket's access logs land in the log bucket (both sides use this)."""
    return f"{source_bucket_name}/"


@dataclass
class SecureBucketArgs:
    bucket_name: str  # globally unique physical name
    kind: BucketKind
    account_id: str
    kms_key_arn: pulumi.Input[str] | None = None  # required for every kind but access-logs
    access_log_bucket: pulumi.Input[str] | None = None  # bucket name; None only for access-logs
    noncurrent_retention_days: int = 365
    lock_days: int = 30  # object lock default retention for models and audit
    # Extra statements (for example CloudTrail's delivery grant) appended to the bucket policy.
    extra_policy_statements: Sequence[Mapping[str, Any]] = ()
    # access-logs only: physical names of the buckets that log here; each may write its prefix.
    log_sources: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.log_sources and self.kind != "access-logs":
            raise ValueError(f"bucket {self.bucket_name}: only an access-logs bucket takes log_sources")
        if self.kind != "access-logs" and self.kms_key_arn is None:
            raise ValueError(f"bucket {self.bucket_name}: a {self.kind} bucket needs kms_key_arn")
        if self.kind != "access-logs" and self.access_log_bucket is None:
            raise ValueError(f"bucket {self.bucket_name}: a {self.kind} bucket needs access_log_bucket")


class SecureBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        locked = args.kind in LOCKED_KINDS
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            object_lock_enabled=locked,
            force_destroy=False,
            tags={**args.tags, "purpose": args.kind},
            opts=child,
        )
        bucket_id = self.bucket.id
        after_bucket = pulumi.ResourceOptions(parent=self, depends_on=[self.bucket])
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"}, opts=after_bucket,
        )
        public_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block", bucket=bucket_id,
            block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=after_bucket,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=bucket_id,
            versioning_configuration={"status": "Enabled"}, opts=after_bucket,
        )
        if args.kind == "access-logs":
            sse: dict[str, Any] = {"sse_algorithm": "AES256"}
        else:
            sse = {"sse_algorithm": "aws:kms", "kms_master_key_id": args.kms_key_arn}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket_id,
            rules=[{"apply_server_side_encryption_by_default": sse, "bucket_key_enabled": True}],
            opts=after_bucket,
        )
        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging", bucket=bucket_id,
                target_bucket=args.access_log_bucket,
                target_prefix=access_log_prefix(args.bucket_name), opts=after_bucket,
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=bucket_id,
            rules=[{
                "id": "expire-noncurrent-versions",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": args.noncurrent_retention_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        # Every object change becomes an EventBridge event: the trail of which dataset version
        # trained which model, and a trigger for alerts on unexpected writes.
        aws.s3.BucketNotification(f"{name}-events", bucket=bucket_id, eventbridge=True, opts=after_bucket)
        if locked:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock", bucket=bucket_id,
                object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": "GOVERNANCE", "days": args.lock_days}},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
            )
        aws.s3.BucketPolicy(
            f"{name}-policy", bucket=bucket_id,
            policy=pulumi.Output.json_dumps(bucket_policy(self.bucket.arn, args)),
            # Policy after the public-access block, so it can never be briefly public.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_block]),
        )
        self.arn = self.bucket.arn
        self.name = self.bucket.bucket
        self.register_outputs({"arn": self.bucket.arn, "name": self.bucket.bucket})


def bucket_policy(arn: pulumi.Input[str], args: SecureBucketArgs) -> dict[str, Any]:
    objects = pulumi.Output.concat(arn, "/*")
    statements: list[Any] = [{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},  # a Deny for everyone: the TLS-only guard
        "Action": "s3:*",
        "Resource": [arn, objects],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }, {
        "Sid": "DenyOldTls",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [arn, objects],
        "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    }]
    if args.kind != "access-logs":
        statements += [{
            "Sid": "DenyUploadsNotEncryptedWithKms",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        }, {
            "Sid": "DenyUploadsWithAnotherKey",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {"StringNotEqualsIfExists": {
                "s3:x-amz-server-side-encryption-aws-kms-key-id": args.kms_key_arn,
            }},
        }]
    for index, source in enumerate(args.log_sources):
        # The documented grant, one statement per source so no bucket can write another's prefix.
        statements.append({
            "Sid": f"S3ServerAccessLogs{index}",
            "Effect": "Allow",
            "Principal": {"Service": LOGGING_SERVICE},
            "Action": ["s3:PutObject"],
            "Resource": f"arn:aws:s3:::{args.bucket_name}/{access_log_prefix(source)}*",
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{source}"},
                "StringEquals": {"aws:SourceAccount": args.account_id},
            },
        })
    statements.extend(args.extra_policy_statements)
    return {"Version": "2012-10-17", "Statement": statements}
