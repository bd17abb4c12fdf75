"""A Cloud Storage bucket that is private, encrypted with a customer key, and tamper-evident.

Every kind: uniform bucket-level access (no ACLs), public access prevention enforced, the
customer key as default key with Google-managed and customer-supplied keys refused for new
objects (so nothing can be written under a weaker key), soft delete, no `force_destroy`, and
IAM granted on the bucket itself by authoritative bindings (readers, writers).

`kind` decides the rest:
- "datasets": Object Versioning, with old versions deleted after `noncurrent_days`; access
  logged to the access-log bucket. No retention policy: datasets must stay erasable (GDPR).
- "models": a retention policy of `retention_days` (write-once model artifacts), locked when
  `lock_retention` is set (the blueprint sets it for HIPAA stacks); access logged.
- "access-logs": the destination of Cloud Storage usage logs, kept `retention_days` under a
  retention policy, locked like models; Google's log writer may only create objects.

Cloud Storage refuses a retention policy and Object Versioning on the same bucket, so retained
kinds are not versioned: inside the retention window nothing can be replaced or deleted, which
is the guarantee versioning would give, and writers get `objectCreator` only, which cannot
overwrite an existing object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

BucketKind = Literal["datasets", "models", "access-logs"]
RETAINED_KINDS = ("models", "access-logs")
READER = "roles/storage.objectViewer"
WRITER = "roles/storage.objectCreator"
# Google's identity that delivers Cloud Storage usage and storage logs.
STORAGE_LOG_WRITER = "group:cloud-storage-analytics@google.com"
SOFT_DELETE_SECONDS = 7 * 86_400
DAY_SECONDS = 86_400


@dataclass
class SecureBucketArgs:
    bucket_name: str  # globally unique; see names.bucket_name
    project: str
    location: str
    kind: BucketKind
    kms_key_id: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str] | None = None  # required for every kind but access-logs
    noncurrent_days: int = 365  # datasets: how long replaced or deleted versions are kept
    retention_days: int = 30  # models and access-logs: the retention policy
    lock_retention: bool = False  # irreversible: the policy can never be shortened or removed
    readers: Sequence[pulumi.Input[str]] = ()
    writers: Sequence[pulumi.Input[str]] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind != "access-logs" and self.access_log_bucket is None:
            raise ValueError(f"bucket {self.bucket_name}: a {self.kind} bucket needs access_log_bucket")
        if self.lock_retention and self.kind not in RETAINED_KINDS:
            raise ValueError(f"bucket {self.bucket_name}: only {', '.join(RETAINED_KINDS)} buckets are locked")
        if not 1 <= self.retention_days <= 36_500 or not 1 <= self.noncurrent_days <= 36_500:
            raise ValueError(f"bucket {self.bucket_name}: retention and noncurrent days must be 1..36500")


def lifecycle_rules(args: SecureBucketArgs) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [{
        "action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7},
    }]
    if args.kind == "datasets":
        rules.append({
            "action": {"type": "Delete"},
            "condition": {"days_since_noncurrent_time": args.noncurrent_days, "with_state": "ARCHIVED"},
        })
    if args.kind == "access-logs":
        rules.append({"action": {"type": "Delete"}, "condition": {"age": args.retention_days}})
    return rules


class SecureBucket(pulumi.ComponentResource):
    bucket: gcp.storage.Bucket
    name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:SecureBucket", name, None, opts)
        child = child_options(self, opts)
        retained = args.kind in RETAINED_KINDS
        self.bucket = gcp.storage.Bucket(
            f"{name}-bucket",
            name=args.bucket_name,
            project=args.project,
            location=args.location.upper(),
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            encryption={
                "default_kms_key_name": args.kms_key_id,
                "google_managed_encryption_enforcement_config": {"restriction_mode": "FullyRestricted"},
                "customer_supplied_encryption_enforcement_config": {"restriction_mode": "FullyRestricted"},
            },
            versioning={"enabled": not retained},
            retention_policy={
                "retention_period": str(args.retention_days * DAY_SECONDS),
                "is_locked": args.lock_retention,
            } if retained else None,
            soft_delete_policy={"retention_duration_seconds": SOFT_DELETE_SECONDS},
            logging={
                "log_bucket": args.access_log_bucket, "log_object_prefix": args.bucket_name,
            } if args.access_log_bucket is not None else None,
            lifecycle_rules=lifecycle_rules(args),
            force_destroy=False,
            labels={**args.labels, "purpose": args.kind},
            opts=child,
        )
        writers = [*args.writers, STORAGE_LOG_WRITER] if args.kind == "access-logs" else list(args.writers)
        for role, members in ((READER, list(args.readers)), (WRITER, writers)):
            if members:
                gcp.storage.BucketIAMBinding(
                    f"{name}-{role.split('.')[-1].lower()}", bucket=self.bucket.name, role=role,
                    members=members, opts=child,
                )
        self.name = self.bucket.name
        self.register_outputs({"name": self.bucket.name, "url": self.bucket.url})
