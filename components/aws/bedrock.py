"""Bedrock for one environment: a guardrail every invocation must name (content filters at high
strength, prompt-attack filter, sensitive-information filters), encrypted with a customer key.
Model invocation logging (to an encrypted, retained log group) is the audit component's
(components.aws.audit), as it is for every environment.

Which models may be invoked is decided by the roles' grants (`bedrock_statements` of a
`BedrockAccess`, for the SageMaker roles and the workloads' inference roles) and by the
bedrock-runtime VPC endpoint's policy (components.aws.endpoints), both from `model_arns` here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

# The content filter categories and the prompt-attack filter
# (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailContentFilterConfig.html).
# Prompt attacks are judged on prompts, not on answers: its output strength is NONE, as AWS's own
# guardrail examples set it. It judges only the user input an application tags as such (guardContent),
# which the applications must do (see the README's deployment notes).
CONTENT_FILTERS = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")
# Personal data the guardrail blocks in prompts and masks in answers (GuardrailPiiEntityConfig types,
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GuardrailPiiEntityConfig.html).
PII_BLOCK = ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "CREDIT_DEBIT_CARD_NUMBER", "CREDIT_DEBIT_CARD_CVV",
             "PASSWORD", "PIN", "US_SOCIAL_SECURITY_NUMBER", "UK_NATIONAL_INSURANCE_NUMBER",
             "INTERNATIONAL_BANK_ACCOUNT_NUMBER")
PII_ANONYMIZE = ("EMAIL", "PHONE", "NAME", "ADDRESS", "IP_ADDRESS")
# Model inference APIs the guardrail condition applies to
# (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-id.html).
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
GUARDRAIL_KEY = "bedrock:GuardrailIdentifier"


@dataclass
class BedrockAccess:
    """Which foundation models a role may invoke, and the guardrail every invocation must name.

    `model_arns` are foundation-model and inference-profile ARN patterns of the allowed families;
    `guardrail_arn` is the guardrail's ARN and `guardrail_version` the published version the
    condition pins (`<arn>:<version>`, as guardrails-permissions-id.html writes it)."""

    model_arns: Sequence[str]
    guardrail_arn: pulumi.Input[str]
    guardrail_version: pulumi.Input[str]
    guardrail_key_arn: pulumi.Input[str]


def bedrock_statements(access: BedrockAccess) -> list[dict[str, Any]]:
    """Invoke the allowed families only, and only naming the environment's guardrail at its pinned
    version; the guardrail itself (ApplyGuardrail) and its key (Decrypt), which a caller of an
    encrypted guardrail needs (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html)."""
    pinned = pulumi.Output.concat(access.guardrail_arn, ":", access.guardrail_version)
    return [
        {"Sid": "InvokeAllowedModelsThroughGuardrail", "Effect": "Allow", "Action": INVOKE,
         "Resource": sorted(access.model_arns), "Condition": {"StringEquals": {GUARDRAIL_KEY: pinned}}},
        # The documented explicit deny: no invocation with another guardrail or none.
        {"Sid": "DenyInvokeWithoutGuardrail", "Effect": "Deny", "Action": INVOKE, "Resource": "*",
         "Condition": {"StringNotEquals": {GUARDRAIL_KEY: pinned}}},
        {"Sid": "ApplyEnvironmentGuardrail", "Effect": "Allow", "Action": ["bedrock:ApplyGuardrail"],
         "Resource": [access.guardrail_arn]},
        {"Sid": "ReadEncryptedGuardrail", "Effect": "Allow", "Action": ["kms:Decrypt"],
         "Resource": [access.guardrail_key_arn]},
    ]


def model_arns(region: str, account_id: str, patterns: Sequence[str], geography: str | None,
               profile_regions: Sequence[str] = ()) -> list[str]:
    """The ARNs a role may invoke for the allowed families: the foundation models in this region and,
    where the region has a geography, that geography's system-defined inference profiles and the
    foundation models in their destination regions, which each invocation through a profile is also
    authorized against (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html)."""
    arns = [f"arn:aws:bedrock:{region}::foundation-model/{p}" for p in patterns]
    if geography is not None:
        arns += [f"arn:aws:bedrock:{region}:{account_id}:inference-profile/{geography}.{p}" for p in patterns]
        arns += [f"arn:aws:bedrock:{r}::foundation-model/{p}" for r in profile_regions if r != region
                 for p in patterns]
    return sorted(set(arns))


@dataclass
class BedrockGuardrailArgs:
    environment: str
    account_id: str
    region: str
    key_arn: pulumi.Input[str]  # the guardrail's key (the data key: its filters describe the data)
    tags: Mapping[str, str] = field(default_factory=dict)


class BedrockGuardrail(pulumi.ComponentResource):
    guardrail: aws.bedrock.Guardrail
    version: aws.bedrock.GuardrailVersion

    def __init__(self, name: str, args: BedrockGuardrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:BedrockGuardrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        filters = [{"type": t, "input_strength": "HIGH", "output_strength": "HIGH"} for t in CONTENT_FILTERS]
        filters.append({"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"})
        self.guardrail = aws.bedrock.Guardrail(
            f"{name}-guardrail", name=f"{args.environment}-guardrail",
            description=f"{args.environment}: every model invocation of this environment names this guardrail",
            blocked_input_messaging="This request was blocked by the environment's guardrail.",
            blocked_outputs_messaging="This answer was blocked by the environment's guardrail.",
            content_policy_config={"filters_configs": filters},
            sensitive_information_policy_config={"pii_entities_configs": [
                *({"type": t, "action": "BLOCK"} for t in PII_BLOCK),
                *({"type": t, "action": "ANONYMIZE"} for t in PII_ANONYMIZE),
            ]},
            kms_key_arn=args.key_arn, tags=tags, opts=child,
        )
        # A published version: roles pin it, so editing the DRAFT changes nothing until a new
        # version is published and the roles follow.
        self.version = aws.bedrock.GuardrailVersion(
            f"{name}-guardrail-version", guardrail_arn=self.guardrail.guardrail_arn,
            description="pinned by the environment's roles", opts=child,
        )
        self.arn = self.guardrail.guardrail_arn
        self.register_outputs({"guardrail_arn": self.guardrail.guardrail_arn, "version": self.version.version})
