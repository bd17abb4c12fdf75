"""Computed attributes of AWS resources (ids, ARNs, names) as pulumi-aws would return them."""

from __future__ import annotations

import re
from typing import Any

from hardstack.render.computed import Target, module_and_kind, short_hash

# Id prefixes EC2 uses, so ids read like the real thing in graphs and reports.
_EC2_PREFIX = {
    "Vpc": "vpc", "Subnet": "subnet", "SecurityGroup": "sg", "RouteTable": "rtb",
    "InternetGateway": "igw", "NatGateway": "nat", "Eip": "eipalloc", "Instance": "i",
    "VpcEndpoint": "vpce", "FlowLog": "fl", "NetworkAcl": "acl", "LaunchTemplate": "lt",
    "DefaultSecurityGroup": "sg", "DefaultNetworkAcl": "acl", "Volume": "vol",
}
_GLOBAL_SERVICES = {"iam", "s3", "cloudfront", "route53"}


def _snake(kind: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower()


def computed(token: str, name: str, inputs: dict[str, Any], target: Target) -> dict[str, Any]:
    module, kind = module_and_kind(token)
    region = "" if module in _GLOBAL_SERVICES else target.region
    acct = target.account
    physical = str(inputs.get("name") or f"{name}-{short_hash(token, name, length=7)}")
    out: dict[str, Any] = {"name": physical}
    rid = physical
    arn = f"arn:aws:{module}:{region}:{acct}:{_snake(kind)}/{physical}"
    if module == "ec2" and kind in _EC2_PREFIX:
        rid = f"{_EC2_PREFIX[kind]}-{short_hash(token, name)}"
        arn = f"arn:aws:ec2:{region}:{acct}:{_snake(kind)}/{rid}"
        if kind == "Vpc":
            out.update(
                defaultSecurityGroupId=f"sg-{short_hash('default-sg', name)}",
                defaultNetworkAclId=f"acl-{short_hash('default-acl', name)}",
                mainRouteTableId=f"rtb-{short_hash('main-rtb', name)}",
            )
        if kind == "Instance":
            out["privateIp"] = "10.0.0.10"
        if kind == "LaunchTemplate":
            out.update(latestVersion=1, defaultVersion=1)
        if kind == "VpcEndpoint" and inputs.get("vpcEndpointType") == "Gateway":
            out["prefixListId"] = f"pl-{short_hash('prefix-list', name, length=8)}"
    elif module == "kms" and kind == "Key":
        h = short_hash(token, name, length=32)
        rid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-9{h[17:20]}-{h[20:32]}"  # UUID-shaped, like KMS
        out["keyId"] = rid
        arn = f"arn:aws:kms:{region}:{acct}:key/{rid}"
    elif module == "kms" and kind == "Alias":
        arn = f"arn:aws:kms:{region}:{acct}:{physical}"
    elif module == "s3":
        bucket = str(inputs.get("bucket") or inputs.get("bucketPrefix") or physical)
        if kind in ("Bucket", "BucketV2"):
            rid = bucket
            out.update(
                bucket=bucket,
                bucketDomainName=f"{bucket}.s3.amazonaws.com",
                bucketRegionalDomainName=f"{bucket}.s3.{target.region}.amazonaws.com",
            )
            arn = f"arn:aws:s3:::{bucket}"
        else:
            rid = bucket
    elif module == "iam":
        plural = {"Role": "role", "Policy": "policy", "InstanceProfile": "instance-profile"}
        arn = f"arn:aws:iam::{acct}:{plural.get(kind, _snake(kind))}/{physical}"
        if kind == "Role":
            out["uniqueId"] = f"AROA{short_hash(name, length=17).upper()}"
    elif module == "cloudwatch" and kind == "LogGroup":
        arn = f"arn:aws:logs:{region}:{acct}:log-group:{physical}"
    elif module == "sns" and kind == "Topic":
        rid = arn = f"arn:aws:sns:{region}:{acct}:{physical}"
    elif module == "cloudtrail":
        arn = f"arn:aws:cloudtrail:{region}:{acct}:trail/{physical}"
    elif module == "guardduty" and kind == "Detector":
        rid = short_hash(token, name, length=32)
        arn = f"arn:aws:guardduty:{region}:{acct}:detector/{rid}"
    elif module == "cloudwatch" and kind == "EventRule":
        arn = f"arn:aws:events:{region}:{acct}:rule/{physical}"
    elif module == "sagemaker":
        # SageMaker names resources by the name given (the domain by a generated d-... id); ARNs use
        # the kebab-case kind (notebook-instance, endpoint-config) and the name in lower case.
        sm_kind = {"EndpointConfiguration": "endpoint-config"}.get(kind, _snake(kind))
        if kind == "Domain":
            rid = f"d-{short_hash(token, name, length=12)}"
            out.update(url=f"https://{rid}.studio.{region}.sagemaker.aws", homeEfsFileSystemId=f"fs-{short_hash(name)}",
                       securityGroupIdForDomainBoundary=f"sg-{short_hash('domain-sg', name)}")
        arn = f"arn:aws:sagemaker:{region}:{acct}:{sm_kind}/{rid.lower()}"
    elif module == "bedrock" and kind == "Guardrail":
        rid = short_hash(token, name, length=12)
        arn = f"arn:aws:bedrock:{region}:{acct}:guardrail/{rid}"
        out.update(guardrailId=rid, guardrailArn=arn, version="DRAFT")
        rid = f"{rid},DRAFT"
    elif module == "bedrock" and kind == "GuardrailVersion":
        out["version"] = "1"
        arn = str(inputs.get("guardrailArn") or arn)
        rid = f"{arn},1"
    elif module == "eks":
        out.update(_eks(kind, physical, inputs, target, name))
        arn, rid = out.pop("arn"), out.pop("id")
    out.update(id=rid, arn=arn)
    return out


def _eks(kind: str, physical: str, inputs: dict[str, Any], target: Target, name: str) -> dict[str, Any]:
    """EKS ids as the provider returns them: a cluster by its name, a node group and an add-on as
    `cluster:name`; the cluster's private endpoint and the security group EKS creates for it."""
    region, acct = target.region, target.account
    if kind == "Cluster":
        h = short_hash("eks", name, length=32).upper()
        vpc = dict(inputs.get("vpcConfig") or {})
        vpc.update(clusterSecurityGroupId=f"sg-{short_hash('eks-cluster-sg', name)}",
                   vpcId=vpc.get("vpcId") or f"vpc-{short_hash('eks-vpc', name)}")
        return {"id": physical, "arn": f"arn:aws:eks:{region}:{acct}:cluster/{physical}",
                "endpoint": f"https://{h}.gr7.{region}.eks.amazonaws.com", "platformVersion": "eks.1",
                "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"}, "status": "ACTIVE",
                "vpcConfig": vpc}
    cluster = str(inputs.get("clusterName") or "cluster")
    if kind == "NodeGroup":
        group = str(inputs.get("nodeGroupName") or physical)
        return {"id": f"{cluster}:{group}", "nodeGroupName": group, "status": "ACTIVE",
                "arn": f"arn:aws:eks:{region}:{acct}:nodegroup/{cluster}/{group}/{short_hash(name, length=8)}"}
    if kind == "Addon":
        addon = str(inputs.get("addonName") or physical)
        return {"id": f"{cluster}:{addon}",
                "arn": f"arn:aws:eks:{region}:{acct}:addon/{cluster}/{addon}/{short_hash(name, length=8)}"}
    return {"id": physical, "arn": f"arn:aws:eks:{region}:{acct}:{_snake(kind)}/{cluster}/{physical}"}
