"""Customer-managed keys: one per purpose, rotated, bounded deletion, narrow key policies."""

from __future__ import annotations

from aws_helpers import as_list, graph_account, statements

from hardstack.render import Graph
from hardstack.spec import Environment

KEY = "aws:kms/key:Key"


def keys_by_purpose(graph: Graph) -> dict[str, object]:
    return {r.inputs["tags"]["purpose"]: r for r in graph.of_type(KEY)}


def test_one_key_per_purpose(aws_graph: Graph) -> None:
    assert sorted(keys_by_purpose(aws_graph)) == ["compute", "data", "logs"]


def test_rotation_on_with_the_spec_period(aws_graph: Graph, aws_spec: Environment) -> None:
    for key in aws_graph.of_type(KEY):
        assert key.inputs["enableKeyRotation"] is True, key.name
        assert key.inputs["rotationPeriodInDays"] == aws_spec.keys.rotation_days, key.name


def test_rotation_period_follows_the_spec(render_variant) -> None:
    # HIPAA caps rotation at 90 days, so the longer period is tried on a GDPR-only variant.
    graph = render_variant(keys={"rotation_days": 180}, compliance=["gdpr"])
    assert {k.inputs["rotationPeriodInDays"] for k in graph.of_type(KEY)} == {180}


def test_deletion_window_bounded(aws_graph: Graph, aws_spec: Environment) -> None:
    for key in aws_graph.of_type(KEY):
        assert key.inputs["deletionWindowInDays"] == aws_spec.keys.deletion_window_days
        assert 7 <= key.inputs["deletionWindowInDays"] <= 30


def test_no_wildcard_principal_and_no_wildcard_action(aws_graph: Graph) -> None:
    for key in aws_graph.of_type(KEY):
        for st in statements(key):
            principal = st["Principal"]
            assert principal != "*" and principal.get("AWS") != "*", (key.name, st["Sid"])
            for action in as_list(st["Action"]):
                assert "*" not in action, (key.name, action)


def test_account_root_administers_but_cannot_use(aws_graph: Graph) -> None:
    for key in aws_graph.of_type(KEY):
        admin = next(s for s in statements(key) if s["Sid"] == "AccountAdministersNotUses")
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(admin["Action"])


def test_data_key_usable_only_by_the_workload_roles(aws_graph: Graph, aws_spec: Environment) -> None:
    account = graph_account(aws_graph)
    data = keys_by_purpose(aws_graph)["data"]
    users = [s for s in statements(data) if "kms:Decrypt" in as_list(s["Action"])]
    assert len(users) == 1
    expected = sorted(f"arn:aws:iam::{account}:role/{aws_spec.name}-{w.name}" for w in aws_spec.workloads)
    assert users[0]["Condition"]["ArnEquals"]["aws:PrincipalArn"] == expected


def service_statements(aws_graph: Graph, service: str) -> list[dict]:
    logs = keys_by_purpose(aws_graph)["logs"]
    return [s for s in statements(logs) if s["Principal"].get("Service") == service]


def test_logs_key_serves_only_log_services(aws_graph: Graph, aws_spec: Environment) -> None:
    # Replaces a test that required every service statement, EventBridge's included, to carry
    # an account condition: the SNS guide says aws:SourceAccount/aws:SourceArn "is not supported
    # for EventBridge-to-encrypted topics", so that condition silently stopped every alert.
    logs = keys_by_purpose(aws_graph)["logs"]
    services = {s["Principal"]["Service"] for s in statements(logs) if "Service" in s["Principal"]}
    assert services == {
        f"logs.{aws_spec.region}.amazonaws.com", "cloudtrail.amazonaws.com", "events.amazonaws.com",
    }
    (cwl,) = service_statements(aws_graph, f"logs.{aws_spec.region}.amazonaws.com")
    assert cwl["Condition"] == {"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{aws_spec.region}:{aws_spec.account}:log-group:*"}}


def test_eventbridge_may_publish_to_the_encrypted_alert_topic(aws_graph: Graph) -> None:
    # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html ("Enable compatibility
    # between event sources from AWS services and encrypted topics"): the service principal
    # needs GenerateDataKey and Decrypt, without aws:SourceAccount / aws:SourceArn conditions.
    (events,) = service_statements(aws_graph, "events.amazonaws.com")
    assert events == {
        "Sid": "ServiceEventsPublishesToEncryptedTopics", "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
    }


def test_cloudtrail_key_statements_as_documented(aws_graph: Graph, aws_spec: Environment) -> None:
    # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
    trail = [f"arn:aws:cloudtrail:{aws_spec.region}:{aws_spec.account}:trail/{aws_spec.name}-audit"]
    context = {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{aws_spec.account}:trail/*"}
    found = {s["Sid"]: s for s in service_statements(aws_graph, "cloudtrail.amazonaws.com")}
    assert set(found) == {"CloudTrailEncryptsLogs", "CloudTrailDescribesKey", "CloudTrailDecryptsForBucketKey"}
    assert found["CloudTrailEncryptsLogs"]["Action"] == ["kms:GenerateDataKey"]
    assert found["CloudTrailEncryptsLogs"]["Condition"] == {
        "StringLike": context, "StringEquals": {"aws:SourceArn": trail}}
    assert found["CloudTrailDescribesKey"]["Action"] == ["kms:DescribeKey"]
    assert found["CloudTrailDescribesKey"]["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}
    # "If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions are
    # required to create or update a trail with SSE-KMS encryption enabled."
    assert found["CloudTrailDecryptsForBucketKey"]["Action"] == ["kms:Decrypt"]
    assert found["CloudTrailDecryptsForBucketKey"]["Condition"] == {"StringEquals": {"aws:SourceArn": trail}}


def test_only_the_audit_reader_may_decrypt_trail_logs(aws_graph: Graph, aws_spec: Environment) -> None:
    account = aws_spec.account
    reader = f"arn:aws:iam::{account}:role/{aws_spec.name}-audit-reader"
    logs = keys_by_purpose(aws_graph)["logs"]
    decrypters = [s for s in statements(logs) if "kms:Decrypt" in as_list(s["Action"]) and "AWS" in s["Principal"]
                  and s["Sid"] != "NamedPrincipalsUse"]
    # The only other principal of the account the key names is the containment responder, which
    # publishes to the alert topic; its own policy binds its use of the key to that topic
    # (test_aws_containment.py: test_responder_uses_the_logs_key_only_for_the_alert_topic).
    (named,) = [s for s in statements(logs) if s["Sid"] == "NamedPrincipalsUse"]
    assert named["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [
        f"arn:aws:iam::{account}:role/{aws_spec.name}-containment-responder"]}}
    assert decrypters == [{
        "Sid": "NamedReadersDecryptTrailLogs", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": ["kms:Decrypt"], "Resource": "*",
        "Condition": {
            "ArnEquals": {"aws:PrincipalArn": [reader]},
            "StringEquals": {"kms:CallerAccount": account},
            "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"},
        },
    }]
    # ... and that reader exists in the stack (created by the audit component).
    names = {r.inputs.get("name") for r in aws_graph.of_type("aws:iam/role:Role")}
    assert f"{aws_spec.name}-audit-reader" in names


def test_compute_key_used_only_through_ec2(aws_graph: Graph, aws_spec: Environment) -> None:
    compute = keys_by_purpose(aws_graph)["compute"]
    use = [s for s in statements(compute) if "kms:CreateGrant" in as_list(s["Action"])]
    assert len(use) == 1
    condition = use[0]["Condition"]["StringEquals"]
    assert condition["kms:ViaService"] == [f"ec2.{aws_spec.region}.amazonaws.com"]
    assert condition["kms:CallerAccount"] == aws_spec.account


def test_each_key_has_an_alias(aws_graph: Graph) -> None:
    aliases = aws_graph.of_type("aws:kms/alias:Alias")
    assert len(aliases) == 3
    assert all(a.inputs["name"].startswith("alias/") for a in aliases)
