"""AWS KMS keys: rotation, and key policies that name who may use them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..documents import allows, has_condition, is_wildcard_principal, wildcard_actions
from ..rule import resource_rule
from ..values import number

KEY = "aws:kms/key:Key"


@resource_rule(
    id="aws-kms-key-rotation", title="KMS keys rotate automatically", severity="high", cloud="aws",
    practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12"]},
    remediation="Set enable_key_rotation=True (components.aws.KmsKey always does).",
)
def key_rotation(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableKeyRotation") is not True:
        yield "automatic key rotation is off"


@resource_rule(
    id="aws-kms-rotation-period", title="KMS keys rotate at least every N days", severity="medium",
    cloud="aws", practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["SC-12"]},
    remediation="Set rotation_period_in_days to at most the configured maximum (spec keys.rotation_days).",
    config={"maximumDays": {"type": "integer", "default": 365, "minimum": 90}},
)
def rotation_period(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = props.get("rotationPeriodInDays", 365)
    if days > config["maximumDays"]:
        yield f"rotates every {number(days)} days; the maximum is {number(config['maximumDays'])}"


@resource_rule(
    id="aws-kms-policy-no-public-principal", title="KMS key policies grant no wildcard principal",
    severity="critical", cloud="aws", practice="access", types=[KEY],
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["AC-3", "AC-6"]},
    remediation="Name principals (the account root for administration, roles by aws:PrincipalArn).",
)
def key_policy_principal(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not props.get("policy"):
        yield "no explicit key policy: the default policy lets any IAM policy of the account use the key"
        return
    for st in allows(props["policy"]):
        if is_wildcard_principal(st) and not has_condition(st):
            yield f"statement {st.get('Sid', '?')} allows any principal"


@resource_rule(
    id="aws-kms-policy-no-wildcard-action", title="KMS key policies grant named actions only",
    severity="high", cloud="aws", practice="access", types=[KEY],
    controls={"nist-800-53": ["AC-6"], "hipaa": ["164.308(a)(4)"]},
    remediation="Replace kms:* with the administration or use actions the principal needs.",
)
def key_policy_actions(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for st in allows(props.get("policy")):
        for action in wildcard_actions(st):
            yield f"statement {st.get('Sid', '?')} allows {action}"


@resource_rule(
    id="aws-kms-deletion-window", title="KMS keys keep a deletion window of at least N days",
    severity="medium", cloud="aws", practice="encryption", types=[KEY],
    controls={"nist-800-53": ["SC-12", "CP-9"]},
    remediation="Set deletion_window_in_days to 30 (or at least the configured minimum).",
    config={"minimumDays": {"type": "integer", "default": 14, "minimum": 7, "maximum": 30}},
)
def deletion_window(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    days = props.get("deletionWindowInDays", 30)
    if days < config["minimumDays"]:
        yield f"deletion window is {number(days)} days; the minimum is {number(config['minimumDays'])}"
