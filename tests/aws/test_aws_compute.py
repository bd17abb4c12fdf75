"""Confidential compute: SEV-SNP on, IMDSv2 with hop limit 1, no public IP, CMK disks."""

from __future__ import annotations

import datetime as dt

import pytest
from aws_helpers import AWS_STACK, key_arn

from hardstack.render import Graph
from hardstack.spec import Environment, SpecError, loads

INSTANCE = "aws:ec2/instance:Instance"


def test_one_instance_per_requested_count(aws_graph: Graph, aws_spec: Environment) -> None:
    instances = aws_graph.of_type(INSTANCE)
    assert len(instances) == sum(w.count for w in aws_spec.workloads)
    types = sorted(i.inputs["instanceType"] for i in instances)
    assert types == sorted(w.machine_type for w in aws_spec.workloads for _ in range(w.count))


def test_amd_sev_snp_enabled(aws_graph: Graph) -> None:
    for instance in aws_graph.of_type(INSTANCE):
        assert instance.inputs["cpuOptions"]["amdSevSnp"] == "enabled", instance.name


def test_imdsv2_required_with_hop_limit_one(aws_graph: Graph) -> None:
    for instance in aws_graph.of_type(INSTANCE):
        metadata = instance.inputs["metadataOptions"]
        assert metadata["httpTokens"] == "required", instance.name
        assert metadata["httpPutResponseHopLimit"] == 1, instance.name


def test_no_public_ip(aws_graph: Graph) -> None:
    for instance in aws_graph.of_type(INSTANCE):
        assert instance.inputs["associatePublicIpAddress"] is False, instance.name


def test_root_and_data_volumes_encrypted_with_the_compute_key(aws_graph: Graph) -> None:
    compute = key_arn(aws_graph, "compute")
    for instance in aws_graph.of_type(INSTANCE):
        root = instance.inputs["rootBlockDevice"]
        assert root["encrypted"] is True and root["kmsKeyId"] == compute, instance.name
        data = instance.inputs["ebsBlockDevices"]
        assert data and all(d["encrypted"] is True and d["kmsKeyId"] == compute for d in data)


def test_instances_run_with_their_workload_profile(aws_graph: Graph) -> None:
    profiles = {p.inputs["name"] for p in aws_graph.of_type("aws:iam/instanceProfile:InstanceProfile")}
    for instance in aws_graph.of_type(INSTANCE):
        assert instance.inputs["iamInstanceProfile"] in profiles


def test_ebs_encryption_by_default_retained_and_no_stack_key_as_account_default(aws_graph: Graph) -> None:
    # Replaces a test that required ebs.DefaultKmsKey = the compute key: that made a
    # per-environment key the account-wide default, whose policy lacks the Auto Scaling
    # service-linked role (key-policy-requirements-EBS-encryption.html), so every Auto Scaling
    # launch in the account would fail. Encryption by default stays on (aws/ebs key for volumes
    # nobody keyed) and survives `pulumi destroy` of one environment, as does the account-wide
    # public access block.
    (default,) = aws_graph.of_type("aws:ebs/encryptionByDefault:EncryptionByDefault")
    assert default.inputs["enabled"] is True
    assert default.retainOnDelete is True
    assert aws_graph.of_type("aws:ebs/defaultKmsKey:DefaultKmsKey") == []
    (block,) = aws_graph.of_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert block.retainOnDelete is True


def test_gpu_workload_runs_unconfidential_only_with_an_exemption(render_variant, aws_spec: Environment) -> None:
    gpu = {"name": "gpu", "machine_type": "p5.48xlarge", "confidential": "none"}
    with pytest.raises(Exception, match="exemption"):
        render_variant(workloads=[gpu])
    exemption = {
        "rule": "confidential-computing", "resource": "gpu",
        "reason": "AWS offers no confidential GPU; data is synthetic until 2027",
        "approved_by": "security-board@example.com",
        "expires": dt.date.today() + dt.timedelta(days=90),
    }
    graph = render_variant(workloads=[gpu], exemptions=[exemption])
    (instance,) = graph.of_type(INSTANCE)
    assert instance.inputs["cpuOptions"]["amdSevSnp"] == "disabled"


def test_tdx_on_aws_is_rejected_naming_what_aws_offers(aws_spec: Environment) -> None:
    text = AWS_STACK.read_text().replace("confidential: sev-snp", "confidential: tdx", 1)
    with pytest.raises(SpecError) as err:
        loads(text, AWS_STACK)
    assert any("offers no tdx" in i.message and "sev-snp" in i.message for i in err.value.issues)


@pytest.mark.parametrize("size", ["r6a.8xlarge", "m6a.12xlarge", "c6a.24xlarge", "m5.large"])
def test_component_refuses_sizes_aws_does_not_run_sev_snp_on(size: str) -> None:
    from hardstack.components.aws.compute import ConfidentialWorkloadArgs

    with pytest.raises(ValueError, match="cannot run AMD SEV-SNP") as err:
        ConfidentialWorkloadArgs(instance_type=size, count=1, subnet_ids=["s"], vpc_id="v", vpc_cidr="10.0.0.0/16",
                                 disk_key_arn="k", instance_profile="p")
    assert "r6a.large-4xlarge" in str(err.value)
