"""Confidential workload instances: AMD SEV-SNP, IMDSv2 only, no public IP, CMK-encrypted disks.

AWS offers SEV-SNP on m6a, c6a and r6a, set at launch (`cpu_options.amd_sev_snp`); it offers
no Intel TDX and no confidential GPU. A workload may run without SEV-SNP only when the caller
says so explicitly (`confidential=False`), which the spec allows only with an exemption.

The image: an explicit AMI id (`image="ami-..."`) pins it. Without one, the current Amazon
Linux 2023 AMI is read from AWS's public SSM parameter when the stack is deployed, and
`ignore_changes=["ami"]` keeps running instances when AWS publishes a newer AMI. To roll
instances onto a new image, set `image` to the new AMI id, or run
`pulumi up --replace <instance URN>` to relaunch them on the AMI the parameter names then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from hardstack.components.aws.guardduty_agent import AGENT_VERSION, install_script
from hardstack.spec import catalog

# Amazon Linux 2023 boots UEFI, which SEV-SNP needs
# (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/launch-instance-boot-mode.html).
# Read as an AMI id at deploy time, never passed as "resolve:ssm:...": the AWS provider calls
# DescribeImages on that literal when root_block_device is set and fails
# (https://github.com/hashicorp/terraform-provider-aws/issues/43488).
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


@dataclass
class ConfidentialWorkloadArgs:
    instance_type: str
    count: int
    subnet_ids: Sequence[pulumi.Input[str]]
    vpc_id: pulumi.Input[str]
    vpc_cidr: str
    disk_key_arn: pulumi.Input[str]
    instance_profile: pulumi.Input[str]
    disk_gb: int = 100
    confidential: bool = True
    internet_egress: bool = False
    image: str | None = None  # an AMI id ("ami-...") pins the image; None: current AL2023
    # S3 gateway endpoint's prefix list: security groups filter gateway-endpoint traffic by
    # S3's public prefixes, not the VPC range (vpc/latest/privatelink/gateway-endpoints.html).
    s3_prefix_list_id: pulumi.Input[str] | None = None
    # Region whose GuardDuty agent artifacts to install at first boot; None: no agent.
    guardduty_agent_region: str | None = None
    guardduty_agent_version: str = AGENT_VERSION
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.image is not None and re.fullmatch(r"ami-[0-9a-f]{8,17}", self.image) is None:
            raise ValueError(f"image must be an AMI id such as ami-0123456789abcdef0, got {self.image!r}")
        family = catalog.family_of("aws", self.instance_type)
        if self.confidential and (family is None or family.kind != "sev-snp"):
            raise ValueError(
                f"{self.instance_type} cannot run AMD SEV-SNP; sizes that can: m6a.large-8xlarge, "
                "c6a.large-16xlarge, r6a.large-4xlarge (for example m6a.2xlarge), or pass confidential=False "
                "with an exemption"
            )


class ConfidentialWorkload(pulumi.ComponentResource):
    security_group: aws.ec2.SecurityGroup
    instances: list[aws.ec2.Instance]

    def __init__(self, name: str, args: ConfidentialWorkloadArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:aws:ConfidentialWorkload", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        egress = [{
            "description": "HTTPS to the VPC endpoints", "protocol": "tcp",
            "from_port": 443, "to_port": 443, "cidr_blocks": [args.vpc_cidr],
        }, {
            "description": "Peers of this workload (distributed training)", "protocol": "-1",
            "from_port": 0, "to_port": 0, "self": True,
        }]
        if args.s3_prefix_list_id is not None:
            # Gateway-endpoint traffic goes to S3's public prefixes: without this rule the
            # group would drop every S3 request (datasets, models, packages, agent RPMs).
            # https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
            egress.append({
                "description": "HTTPS to S3 through the gateway endpoint", "protocol": "tcp",
                "from_port": 443, "to_port": 443, "prefix_list_ids": [args.s3_prefix_list_id],
            })
        if args.internet_egress:
            egress.append({
                "description": "HTTPS out through the NAT gateway (spec: egress nat)",
                "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"],
            })
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id,
            description=f"{name}: no inbound but from its own peers; no interactive access",
            ingress=[{
                "description": "Peers of this workload (distributed training)", "protocol": "-1",
                "from_port": 0, "to_port": 0, "self": True,
            }],
            egress=egress, tags=tags, opts=child,
        )
        if args.image is not None:
            ami: pulumi.Input[str] = args.image
            instance_opts = child
        else:
            ami = aws.ssm.get_parameter_output(name=AL2023_PARAMETER, opts=pulumi.InvokeOptions(parent=self)).value
            # A newer AL2023 release must not replace running instances (see module docstring).
            instance_opts = pulumi.ResourceOptions(parent=self, ignore_changes=["ami"])
        user_data = (install_script(args.guardduty_agent_region, args.guardduty_agent_version)
                     if args.guardduty_agent_region else None)
        self.instances = []
        for index in range(args.count):
            subnet = args.subnet_ids[index % len(args.subnet_ids)]
            self.instances.append(aws.ec2.Instance(
                f"{name}-{index}",
                ami=ami,
                instance_type=args.instance_type,
                subnet_id=subnet,
                vpc_security_group_ids=[self.security_group.id],
                iam_instance_profile=args.instance_profile,
                associate_public_ip_address=False,
                cpu_options={"amd_sev_snp": "enabled" if args.confidential else "disabled"},
                metadata_options={
                    "http_endpoint": "enabled", "http_tokens": "required",
                    "http_put_response_hop_limit": 1, "instance_metadata_tags": "disabled",
                },
                root_block_device={
                    "encrypted": True, "kms_key_id": args.disk_key_arn, "volume_type": "gp3",
                    "volume_size": 30, "delete_on_termination": True,
                },
                ebs_block_devices=[{
                    "device_name": "/dev/sdf", "encrypted": True, "kms_key_id": args.disk_key_arn,
                    "volume_type": "gp3", "volume_size": args.disk_gb, "delete_on_termination": True,
                }],
                ebs_optimized=True,
                monitoring=True,
                disable_api_termination=False,
                tags={**tags, "Name": f"{name}-{index}"},
                volume_tags={**tags, "Name": f"{name}-{index}"},
                # First-boot script: a new agent version relaunches the instance to run it.
                user_data=user_data, user_data_replace_on_change=user_data is not None,
                opts=instance_opts,
            ))
        self.register_outputs({"instance_ids": [i.id for i in self.instances]})
