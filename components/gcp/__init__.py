"""GCP components of a hardened AI environment, one concern per module."""

from components.gcp.audit import AuditLogging, AuditLoggingArgs
from components.gcp.bucket import SecureBucket, SecureBucketArgs
from components.gcp.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from components.gcp.guardrails import ProjectGuardrails, ProjectGuardrailsArgs
from components.gcp.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.gcp.keys import KeyRing, KeyRingArgs
from components.gcp.monitoring import SecurityMonitoring, SecurityMonitoringArgs
from components.gcp.network import PrivateNetwork, PrivateNetworkArgs
from components.gcp.services import ServiceAgents, ServiceAgentsArgs

__all__ = [
    "AuditLogging", "AuditLoggingArgs", "ConfidentialWorkload", "ConfidentialWorkloadArgs", "KeyRing",
    "KeyRingArgs", "PrivateNetwork", "PrivateNetworkArgs", "ProjectGuardrails", "ProjectGuardrailsArgs",
    "SecureBucket", "SecureBucketArgs", "SecurityMonitoring", "SecurityMonitoringArgs", "ServiceAgents",
    "ServiceAgentsArgs", "WorkloadIdentity", "WorkloadIdentityArgs",
]
