"""AWS stack relations: data stores encrypted with keys this environment owns."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..relations import of_type, referenced
from ..rule import stack_rule
from ..values import plain

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

KEY = "aws:kms/key:Key"
# (resource type, property holding the key) for every data store the blueprints create.
KEYED = (
    ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "rules"),
    ("aws:cloudwatch/logGroup:LogGroup", "kmsKeyId"),
    ("aws:cloudtrail/trail:Trail", "kmsKeyId"),
    ("aws:sns/topic:Topic", "kmsMasterKeyId"),
    ("aws:ec2/instance:Instance", "rootBlockDevice"),
    ("aws:ebs/defaultKmsKey:DefaultKmsKey", "keyArn"),
    # The managed AI platform's stores: notebook volumes, Studio's EFS home, endpoint volumes, guardrails.
    ("aws:sagemaker/notebookInstance:NotebookInstance", "kmsKeyId"),
    ("aws:sagemaker/domain:Domain", "kmsKeyId"),
    ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "kmsKeyArn"),
    ("aws:bedrock/guardrail:Guardrail", "kmsKeyArn"),
    # The EKS cluster's secrets and its nodes' volumes.
    ("aws:eks/cluster:Cluster", "encryptionConfig"),
    ("aws:ec2/launchTemplate:LaunchTemplate", "blockDeviceMappings"),
)


@stack_rule(
    id="aws-data-encrypted-with-own-key", title="Every data store is encrypted with a key of this stack",
    severity="high", cloud="aws", practice="encryption",
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-28"]},
    remediation="Pass the environment's KmsKey ARN (not an alias, an AWS-managed key or a foreign key).",
)
def own_key(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for token, prop in KEYED:
        for res in of_type(resources, token):
            sse = token.endswith("BucketServerSideEncryptionConfiguration")
            if sse and "AES256" in json.dumps(plain(res.props.get(prop))):
                continue  # reported by aws-s3-sse-customer-key; no key to trace
            if not referenced(res, prop, KEY):
                yield f"{res.name}: {prop} does not use a KMS key defined in this stack", res.urn
