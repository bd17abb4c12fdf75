"""Audit logging (CloudTrail, locked log bucket, encrypted log groups, Bedrock invocation
logs) and monitoring (GuardDuty, Security Hub, alert topic, high-severity finding rule)."""

from __future__ import annotations

import json

from aws_helpers import key_arn, statements

from hardstack.render import Graph, Resource
from hardstack.spec import Environment


def trail(graph: Graph) -> Resource:
    (found,) = graph.of_type("aws:cloudtrail/trail:Trail")
    return found


def test_trail_multi_region_validated_encrypted(aws_graph: Graph) -> None:
    t = trail(aws_graph).inputs
    assert t["isMultiRegionTrail"] is True
    assert t["enableLogFileValidation"] is True
    assert t["includeGlobalServiceEvents"] is True
    assert t["kmsKeyId"] == key_arn(aws_graph, "logs")


def test_trail_records_s3_and_bedrock_data_events(aws_graph: Graph, aws_spec: Environment) -> None:
    selectors = trail(aws_graph).inputs["advancedEventSelectors"]
    fields = [{f["field"]: f for f in s["fieldSelectors"]} for s in selectors]
    types = {t for f in fields if "resources.type" in f for t in f["resources.type"]["equals"]}
    assert {"AWS::S3::Object", "AWS::Bedrock::Model"} <= types
    s3 = next(f for f in fields if f.get("resources.type", {}).get("equals") == ["AWS::S3::Object"])
    prefixes = s3["resources.ARN"]["startsWiths"]
    assert sorted(prefixes) == sorted(
        f"arn:aws:s3:::{aws_spec.name}-{b.name}-{aws_spec.account}/" for b in aws_spec.data.buckets
    )


def test_trail_delivers_to_a_locked_dedicated_bucket(aws_graph: Graph, aws_spec: Environment) -> None:
    name = trail(aws_graph).inputs["s3BucketName"]
    assert name == f"{aws_spec.name}-audit-{aws_spec.account}"
    bucket = next(b for b in aws_graph.of_type("aws:s3/bucket:Bucket") if b.inputs["bucket"] == name)
    assert bucket.inputs["objectLockEnabled"] is True
    siblings = [r for r in aws_graph if r.parent == bucket.parent]
    by_type = {r.type.split(":")[-1]: r for r in siblings}
    assert by_type["BucketObjectLockConfiguration"].inputs["rule"]["defaultRetention"]["days"] == \
        aws_spec.logging.retention_days
    assert by_type["BucketVersioning"].inputs["versioningConfiguration"]["status"] == "Enabled"
    assert all(by_type["BucketPublicAccessBlock"].inputs[f] for f in (
        "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    sts = statements(by_type["BucketPolicy"])
    assert any(s["Effect"] == "Deny" and "aws:SecureTransport" in json.dumps(s) for s in sts)
    delivery = [s for s in sts if s["Effect"] == "Allow"]
    assert delivery and all(s["Principal"] == {"Service": "cloudtrail.amazonaws.com"} for s in delivery)
    sse = by_type["BucketServerSideEncryptionConfiguration"].inputs["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn(aws_graph, "logs")


def test_trail_also_to_encrypted_log_group_with_retention(aws_graph: Graph, aws_spec: Environment) -> None:
    t = trail(aws_graph)
    group = next(g for g in aws_graph.of_type("aws:cloudwatch/logGroup:LogGroup")
                 if g.urn in t.propertyDependencies["cloudWatchLogsGroupArn"])
    assert group.inputs["kmsKeyId"] == key_arn(aws_graph, "logs")
    assert group.inputs["retentionInDays"] >= aws_spec.logging.retention_days
    assert t.inputs["cloudWatchLogsRoleArn"].startswith("arn:aws:iam::")


def test_every_log_group_encrypted_and_retained(aws_graph: Graph, aws_spec: Environment) -> None:
    groups = aws_graph.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) >= 3
    for group in groups:
        assert group.inputs["kmsKeyId"] == key_arn(aws_graph, "logs"), group.name
        assert group.inputs["retentionInDays"] >= aws_spec.logging.retention_days, group.name


def test_bedrock_invocations_logged(aws_graph: Graph) -> None:
    (config,) = aws_graph.of_type(
        "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration")
    cw = config.inputs["loggingConfig"]["cloudwatchConfig"]
    assert cw["logGroupName"].startswith("/hardstack/") and cw["roleArn"].startswith("arn:aws:iam::")


def test_guardduty_with_s3_and_runtime_protection(aws_graph: Graph) -> None:
    (detector,) = aws_graph.of_type("aws:guardduty/detector:Detector")
    assert detector.inputs["enable"] is True
    features = {f.inputs["name"]: f for f in aws_graph.of_type("aws:guardduty/detectorFeature:DetectorFeature")}
    assert {"S3_DATA_EVENTS", "RUNTIME_MONITORING"} <= set(features)
    assert all(f.inputs["status"] == "ENABLED" for f in features.values())
    assert all(detector.urn in f.dependencies for f in features.values())


def test_runtime_monitoring_without_the_ssm_managed_agent(aws_graph: Graph) -> None:
    # GuardDuty's automated EC2 agent installs through Systems Manager, which hardstack does not
    # run; the agent is installed manually, "SSM is not required" then
    # (https://docs.aws.amazon.com/guardduty/latest/ug/prereq-runtime-monitoring-ec2-support.html).
    (runtime,) = [f for f in aws_graph.of_type("aws:guardduty/detectorFeature:DetectorFeature")
                  if f.inputs["name"] == "RUNTIME_MONITORING"]
    assert runtime.inputs["status"] == "ENABLED"
    assert runtime.inputs["additionalConfigurations"] == [{"name": "EC2_AGENT_MANAGEMENT", "status": "DISABLED"}]


def test_audit_reader_role_reads_the_trail_with_mfa(aws_graph: Graph, aws_spec: Environment) -> None:
    (reader,) = [r for r in aws_graph.of_type("aws:iam/role:Role")
                 if r.inputs.get("name") == f"{aws_spec.name}-audit-reader"]
    (trust,) = statements(reader, "assumeRolePolicy")
    assert trust["Principal"] == {"AWS": f"arn:aws:iam::{aws_spec.account}:root"}
    assert trust["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    (inline,) = [p for p in aws_graph.of_type("aws:iam/rolePolicy:RolePolicy") if reader.urn in p.dependencies]
    grants = {st["Sid"]: st for st in statements(inline)}
    bucket = f"arn:aws:s3:::{aws_spec.name}-audit-{aws_spec.account}"
    assert (grants["ListAuditBucket"]["Action"], grants["ListAuditBucket"]["Resource"]) == (["s3:ListBucket"], [bucket])
    read = grants["ReadAuditLogs"]
    assert (read["Action"], read["Resource"]) == (["s3:GetObject"], [f"{bucket}/*"])
    decrypt = grants["DecryptTrailLogs"]
    assert decrypt["Action"] == ["kms:Decrypt"] and decrypt["Resource"] == [key_arn(aws_graph, "logs")]
    assert decrypt["Condition"] == {"StringLike": {
        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{aws_spec.account}:trail/*"}}


def test_threat_detection_off_removes_guardduty(render_variant) -> None:
    graph = render_variant(monitoring={"threat_detection": False})
    assert graph.of_type("aws:guardduty/detector:Detector") == []


def test_security_hub_with_foundational_standard(aws_graph: Graph, aws_spec: Environment) -> None:
    assert len(aws_graph.of_type("aws:securityhub/account:Account")) == 1
    (standard,) = aws_graph.of_type("aws:securityhub/standardsSubscription:StandardsSubscription")
    assert standard.inputs["standardsArn"] == (
        f"arn:aws:securityhub:{aws_spec.region}::standards/aws-foundational-security-best-practices/v/1.0.0")


def test_alerts_encrypted_topic_mailed_to_the_spec_address(aws_graph: Graph, aws_spec: Environment) -> None:
    (topic,) = aws_graph.of_type("aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == key_arn(aws_graph, "logs")
    (sub,) = aws_graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sub.inputs["protocol"] == "email" and sub.inputs["endpoint"] == aws_spec.monitoring.alert_email


def test_high_severity_findings_forwarded(aws_graph: Graph) -> None:
    # The alerting rule; the containment responder's own rule is tested in test_aws_containment.py.
    (rule,) = [r for r in aws_graph.of_type("aws:cloudwatch/eventRule:EventRule") if "$or" in r.inputs["eventPattern"]]
    pattern = json.loads(rule.inputs["eventPattern"])
    guardduty = next(p for p in pattern["$or"] if p["source"] == ["aws.guardduty"])
    assert guardduty["detail"]["severity"] == [{"numeric": [">=", 7]}]
    (target,) = [t for t in aws_graph.of_type("aws:cloudwatch/eventTarget:EventTarget")
                 if rule.urn in t.propertyDependencies["rule"]]
    (topic,) = aws_graph.of_type("aws:sns/topic:Topic")
    assert topic.urn in target.propertyDependencies["arn"]
    assert rule.urn in target.propertyDependencies["rule"]
