"""AWS S3: customer-key encryption, versioning, no public access, TLS only, access logs, and
write-once storage for model artifacts and audit logs."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list, statements
from ..relations import configured, of_type, referenced
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
ENCRYPTION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-13"]}


def _missing(resources: Sequence[PolicyResource], token: str, what: str) -> Iterator[tuple[str, str | None]]:
    for bucket in of_type(resources, *BUCKETS):
        if not configured(resources, bucket, token, "bucket"):
            yield f"bucket {bucket.name} has no {what}", bucket.urn


@resource_rule(
    id="aws-s3-sse-customer-key", title="S3 default encryption uses a customer-managed KMS key",
    severity="high", cloud="aws", practice="encryption", types=[SSE], controls=ENCRYPTION,
    remediation="Use sse_algorithm aws:kms with kms_master_key_id set to the environment's data key.",
)
def sse_customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    rules = props.get("rules") or []
    if not rules:
        yield "no encryption rule"
    for rule in rules:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        if default.get("sseAlgorithm") not in ("aws:kms", "aws:kms:dsse"):
            yield f"encrypts with {default.get('sseAlgorithm', 'nothing')}, not a KMS key"
        elif not default.get("kmsMasterKeyId"):
            yield "aws:kms without kms_master_key_id uses the AWS-managed key, not a customer key"


@resource_rule(
    id="aws-s3-bucket-key", title="S3 bucket keys are enabled with SSE-KMS", severity="low",
    cloud="aws", practice="encryption", types=[SSE], controls={"nist-800-53": ["SC-12"]},
    remediation="Set bucket_key_enabled=True on the encryption rule (fewer KMS calls, same key).",
)
def bucket_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for rule in props.get("rules") or []:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        if default.get("sseAlgorithm", "").startswith("aws:kms") and rule.get("bucketKeyEnabled") is not True:
            yield "SSE-KMS without a bucket key"


@stack_rule(
    id="aws-s3-encryption-configured", title="Every S3 bucket has default encryption configured",
    severity="high", cloud="aws", practice="encryption", controls=ENCRYPTION,
    remediation="Add a BucketServerSideEncryptionConfiguration (components.aws.SecureBucket does).",
)
def encryption_configured(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    yield from _missing(resources, SSE, "default encryption configuration")


@resource_rule(
    id="aws-s3-public-access-block", title="S3 public access blocks are all on", severity="critical",
    cloud="aws", practice="access", types=[PAB, "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "SC-7"]},
    remediation="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets.",
)
def public_access_block(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    off = [flag for flag in PAB_FLAGS if props.get(flag) is not True]
    if off:
        yield f"not blocked: {', '.join(off)}"


@stack_rule(
    id="aws-s3-public-access-block-present", title="Every S3 bucket has a public access block",
    severity="critical", cloud="aws", practice="access",
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["25"], "nist-800-53": ["AC-3"]},
    remediation="Add a BucketPublicAccessBlock with all four flags (components.aws.SecureBucket does).",
)
def public_access_block_present(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    yield from _missing(resources, PAB, "public access block")


@resource_rule(
    id="aws-s3-ownership-enforced", title="S3 object ownership is enforced (ACLs disabled)",
    severity="medium", cloud="aws", practice="access", types=[OWNERSHIP],
    controls={"nist-800-53": ["AC-3"], "gdpr": ["25"]},
    remediation="Set rule.object_ownership to BucketOwnerEnforced.",
)
def ownership(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("rule") or {}).get("objectOwnership") != "BucketOwnerEnforced":
        yield "ACLs still apply: object ownership is not BucketOwnerEnforced"


@stack_rule(
    id="aws-s3-versioning", title="Every S3 bucket keeps versions", severity="medium", cloud="aws",
    practice="models", controls={"hipaa": ["164.312(c)(1)"], "nist-800-53": ["CP-9", "SI-7"]},
    remediation="Add a BucketVersioning with status Enabled.",
)
def versioning(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for bucket in of_type(resources, *BUCKETS):
        found = configured(resources, bucket, VERSIONING, "bucket")
        if not any((v.props.get("versioningConfiguration") or {}).get("status") == "Enabled" for v in found):
            yield f"bucket {bucket.name} does not keep versions", bucket.urn


@stack_rule(
    id="aws-s3-tls-only", title="Every S3 bucket policy denies requests without TLS", severity="high",
    cloud="aws", practice="encryption",
    controls={"hipaa": ["164.312(e)(1)", "164.312(e)(2)(ii)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-8"]},
    remediation="Add a Deny statement on s3:* with condition aws:SecureTransport = false.",
)
def tls_only(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for bucket in of_type(resources, *BUCKETS):
        docs = [p.props.get("policy") for p in configured(resources, bucket, POLICY, "bucket")]
        denies = [
            st for doc in docs for st in statements(doc)
            if st.get("Effect") == "Deny"
            and str((st.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")).lower() == "false"
        ]
        if not denies:
            yield f"bucket {bucket.name} accepts plain HTTP", bucket.urn


@stack_rule(
    id="aws-s3-access-logging", title="S3 buckets log access to a log bucket", severity="medium",
    cloud="aws", practice="monitoring", controls={"hipaa": ["164.312(b)"], "nist-800-53": ["AU-2", "AU-12"]},
    remediation="Add a BucketLogging targeting the environment's access-log bucket.",
)
def access_logging(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    targets = {str(lg.props.get("targetBucket")) for lg in of_type(resources, LOGGING)}
    for bucket in of_type(resources, *BUCKETS):
        if bucket.props.get("bucket") in targets:
            continue  # the log bucket itself: logging into itself would loop
        if not configured(resources, bucket, LOGGING, "bucket"):
            yield f"bucket {bucket.name} does not log access", bucket.urn


LOG_DELIVERY = "logging.s3.amazonaws.com"


def _delivers_for(statement: Mapping[str, Any], source_arn: str) -> bool:
    """Whether an Allow for the logging service covers `source_arn` (any source when unconditioned)."""
    if LOG_DELIVERY not in as_list((statement.get("Principal") or {}).get("Service")):
        return False
    if not {"s3:PutObject", "s3:*", "*"} & set(as_list(statement.get("Action"))):
        return False
    wanted = [v for op, cond in (statement.get("Condition") or {}).items() if op.startswith(("Arn", "String"))
              for key, v in cond.items() if key.lower() == "aws:sourcearn"]
    return not wanted or any(fnmatch.fnmatchcase(source_arn, str(pattern))
                             for value in wanted for pattern in as_list(value))


@stack_rule(
    id="aws-s3-access-log-delivery", title="Access-log target buckets let S3 deliver the logs", severity="high",
    cloud="aws", practice="monitoring", controls={"hipaa": ["164.312(b)"], "nist-800-53": ["AU-2", "AU-12"]},
    remediation="In the target bucket's policy allow Service logging.s3.amazonaws.com s3:PutObject on "
                "arn:aws:s3:::<target>/<prefix>* with ArnLike aws:SourceArn = the source bucket's ARN and "
                "StringEquals aws:SourceAccount (docs.aws.amazon.com/AmazonS3/latest/userguide/"
                "enable-server-access-logging.html).",
)
def access_log_delivery(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # With object ownership enforced (ACLs off), S3 delivers server access logs only when the
    # target's bucket policy grants the logging service principal: otherwise no log ever arrives.
    buckets = {str(b.props.get("bucket")): b for b in of_type(resources, *BUCKETS) if b.props.get("bucket")}
    for logging in of_type(resources, LOGGING):
        target = buckets.get(str(logging.props.get("targetBucket")))
        if target is None:
            continue  # a bucket of another stack: its policy is not ours to read
        grants = [st for p in configured(resources, target, POLICY, "bucket") for st in allows(p.props.get("policy"))]
        for source in referenced(logging, "bucket", *BUCKETS):
            arn = f"arn:aws:s3:::{source.props.get('bucket')}"
            if not any(_delivers_for(st, arn) for st in grants):
                yield (f"bucket {target.name} receives the access logs of {source.name}, but its policy does not let "
                       f"{LOG_DELIVERY} write them: no access log is ever delivered"), target.urn


@stack_rule(
    id="aws-s3-write-once-models-and-audit", title="Model-artifact and audit buckets are write-once",
    severity="high", cloud="aws", practice="models",
    controls={"hipaa": ["164.312(c)(1)"], "gdpr": ["5(1)(f)"], "nist-800-53": ["AU-9", "SI-7"]},
    remediation="Enable object lock on the bucket and add a default retention (GOVERNANCE or COMPLIANCE).",
)
def write_once(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for bucket in of_type(resources, *BUCKETS):
        if (bucket.props.get("tags") or {}).get("purpose") not in ("models", "audit"):
            continue
        locks = configured(resources, bucket, LOCK, "bucket")
        retention = [(lk.props.get("rule") or {}).get("defaultRetention") for lk in locks]
        if bucket.props.get("objectLockEnabled") is not True or not any(retention):
            yield f"bucket {bucket.name} holds {bucket.props['tags']['purpose']} but is not locked", bucket.urn
