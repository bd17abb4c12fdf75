"""Confidential workload instances: AMD SEV-SNP, IMDSv2 only, no public IP, CMK-encrypted disks.

AWS offers SEV-SNP on m6a, c6a and r6a, set at launch (`cpu_options.amd_sev_snp`); it offers
no Intel TDX and no confidential GPU. A workload may run without SEV-SNP only when the caller
says so explicitly (`confidential=False`), which the spec allows only with an exemption.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

SEV_SNP_TYPES = r"(m6a|c6a|r6a)\.(large|[0-9]*xlarge)"
# Amazon Linux 2023 boots UEFI, which SEV-SNP needs; resolved by EC2 at launch from SSM.
DEFAULT_IMAGE = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"


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
    image: str = DEFAULT_IMAGE
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.confidential and re.fullmatch(SEV_SNP_TYPES, self.instance_type) is None:
            raise ValueError(
                f"{self.instance_type} cannot run AMD SEV-SNP; use m6a, c6a or r6a "
                "(for example m6a.2xlarge), or pass confidential=False with an exemption"
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
        self.instances = []
        for index in range(args.count):
            subnet = args.subnet_ids[index % len(args.subnet_ids)]
            self.instances.append(aws.ec2.Instance(
                f"{name}-{index}",
                ami=args.image,
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
                opts=child,
            ))
        self.register_outputs({"instance_ids": [i.id for i in self.instances]})
