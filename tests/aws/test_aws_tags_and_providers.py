"""Every resource tagged with environment, owner, data classification and compliance, and
created through the explicit provider pinned to the spec's account."""

from __future__ import annotations

import json

from hardstack.render import Graph
from hardstack.spec import Environment

REQUIRED_TAGS = {"hardstack:environment", "owner", "data-classification", "compliance"}
# Types whose AWS API takes no tags: they inherit the tags of the resource they configure.
UNTAGGABLE = {
    "aws:kms/alias:Alias", "aws:iam/rolePolicy:RolePolicy", "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route", "aws:ebs/encryptionByDefault:EncryptionByDefault", "aws:ebs/defaultKmsKey:DefaultKmsKey",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "aws:guardduty/detectorFeature:DetectorFeature",
    "aws:securityhub/account:Account", "aws:securityhub/standardsSubscription:StandardsSubscription",
    "aws:sns/topicPolicy:TopicPolicy", "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/eventTarget:EventTarget", "aws:lambda/permission:Permission",
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
}
S3_SUBRESOURCE = "aws:s3/bucket"  # bucket sub-resources (policy, versioning, ...) take no tags


def test_every_taggable_resource_carries_the_required_tags(aws_graph: Graph, aws_spec: Environment) -> None:
    checked = 0
    for res in aws_graph:
        if not res.custom or res.type.startswith("pulumi:") or res.type in UNTAGGABLE:
            continue
        if res.type.startswith(S3_SUBRESOURCE) and res.type != "aws:s3/bucket:Bucket":
            continue
        tags = res.inputs.get("tags")
        assert tags, f"{res.type} {res.name} has no tags"
        assert set(tags) >= REQUIRED_TAGS, (res.name, REQUIRED_TAGS - set(tags))
        assert tags["hardstack:environment"] == aws_spec.name
        assert tags["owner"] == aws_spec.owner
        assert tags["compliance"] == "+".join(aws_spec.compliance)
        checked += 1
    assert checked >= 50


def test_explicit_provider_pinned_to_the_account(aws_graph: Graph, aws_spec: Environment) -> None:
    (provider,) = aws_graph.of_type("pulumi:providers:aws")
    assert provider.inputs["region"] == aws_spec.region
    assert json.loads(provider.inputs["allowedAccountIds"]) == [aws_spec.account]
    for res in aws_graph:
        if res.custom and not res.type.startswith("pulumi:providers:"):
            assert res.provider_urn == provider.urn, res.name


def test_everything_hangs_below_the_environment(aws_graph: Graph) -> None:
    (root,) = aws_graph.of_type("hardstack:aws:Environment")
    urns = {r.urn for r in aws_graph}
    for res in aws_graph:
        assert res.parent in urns | {aws_graph.root}
        if res.urn != root.urn and not res.type.startswith("pulumi:providers:"):
            parent, seen = res.parent, 0
            while parent != root.urn:
                parent = aws_graph.by_urn(parent).parent
                seen += 1
                assert seen < 20, res.name


def test_resource_count_of_the_example(aws_graph: Graph) -> None:
    # Every practice present: a floor that drops if a component stops being composed.
    custom = [r for r in aws_graph if r.custom]
    assert len(custom) >= 100
