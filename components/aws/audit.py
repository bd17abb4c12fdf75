"""Audit logging: a multi-region CloudTrail with file validation, KMS, S3 and Bedrock data
events, delivered to a locked audit bucket and to an encrypted CloudWatch log group; and
Bedrock model-invocation logging to the same encrypted log storage.

Encrypted log files are only useful if someone can read them: one named audit-reader role
(assumable from this account with MFA) may list and get the audit bucket and decrypt CloudTrail
log files with the logs key; the key policy names it as the only non-service decrypter
(components.aws.kms_key, `cloudtrail_log_readers`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs


@dataclass
class AuditTrailArgs:
    trail_name: str
    bucket_name: str
    account_id: str
    region: str
    logs_key_arn: pulumi.Input[str]
    access_log_bucket: pulumi.Input[str]
    retention_days: int
    data_bucket_arns: Sequence[pulumi.Input[str]] = ()
    # Name of the role allowed to read the trail's log files; the logs key must name its ARN.
    reader_role_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def trail_arn(region: str, account_id: str, trail_name: str) -> str:
    return f"arn:aws:cloudtrail:{region}:{account_id}:trail/{trail_name}"


def reader_trust_policy(account_id: str) -> str:
    """Principals of this account, and only with MFA
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ThisAccountWithMfa", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }]}, sort_keys=True)


def reader_grants(bucket_arn: str, logs_key_arn: pulumi.Input[str], account_id: str) -> list[dict[str, Any]]:
    return [
        {"Sid": "ListAuditBucket", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {"Sid": "ReadAuditLogs", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{bucket_arn}/*"]},
        {"Sid": "DecryptTrailLogs", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [logs_key_arn],
         "Condition": {"StringLike": {
             "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account_id}:trail/*",
         }}},
    ]


def _service_role(name: str, service: str, account_id: str, resources: list[Any],
                  actions: list[str], tags: Mapping[str, str], opts: pulumi.ResourceOptions) -> aws.iam.Role:
    role = aws.iam.Role(
        f"{name}-role",
        assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }]}, sort_keys=True),
        tags=dict(tags), opts=opts,
    )
    aws.iam.RolePolicy(
        f"{name}-write", role=role.id,
        policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": actions, "Resource": resources},
        ]}),
        opts=opts,
    )
    return role


class AuditTrail(pulumi.ComponentResource):
    trail: aws.cloudtrail.Trail
    bucket: SecureBucket
    log_group: EncryptedLogGroup

    def __init__(self, name: str, args: AuditTrailArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:AuditTrail", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        arn = trail_arn(args.region, args.account_id, args.trail_name)
        bucket_arn = f"arn:aws:s3:::{args.bucket_name}"
        delivery = [{
            "Sid": "CloudTrailChecksAcl", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn, "Condition": {"StringEquals": {"aws:SourceArn": arn}},
        }, {
            "Sid": "CloudTrailDelivers", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{args.account_id}/*",
            "Condition": {"StringEquals": {
                "aws:SourceArn": arn, "s3:x-amz-acl": "bucket-owner-full-control",
            }},
        }]
        self.bucket = SecureBucket(f"{name}-audit", SecureBucketArgs(
            bucket_name=args.bucket_name, kind="audit", account_id=args.account_id,
            kms_key_arn=args.logs_key_arn, access_log_bucket=args.access_log_bucket,
            noncurrent_retention_days=args.retention_days, lock_days=args.retention_days,
            extra_policy_statements=delivery, tags=tags,
        ), opts=child)
        self.log_group = EncryptedLogGroup(f"{name}-trail", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.retention_days, tags=tags,
        ), opts=child)
        streams = pulumi.Output.concat(self.log_group.arn, ":*")
        to_logs = _service_role(
            f"{name}-trail-to-logs", "cloudtrail.amazonaws.com", args.account_id, [streams],
            ["logs:CreateLogStream", "logs:PutLogEvents"], tags, child,
        )
        objects = [pulumi.Output.concat(a, "/") for a in args.data_bucket_arns]
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail", name=args.trail_name, s3_bucket_name=self.bucket.name,
            is_multi_region_trail=True, include_global_service_events=True,
            enable_log_file_validation=True, enable_logging=True, kms_key_id=args.logs_key_arn,
            cloud_watch_logs_group_arn=streams, cloud_watch_logs_role_arn=to_logs.arn,
            advanced_event_selectors=[
                {"name": "Management events", "field_selectors": [
                    {"field": "eventCategory", "equals": ["Management"]},
                ]},
                {"name": "S3 object events on environment buckets", "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                    {"field": "resources.ARN", "starts_withs": objects},
                ]},
                {"name": "Bedrock model invocations", "field_selectors": [
                    {"field": "eventCategory", "equals": ["Data"]},
                    {"field": "resources.type", "equals": ["AWS::Bedrock::Model"]},
                ]},
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bucket]),
        )
        self.model_invocations = EncryptedLogGroup(f"{name}-bedrock", EncryptedLogGroupArgs(
            kms_key_arn=args.logs_key_arn, retention_days=args.retention_days, tags=tags,
        ), opts=child)
        bedrock_role = _service_role(
            f"{name}-bedrock-to-logs", "bedrock.amazonaws.com", args.account_id,
            [pulumi.Output.concat(self.model_invocations.arn, ":*")],
            ["logs:CreateLogStream", "logs:PutLogEvents"], tags, child,
        )
        aws.bedrockmodel.InvocationLoggingConfiguration(
            f"{name}-bedrock-logging",
            logging_config={
                "cloudwatch_config": {
                    "log_group_name": self.model_invocations.name, "role_arn": bedrock_role.arn,
                },
                "text_data_delivery_enabled": True, "embedding_data_delivery_enabled": False,
                "image_data_delivery_enabled": False, "video_data_delivery_enabled": False,
            },
            opts=child,
        )
        self.reader: aws.iam.Role | None = None
        if args.reader_role_name is not None:
            self.reader = aws.iam.Role(
                f"{name}-reader", name=args.reader_role_name,
                description="Reads CloudTrail log files: audit bucket and logs key, with MFA",
                assume_role_policy=reader_trust_policy(args.account_id), max_session_duration=3600,
                tags=tags, opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-reader-grants", role=self.reader.id,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": reader_grants(
                    bucket_arn, args.logs_key_arn, args.account_id)}),
                opts=child,
            )
        self.register_outputs({"trail_arn": self.trail.arn, "bucket": self.bucket.name})
