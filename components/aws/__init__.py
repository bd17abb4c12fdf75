"""AWS components of a hardened AI environment, one concern per module."""

from components.aws.account_guardrails import AccountGuardrails, AccountGuardrailsArgs
from components.aws.audit import AuditTrail, AuditTrailArgs
from components.aws.bucket import SecureBucket, SecureBucketArgs
from components.aws.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from components.aws.endpoints import PrivateEndpoints, PrivateEndpointsArgs
from components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.aws.kms_key import KmsKey, KmsKeyArgs
from components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from components.aws.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from components.aws.network import PrivateNetwork, PrivateNetworkArgs

__all__ = [
    "AccountGuardrails", "AccountGuardrailsArgs", "AuditTrail", "AuditTrailArgs",
    "ConfidentialWorkload", "ConfidentialWorkloadArgs", "EncryptedLogGroup", "EncryptedLogGroupArgs",
    "KmsKey", "KmsKeyArgs", "PrivateEndpoints", "PrivateEndpointsArgs", "PrivateNetwork",
    "PrivateNetworkArgs", "SecureBucket", "SecureBucketArgs", "ThreatMonitoring",
    "ThreatMonitoringArgs", "WorkloadIdentity", "WorkloadIdentityArgs",
]
