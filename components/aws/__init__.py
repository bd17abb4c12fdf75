"""AWS components of a hardened AI environment, one concern per module."""

from hardstack.components.aws.account_guardrails import AccountGuardrails, AccountGuardrailsArgs
from hardstack.components.aws.audit import AuditTrail, AuditTrailArgs
from hardstack.components.aws.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.aws.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.aws.endpoints import PrivateEndpoints, PrivateEndpointsArgs
from hardstack.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.aws.kms_key import KmsKey, KmsKeyArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from hardstack.components.aws.network import PrivateNetwork, PrivateNetworkArgs

__all__ = [
    "AccountGuardrails", "AccountGuardrailsArgs", "AuditTrail", "AuditTrailArgs",
    "ConfidentialWorkload", "ConfidentialWorkloadArgs", "EncryptedLogGroup", "EncryptedLogGroupArgs",
    "KmsKey", "KmsKeyArgs", "PrivateEndpoints", "PrivateEndpointsArgs", "PrivateNetwork",
    "PrivateNetworkArgs", "SecureBucket", "SecureBucketArgs", "ThreatMonitoring",
    "ThreatMonitoringArgs", "WorkloadIdentity", "WorkloadIdentityArgs",
]
