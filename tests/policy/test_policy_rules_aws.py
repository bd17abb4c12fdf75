"""AWS rules beyond their fixtures (test_policy_rule_fixtures.py): count, config, scope."""

from __future__ import annotations

from hardstack.policy.harness import check_resource, check_stack
from hardstack.rules import REGISTRY, rules


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


def test_ebs_default_rule_accepts_hardstacks_shape_and_requires_encryption_by_default() -> None:
    from aws_stack_cases import compute_stack

    rule = REGISTRY["aws-ebs-encryption-by-default"]
    # hardstack: encryption by default, no stack key made the account default.
    assert check_stack(rule, compute_stack()) == []
    assert check_stack(rule, compute_stack(encryption_by_default=False)) == [
        ("EBS encryption by default is not enabled in this account and region", None)]


def test_ebs_default_rule_names_every_missing_auto_scaling_permission() -> None:
    from aws_stack_cases import ASG_SLR, compute_stack

    ((message, where),) = check_stack(REGISTRY["aws-ebs-encryption-by-default"], compute_stack(default_key="ec2-only"))
    assert where == "ebs-key"
    assert ASG_SLR in message
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                   "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:CreateGrant"):
        assert action in message


def test_ebs_default_rule_refuses_a_default_key_it_cannot_see() -> None:
    from aws_stack_cases import compute_stack

    found = check_stack(REGISTRY["aws-ebs-encryption-by-default"], compute_stack(default_key="foreign"))
    assert [(m.split(" makes")[0], where) for m, where in found] == [("ebs-key", "ebs-key")]
    assert "cannot be checked for the Auto Scaling service-linked role" in found[0][0]


def test_ebs_default_rule_accepts_the_slr_named_by_principal_arn_condition() -> None:
    import json

    from aws_stack_cases import ASG_SLR, compute_stack

    from hardstack.rules.aws.compute import asg_slr_gaps

    policy = {"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                   "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": [ASG_SLR]}},
    }, {
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:CreateGrant",
        "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": ASG_SLR},
                                       "Bool": {"kms:GrantIsForAWSResource": "true"}},
    }]}
    assert asg_slr_gaps(json.dumps(policy), "123456789012") == []
    # ...but a kms:ViaService condition would keep the role's own calls out.
    policy["Statement"][0]["Condition"]["StringEquals"] = {"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}
    assert "kms:Encrypt" in asg_slr_gaps(json.dumps(policy), "123456789012")
    assert compute_stack(default_key="asg")  # fixture builds


def test_guardduty_rule_runtime_monitoring_must_reach_the_instances() -> None:
    from aws_stack_cases import monitoring_stack

    rule = REGISTRY["aws-guardduty-enabled"]
    # Manual agent with its guardduty-data endpoint (hardstack), or SSM-managed automated agent.
    assert check_stack(rule, monitoring_stack()) == []
    assert check_stack(rule, monitoring_stack(agent="automated", ssm_role=True, agent_endpoint=False)) == []
    # Automated agent without Systems Manager: paid for, covers nothing.
    ((message, where),) = check_stack(rule, monitoring_stack(agent="automated"))
    assert where == "detector" and "through Systems Manager" in message and "covers nothing" in message
    # Manual agent without the guardduty-data endpoint: events have nowhere to go.
    ((message, where),) = check_stack(rule, monitoring_stack(agent_endpoint=False))
    assert where == "detector" and "no guardduty-data VPC endpoint" in message


def _with_alert_topic(stack: list, subscribed: bool) -> list:
    """The responder stack with the alert topic the function reports to (environment, dead-letter)."""
    from aws_stack_cases import Stack

    s = Stack()
    s.resources = stack
    topic = s.add("aws:sns/topic:Topic", "alerts", {"kmsMasterKeyId": "k"})
    if subscribed:
        s.add("aws:sns/topicSubscription:TopicSubscription", "mail", {"protocol": "email"}, {"topic": topic})
    function = next(r for r in stack if r.type == "aws:lambda/function:Function")
    function.propertyDependencies.update(environment=[topic.urn], deadLetterConfig=[topic.urn])
    return stack


def test_findings_rule_invoking_a_responder_reaches_people_through_its_topic() -> None:
    from aws_stack_cases import responder_stack

    rule = REGISTRY["aws-findings-alert-people"]
    assert check_stack(rule, _with_alert_topic(responder_stack(), subscribed=True)) == []
    assert check_stack(rule, _with_alert_topic(responder_stack(), subscribed=False)) == [
        ("findings rule findings reaches no subscribed topic", "findings")]


def test_containment_rule_wants_a_closed_quarantine_group() -> None:
    from aws_stack_cases import responder_stack

    rule = REGISTRY["aws-containment-responder"]
    assert check_stack(rule, responder_stack(quarantine_rules=True)) == [
        ("quarantine group quarantine lets traffic through", "quarantine")]
    without = [r for r in responder_stack() if r.type != "aws:ec2/securityGroup:SecurityGroup"]
    assert any("no quarantine security group" in m for m, _ in check_stack(rule, without))
    no_workloads = [r for r in responder_stack() if r.type != "aws:ec2/instance:Instance"]
    assert check_stack(rule, no_workloads) == []  # nothing to contain


def test_responder_rule_accepts_tag_on_create_and_refuses_everything_on_anything() -> None:
    import json

    from aws_stack_cases import responder_stack

    rule = REGISTRY["aws-responder-least-privilege"]
    stack = responder_stack()
    grants = next(r for r in stack if r.type == "aws:iam/rolePolicy:RolePolicy")
    doc = json.loads(grants.inputs["policy"])
    doc["Statement"].append({"Sid": "TagOnCreate", "Effect": "Allow", "Action": ["ec2:CreateTags"],
                             "Resource": "arn:aws:ec2:eu-west-1::snapshot/*",
                             "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSnapshot"}}})
    grants.inputs["policy"] = json.dumps(doc)
    assert check_stack(rule, stack) == []
    doc["Statement"].append({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})
    grants.inputs["policy"] = json.dumps(doc)
    assert check_stack(rule, stack) == [("statement All lets a function change any resource: *", "responder-grants")]
