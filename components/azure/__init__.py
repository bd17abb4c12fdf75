"""Azure components of a hardened AI environment, one concern per module.

Modules: key_vault, vault_key (+ release_policy), key_alerts, disk_encryption, network, private_endpoint,
flow_logs, storage, identity, compute, audit, monitoring; roles, naming and diagnostics hold the
shared pieces (built-in role grants, globally unique names, diagnostic settings).
"""

from components.azure.audit import AuditWorkspace, AuditWorkspaceArgs
from components.azure.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from components.azure.disk_encryption import DiskEncryption, DiskEncryptionArgs
from components.azure.flow_logs import VnetFlowLog, VnetFlowLogArgs
from components.azure.identity import (
    ServiceIdentities,
    ServiceIdentitiesArgs,
    WorkloadIdentity,
    WorkloadIdentityArgs,
)
from components.azure.key_alerts import KeyExpiryAlerts, KeyExpiryAlertsArgs
from components.azure.key_vault import KeyVault, KeyVaultArgs
from components.azure.monitoring import ThreatMonitoring, ThreatMonitoringArgs
from components.azure.network import PrivateNetwork, PrivateNetworkArgs
from components.azure.private_endpoint import PrivateEndpoint, PrivateEndpointArgs
from components.azure.storage import Container, SecureStorageAccount, SecureStorageAccountArgs
from components.azure.vault_key import ConfidentialRelease, VaultKey, VaultKeyArgs

__all__ = [
    "AuditWorkspace", "AuditWorkspaceArgs", "ConfidentialRelease", "ConfidentialWorkload",
    "ConfidentialWorkloadArgs", "Container", "DiskEncryption", "DiskEncryptionArgs", "KeyExpiryAlerts",
    "KeyExpiryAlertsArgs", "KeyVault", "KeyVaultArgs",
    "PrivateEndpoint", "PrivateEndpointArgs", "PrivateNetwork", "PrivateNetworkArgs", "SecureStorageAccount",
    "SecureStorageAccountArgs", "ServiceIdentities", "ServiceIdentitiesArgs", "ThreatMonitoring",
    "ThreatMonitoringArgs", "VaultKey", "VaultKeyArgs", "VnetFlowLog", "VnetFlowLogArgs", "WorkloadIdentity",
    "WorkloadIdentityArgs",
]
