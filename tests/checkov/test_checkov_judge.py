"""checkov as an independent judge: the AWS example passes it, and it fails named checks on
named resources when one setting is weakened. All weakened copies share one checkov run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, judge_weakened, setting, weakened_failure
from report_helpers import examples_report

from hardstack.checkov.results import CheckovStackResult
from hardstack.render import Graph
from hardstack.spec import load


@pytest.fixture(scope="module")
def aws_graph(example_graph) -> Graph:
    return example_graph(STACKS / "Pulumi.aws-prod-eu.yaml")


INSTANCE = "aws:ec2/instance:Instance"
FUNCTION = "aws:lambda/function:Function"
# checkov id -> weakening of one setting; the check must fail on the returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_AWS_7": setting("aws:kms/key:Key", "enableKeyRotation", lambda _: False),
    "CKV_AWS_79": setting(INSTANCE, "metadataOptions", lambda m: {**m, "httpTokens": "optional"}),
    "CKV_AWS_8": setting(INSTANCE, "rootBlockDevice", lambda d: {**d, "encrypted": False}),
    "CKV_AWS_126": setting(INSTANCE, "monitoring", lambda _: False),
    "CKV_AWS_36": setting("aws:cloudtrail/trail:Trail", "enableLogFileValidation", lambda _: False),
    "CKV_AWS_67": setting("aws:cloudtrail/trail:Trail", "isMultiRegionTrail", lambda _: False),
    "CKV_AWS_35": setting("aws:cloudtrail/trail:Trail", "kmsKeyId", lambda _: None),
    "CKV_AWS_158": setting("aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", lambda _: None),
    "CKV_AWS_338": setting("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", lambda _: 30),
    "CKV_AWS_26": setting("aws:sns/topic:Topic", "kmsMasterKeyId", lambda _: None),
    "CKV_AWS_130": setting("aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", lambda _: True),
    # On the endpoint group: checkov passes a whole group as soon as one rule is self-referencing
    # (AbsSecurityGroupUnrestrictedIngress.check_self), so the workload groups would hide it.
    "CKV_AWS_24": setting("aws:ec2/securityGroup:SecurityGroup", "ingress", lambda r: [
        *r, {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}], "endpoints"),
    "CKV_AWS_53": setting("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicAcls",
                          lambda _: False, "datasets"),
    # The containment responder (components/aws/containment.py) and who may invoke it.
    "CKV_AWS_50": setting(FUNCTION, "tracingConfig", lambda _: None),
    "CKV_AWS_115": setting(FUNCTION, "reservedConcurrentExecutions", lambda _: None),
    "CKV_AWS_116": setting(FUNCTION, "deadLetterConfig", lambda _: None),
    "CKV_AWS_301": setting("aws:lambda/permission:Permission", "principal", lambda _: "*"),
    "HS_AWS_1": setting(INSTANCE, "cpuOptions", lambda _: {"amdSevSnp": "disabled"}),
    "HS_AWS_2": setting(INSTANCE, "metadataOptions", lambda m: {**m, "httpPutResponseHopLimit": 2}),
    "HS_AWS_3": setting("aws:kms/key:Key", "rotationPeriodInDays", lambda _: 365),
    "HS_AWS_4": setting("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "restrictPublicBuckets",
                        lambda _: False),
    "HS_AWS_5": setting("aws:securityhub/account:Account", "autoEnableControls", lambda _: False),
    "HS_AWS_6": setting("aws:securityhub/standardsSubscription:StandardsSubscription", "standardsArn",
                        lambda _: "arn:aws:securityhub:eu-central-1:123456789012:standards/custom/v/1"),
}


@pytest.fixture(scope="module")
def judged(aws_graph: Graph) -> tuple[dict[str, CheckovStackResult], dict[str, str]]:
    return judge_weakened(aws_graph, WEAKENINGS, "weak", [aws_graph])


def test_example_parsed_whole_by_checkov(judged, aws_graph: Graph) -> None:
    result = judged[0]["aws-prod-eu"]
    assert result.resource_count == exported_count(aws_graph) > 100


def test_example_passes_at_least_forty_distinct_checks(judged) -> None:
    assert len(judged[0]["aws-prod-eu"].distinct_passed) >= 40


def test_example_has_no_unjudged_resources(judged) -> None:
    assert judged[0]["aws-prod-eu"].unjudged == []


def test_example_fails_only_what_its_spec_exempts(judged) -> None:
    spec = load(STACKS / "Pulumi.aws-prod-eu.yaml").environment
    exempted = {e.rule for e in spec.exemptions}
    failed = {f.rule_id for f in judged[0]["aws-prod-eu"].findings}
    assert failed <= exempted, failed - exempted


def test_custom_checks_pass_on_the_example(judged) -> None:
    passed = judged[0]["aws-prod-eu"].distinct_passed
    assert {"HS_AWS_1", "HS_AWS_2", "HS_AWS_3", "HS_AWS_4", "HS_AWS_5", "HS_AWS_6"} <= passed


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed


def test_check_runs_checkov_once_for_all_stacks() -> None:
    report = examples_report()  # run_check(sorted(STACKS.glob("Pulumi.*.yaml"))), made once per session
    assert report.checkov_runs == 1
    aws = next(s for s in report.stacks if s.stack == "aws-prod-eu")
    assert aws.checkov is not None and aws.failed == []
