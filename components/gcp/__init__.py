"""GCP components of a hardened AI environment, one concern per module."""

from hardstack.components.gcp.audit import AuditLogging, AuditLoggingArgs
from hardstack.components.gcp.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.gcp.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.gcp.gke import GkeCluster, GkeClusterArgs
from hardstack.components.gcp.gke_node_pools import ConfidentialNodePool, ConfidentialNodePoolArgs
from hardstack.components.gcp.guardrails import ProjectGuardrails, ProjectGuardrailsArgs
from hardstack.components.gcp.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.gcp.keys import KeyRing, KeyRingArgs
from hardstack.components.gcp.model_access import ModelAccess, ModelAccessArgs
from hardstack.components.gcp.monitoring import SecurityMonitoring, SecurityMonitoringArgs
from hardstack.components.gcp.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.components.gcp.perimeter import ServicePerimeter, ServicePerimeterArgs
from hardstack.components.gcp.services import ServiceAgents, ServiceAgentsArgs
from hardstack.components.gcp.vertex import VertexAI, VertexAIArgs
from hardstack.components.gcp.workbench import Workbench, WorkbenchArgs

__all__ = [
    "AuditLogging", "AuditLoggingArgs", "ConfidentialNodePool", "ConfidentialNodePoolArgs",
    "ConfidentialWorkload", "ConfidentialWorkloadArgs", "GkeCluster", "GkeClusterArgs", "KeyRing",
    "KeyRingArgs", "ModelAccess", "ModelAccessArgs", "PrivateNetwork", "PrivateNetworkArgs",
    "ProjectGuardrails", "ProjectGuardrailsArgs", "SecureBucket", "SecureBucketArgs", "SecurityMonitoring",
    "SecurityMonitoringArgs", "ServiceAgents", "ServiceAgentsArgs", "ServicePerimeter",
    "ServicePerimeterArgs", "VertexAI", "VertexAIArgs", "Workbench", "WorkbenchArgs", "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
