"""GCP Cloud KMS: keys rotate, are protected from destruction, live in HSMs where the data
demands it, and are usable by named principals only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..gcp.tokens import KEY, KEY_IAM, PUBLIC_MEMBERS, duration_days, grants, labels
from ..rule import resource_rule
from ..values import number

KEY_CONTROLS = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12"]}


@resource_rule(
    id="gcp-kms-key-rotation", title="Cloud KMS keys rotate automatically", severity="high", cloud="gcp",
    practice="encryption", types=[KEY], controls=KEY_CONTROLS,
    remediation="Set rotation_period (components.gcp.KeyRing sets it from the spec's keys.rotation_days).",
)
def key_rotation(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Asymmetric keys cannot rotate automatically; every key hardstack makes is symmetric.
    if props.get("purpose", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT" and not props.get("rotationPeriod"):
        yield "no rotation period: the key version in use never changes"


@resource_rule(
    id="gcp-kms-rotation-period", title="Cloud KMS keys rotate at least every N days", severity="medium",
    cloud="gcp", practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["SC-12"]},
    remediation="Set rotation_period to at most the configured maximum (spec keys.rotation_days; HIPAA: 90).",
    config={"maximumDays": {"type": "integer", "default": 365, "minimum": 1}},
)
def rotation_period(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = duration_days(props.get("rotationPeriod"))
    if days is not None and days > config["maximumDays"]:
        yield f"rotates every {days:g} days; the maximum is {number(config['maximumDays'])}"


@resource_rule(
    id="gcp-kms-hsm-protection", title="Keys for highly classified data are held in an HSM", severity="medium",
    cloud="gcp", practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-13"]},
    remediation="Set version_template.protection_level = HSM (spec keys.protection: hsm) for keys whose "
    "data-classification label is one of the configured classifications.",
    config={"classifications": {"type": "array", "items": {"type": "string"}, "default": ["restricted"]}},
)
def hsm(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # The classification label is what the blueprint derives from the spec, so the rule follows
    # the data's sensitivity rather than a blanket HSM requirement for every key.
    classification = labels(props).get("data-classification")
    if classification not in config["classifications"]:
        return
    level = (props.get("versionTemplate") or {}).get("protectionLevel", "SOFTWARE")
    if level not in ("HSM", "HSM_SINGLE_TENANT", "EXTERNAL", "EXTERNAL_VPC"):
        yield f"protects {classification} data with a {level} key, not an HSM key"


@resource_rule(
    id="gcp-kms-software-key-advisory", title="Software-protected keys are shown to reviewers", severity="low",
    cloud="gcp", practice="encryption", types=[KEY],
    controls={"nist-800-53": ["SC-12"]},
    remediation="Use keys.protection: hsm (version_template.protection_level = HSM) unless a software key "
    "was chosen on purpose.",
)
def software_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Advisory: spec keys.protection: software is allowed, but key material then lives outside an HSM.
    level = (props.get("versionTemplate") or {}).get("protectionLevel", "SOFTWARE")
    if level == "SOFTWARE":
        yield "key material is SOFTWARE-protected, not held in an HSM (spec keys.protection: software)"


@resource_rule(
    id="gcp-kms-destroy-window", title="Key versions stay recoverable at least N days before destruction",
    severity="medium", cloud="gcp", practice="encryption", types=[KEY],
    controls={"nist-800-53": ["SC-12", "CP-9"]},
    remediation="Set destroy_scheduled_duration to 30 days (or at least the configured minimum).",
    config={"minimumDays": {"type": "integer", "default": 14, "minimum": 1, "maximum": 120}},
)
def destroy_window(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Cloud KMS defaults to 30 days when the duration is not set.
    days = duration_days(props.get("destroyScheduledDuration"))
    days = 30.0 if days is None else days
    if days < config["minimumDays"]:
        yield f"destruction is scheduled {days:g} days ahead; the minimum is {number(config['minimumDays'])}"


@resource_rule(
    id="gcp-kms-prevent-destroy", title="Keys cannot be destroyed by a deployment", severity="medium",
    cloud="gcp", practice="encryption", types=[KEY],
    controls={"nist-800-53": ["SC-12", "CP-9"], "hipaa": ["164.312(c)(1)"]},
    remediation="Set deletion_policy=PREVENT: destroying a key makes everything it encrypted unreadable.",
)
def prevent_destroy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("deletionPolicy") != "PREVENT":
        yield f"deletion policy is {props.get('deletionPolicy', 'DELETE')}: `pulumi destroy` destroys the key"


@resource_rule(
    id="gcp-kms-iam-no-public-members", title="Key IAM grants nothing to allUsers or allAuthenticatedUsers",
    severity="critical", cloud="gcp", practice="access", types=list(KEY_IAM),
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["AC-3", "AC-6"]},
    remediation="Name the service agents that encrypt with the key (KeyRingArgs.users); never public members.",
)
def key_iam_public(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for role, members in grants(props):
        for member in sorted(PUBLIC_MEMBERS & set(members)):
            yield f"grants {role} to {member}"
