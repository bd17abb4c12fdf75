"""An AWS account in moto holding one workload of this environment as the blueprint builds it
(instance tagged with the environment, CMK-encrypted volumes, instance profile and role), one of
another environment, the quarantine group and the alert topic; and GuardDuty's sample finding.

The finding event is AWS's: the EventBridge envelope of
https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_cloudwatch.html (source
https://github.com/awsdocs/amazon-guardduty-user-guide/blob/master/doc_source/guardduty_findings_cloudwatch.md)
around the sample EC2 finding AWS publishes in
https://github.com/aws-samples/amazon-guardduty-automated-response-sample/blob/main/events/guardduty_ec2_event.json.
Tests point its instance id and severity at the moto instance (`finding_about`), nothing else."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from hardstack.components.responders.aws_guardduty import Clients
from hardstack.components.responders.decision import Settings

REGION = "eu-west-1"
ENV = "aws-prod-eu"
SAMPLE = Path(__file__).parent / "fixtures" / "guardduty_ec2_finding_event.json"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture(scope="session")
def sample_event() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def finding_about(sample_event: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    def make(instance_id: str, severity: float = 8.0) -> dict[str, Any]:
        event = copy.deepcopy(sample_event)
        event["detail"]["resource"]["instanceDetails"]["instanceId"] = instance_id
        event["detail"]["severity"] = severity
        return event
    return make


def _workload(ec2: Any, iam: Any, env: str, subnet: str, group: str, key: str) -> SimpleNamespace:
    role = f"{env}-trainer"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=TRUST,
                    Tags=[{"Key": "hardstack:environment", "Value": env}])
    iam.create_instance_profile(InstanceProfileName=role)
    iam.add_role_to_instance_profile(InstanceProfileName=role, RoleName=role)
    tags = [{"Key": "hardstack:environment", "Value": env}, {"Key": "workload", "Value": "trainer"}]
    disk = {"Encrypted": True, "KmsKeyId": key, "VolumeSize": 30, "VolumeType": "gp3"}
    instance = ec2.run_instances(
        ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m6a.large", SubnetId=subnet,
        SecurityGroupIds=[group], IamInstanceProfile={"Name": role},
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": disk},
                             {"DeviceName": "/dev/sdf", "Ebs": {**disk, "VolumeSize": 200}}],
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}, {"ResourceType": "volume", "Tags": tags}],
    )["Instances"][0]
    return SimpleNamespace(id=instance["InstanceId"], role=role, group=group)


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimpleNamespace]:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(var, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # moto's AMI catalogue: seconds per test
    with mock_aws():
        ec2, iam, sns = (boto3.client(s, region_name=REGION) for s in ("ec2", "iam", "sns"))
        kms = boto3.client("kms", region_name=REGION)
        key = kms.create_key(Description="hardstack compute key")["KeyMetadata"]["Arn"]
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]

        def group(name: str) -> str:
            return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]

        quarantine = group("quarantine")
        # The component's group has no rule; moto, like AWS, adds the default egress rule, which
        # the provider removes on create. Revoked here the same way.
        egress = ec2.describe_security_groups(GroupIds=[quarantine])["SecurityGroups"][0]["IpPermissionsEgress"]
        ec2.revoke_security_group_egress(GroupId=quarantine, IpPermissions=egress)
        topic = sns.create_topic(Name="alerts")["TopicArn"]
        ours = _workload(ec2, iam, ENV, subnet, group("trainer"), key)
        theirs = _workload(ec2, iam, "aws-dev-eu", subnet, group("dev-trainer"), key)
        yield SimpleNamespace(ec2=ec2, iam=iam, sns=sns, clients=Clients(ec2, iam, sns), key=key,
                              quarantine=quarantine, topic=topic, ours=ours, theirs=theirs)


@pytest.fixture
def settings() -> Callable[..., Settings]:
    def make(**changes: Any) -> Settings:
        return Settings(**{"environment": ENV, "mode": "isolate", "min_severity": "high", "dry_run": False,
                           **changes})
    return make
