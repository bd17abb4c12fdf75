"""GCP Cloud Storage: customer keys only, uniform access, public access prevention, versions or
retention for every bucket, write-once model artifacts and access logs, and access logging."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import BUCKET, duration_days, labels
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

ENCRYPTION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-13"]}
PUBLIC = {"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "SC-7"]}
# Bucket purposes (the `purpose` label the blueprint sets) whose objects must be write-once.
WRITE_ONCE = ["models", "access-logs"]


def _retention_days(props: Mapping[str, Any]) -> float:
    return duration_days((props.get("retentionPolicy") or {}).get("retentionPeriod")) or 0.0


@resource_rule(
    id="gcp-storage-customer-key", title="Buckets encrypt with a customer-managed key by default",
    severity="high", cloud="gcp", practice="encryption", types=[BUCKET], controls=ENCRYPTION,
    remediation="Set encryption.default_kms_key_name to the environment's data key.",
)
def customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not (props.get("encryption") or {}).get("defaultKmsKeyName"):
        yield "objects are encrypted with Google-managed keys, not a customer-managed key"


@resource_rule(
    id="gcp-storage-cmek-enforced", title="Buckets refuse objects under Google-managed or customer-supplied keys",
    severity="medium", cloud="gcp", practice="encryption", types=[BUCKET],
    controls={"nist-800-53": ["SC-28", "SC-12"], "hipaa": ["164.312(a)(2)(iv)"]},
    remediation="Set encryption.google_managed_encryption_enforcement_config and customer_supplied_encryption_"
    "enforcement_config to restriction_mode FullyRestricted, so a writer cannot bypass the default key.",
)
def cmek_enforced(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    encryption = props.get("encryption") or {}
    for label, key in (("Google-managed", "googleManagedEncryptionEnforcementConfig"),
                       ("customer-supplied", "customerSuppliedEncryptionEnforcementConfig")):
        if (encryption.get(key) or {}).get("restrictionMode") != "FullyRestricted":
            yield f"writers may still choose {label} keys"


@resource_rule(
    id="gcp-storage-uniform-access", title="Buckets use uniform bucket-level access (no object ACLs)",
    severity="high", cloud="gcp", practice="access", types=[BUCKET], controls=PUBLIC,
    remediation="Set uniform_bucket_level_access=True; grant access with bucket IAM only.",
)
def uniform_access(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("uniformBucketLevelAccess") is not True:
        yield "object ACLs still apply: access is not decided by IAM alone"


@resource_rule(
    id="gcp-storage-public-access-prevention", title="Buckets enforce public access prevention",
    severity="critical", cloud="gcp", practice="access", types=[BUCKET], controls=PUBLIC,
    remediation="Set public_access_prevention = enforced.",
)
def public_access_prevention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("publicAccessPrevention") != "enforced":
        yield f"public access prevention is {props.get('publicAccessPrevention', 'inherited')}, not enforced"


@resource_rule(
    id="gcp-storage-versioning-or-retention", title="Buckets keep versions or retain objects", severity="medium",
    cloud="gcp", practice="models", types=[BUCKET],
    controls={"hipaa": ["164.312(c)(1)"], "nist-800-53": ["CP-9", "SI-7"]},
    remediation="Enable versioning, or (where Cloud Storage refuses versioning next to it) a retention policy.",
)
def versioning_or_retention(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Cloud Storage refuses versioning on a bucket with a retention policy; either protects objects.
    if (props.get("versioning") or {}).get("enabled") is not True and _retention_days(props) <= 0:
        yield "neither versioned nor retained: an overwrite or delete loses the object"


@resource_rule(
    id="gcp-storage-write-once", title="Model-artifact and access-log buckets are write-once", severity="high",
    cloud="gcp", practice="models", types=[BUCKET],
    controls={"hipaa": ["164.312(c)(1)"], "gdpr": ["5(1)(f)"], "nist-800-53": ["AU-9", "SI-7"]},
    remediation="Give the bucket a retention policy (spec data.model_lock_days); lock it where a pack requires "
    "(HIPAA): the blueprint locks it for stacks with compliance hipaa.",
    config={"purposes": {"type": "array", "items": {"type": "string"}, "default": WRITE_ONCE},
            "requireLock": {"type": "boolean", "default": False}},
)
def write_once(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    purpose = labels(props).get("purpose")
    if purpose not in config["purposes"]:
        return
    if _retention_days(props) < 1:
        yield f"holds {purpose} but has no retention policy: objects can be replaced or deleted"
    elif config["requireLock"] and (props.get("retentionPolicy") or {}).get("isLocked") is not True:
        yield f"holds {purpose} under a retention policy that is not locked"


@stack_rule(
    id="gcp-storage-access-logging", title="Buckets log access into a log bucket of this stack",
    severity="medium", cloud="gcp", practice="monitoring",
    controls={"hipaa": ["164.312(b)"], "nist-800-53": ["AU-2", "AU-12"]},
    remediation="Set logging.log_bucket to the environment's access-log bucket (SecureBucket does).",
)
def access_logging(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    buckets = of_type(resources, BUCKET)
    names = {str(b.props.get("name")) for b in buckets}
    for bucket in buckets:
        name = str(bucket.props.get("name"))
        target = (bucket.props.get("logging") or {}).get("logBucket")
        if not target:
            others = {str((b.props.get("logging") or {}).get("logBucket")) for b in buckets if b is not bucket}
            if name not in others:  # the access-log destination itself is exempt: it would log into itself
                yield f"bucket {bucket.name} does not log access", bucket.urn
        elif target == name:
            yield f"bucket {bucket.name} logs access into itself", bucket.urn
        elif target not in names and not referenced(bucket, "logging", BUCKET):
            yield f"bucket {bucket.name} logs access to {target}, outside this stack", bucket.urn
