"""Every AWS rule holds on its passing fixture and fires, with its message, on its failing one."""

from __future__ import annotations

import pytest
from aws_resource_cases import CASES as RESOURCE_CASES
from aws_stack_cases import CASES as STACK_CASES

from hardstack.policy.harness import check_resource, check_stack
from hardstack_rules import REGISTRY, rules


def test_every_rule_has_fixtures() -> None:
    covered = set(RESOURCE_CASES) | set(STACK_CASES)
    ids = {r.id for r in rules(cloud="aws")}
    assert ids - covered == set(), "rules without a passing and a failing fixture"
    assert covered - ids == set(), "fixtures for rules that do not exist"


def test_at_least_thirty_aws_rules() -> None:
    assert len([r for r in rules(cloud="aws") if r.cloud == "aws"]) >= 30


@pytest.mark.parametrize("rule_id", sorted(RESOURCE_CASES))
def test_resource_rule_holds_on_good_fixture(rule_id: str) -> None:
    token, good, _bad, _message = RESOURCE_CASES[rule_id]
    assert check_resource(REGISTRY[rule_id], token, good) == []


@pytest.mark.parametrize("rule_id", sorted(RESOURCE_CASES))
def test_resource_rule_fires_on_bad_fixture(rule_id: str) -> None:
    token, _good, bad, message = RESOURCE_CASES[rule_id]
    found = check_resource(REGISTRY[rule_id], token, bad)
    assert any(message in m for m in found), found


@pytest.mark.parametrize("rule_id", sorted(STACK_CASES))
def test_stack_rule_holds_on_good_stack(rule_id: str) -> None:
    good, _bad, _message, _resource = STACK_CASES[rule_id]
    assert check_stack(REGISTRY[rule_id], good()) == []


@pytest.mark.parametrize("rule_id", sorted(STACK_CASES))
def test_stack_rule_fires_on_bad_stack(rule_id: str) -> None:
    _good, bad, message, resource = STACK_CASES[rule_id]
    found = check_stack(REGISTRY[rule_id], bad())
    assert any(message in m and name == resource for m, name in found), found


def test_rules_ignore_other_resource_types() -> None:
    assert check_resource(REGISTRY["aws-kms-key-rotation"], "aws:s3/bucket:Bucket", {}) == []


def test_config_changes_the_threshold() -> None:
    rule = REGISTRY["aws-logs-retention"]
    props = {"kmsKeyId": "k", "retentionInDays": 400}
    assert check_resource(rule, "aws:cloudwatch/logGroup:LogGroup", props) == []
    assert check_resource(rule, "aws:cloudwatch/logGroup:LogGroup", props, {"minimumDays": 2190}) == [
        "keeps logs 400 days; the minimum is 2190"]


def test_every_rule_is_fully_described() -> None:
    for rule in rules():
        assert rule.title and rule.remediation and rule.severity in ("low", "medium", "high", "critical")
        assert rule.controls and all(rule.controls.values()), rule.id
        policy = rule.policy()
        assert policy.name == rule.id and policy.description == rule.title


def test_aws_stack_rules_ignore_stacks_without_aws_resources() -> None:
    from hardstack.policy.harness import resource

    gcp_only = [resource("gcp:storage/bucket:Bucket", {"name": "b"}),
                resource("pulumi:providers:gcp", {"region": "europe-west4"}, name="gcp")]
    for rule in rules(cloud="aws"):
        if rule.kind == "stack" and rule.cloud == "aws":
            assert check_stack(rule, gcp_only) == [], rule.id
