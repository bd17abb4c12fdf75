"""AWS rules beyond their fixtures (test_policy_rule_fixtures.py): count, config, scope."""

from __future__ import annotations

from hardstack.policy.harness import check_resource, check_stack
from hardstack_rules import REGISTRY, rules


def test_at_least_thirty_aws_rules() -> None:
    assert len([r for r in rules(cloud="aws") if r.cloud == "aws"]) >= 30


def test_rules_ignore_other_resource_types() -> None:
    assert check_resource(REGISTRY["aws-kms-key-rotation"], "aws:s3/bucket:Bucket", {}) == []


def test_config_changes_the_threshold() -> None:
    rule = REGISTRY["aws-logs-retention"]
    props = {"kmsKeyId": "k", "retentionInDays": 400}
    assert check_resource(rule, "aws:cloudwatch/logGroup:LogGroup", props) == []
    assert check_resource(rule, "aws:cloudwatch/logGroup:LogGroup", props, {"minimumDays": 2190}) == [
        "keeps logs 400 days; the minimum is 2190"]


def test_aws_stack_rules_ignore_stacks_without_aws_resources() -> None:
    from hardstack.policy.harness import resource

    gcp_only = [resource("gcp:storage/bucket:Bucket", {"name": "b"}),
                resource("pulumi:providers:gcp", {"region": "europe-west4"}, name="gcp")]
    for rule in rules(cloud="aws"):
        if rule.kind == "stack" and rule.cloud == "aws":
            assert check_stack(rule, gcp_only) == [], rule.id
