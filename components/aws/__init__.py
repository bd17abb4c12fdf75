"""AWS components of a hardened AI environment, one concern per module."""

from hardstack.components.aws.account_guardrails import AccountGuardrails, AccountGuardrailsArgs
from hardstack.components.aws.ai_platform import AiPlatform, AiPlatformArgs, EndpointSpec
from hardstack.components.aws.audit import AuditTrail, AuditTrailArgs
from hardstack.components.aws.bedrock import BedrockGuardrail, BedrockGuardrailArgs
from hardstack.components.aws.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.aws.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.aws.eks import EksCluster, EksClusterArgs
from hardstack.components.aws.eks_node_group import EksNodeGroup, EksNodeGroupArgs
from hardstack.components.aws.endpoints import PrivateEndpoints, PrivateEndpointsArgs
from hardstack.components.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.aws.kms_key import KmsKey, KmsKeyArgs
from hardstack.components.aws.log_group import EncryptedLogGroup, EncryptedLogGroupArgs
from hardstack.components.aws.model_endpoint import ModelEndpoint, ModelEndpointArgs
from hardstack.components.aws.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from hardstack.components.aws.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.components.aws.sagemaker_role import SageMakerRole, SageMakerRoleArgs
from hardstack.components.aws.sagemaker_workspace import SageMakerWorkspace, SageMakerWorkspaceArgs

__all__ = [
    "AccountGuardrails", "AccountGuardrailsArgs", "AiPlatform", "AiPlatformArgs", "AuditTrail",
    "AuditTrailArgs", "BedrockGuardrail", "BedrockGuardrailArgs", "ConfidentialWorkload",
    "ConfidentialWorkloadArgs", "EksCluster", "EksClusterArgs", "EksNodeGroup", "EksNodeGroupArgs",
    "EncryptedLogGroup", "EncryptedLogGroupArgs", "EndpointSpec", "KmsKey", "KmsKeyArgs", "ModelEndpoint",
    "ModelEndpointArgs", "PrivateEndpoints", "PrivateEndpointsArgs", "PrivateNetwork", "PrivateNetworkArgs",
    "SageMakerRole", "SageMakerRoleArgs", "SageMakerWorkspace", "SageMakerWorkspaceArgs", "SecureBucket",
    "SecureBucketArgs", "ThreatMonitoring", "ThreatMonitoringArgs", "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
