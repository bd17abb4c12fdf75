"""Automated containment in the rendered AWS example: the findings rule, the responder function
and its code, its role, its logs, and the quarantine group (the responder's behaviour is tested
against moto in tests/containment/aws)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_helpers import as_list, key_arn, policy, statements

from hardstack.components.responders import aws_guardduty
from hardstack.render import Graph, Resource
from hardstack.spec import Environment

SIG = "4dabf18193072939515e22adb298388d"  # the engine's key marking assets and archives


def one(graph: Graph, token: str, part: str = "containment") -> Resource:
    (found,) = [r for r in graph.of_type(token) if part in r.name]
    return found


def topic_arn(graph: Graph) -> str:
    """The alert topic's ARN, as the monitoring rule's target names it (graphs keep inputs only)."""
    return next(t.inputs["arn"] for t in graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
                if t.inputs["arn"].startswith("arn:aws:sns:"))


def grants(graph: Graph) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(one(graph, "aws:iam/rolePolicy:RolePolicy"))}


def test_findings_rule_matches_instance_findings_at_the_spec_threshold(aws_graph: Graph) -> None:
    pattern = json.loads(one(aws_graph, "aws:cloudwatch/eventRule:EventRule").inputs["eventPattern"])
    assert pattern == {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                       "detail": {"severity": [{"numeric": [">=", 7]}],
                                  "resource": {"resourceType": ["Instance", "AccessKey"]}}}


def test_rule_invokes_the_function_and_only_this_rule_may(aws_graph: Graph) -> None:
    rule = one(aws_graph, "aws:cloudwatch/eventRule:EventRule")
    function = one(aws_graph, "aws:lambda/function:Function")
    target = one(aws_graph, "aws:cloudwatch/eventTarget:EventTarget")
    assert rule.urn in target.propertyDependencies["rule"] and function.urn in target.propertyDependencies["arn"]
    permission = one(aws_graph, "aws:lambda/permission:Permission")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    assert rule.urn in permission.propertyDependencies["sourceArn"]
    assert function.urn in permission.propertyDependencies["function"]
    assert aws_graph.of_type("aws:lambda/functionUrl:FunctionUrl") == []


def test_function_runs_the_responder_with_the_spec_settings(aws_graph: Graph, aws_spec: Environment) -> None:
    function = one(aws_graph, "aws:lambda/function:Function").inputs
    assert function["handler"] == "responders.aws_guardduty.handler" and function["runtime"] == "python3.12"
    variables = function["environment"]["variables"]
    assert {k: v for k, v in variables.items() if k.startswith("HARDSTACK_") and "GROUP" not in k
            and "TOPIC" not in k} == {
        "HARDSTACK_ENVIRONMENT": aws_spec.name, "HARDSTACK_RESPONSE_MODE": "isolate",  # restricted data
        "HARDSTACK_MIN_SEVERITY": "high", "HARDSTACK_DRY_RUN": "false"}
    group, topic = one(aws_graph, "aws:ec2/securityGroup:SecurityGroup"), aws_graph.of_type("aws:sns/topic:Topic")[0]
    depends = one(aws_graph, "aws:lambda/function:Function").propertyDependencies["environment"]
    assert group.urn in depends and topic.urn in depends
    assert variables[aws_guardduty.QUARANTINE_GROUP].startswith("sg-")
    assert variables[aws_guardduty.ALERT_TOPIC] == topic_arn(aws_graph)


def test_function_code_is_the_responder_package(aws_graph: Graph) -> None:
    code = one(aws_graph, "aws:lambda/function:Function").inputs["code"]
    assert code[SIG] == "0def7320c3a5731c473e5ecbe6d01bc7"  # an archive
    assets = code["assets"]
    assert set(assets) == {"responders/__init__.py", "responders/decision.py", "responders/packaging.py",
                           "responders/aws_guardduty.py"}
    responder = Path(aws_guardduty.__file__).resolve()
    # Exactly the modules tests/containment runs, as text: no path of this checkout in the graph.
    assert assets["responders/aws_guardduty.py"]["text"] == responder.read_text(encoding="utf-8")
    assert assets["responders/decision.py"]["text"] == (responder.parent / "decision.py").read_text(encoding="utf-8")
    assert not any("path" in asset for asset in assets.values())


def test_failed_events_reach_people_and_responses_never_overlap(aws_graph: Graph) -> None:
    function = one(aws_graph, "aws:lambda/function:Function").inputs
    assert function["deadLetterConfig"]["targetArn"] == topic_arn(aws_graph)
    assert function["reservedConcurrentExecutions"] == 1
    assert function["tracingConfig"] == {"mode": "Active"}
    assert "vpcConfig" not in function  # IAM has no endpoint in the environment's region


def test_function_logs_encrypted_and_kept(aws_graph: Graph, aws_spec: Environment) -> None:
    function = one(aws_graph, "aws:lambda/function:Function").inputs
    group = one(aws_graph, "aws:cloudwatch/logGroup:LogGroup")
    assert function["loggingConfig"]["logGroup"] == group.inputs["name"]
    assert group.inputs["kmsKeyId"] == key_arn(aws_graph, "logs")
    assert group.inputs["retentionInDays"] >= aws_spec.logging.retention_days


def test_quarantine_group_lets_nothing_through(aws_graph: Graph) -> None:
    group = one(aws_graph, "aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["ingress"] == [] and group.inputs["egress"] == []
    assert group.inputs["tags"]["purpose"] == "quarantine"
    assert aws_graph.of_type("aws:ec2/vpc:Vpc")[0].urn in group.propertyDependencies["vpcId"]


def test_role_trusts_lambda_of_this_account_only(aws_graph: Graph, aws_spec: Environment) -> None:
    role = one(aws_graph, "aws:iam/role:Role")
    (trust,) = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": aws_spec.account}}
    assert role.inputs["name"] == f"{aws_spec.name}-containment-responder"


def test_responder_changes_only_this_environments_resources(aws_graph: Graph, aws_spec: Environment) -> None:
    found = grants(aws_graph)
    tag = {"StringEquals": {"aws:ResourceTag/hardstack:environment": aws_spec.name}}
    for sid in ("IsolateOwnInstances", "SnapshotOwnVolumes", "TagOwnInstancesAndVolumes"):
        assert found[sid]["Condition"] == tag, sid
    assert found["SnapshotsTaggedAsOurs"]["Condition"] == {
        "StringEquals": {"aws:RequestTag/hardstack:environment": aws_spec.name}}
    group = one(aws_graph, "aws:lambda/function:Function").inputs["environment"]["variables"][
        aws_guardduty.QUARANTINE_GROUP]
    assert found["IntoQuarantineGroupOnly"]["Resource"] == (
        f"arn:aws:ec2:{aws_spec.region}:{aws_spec.account}:security-group/{group}")
    roles = sorted(f"arn:aws:iam::{aws_spec.account}:role/{aws_spec.name}-{w.name}" for w in aws_spec.workloads)
    assert found["RevokeWorkloadSessions"]["Resource"] == roles
    assert "iam:PutRolePolicy" in found["RevokeWorkloadSessions"]["Action"]
    # Nothing that changes anything is granted on "*".
    for st in found.values():
        if st["Resource"] == "*":
            assert all(a.split(":")[1].startswith(("Describe", "Put")) and a.startswith(("ec2:Describe", "xray:"))
                       for a in as_list(st["Action"])), st


def test_responder_uses_the_logs_key_only_for_the_alert_topic(aws_graph: Graph, aws_spec: Environment) -> None:
    found = grants(aws_graph)
    topic = topic_arn(aws_graph)
    assert found["ReportToAlertTopic"]["Resource"] == topic
    assert found["EncryptedAlertTopic"]["Resource"] == key_arn(aws_graph, "logs")
    assert found["EncryptedAlertTopic"]["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:sns:topicArn": topic}}
    # The key policy names the responder, so that IAM's grant above can take effect.
    (logs_key,) = [k for k in aws_graph.of_type("aws:kms/key:Key") if k.inputs["tags"]["purpose"] == "logs"]
    named = next(s for s in policy(logs_key)["Statement"] if s["Sid"] == "NamedPrincipalsUse")
    assert named["Condition"]["ArnEquals"]["aws:PrincipalArn"] == [
        f"arn:aws:iam::{aws_spec.account}:role/{aws_spec.name}-containment-responder"]


def test_snapshots_use_the_compute_key_through_ec2_only(aws_graph: Graph, aws_spec: Environment) -> None:
    found = grants(aws_graph)
    via = {"kms:ViaService": f"ec2.{aws_spec.region}.amazonaws.com"}
    assert found["SnapshotEncryptedVolumes"]["Resource"] == key_arn(aws_graph, "compute")
    assert found["SnapshotEncryptedVolumes"]["Condition"] == {"StringEquals": via}
    assert found["GrantsForSnapshots"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"},
                                                         "StringEquals": via}


def test_threshold_and_dry_run_follow_the_spec(render_variant) -> None:
    graph = render_variant(monitoring={"response": {"min_severity": "critical", "dry_run": True}})
    pattern = json.loads(one(graph, "aws:cloudwatch/eventRule:EventRule").inputs["eventPattern"])
    assert pattern["detail"]["severity"] == [{"numeric": [">=", 9]}]
    variables = one(graph, "aws:lambda/function:Function").inputs["environment"]["variables"]
    assert (variables["HARDSTACK_MIN_SEVERITY"], variables["HARDSTACK_DRY_RUN"]) == ("critical", "true")
