"""Pulumi AWS type tokens -> Terraform resource types, for every type the blueprints emit.

An explicit table, not a guess: a wrong type makes checkov silently skip the resource. A type
missing here is reported as unjudged, never as passed.
"""

from __future__ import annotations

AWS_TYPES: dict[str, str] = {
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "aws_s3_bucket_object_lock_configuration",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "aws_s3_account_public_access_block",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/instance:Instance": "aws_instance",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "aws_ebs_encryption_by_default",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "aws_ebs_default_kms_key",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lambda/functionUrl:FunctionUrl": "aws_lambda_function_url",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:guardduty/detector:Detector": "aws_guardduty_detector",
    "aws:guardduty/detectorFeature:DetectorFeature": "aws_guardduty_detector_feature",
    "aws:securityhub/account:Account": "aws_securityhub_account",
    "aws:securityhub/standardsSubscription:StandardsSubscription": "aws_securityhub_standards_subscription",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration":
        "aws_bedrock_model_invocation_logging_configuration",
    # The managed AI platform (components/aws/ai_platform.py).
    "aws:sagemaker/domain:Domain": "aws_sagemaker_domain",
    "aws:sagemaker/notebookInstance:NotebookInstance": "aws_sagemaker_notebook_instance",
    "aws:sagemaker/model:Model": "aws_sagemaker_model",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "aws_sagemaker_endpoint_configuration",
    "aws:sagemaker/endpoint:Endpoint": "aws_sagemaker_endpoint",
    "aws:bedrock/guardrail:Guardrail": "aws_bedrock_guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion": "aws_bedrock_guardrail_version",
    # The EKS cluster (components/aws/eks.py, eks_node_group.py).
    "aws:eks/cluster:Cluster": "aws_eks_cluster",
    "aws:eks/nodeGroup:NodeGroup": "aws_eks_node_group",
    "aws:eks/addon:Addon": "aws_eks_addon",
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
}

# Pulumi property names that differ from Terraform's beyond camelCase -> snake_case and the
# plural -> singular of list blocks (handled generically).
AWS_RENAMES: dict[str, str] = {
    "startsWiths": "starts_with",
    "endsWiths": "ends_with",
    "notEquals": "not_equals",
    "notStartsWiths": "not_starts_with",
    "notEndsWiths": "not_ends_with",
    # aws_sagemaker_endpoint_configuration keeps the plural block name.
    "productionVariants": "production_variants",
    # aws_launch_template keeps the plural block name.
    "tagSpecifications": "tag_specifications",
}
