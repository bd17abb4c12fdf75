"""Azure components of a hardened AI environment, one concern per module.

Modules: key_vault, vault_key (+ release_policy), key_alerts, disk_encryption, network, private_endpoint,
flow_logs, storage, identity, compute, audit, monitoring, containment; the AI platform's ml_workspace,
ml_compute and openai; the Kubernetes cluster aks and its pools aks_pools; roles, naming and
diagnostics hold the shared pieces (built-in role grants, globally unique names, diagnostic settings).
"""

from hardstack.components.azure.aks import AksCluster, AksClusterArgs
from hardstack.components.azure.aks_pools import PoolSpec
from hardstack.components.azure.audit import AuditWorkspace, AuditWorkspaceArgs
from hardstack.components.azure.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from hardstack.components.azure.flow_logs import VnetFlowLog, VnetFlowLogArgs
from hardstack.components.azure.identity import (
    ServiceIdentities,
    ServiceIdentitiesArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
)
from hardstack.components.azure.key_alerts import KeyExpiryAlerts, KeyExpiryAlertsArgs
from hardstack.components.azure.key_vault import KeyVault, KeyVaultArgs
from hardstack.components.azure.ml_compute import MlCompute, MlComputeArgs
from hardstack.components.azure.ml_workspace import MlWorkspace, MlWorkspaceArgs, Outbound, PlatformKey
from hardstack.components.azure.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from hardstack.components.azure.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.components.azure.openai import OpenAIAccount, OpenAIAccountArgs
from hardstack.components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from hardstack.components.azure.storage import Container, SecureStorageAccount, SecureStorageAccountArgs
from hardstack.components.azure.vault_key import ConfidentialRelease, VaultKey, VaultKeyArgs

__all__ = [
    "AksCluster", "AksClusterArgs", "AuditWorkspace", "AuditWorkspaceArgs", "ConfidentialRelease",
    "ConfidentialWorkload", "ConfidentialWorkloadArgs", "Container", "DiskEncryption", "DiskEncryptionArgs",
    "KeyExpiryAlerts", "KeyExpiryAlertsArgs", "KeyVault", "KeyVaultArgs", "MlCompute", "MlComputeArgs",
    "MlWorkspace", "MlWorkspaceArgs", "OpenAIAccount", "OpenAIAccountArgs", "Outbound", "PlatformKey",
    "PoolSpec", "PrivateEndpoint", "PrivateEndpointArgs", "PrivateNetwork", "PrivateNetworkArgs",
    "SecureStorageAccount", "SecureStorageAccountArgs", "ServiceIdentities", "ServiceIdentitiesArgs",
    "ThreatMonitoring", "ThreatMonitoringArgs", "VaultKey", "VaultKeyArgs", "VnetFlowLog", "VnetFlowLogArgs",
    "WorkloadIdentity", "WorkloadIdentityArgs",
]
