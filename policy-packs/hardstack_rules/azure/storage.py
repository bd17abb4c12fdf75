"""Azure Storage: customer-key encryption, TLS only, Entra ID only, no anonymous or public network
access, versions and soft delete on every account, and write-once containers for models."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..azure.tokens import ACCOUNT, BLOB_SERVICE, CONTAINER, IMMUTABILITY
from ..relations import configured, of_type
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

ENCRYPTION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
IN_TRANSIT = {"hipaa": ["164.312(e)(1)", "164.312(e)(2)(ii)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-8"]}
PUBLIC = {"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "SC-7"]}
INTEGRITY = {"hipaa": ["164.312(c)(1)"], "gdpr": ["5(1)(f)"], "nist-800-53": ["CP-9", "SI-7"]}


@resource_rule(
    id="azure-storage-customer-key", title="Storage accounts encrypt with a customer-managed key",
    severity="high", cloud="azure", practice="encryption", types=[ACCOUNT], controls=ENCRYPTION,
    remediation="Set encryption.key_source='Microsoft.Keyvault' with key_vault_properties (key name and vault URI) "
    "and a user-assigned encryption identity (components.azure.SecureStorageAccount).",
)
def customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    encryption = props.get("encryption") or {}
    if str(encryption.get("keySource", "Microsoft.Storage")).lower() != "microsoft.keyvault":
        yield f"encrypts with {encryption.get('keySource', 'Microsoft.Storage')} (Microsoft-managed keys)"
        return
    key = encryption.get("keyVaultProperties") or {}
    if not (key.get("keyName") and key.get("keyVaultUri")):
        yield "Microsoft.Keyvault without a key name and vault URI"


@resource_rule(
    id="azure-storage-infrastructure-encryption", title="Storage accounts encrypt twice (infrastructure encryption)",
    severity="low", cloud="azure", practice="encryption", types=[ACCOUNT], controls={"nist-800-53": ["SC-28"]},
    remediation="Set encryption.require_infrastructure_encryption=True (only possible when the account is created).",
)
def infrastructure_encryption(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if (props.get("encryption") or {}).get("requireInfrastructureEncryption") is not True:
        yield "data is encrypted once, at the service layer only"


@resource_rule(
    id="azure-storage-https-only", title="Storage accounts accept HTTPS only", severity="high", cloud="azure",
    practice="encryption", types=[ACCOUNT], controls=IN_TRANSIT,
    remediation="Set enable_https_traffic_only=True.",
)
def https_only(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableHttpsTrafficOnly") is not True:
        yield "HTTPS-only is not enforced: requests over plain HTTP are accepted"


@resource_rule(
    id="azure-storage-min-tls", title="Storage accounts require TLS 1.2 or later", severity="high", cloud="azure",
    practice="encryption", types=[ACCOUNT], controls=IN_TRANSIT,
    remediation="Set minimum_tls_version='TLS1_2'.",
)
def min_tls(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    version = props.get("minimumTlsVersion")
    if version not in ("TLS1_2", "TLS1_3"):
        yield f"accepts {version or 'TLS1_0 (the default)'} clients"


@resource_rule(
    id="azure-storage-no-public-blob", title="Storage accounts forbid anonymous blob access", severity="critical",
    cloud="azure", practice="access", types=[ACCOUNT], controls=PUBLIC,
    remediation="Set allow_blob_public_access=False.",
)
def no_public_blob(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("allowBlobPublicAccess") is not False:
        yield "anonymous blob access can be turned on for any container"


@resource_rule(
    id="azure-storage-no-shared-key", title="Storage accounts accept Entra ID only, no shared keys",
    severity="high", cloud="azure", practice="access", types=[ACCOUNT],
    controls={"hipaa": ["164.312(d)"], "nist-800-53": ["IA-2", "IA-5"], "gdpr": ["32(1)(b)"]},
    remediation="Set allow_shared_key_access=False (and default_to_o_auth_authentication=True); grant data roles.",
)
def no_shared_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("allowSharedKeyAccess") is not False:
        yield "shared keys (account keys and SAS tokens) are accepted: anyone holding one reads everything"


@resource_rule(
    id="azure-storage-public-network-disabled", title="Storage accounts are unreachable from public networks",
    severity="high", cloud="azure", practice="access", types=[ACCOUNT], controls=PUBLIC,
    remediation="Set public_network_access='Disabled' and reach the account through a private endpoint.",
)
def public_network(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    access = props.get("publicNetworkAccess")
    if str(access).lower() != "disabled":
        yield f"public network access is {access or 'enabled (the default)'}"


@resource_rule(
    id="azure-storage-network-deny", title="Storage firewalls deny by default", severity="high", cloud="azure",
    practice="access", types=[ACCOUNT], controls=PUBLIC,
    remediation="Set network_rule_set.default_action='Deny' with no IP rules.",
)
def network_deny(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    rules = props.get("networkRuleSet") or {}
    if rules.get("defaultAction") != "Deny":
        yield f"the storage firewall's default action is {rules.get('defaultAction', 'Allow (the default)')}"
    if rules.get("ipRules"):
        yield f"the storage firewall admits {len(rules['ipRules'])} public IP ranges"


@resource_rule(
    id="azure-storage-no-tenant-replication", title="Storage accounts replicate to no other tenant",
    severity="medium", cloud="azure", practice="access", types=[ACCOUNT],
    controls={"gdpr": ["44", "32(1)(b)"], "nist-800-53": ["AC-4"]},
    remediation="Set allow_cross_tenant_replication=False.",
)
def cross_tenant(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("allowCrossTenantReplication") is not False:
        yield "object replication to accounts of other Entra tenants is allowed"


@resource_rule(
    id="azure-blob-container-private", title="Blob containers allow no anonymous access", severity="critical",
    cloud="azure", practice="access", types=[CONTAINER], controls=PUBLIC,
    remediation="Set public_access='None'.",
)
def container_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("publicAccess") not in (None, "None"):
        yield f"anonymous {props['publicAccess']} access is allowed"


@stack_rule(
    id="azure-storage-versioning-soft-delete", title="Every storage account keeps blob versions and "
    "soft-deletes blobs and containers", severity="medium", cloud="azure", practice="models", controls=INTEGRITY,
    remediation="Add BlobServiceProperties with is_versioning_enabled, delete_retention_policy and "
    "container_delete_retention_policy enabled (components.azure.SecureStorageAccount).",
)
def versioning(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for account in of_type(resources, ACCOUNT):
        services = configured(resources, account, BLOB_SERVICE, "accountName")
        if not services:
            yield f"storage account {account.name} keeps no blob versions and soft-deletes nothing", account.urn
        for service in services:
            missing = [what for what, on in (
                ("blob versions", service.props.get("isVersioningEnabled") is True),
                ("blob soft delete", (service.props.get("deleteRetentionPolicy") or {}).get("enabled") is True),
                ("container soft delete",
                 (service.props.get("containerDeleteRetentionPolicy") or {}).get("enabled") is True),
            ) if not on]
            if missing:
                yield f"storage account {account.name} lacks {', '.join(missing)}", account.urn


@stack_rule(
    id="azure-storage-write-once-models", title="Model containers are write-once", severity="high",
    cloud="azure", practice="models", controls=INTEGRITY,
    remediation="Enable immutable_storage_with_versioning on the container and add a BlobContainerImmutabilityPolicy "
    "without protected appends (components.azure.Container immutable_days).",
)
def write_once(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for container in of_type(resources, CONTAINER):
        if (container.props.get("metadata") or {}).get("purpose") != "models":
            continue
        if (container.props.get("immutableStorageWithVersioning") or {}).get("enabled") is not True:
            yield f"container {container.name} holds models without version-level immutability", container.urn
        policies = [p for p in configured(resources, container, IMMUTABILITY, "containerName")
                    if (p.props.get("immutabilityPeriodSinceCreationInDays") or 0) >= 1]
        if not policies:
            yield f"container {container.name} holds models but no immutability policy locks them", container.urn
        for policy in policies:
            if policy.props.get("allowProtectedAppendWrites") or policy.props.get("allowProtectedAppendWritesAll"):
                yield f"container {container.name} is locked but still allows appends", container.urn
