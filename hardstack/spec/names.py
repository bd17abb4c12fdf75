"""The physical names hardstack derives from a spec, and each cloud's documented rules for them.

Blueprints name resources with these functions, and validation checks every derived name
against its cloud's rule before anything renders, reporting the spec field the name came from:
a name the spec accepts but the cloud refuses would otherwise surface only at `pulumi up`.
Pure Python: validation must not pay for the cloud SDKs.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NameRule:
    """One cloud's rule for one kind of name, with the page that states it."""

    what: str
    source: str
    pattern: str  # full match: the allowed characters and how the name starts and ends
    min_len: int
    max_len: int
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    forbidden_parts: tuple[str, ...] = ()

    def broken(self, name: str) -> str | None:
        """Why `name` breaks the rule, or None."""
        if not self.min_len <= len(name) <= self.max_len:
            return f"has {len(name)} characters; {self.what}s have {self.min_len}-{self.max_len}"
        if re.fullmatch(self.pattern, name) is None:
            return f"does not match {self.pattern}"
        prefix = next((p for p in self.forbidden_prefixes if name.startswith(p)), None)
        if prefix is not None:
            return f"starts with '{prefix}', which {self.what}s may not"
        suffix = next((s for s in self.forbidden_suffixes if name.endswith(s)), None)
        if suffix is not None:
            return f"ends with '{suffix}', which {self.what}s may not"
        part = next((p for p in self.forbidden_parts if p in name), None)
        if part is not None:
            return f"contains '{part}', which {self.what}s may not"
        return None


S3_BUCKET = NameRule(
    "S3 bucket name", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
    r"[a-z0-9][a-z0-9.-]*[a-z0-9]", 3, 63,
    forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    forbidden_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
    forbidden_parts=("..",),
)
CLOUDTRAIL_TRAIL = NameRule(
    "CloudTrail trail name",
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trail-naming-requirements.html",
    r"[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]", 3, 128,
    # "Not have adjacent periods, underscores or dashes."
    forbidden_parts=tuple(a + b for a in "._-" for b in "._-"),
)
IAM_ROLE = NameRule(
    "IAM role name", "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    r"[\w+=,.@-]+", 1, 64,
)
KMS_ALIAS = NameRule(
    "KMS alias", "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
    r"alias/[a-zA-Z0-9/_-]+", 7, 256, forbidden_prefixes=("alias/aws/",),
)
GCS_BUCKET = NameRule(
    "Cloud Storage bucket name", "https://cloud.google.com/storage/docs/buckets#naming",
    r"[a-z0-9][a-z0-9_.-]*[a-z0-9]", 3, 63,
    # "Bucket names cannot begin with the goog prefix" and "cannot contain google or close
    # misspellings, such as g00gle".
    forbidden_prefixes=("goog",), forbidden_parts=("google", "g00gle", "go0gle", "g0ogle"),
)
# Tag and label values the spec writes onto every resource (owner): the AWS tag value set,
# at most 63 characters so the value also fits a GCP label once lower-cased.
TAG_VALUE = NameRule(
    "tag value", "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
    r"[A-Za-z0-9 _.:/=+@-]+", 1, 63,
)


def aws_bucket_name(env_name: str, suffix: str, account: str) -> str:
    """S3 names are global: the environment, the bucket's purpose, and the account id."""
    return f"{f'{env_name}-{suffix}'[:50]}-{account}"


def aws_trail_name(env_name: str) -> str:
    return f"{env_name}-audit"


def aws_role_name(env_name: str, workload: str) -> str:
    return f"{env_name}-{workload}"


def aws_audit_reader_name(env_name: str) -> str:
    return f"{env_name}-audit-reader"


def aws_key_alias(env_name: str, purpose: str) -> str:
    return f"alias/{env_name}-{purpose}"


def fit_name(base: str, limit: int) -> str:
    """Lower-case, '-' for anything else, cut to `limit` with a short hash of the whole."""
    base = re.sub(r"[^a-z0-9-]", "-", base.lower()).strip("-")
    if len(base) <= limit:
        return base
    digest = hashlib.sha256(base.encode()).hexdigest()[:6]
    return f"{base[: limit - 7].rstrip('-')}-{digest}"


def gcp_bucket_name(project: str, *parts: str) -> str:
    """Cloud Storage names are global: prefix the project id; at most 63 characters."""
    return fit_name("-".join((project, *parts)), 63)


Path = tuple[str | int, ...]


def derived_names(cloud: str, env_name: str, account: str, buckets: list[tuple[int, str]],
                  workloads: list[tuple[int, str]]) -> list[tuple[str, NameRule, Path]]:
    """(name, rule, spec field) for every name the blueprint of `cloud` derives from the spec:
    names built from the environment alone are charged to `name`, the others to their item."""
    out: list[tuple[str, NameRule, Path]] = []
    if cloud == "aws":
        out += [(aws_bucket_name(env_name, s, account), S3_BUCKET, ("name",)) for s in ("access-logs", "audit")]
        out += [(aws_bucket_name(env_name, b, account), S3_BUCKET, ("data", "buckets", i, "name"))
                for i, b in buckets]
        out.append((aws_trail_name(env_name), CLOUDTRAIL_TRAIL, ("name",)))
        out.append((aws_audit_reader_name(env_name), IAM_ROLE, ("name",)))
        out += [(aws_key_alias(env_name, p), KMS_ALIAS, ("name",)) for p in ("data", "logs", "compute")]
        out += [(aws_role_name(env_name, w), IAM_ROLE, ("workloads", i, "name")) for i, w in workloads]
    elif cloud == "gcp":
        out.append((gcp_bucket_name(account, env_name, "access-logs"), GCS_BUCKET, ("name",)))
        out += [(gcp_bucket_name(account, env_name, b), GCS_BUCKET, ("data", "buckets", i, "name"))
                for i, b in buckets]
    return out
