"""GCP type tokens and IAM reading shared by the GCP rule modules (no rules live here)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_RING = "gcp:kms/keyRing:KeyRing"
BUCKET = "gcp:storage/bucket:Bucket"
INSTANCE = "gcp:compute/instance:Instance"
DISK = "gcp:compute/disk:Disk"
NETWORK = "gcp:compute/network:Network"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
FIREWALL = "gcp:compute/firewall:Firewall"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
METRIC = "gcp:logging/metric:Metric"
TOPIC = "gcp:pubsub/topic:Topic"
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
AUDIT_CONFIGS = ("gcp:projects/iAMAuditConfig:IAMAuditConfig", "gcp:folder/iamAuditConfig:IamAuditConfig",
                 "gcp:organizations/iamAuditConfig:IamAuditConfig")
DEFAULT_SERVICE_ACCOUNTS = "gcp:projects/defaultServiceAccounts:DefaultServiceAccounts"
SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"
DNS_POLICY = "gcp:dns/policy:Policy"
# Security Command Center notification configs (v1 and v2) that publish findings to a topic.
SCC_NOTIFICATION_CONFIGS = (
    "gcp:securitycenter/notificationConfig:NotificationConfig",
    "gcp:securitycenter/projectNotificationConfig:ProjectNotificationConfig",
    "gcp:securitycenter/folderNotificationConfig:FolderNotificationConfig",
    "gcp:securitycenter/v2OrganizationNotificationConfig:V2OrganizationNotificationConfig",
    "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig",
    "gcp:securitycenter/v2FolderNotificationConfig:V2FolderNotificationConfig",
)

# IAM on keys and key rings: who may encrypt, decrypt or administer the keys.
KEY_IAM = (
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:kms/cryptoKeyIAMPolicy:CryptoKeyIAMPolicy", "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember", "gcp:kms/keyRingIAMPolicy:KeyRingIAMPolicy",
)
# Project-level IAM: what a grant here allows applies to every resource of the project.
PROJECT_IAM = ("gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMMember:IAMMember",
               "gcp:projects/iAMPolicy:IAMPolicy")
# Every other IAM resource the rules read, on resources and above the project.
RESOURCE_IAM = (
    *PROJECT_IAM,
    "gcp:organizations/iAMBinding:IAMBinding", "gcp:organizations/iAMMember:IAMMember",
    "gcp:organizations/iAMPolicy:IAMPolicy", "gcp:folder/iAMBinding:IAMBinding", "gcp:folder/iAMMember:IAMMember",
    "gcp:folder/iAMPolicy:IAMPolicy", "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:storage/bucketIAMMember:BucketIAMMember", "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
    "gcp:pubsub/topicIAMBinding:TopicIAMBinding", "gcp:pubsub/topicIAMMember:TopicIAMMember",
    "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy", "gcp:pubsub/subscriptionIAMBinding:SubscriptionIAMBinding",
    "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    "gcp:pubsub/subscriptionIAMPolicy:SubscriptionIAMPolicy", "gcp:serviceaccount/iAMBinding:IAMBinding",
    "gcp:serviceaccount/iAMMember:IAMMember", "gcp:serviceaccount/iAMPolicy:IAMPolicy",
)
# Who may invoke a function: IAM on the function and on its Cloud Run service.
INVOKER_IAM = (
    "gcp:cloudfunctionsv2/functionIamMember:FunctionIamMember",
    "gcp:cloudfunctionsv2/functionIamBinding:FunctionIamBinding",
    "gcp:cloudfunctionsv2/functionIamPolicy:FunctionIamPolicy",
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
    "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
    "gcp:cloudrun/iamMember:IamMember", "gcp:cloudrun/iamBinding:IamBinding", "gcp:cloudrun/iamPolicy:IamPolicy",
)
# Every IAM resource: a primitive role is as wrong on a function's invoker grant as anywhere.
ALL_IAM = (*KEY_IAM, *RESOURCE_IAM, *INVOKER_IAM)

PRIMITIVE_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
DAY_SECONDS = 86_400


def grants(props: Mapping[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """(role, members) of an IAM Binding (`members`), Member (`member`) or Policy (`policyData`,
    a JSON document of bindings) resource."""
    role = props.get("role")
    if isinstance(role, str):
        members = props.get("members")
        if members is None:
            members = [props["member"]] if props.get("member") else []
        yield role, [str(m) for m in members]
    data = props.get("policyData")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = None
    if isinstance(data, Mapping):
        for binding in data.get("bindings") or []:
            if isinstance(binding, Mapping) and isinstance(binding.get("role"), str):
                yield binding["role"], [str(m) for m in binding.get("members") or []]


def duration_days(value: Any) -> float | None:
    """Days in a Google duration ("7776000s") or a plain number of seconds ("2592000")."""
    if value is None:
        return None
    text = str(value).strip().removesuffix("s")
    try:
        return float(text) / DAY_SECONDS
    except ValueError:
        return None


def labels(props: Mapping[str, Any]) -> Mapping[str, Any]:
    found = props.get("labels")
    return found if isinstance(found, Mapping) else {}
