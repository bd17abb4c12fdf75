"""Workload images and first-boot agent: the AMI is an id read from AWS's public SSM parameter
at deploy time (never a `resolve:ssm:` alias the provider cannot describe), new AMI releases do
not replace running instances, and GuardDuty's runtime agent is installed, signature-checked,
from AWS's regional artifact bucket through the S3 gateway endpoint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hardstack.components.aws.compute import AL2023_PARAMETER, ConfidentialWorkloadArgs
from hardstack.components.aws.guardduty_agent import (
    AGENT_VERSION,
    SIGNING_KEY,
    artifact_urls,
    install_script,
    verify_lines,
)
from hardstack.render import Graph

INSTANCE = "aws:ec2/instance:Instance"
SSM_LOOKUP = "aws:ssm/getParameter:getParameter"
# The eu-west-1 artifact account of installing-gdu-security-agent-ec2-manually.html.
EU_WEST_1 = "s3://694911143906-eu-west-1-guardduty-agent-rpm-artifacts/1.9.2"


def test_ami_is_the_id_the_al2023_parameter_holds(aws_graph: Graph) -> None:
    # terraform-provider-aws#43488: "resolve:ssm:" with root_block_device fails in DescribeImages.
    lookups = [lk for lk in aws_graph.lookups if lk.token == SSM_LOOKUP and lk.args["name"] == AL2023_PARAMETER]
    assert lookups, "the AL2023 AMI is not read from AWS's public SSM parameter"
    values = {lk.result["value"] for lk in lookups}
    assert len(values) == 1
    (ami,) = values
    assert ami.startswith("ami-")
    for instance in aws_graph.of_type(INSTANCE):
        assert instance.inputs["ami"] == ami, instance.name
    assert "resolve:ssm:" not in json.dumps([r.inputs for r in aws_graph])


def test_new_ami_releases_do_not_replace_running_instances(aws_graph: Graph) -> None:
    for instance in aws_graph.of_type(INSTANCE):
        assert instance.ignoreChanges == ["ami"], instance.name


def test_explicit_image_pins_the_ami_and_is_not_ignored() -> None:
    from hardstack.render import Target, render_program

    def program() -> None:
        from hardstack.components.aws.compute import ConfidentialWorkload
        ConfidentialWorkload("w", ConfidentialWorkloadArgs(
            instance_type="m6a.large", count=1, subnet_ids=["subnet-1"], vpc_id="vpc-1",
            vpc_cidr="10.0.0.0/16", disk_key_arn="arn:aws:kms:eu-west-1:123456789012:key/k",
            instance_profile="p", image="ami-0123456789abcdef0",
        ))

    graph = render_program(program, "pinned", Target(cloud="aws", region="eu-west-1", account="123456789012")).graph
    (instance,) = graph.of_type(INSTANCE)
    assert instance.inputs["ami"] == "ami-0123456789abcdef0"
    assert instance.ignoreChanges == []
    assert graph.lookups == []


def test_image_must_be_an_ami_id() -> None:
    with pytest.raises(ValueError, match="AMI id"):
        ConfidentialWorkloadArgs(
            instance_type="m6a.large", count=1, subnet_ids=["s"], vpc_id="v", vpc_cidr="10.0.0.0/16",
            disk_key_arn="k", instance_profile="p",
            image="resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        )


def test_user_data_installs_the_verified_agent_from_the_regional_bucket(aws_graph: Graph) -> None:
    assert AGENT_VERSION == "1.9.2"
    assert artifact_urls("eu-west-1") == {
        "rpm": f"{EU_WEST_1}/x86_64/amazon-guardduty-agent-1.9.2.x86_64.rpm",
        "sig": f"{EU_WEST_1}/x86_64/amazon-guardduty-agent-1.9.2.x86_64.sig",
        "key": f"{EU_WEST_1}/publickey.pem",
    }
    for instance in aws_graph.of_type(INSTANCE):
        script = instance.inputs["userData"]
        assert script == install_script("eu-west-1"), instance.name
        lines = script.splitlines()
        assert "set -euo pipefail" in lines
        for url, local in ((f"{EU_WEST_1}/x86_64/amazon-guardduty-agent-1.9.2.x86_64.rpm",
                            "./amazon-guardduty-agent-1.9.2.x86_64.rpm"),
                           (f"{EU_WEST_1}/x86_64/amazon-guardduty-agent-1.9.2.x86_64.sig",
                            "./amazon-guardduty-agent-1.9.2.x86_64.sig"),
                           (f"{EU_WEST_1}/publickey.pem", "./publickey.pem")):
            assert f"aws s3 cp --region eu-west-1 {url} {local}" in lines
        verify = lines.index('status=$(gpg --status-fd 1 --verify amazon-guardduty-agent-1.9.2.x86_64.sig '
                             'amazon-guardduty-agent-1.9.2.x86_64.rpm 2>/dev/null) || status=""')
        assert lines.index("gpg --import publickey.pem") < verify
        assert lines[verify - 1] == f'pinned="{SIGNING_KEY}"'  # AWS's key, pinned from the documentation
        assert "${pinned// /}" in lines[verify + 1]
        assert lines[verify + 3] == "  exit 1"  # a bad signature aborts before rpm runs
        install = lines.index("rpm -ivh amazon-guardduty-agent-1.9.2.x86_64.rpm")
        assert verify < install < lines.index("systemctl enable --now amazon-guardduty-agent")
        assert instance.inputs["userDataReplaceOnChange"] is True


def test_agent_version_is_overridable() -> None:
    urls = artifact_urls("us-east-2", "1.10.0")
    assert urls["rpm"] == ("s3://307168627858-us-east-2-guardduty-agent-rpm-artifacts/1.10.0/x86_64/"
                           "amazon-guardduty-agent-1.10.0.x86_64.rpm")


def test_unknown_agent_region_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="eu-west-1, us-east-1, us-east-2, us-west-2"):
        install_script("ap-south-2")


def test_no_agent_without_threat_detection(render_variant) -> None:
    graph = render_variant(monitoring={"threat_detection": False})
    assert all(not i.inputs.get("userData") for i in graph.of_type(INSTANCE))
    services = {e.inputs["serviceName"] for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert not any(s.endswith(".guardduty-data") for s in services)


def test_workloads_reach_s3_through_the_gateway_prefix_list(aws_graph: Graph) -> None:
    # Gateway-endpoint traffic goes to S3's public prefixes; a group that allows 443 only to the
    # VPC range drops it (vpc/latest/privatelink/gateway-endpoints.html, "Security").
    (s3,) = [e for e in aws_graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
             if e.inputs["vpcEndpointType"] == "Gateway"]
    instances = aws_graph.of_type(INSTANCE)
    groups = {u for i in instances for u in i.propertyDependencies["vpcSecurityGroupIds"]}
    assert groups
    for urn in groups:
        group = aws_graph.by_urn(urn)
        assert group is not None
        rules = [r for r in group.inputs["egress"] if "prefixListIds" in r]
        assert len(rules) == 1 and (rules[0]["protocol"], rules[0]["fromPort"], rules[0]["toPort"]) == ("tcp", 443, 443)
        assert s3.urn in group.propertyDependencies["egress"]


def test_endpoints_refuse_an_agent_region_without_artifacts() -> None:
    from hardstack.components.aws.endpoints import PrivateEndpointsArgs

    with pytest.raises(ValueError, match="known regions: eu-west-1, us-east-1, us-east-2, us-west-2"):
        PrivateEndpointsArgs(vpc_id="v", vpc_cidr="10.0.0.0/16", region="eu-central-1", account_id="1",
                             subnet_ids=[], route_table_ids=[], guardduty_agent_region="eu-central-1")


def _gpg(home: Path, *args: str) -> str:
    done = subprocess.run(["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback",
                           "--passphrase", "", *args], capture_output=True, text=True, check=True)
    return done.stdout


def _new_key(home: Path, who: str) -> str:
    _gpg(home, "--quick-gen-key", f"{who} <{who}@example.com>", "ed25519", "sign", "never")
    listing = _gpg(home, "--with-colons", "--fingerprint", who)
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))


def test_the_install_script_accepts_only_a_signature_by_the_pinned_key(tmp_path: Path) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    aws, impostor = _new_key(home, "aws"), _new_key(home, "impostor")
    rpm = tmp_path / "agent.rpm"
    rpm.write_bytes(b"agent")
    for who in ("aws", "impostor"):
        _gpg(home, "--local-user", who, "--output", str(tmp_path / f"{who}.sig"), "--detach-sign", str(rpm))

    def verifies(sig: str, fingerprint: str) -> bool:
        script = "\n".join(["set -euo pipefail", f"export GNUPGHOME={home}", f"cd {tmp_path}",
                            *verify_lines(sig, "agent.rpm", fingerprint)])
        return subprocess.run(["bash", "-c", script], capture_output=True).returncode == 0

    assert verifies("aws.sig", aws)
    assert not verifies("impostor.sig", aws)  # a good signature, but not by the pinned key
    assert not verifies("aws.sig", impostor)
    rpm.write_bytes(b"tampered")
    assert not verifies("aws.sig", aws)
