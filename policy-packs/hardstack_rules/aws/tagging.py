"""AWS tagging: every taggable resource says which environment, owner, data classification and
compliance scope it belongs to (inventory, and who to call)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..rule import resource_rule

REQUIRED = ("hardstack:environment", "owner", "data-classification", "compliance")
TAGGED_TYPES = [
    "aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet", "aws:ec2/instance:Instance", "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/flowLog:FlowLog", "aws:iam/role:Role",
    "aws:cloudwatch/logGroup:LogGroup", "aws:sns/topic:Topic", "aws:cloudtrail/trail:Trail",
    "aws:guardduty/detector:Detector", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/launchTemplate:LaunchTemplate",
]


@resource_rule(
    id="aws-required-tags", title="Resources carry environment, owner, classification and compliance tags",
    severity="low", cloud="aws", practice="compliance", types=TAGGED_TYPES,
    controls={"nist-800-53": ["CM-8"], "gdpr": ["30"]},
    remediation="Pass the environment's tags (blueprints.tags.aws_tags) to every resource.",
)
def required_tags(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    missing = [t for t in REQUIRED if not (props.get("tags") or {}).get(t)]
    if missing:
        yield f"missing tags: {', '.join(missing)}"
