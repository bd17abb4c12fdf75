"""The AWS example passes every mandatory rule; weakening one setting of one of its resources
makes exactly the named rule fail on that resource."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from weakening import blame, drop, edit_input, findings, first, named, set_input, weaken

from hardstack.render import Graph, Resource
from hardstack.rules import rules
from hardstack.spec import LoadedSpec, load

STACK = Path(__file__).resolve().parents[2] / "stacks" / "Pulumi.aws-prod-eu.yaml"


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(STACK)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)  # render(loaded).graph, shared


def bucket_named(part: str) -> Callable[[Graph], str]:
    return lambda graph: first(graph, "aws:s3/bucket:Bucket", part).name


def policy_edit(token: str, edit: Callable[[dict], None], name_part: str = "") -> Callable[[Graph], str]:
    def change(raw: object) -> str:
        doc = json.loads(str(raw))
        edit(doc)
        return json.dumps(doc)
    return edit_input(token, "policy", change, name_part)


def open_principal(doc: dict) -> None:
    doc["Statement"][0]["Principal"] = "*"


def wildcard_action(doc: dict) -> None:
    doc["Statement"][0]["Action"] = "*"


def drop_condition(doc: dict) -> None:
    doc["Statement"][0].pop("Condition")


def drop_tls_deny(doc: dict) -> None:
    doc["Statement"] = [s for s in doc["Statement"] if s["Sid"] != "DenyInsecureTransport"]


def drop_log_delivery(doc: dict) -> None:
    doc["Statement"] = [s for s in doc["Statement"]
                        if "logging.s3.amazonaws.com" not in json.dumps(s.get("Principal"))]


def add_nat_gateway(graph: Graph) -> str:
    graph.resources.append(Resource(urn="urn:pulumi:x::x::aws:ec2/natGateway:NatGateway::egress", name="egress",
                                    type="aws:ec2/natGateway:NatGateway", parent=graph.root, inputs={}))
    return "egress"


def add_access_key(graph: Graph) -> str:
    graph.resources.append(Resource(urn="urn:pulumi:x::x::aws:iam/accessKey:AccessKey::leaked", name="leaked",
                                    type="aws:iam/accessKey:AccessKey", parent=graph.root, inputs={"user": "ci"}))
    return "leaked"


def foreign_log_key(graph: Graph) -> str:
    group = first(graph, "aws:cloudwatch/logGroup:LogGroup")
    group.inputs["kmsKeyId"] = "arn:aws:kms:eu-central-1:999999999999:key/foreign"
    group.propertyDependencies.pop("kmsKeyId", None)
    return group.name


def unbind_responder(doc: dict) -> None:
    """The responder may modify any instance, not only this environment's."""
    next(st for st in doc["Statement"] if st["Sid"] == "IsolateOwnInstances").pop("Condition")


FUNCTION = "aws:lambda/function:Function"
S3 = "aws:s3/"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "aws-kms-key-rotation": set_input("aws:kms/key:Key", "enableKeyRotation", False),
    "aws-kms-rotation-period": set_input("aws:kms/key:Key", "rotationPeriodInDays", 365),
    "aws-kms-policy-no-public-principal": policy_edit("aws:kms/key:Key", open_principal),
    "aws-kms-policy-no-wildcard-action": policy_edit("aws:kms/key:Key", wildcard_action),
    "aws-kms-deletion-window": set_input("aws:kms/key:Key", "deletionWindowInDays", 7),
    "aws-s3-sse-customer-key": set_input(SSE, "rules", [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "AES256"}}], "datasets"),
    "aws-s3-bucket-key": edit_input(SSE, "rules", lambda r: [{**r[0], "bucketKeyEnabled": False}], "datasets"),
    "aws-s3-public-access-block": set_input(f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock",
                                            "blockPublicPolicy", False, "models"),
    "aws-s3-ownership-enforced": set_input(f"{S3}bucketOwnershipControls:BucketOwnershipControls", "rule",
                                           {"objectOwnership": "ObjectWriter"}, "datasets"),
    "aws-sg-no-ingress-from-anywhere": edit_input("aws:ec2/securityGroup:SecurityGroup", "ingress", lambda r: [
        *r, {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}], "trainer"),
    "aws-default-sg-no-rules": set_input("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "ingress",
                                         [{"protocol": "-1", "fromPort": 0, "toPort": 0, "self": True}]),
    "aws-subnet-no-public-ip": set_input("aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", True),
    "aws-vpc-endpoint-policy": set_input("aws:ec2/vpcEndpoint:VpcEndpoint", "policy", None, "kms"),
    "aws-vpc-endpoint-private-dns": set_input("aws:ec2/vpcEndpoint:VpcEndpoint", "privateDnsEnabled", False, "sts"),
    "aws-ec2-confidential-computing": set_input("aws:ec2/instance:Instance", "cpuOptions", {"amdSevSnp": "disabled"}),
    "aws-ec2-imdsv2": edit_input("aws:ec2/instance:Instance", "metadataOptions",
                                 lambda m: {**m, "httpTokens": "optional"}),
    "aws-ec2-no-public-ip": set_input("aws:ec2/instance:Instance", "associatePublicIpAddress", True),
    "aws-ec2-volumes-customer-key": edit_input("aws:ec2/instance:Instance", "rootBlockDevice",
                                               lambda d: {k: v for k, v in d.items() if k != "kmsKeyId"}),
    "aws-iam-no-wildcard-actions": policy_edit("aws:iam/rolePolicy:RolePolicy", wildcard_action, "trainer"),
    "aws-iam-no-admin-policies": set_input("aws:iam/role:Role", "managedPolicyArns",
                                           ["arn:aws:iam::aws:policy/AdministratorAccess"], "trainer"),
    "aws-iam-workload-boundary": set_input("aws:iam/role:Role", "permissionsBoundary", None, "trainer"),
    "aws-iam-trust-this-account": edit_input("aws:iam/role:Role", "assumeRolePolicy", lambda p: json.dumps(
        {"Statement": [{k: v for k, v in json.loads(p)["Statement"][0].items() if k != "Condition"}]}), "trainer"),
    "aws-iam-policy-parses": set_input("aws:iam/policy:Policy", "policy", "{"),
    "aws-cloudtrail-multi-region": set_input("aws:cloudtrail/trail:Trail", "isMultiRegionTrail", False),
    "aws-cloudtrail-log-validation": set_input("aws:cloudtrail/trail:Trail", "enableLogFileValidation", False),
    "aws-cloudtrail-customer-key": set_input("aws:cloudtrail/trail:Trail", "kmsKeyId", None),
    "aws-cloudtrail-data-events": set_input("aws:cloudtrail/trail:Trail", "advancedEventSelectors", []),
    "aws-logs-customer-key": set_input("aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", None),
    "aws-logs-retention": set_input("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", 30),
    "aws-sns-customer-key": set_input("aws:sns/topic:Topic", "kmsMasterKeyId", None),
    "aws-required-tags": set_input("aws:ec2/vpc:Vpc", "tags", {"Name": "x"}),
    "aws-s3-encryption-configured": drop(SSE, "datasets", bucket_named("datasets")),
    "aws-s3-public-access-block-present": drop(f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock", "models",
                                               bucket_named("models")),
    "aws-s3-versioning": drop(f"{S3}bucketVersioning:BucketVersioning", "datasets", bucket_named("datasets")),
    "aws-s3-tls-only": blame(policy_edit(f"{S3}bucketPolicy:BucketPolicy", drop_tls_deny, "datasets"),
                             bucket_named("datasets")),
    "aws-s3-access-logging": drop(f"{S3}bucketLogging:BucketLogging", "datasets", bucket_named("datasets")),
    "aws-s3-access-log-delivery": blame(policy_edit(f"{S3}bucketPolicy:BucketPolicy", drop_log_delivery,
                                                    "access-logs"), bucket_named("access-logs")),
    "aws-s3-write-once-models-and-audit": set_input("aws:s3/bucket:Bucket", "objectLockEnabled", False, "models"),
    "aws-default-sg-managed": drop("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
                                   blamed=lambda g: first(g, "aws:ec2/vpc:Vpc").name),
    "aws-vpc-flow-logs": drop("aws:ec2/flowLog:FlowLog", blamed=lambda g: first(g, "aws:ec2/subnet:Subnet").name),
    "aws-ebs-encryption-by-default": drop("aws:ebs/encryptionByDefault:EncryptionByDefault"),
    "aws-iam-no-long-lived-keys": add_access_key,
    "internet-egress-advisory": add_nat_gateway,
    "aws-audit-reaches-sink": blame(set_input("aws:s3/bucket:Bucket", "objectLockEnabled", False, "audit-audit"),
                                    lambda g: first(g, "aws:cloudtrail/trail:Trail").name),
    "aws-guardduty-enabled": drop("aws:guardduty/detectorFeature:DetectorFeature", "runtime",
                                  blamed=lambda g: first(g, "aws:guardduty/detector:Detector").name),
    "aws-securityhub-enabled": drop("aws:securityhub/account:Account"),
    "aws-findings-alert-people": drop("aws:sns/topicSubscription:TopicSubscription",
                                      blamed=named("aws:cloudwatch/eventRule:EventRule", "monitoring")),
    "aws-data-encrypted-with-own-key": foreign_log_key,
    "gdpr-data-residency": set_input("pulumi:providers:aws", "region", "us-east-1"),
    "aws-responder-least-privilege": policy_edit("aws:iam/rolePolicy:RolePolicy", unbind_responder, "containment"),
    "aws-lambda-logs-encrypted": blame(set_input("aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", None, "containment"),
                                       named(FUNCTION, "containment")),
    "aws-lambda-no-public-invoke": set_input("aws:lambda/permission:Permission", "principal", "*", "containment"),
    "aws-containment-responder": drop("aws:lambda/permission:Permission", "containment",
                                      blamed=named("aws:cloudwatch/eventRule:EventRule", "containment")),
}


def test_example_passes_every_mandatory_rule(loaded: LoadedSpec, graph: Graph) -> None:
    found = findings(loaded, graph)
    assert [f for f in found if f.status == "failed"] == []
    exempted = [f for f in found if f.status == "exempted"]
    assert [(f.rule_id, f.resource_name) for f in exempted] == [
        ("aws-s3-sse-customer-key", "aws-prod-eu-access-logs-encryption")]
    assert "SSE-S3" in exempted[0].exemption["reason"]


def test_every_aws_rule_has_a_weakening() -> None:
    # The platform's rules are weakened on the platform example (test_policy_platform_aws.py),
    # The EKS rules on the EKS example (test_policy_kubernetes_aws.py).
    from test_policy_kubernetes_aws import WEAKENINGS as KUBERNETES
    from test_policy_platform_aws import WEAKENINGS as PLATFORM

    assert {r.id for r in rules(cloud="aws")} == set(WEAKENINGS) | set(PLATFORM) | set(KUBERNETES)
    assert not set(WEAKENINGS) & (set(PLATFORM) | set(KUBERNETES))


@pytest.mark.parametrize("rule_id", sorted(WEAKENINGS))
def test_weakened_example_fails_the_named_rule(rule_id: str, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, named, failed = weaken(loaded, graph, WEAKENINGS[rule_id], rule_id)
    assert named, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    if blamed:
        assert any(f.resource_name == blamed for f in named), [(f.resource_name, f.message) for f in named]
    assert all(f.message for f in named)


def make_compute_key_the_account_default(graph: Graph) -> str:
    """What the blueprint used to do: ebs.DefaultKmsKey = the environment's compute key."""
    key = next(r for r in graph.of_type("aws:kms/key:Key") if r.inputs["tags"]["purpose"] == "compute")
    graph.resources.append(Resource(
        urn="urn:pulumi:x::x::aws:ebs/defaultKmsKey:DefaultKmsKey::ebs-key", name="ebs-key",
        type="aws:ebs/defaultKmsKey:DefaultKmsKey", parent=graph.root,
        inputs={"keyArn": "arn:aws:kms:eu-west-1:123456789012:key/compute"},
        propertyDependencies={"keyArn": [key.urn]}, dependencies=[key.urn]))
    return "ebs-key"


def agent_management(status: str) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        runtime = next(f for f in graph.of_type("aws:guardduty/detectorFeature:DetectorFeature")
                       if f.inputs["name"] == "RUNTIME_MONITORING")
        runtime.inputs["additionalConfigurations"] = [{"name": "EC2_AGENT_MANAGEMENT", "status": status}]
        return first(graph, "aws:guardduty/detector:Detector").name
    return mutate


def edit_gateway_statement(sid: str, change: Callable[[dict], None]) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        (s3,) = [e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                 if e.inputs["vpcEndpointType"] == "Gateway"]
        doc = json.loads(s3.inputs["policy"])
        change(next(st for st in doc["Statement"] if st["Sid"] == sid))
        s3.inputs["policy"] = json.dumps(doc)
        return s3.name
    return mutate


def unfence_guardduty_data(graph: Graph) -> str:
    endpoint = next(e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
                    if e.inputs["serviceName"].endswith(".guardduty-data"))
    doc = json.loads(endpoint.inputs["policy"])
    doc["Statement"] = [st for st in doc["Statement"] if st["Effect"] == "Allow"]
    endpoint.inputs["policy"] = json.dumps(doc)
    return endpoint.name


DETECTOR = "aws:guardduty/detector:Detector"
MORE_WEAKENINGS: dict[str, tuple[str, Callable[[Graph], str], str]] = {
    "default-ebs-key-without-auto-scaling": (
        "aws-ebs-encryption-by-default", make_compute_key_the_account_default,
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"),
    "automated-agent-without-ssm": ("aws-guardduty-enabled", agent_management("ENABLED"), "through Systems Manager"),
    "manual-agent-without-endpoint": (
        "aws-guardduty-enabled",
        drop("aws:ec2/vpcEndpoint:VpcEndpoint", "guardduty-data", blamed=lambda g: first(g, DETECTOR).name),
        "no guardduty-data VPC endpoint"),
    "guardduty-data-without-account-fence": ("aws-vpc-endpoint-policy", unfence_guardduty_data, "allows any principal"),
    "ecr-layers-writable-by-anyone": (
        "aws-vpc-endpoint-policy",
        edit_gateway_statement("EcrImageLayers", lambda st: st.update(Action=["s3:GetObject", "s3:PutObject"])),
        "statement EcrImageLayers allows any principal"),
    "any-principal-reads-any-bucket": (
        "aws-vpc-endpoint-policy",
        edit_gateway_statement("OsPackageRepositories", lambda st: st.update(Resource="arn:aws:s3:::*/*")),
        "statement OsPackageRepositories allows any principal"),
}


@pytest.mark.parametrize("case", sorted(MORE_WEAKENINGS))
def test_rule_catches_what_the_aws_fixes_guard_against(case: str, loaded: LoadedSpec, graph: Graph) -> None:
    rule_id, weakening, message = MORE_WEAKENINGS[case]
    blamed, named, failed = weaken(loaded, graph, weakening, rule_id)
    assert any(f.resource_name == blamed and message in f.message for f in named), \
        [(f.rule_id, f.resource_name, f.message) for f in failed]
