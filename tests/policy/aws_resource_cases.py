"""A passing and a failing fixture for every AWS resource rule: (type, good props, bad props,
expected message fragment). Props use the engine's camelCase names, as policies see them."""

from __future__ import annotations

import json
from typing import Any

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
TAGS = {"hardstack:environment": "e", "owner": "o", "data-classification": "restricted", "compliance": "gdpr"}


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


GOOD_KEY_POLICY = doc({"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": ROOT},
                       "Action": ["kms:DescribeKey", "kms:EnableKeyRotation"], "Resource": "*"})
EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole",
                 "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})
INSTANCE_OK = {
    "instanceType": "m6a.2xlarge", "cpuOptions": {"amdSevSnp": "enabled"},
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1},
    "associatePublicIpAddress": False,
    "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY_ARN},
    "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True, "kmsKeyId": KEY_ARN}],
}
SSE_OK = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
                     "bucketKeyEnabled": True}]}
TRAIL_OK = {"isMultiRegionTrail": True, "includeGlobalServiceEvents": True, "enableLogFileValidation": True,
            "kmsKeyId": KEY_ARN, "advancedEventSelectors": [{"fieldSelectors": [
                {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}
PAB_OK = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
NOTEBOOK_OK = {"directInternetAccess": "Disabled", "rootAccess": "Disabled", "subnetId": "subnet-1",
               "securityGroups": ["sg-1"], "kmsKeyId": KEY_ARN,
               "instanceMetadataServiceConfiguration": {"minimumInstanceMetadataServiceVersion": "2"}}
MODEL_OK = {"enableNetworkIsolation": True, "vpcConfig": {"subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]}}
GUARDRAIL_OK = {
    "kmsKeyArn": KEY_ARN,
    "contentPolicyConfig": {"filtersConfigs": [
        *({"type": t, "inputStrength": "HIGH", "outputStrength": "HIGH"}
          for t in ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")),
        {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
    "sensitiveInformationPolicyConfig": {"piiEntitiesConfigs": [{"type": "EMAIL", "action": "ANONYMIZE"}]},
}

EKS = "aws:eks/cluster:Cluster"
EKS_OK = {
    "name": "c", "version": "1.33", "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager",
                                                              "scheduler"],
    "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False, "subnetIds": ["subnet-1", "subnet-2"]},
    "encryptionConfig": {"provider": {"keyArn": KEY_ARN}, "resources": ["secrets"]},
    "accessConfig": {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": True},
}
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
NODE_GROUP_OK = {"clusterName": "c", "launchTemplate": {"id": "lt-1", "version": "1"}, "subnetIds": ["subnet-1"]}
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_TEMPLATE_OK = {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
    "encrypted": "true", "kmsKeyId": KEY_ARN, "volumeSize": 100}}]}

CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "aws-kms-key-rotation": ("aws:kms/key:Key", {"enableKeyRotation": True}, {"enableKeyRotation": False},
                             "rotation is off"),
    "aws-kms-rotation-period": ("aws:kms/key:Key", {"rotationPeriodInDays": 90}, {"rotationPeriodInDays": 730},
                                "rotates every 730 days"),
    "aws-kms-policy-no-public-principal": (
        "aws:kms/key:Key", {"policy": GOOD_KEY_POLICY},
        {"policy": doc({"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                        "Resource": "*"})}, "statement Open allows any principal"),
    "aws-kms-policy-no-wildcard-action": (
        "aws:kms/key:Key", {"policy": GOOD_KEY_POLICY},
        {"policy": doc({"Sid": "All", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
                        "Resource": "*"})}, "allows kms:*"),
    "aws-kms-deletion-window": ("aws:kms/key:Key", {"deletionWindowInDays": 30}, {"deletionWindowInDays": 7},
                                "deletion window is 7 days"),
    "aws-s3-sse-customer-key": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", SSE_OK,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}, "encrypts with AES256"),
    "aws-s3-bucket-key": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", SSE_OK,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
                    "bucketKeyEnabled": False}]}, "without a bucket key"),
    "aws-s3-public-access-block": ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", PAB_OK,
                                   {**PAB_OK, "ignorePublicAcls": False}, "not blocked: ignorePublicAcls"),
    "aws-s3-ownership-enforced": (
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls", {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        {"rule": {"objectOwnership": "ObjectWriter"}}, "not BucketOwnerEnforced"),
    "aws-sg-no-ingress-from-anywhere": (
        "aws:ec2/securityGroup:SecurityGroup",
        {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}]},
        {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]},
        "ingress from 0.0.0.0/0 on ports 22-22"),
    "aws-default-sg-no-rules": ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", {"ingress": [], "egress": []},
                                {"ingress": [{"protocol": "-1", "self": True}]}, "still has rules"),
    "aws-subnet-no-public-ip": ("aws:ec2/subnet:Subnet", {"mapPublicIpOnLaunch": False},
                                {"mapPublicIpOnLaunch": True}, "get public IPs"),
    "aws-vpc-endpoint-policy": (
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        {"policy": doc({"Sid": "Named", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": ["kms:Decrypt"],
                        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}})},
        {"vpcEndpointType": "Interface"}, "no endpoint policy"),
    "aws-vpc-endpoint-private-dns": ("aws:ec2/vpcEndpoint:VpcEndpoint",
                                     {"vpcEndpointType": "Interface", "privateDnsEnabled": True},
                                     {"vpcEndpointType": "Interface", "privateDnsEnabled": False},
                                     "private DNS is off"),
    "aws-ec2-confidential-computing": ("aws:ec2/instance:Instance", INSTANCE_OK,
                                       {**INSTANCE_OK, "cpuOptions": {"amdSevSnp": "disabled"}},
                                       "without AMD SEV-SNP"),
    "aws-ec2-imdsv2": ("aws:ec2/instance:Instance", INSTANCE_OK,
                       {**INSTANCE_OK, "metadataOptions": {"httpTokens": "optional"}}, "IMDSv1 is allowed"),
    "aws-ec2-no-public-ip": ("aws:ec2/instance:Instance", INSTANCE_OK,
                             {**INSTANCE_OK, "associatePublicIpAddress": True}, "may receive a public IP"),
    "aws-ec2-volumes-customer-key": ("aws:ec2/instance:Instance", INSTANCE_OK,
                                     {**INSTANCE_OK, "rootBlockDevice": {"encrypted": True}},
                                     "root volume is not encrypted with a customer-managed key"),
    "aws-iam-no-wildcard-actions": (
        "aws:iam/rolePolicy:RolePolicy",
        {"policy": doc({"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"})},
        {"policy": doc({"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"})},
        "statement Admin allows *"),
    "aws-iam-no-admin-policies": (
        "aws:iam/role:Role", {"managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]},
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "attaches arn:aws:iam::aws:policy/Adm"),
    "aws-iam-workload-boundary": (
        "aws:iam/role:Role", {"assumeRolePolicy": EC2_TRUST, "permissionsBoundary": "arn:aws:iam::1:policy/b"},
        {"assumeRolePolicy": EC2_TRUST}, "without a permissions boundary"),
    "aws-iam-trust-this-account": (
        "aws:iam/role:Role", {"assumeRolePolicy": EC2_TRUST},
        {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                  "Action": "sts:AssumeRole"})}, "on behalf of any account"),
    "aws-iam-policy-parses": ("aws:iam/policy:Policy", {"policy": doc({"Effect": "Deny", "Action": "s3:x"})},
                              {"policy": "{not json"}, "not valid JSON"),
    "aws-cloudtrail-multi-region": ("aws:cloudtrail/trail:Trail", TRAIL_OK, {**TRAIL_OK, "isMultiRegionTrail": False},
                                    "records one region only"),
    "aws-cloudtrail-log-validation": ("aws:cloudtrail/trail:Trail", TRAIL_OK,
                                      {**TRAIL_OK, "enableLogFileValidation": False}, "log file validation is off"),
    "aws-cloudtrail-customer-key": ("aws:cloudtrail/trail:Trail", TRAIL_OK,
                                    {k: v for k, v in TRAIL_OK.items() if k != "kmsKeyId"},
                                    "not encrypted with a customer-managed key"),
    "aws-cloudtrail-data-events": ("aws:cloudtrail/trail:Trail", TRAIL_OK, {**TRAIL_OK, "advancedEventSelectors": []},
                                   "S3 object reads and writes are not recorded"),
    "aws-logs-customer-key": ("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY_ARN, "retentionInDays": 400},
                              {"retentionInDays": 400}, "not encrypted with a customer-managed key"),
    "aws-logs-retention": ("aws:cloudwatch/logGroup:LogGroup", {"kmsKeyId": KEY_ARN, "retentionInDays": 400},
                           {"kmsKeyId": KEY_ARN, "retentionInDays": 30}, "keeps logs 30 days; the minimum is 365"),
    "aws-sns-customer-key": ("aws:sns/topic:Topic", {"kmsMasterKeyId": KEY_ARN}, {},
                             "not encrypted with a customer-managed key"),
    "aws-required-tags": ("aws:s3/bucket:Bucket", {"tags": TAGS}, {"tags": {"owner": "o"}},
                          "missing tags: hardstack:environment, data-classification, compliance"),
    "aws-lambda-no-public-invoke": (
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "principal": "events.amazonaws.com",
         "sourceArn": f"arn:aws:events:eu-west-1:{ACCOUNT}:rule/findings"},
        {"action": "lambda:InvokeFunction", "principal": "*"}, "any principal may invoke the function"),
    # The managed AI platform (policy-packs/hardstack_rules/aws/platform.py).
    "aws-sagemaker-notebook-no-internet": (NOTEBOOK, NOTEBOOK_OK, {**NOTEBOOK_OK, "directInternetAccess": "Enabled"},
                                           "direct internet access is enabled"),
    "aws-sagemaker-notebook-no-root": (NOTEBOOK, NOTEBOOK_OK, {**NOTEBOOK_OK, "rootAccess": "Enabled"},
                                       "root access is enabled"),
    "aws-sagemaker-notebook-imdsv2": (NOTEBOOK, NOTEBOOK_OK, {**NOTEBOOK_OK, "instanceMetadataServiceConfiguration": {
        "minimumInstanceMetadataServiceVersion": "1"}}, "IMDSv1 is allowed"),
    "aws-sagemaker-customer-key": ("aws:sagemaker/endpointConfiguration:EndpointConfiguration",
                                   {"kmsKeyArn": KEY_ARN, "productionVariants": [{"variantName": "primary"}]},
                                   {"productionVariants": [{"variantName": "primary"}]},
                                   "not encrypted with a customer-managed key"),
    "aws-sagemaker-domain-vpc-only": ("aws:sagemaker/domain:Domain", {"appNetworkAccessType": "VpcOnly"},
                                      {"appNetworkAccessType": "PublicInternetOnly"},
                                      "app network access is PublicInternetOnly"),
    "aws-sagemaker-model-isolated": ("aws:sagemaker/model:Model", MODEL_OK,
                                     {**MODEL_OK, "enableNetworkIsolation": False}, "network isolation is off"),
    "aws-bedrock-guardrail-filters": (
        "aws:bedrock/guardrail:Guardrail", GUARDRAIL_OK,
        {**GUARDRAIL_OK, "contentPolicyConfig": {"filtersConfigs": [
            {**f, "outputStrength": "MEDIUM"} if f["type"] == "INSULTS" else f
            for f in GUARDRAIL_OK["contentPolicyConfig"]["filtersConfigs"]]}},
        "content filters below HIGH: INSULTS"),
    # EKS (policy-packs/hardstack_rules/aws/kubernetes.py).
    "aws-eks-private-endpoint": (EKS, EKS_OK, {**EKS_OK, "vpcConfig": {"endpointPrivateAccess": True,
                                                                      "endpointPublicAccess": True}},
                                 "the Kubernetes API is reachable from the internet"),
    "aws-eks-secrets-encryption": (EKS, EKS_OK, {**EKS_OK, "encryptionConfig": {"resources": ["secrets"]}},
                                   "secrets are not encrypted with a customer-managed KMS key"),
    "aws-eks-control-plane-logs": (EKS, EKS_OK, {**EKS_OK, "enabledClusterLogTypes": ["api", "audit"]},
                                   "control-plane log types not recorded: authenticator, controllerManager, scheduler"),
    "aws-eks-access-entries": (EKS, EKS_OK, {**EKS_OK, "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"}},
                               "authentication mode API_AND_CONFIG_MAP"),
    "aws-eks-nodes-launch-template": (NODE_GROUP, NODE_GROUP_OK, {"clusterName": "c", "subnetIds": ["subnet-1"]},
                                      "no launch template"),
    "aws-eks-nodes-no-remote-access": (NODE_GROUP, NODE_GROUP_OK, {**NODE_GROUP_OK, "remoteAccess": {
        "ec2SshKey": "ops"}}, "SSH remote access is configured"),
    "aws-eks-node-volumes-customer-key": (LAUNCH_TEMPLATE, LAUNCH_TEMPLATE_OK, {"blockDeviceMappings": [{
        "deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeSize": 100}}]},
        "/dev/xvda is not encrypted with a customer-managed key"),
}
