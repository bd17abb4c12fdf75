"""The cloud services an environment uses, named as their providers name them.

A resource's Pulumi type token ("aws:s3/bucket:Bucket", "azure-native:storage:StorageAccount",
"gcp:compute/instance:Instance") names its provider and module; the module is the cloud service
that runs the resource. The bill of materials lists each service once, with its provider.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CloudService:
    key: str  # "aws:s3": the provider package and module of the type token, a stable identifier
    name: str  # "Amazon S3"
    provider: str  # "Amazon Web Services"
    url: str  # the provider's home page


PROVIDERS: dict[str, tuple[str, str]] = {
    "aws": ("Amazon Web Services", "https://aws.amazon.com/"),
    "azure-native": ("Microsoft Azure", "https://azure.microsoft.com/"),
    "gcp": ("Google Cloud", "https://cloud.google.com/"),
}

# Modules of the three provider SDKs the blueprints use (components/), by the service's own name.
# A module missing here still shows up, under its token, rather than vanish from the inventory.
SERVICE_NAMES: dict[str, str] = {
    "aws:bedrockmodel": "Amazon Bedrock",
    "aws:cloudtrail": "AWS CloudTrail",
    "aws:cloudwatch": "Amazon CloudWatch",
    "aws:ebs": "Amazon EBS",
    "aws:ec2": "Amazon EC2",
    "aws:guardduty": "Amazon GuardDuty",
    "aws:iam": "AWS IAM",
    "aws:kms": "AWS KMS",
    "aws:s3": "Amazon S3",
    "aws:securityhub": "AWS Security Hub",
    "aws:sns": "Amazon SNS",
    "azure-native:authorization": "Azure RBAC",
    "azure-native:compute": "Azure Virtual Machines",
    "azure-native:eventgrid": "Azure Event Grid",
    "azure-native:insights": "Azure Monitor",
    "azure-native:keyvault": "Azure Key Vault",
    "azure-native:managedidentity": "Azure Managed Identities",
    "azure-native:monitor": "Azure Monitor",
    "azure-native:network": "Azure Virtual Network",
    "azure-native:operationalinsights": "Azure Monitor Logs",
    "azure-native:resources": "Azure Resource Manager",
    "azure-native:security": "Microsoft Defender for Cloud",
    "azure-native:storage": "Azure Storage",
    "gcp:compute": "Compute Engine",
    "gcp:dns": "Cloud DNS",
    "gcp:kms": "Cloud KMS",
    "gcp:logging": "Cloud Logging",
    "gcp:monitoring": "Cloud Monitoring",
    "gcp:orgpolicy": "Organization Policy Service",
    "gcp:projects": "Resource Manager",
    "gcp:pubsub": "Pub/Sub",
    "gcp:securitycenter": "Security Command Center",
    "gcp:serviceaccount": "Cloud IAM",
    "gcp:storage": "Cloud Storage",
}


def service_key(type_token: str) -> str | None:
    """"aws:s3/bucket:Bucket" -> "aws:s3", "azure-native:storage:StorageAccount" -> "azure-native:storage";
    None for tokens of no cloud provider (pulumi:pulumi:Stack, component resources)."""
    package, _, rest = type_token.partition(":")
    if package not in PROVIDERS or not rest:
        return None
    module = rest.split(":", 1)[0].split("/", 1)[0]
    return f"{package}:{module}" if module else None


def cloud_service(type_token: str) -> CloudService | None:
    key = service_key(type_token)
    if key is None:
        return None
    provider, url = PROVIDERS[key.split(":", 1)[0]]
    return CloudService(key=key, name=SERVICE_NAMES.get(key, key), provider=provider, url=url)
