"""Azure OpenAI and the workspace's container registry (components/azure/openai.py,
ml_workspace.py): keyless, private, egress allow-listed, customer-managed keys, and model
deployments that keep prompts in the region's data zone and change version only on purpose.

Sources: https://learn.microsoft.com/azure/ai-services/disable-local-auth,
https://learn.microsoft.com/azure/ai-services/cognitive-services-data-loss-prevention,
https://learn.microsoft.com/azure/ai-services/openai/encrypt-data-at-rest,
https://learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/deployment-types (Global
deployment types may process prompts in any Azure region; Data Zone types within the EU or US
data zone), https://learn.microsoft.com/azure/container-registry/container-registry-private-link."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..rule import resource_rule

OPENAI = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
REGISTRY = "azure-native:containerregistry:Registry"

PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-17"]}
KEYLESS = {"hipaa": ["164.312(d)", "164.308(a)(4)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["IA-2", "AC-6"]}
EGRESS = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)", "44"], "nist-800-53": ["SC-7", "AC-4"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
# Data Zone keeps processing in the EU (GDPR chapter V transfers) and a pinned version is an unchanged model.
PINNED = {"gdpr": ["44", "32(1)(b)"], "hipaa": ["164.312(c)(1)"], "nist-800-53": ["CM-2", "SC-7"]}
REGISTRY_CONTROLS = {"hipaa": ["164.312(e)(1)", "164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)", "32(1)(b)"],
                     "nist-800-53": ["SC-7", "SC-28"]}
GLOBAL_SKUS = ("GlobalStandard", "GlobalProvisionedManaged", "GlobalBatch")


def _is_openai(props: Mapping[str, Any]) -> bool:
    return str(props.get("kind", "")) in ("OpenAI", "AIServices")


def _inner(props: Mapping[str, Any]) -> Mapping[str, Any]:
    value = props.get("properties")
    return value if isinstance(value, Mapping) else {}


@resource_rule(
    id="azure-openai-private", title="Azure OpenAI accounts are private and accept Entra ID only",
    severity="high", cloud="azure", practice="access", types=[OPENAI], controls=KEYLESS,
    remediation="Set properties.disable_local_auth=True, public_network_access='Disabled', network_acls "
    "default_action 'Deny' with no IP or VNet rules, and custom_sub_domain_name (Entra tokens and private endpoints "
    "need it); reach the account through a private endpoint (group account).",
)
def openai_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _is_openai(props):
        return
    inner = _inner(props)
    if inner.get("disableLocalAuth") is not True:
        yield "the account accepts API keys (local authentication is on)"
    if inner.get("publicNetworkAccess") != "Disabled":
        yield f"public network access is {inner.get('publicNetworkAccess', 'Enabled (the default)')}"
    acls = inner.get("networkAcls") or {}
    if acls.get("defaultAction") != "Deny" or acls.get("ipRules") or acls.get("virtualNetworkRules"):
        yield "the network rules let callers in by address (default action is not Deny, or IP/VNet rules exist)"
    if not inner.get("customSubDomainName"):
        yield "no custom subdomain: Entra ID authentication and private endpoints need one"


@resource_rule(
    id="azure-openai-egress-restricted", title="Azure OpenAI fetches only from allow-listed hosts",
    severity="medium", cloud="azure", practice="access", types=[OPENAI], controls=EGRESS,
    remediation="Set properties.restrict_outbound_network_access=True and allowed_fqdn_list to the environment's own "
    "hosts (no wildcard).",
)
def openai_egress(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _is_openai(props):
        return
    inner = _inner(props)
    if inner.get("restrictOutboundNetworkAccess") is not True:
        yield "outbound access is unrestricted: the service fetches any URL a request names"
    for fqdn in inner.get("allowedFqdnList") or []:
        if "*" in str(fqdn):
            yield f"allowed host {fqdn} is a wildcard"


@resource_rule(
    id="azure-openai-own-key", title="Azure OpenAI data at rest is encrypted with the environment's key",
    severity="high", cloud="azure", practice="encryption", types=[OPENAI], controls=AT_REST,
    remediation="Set properties.encryption key_source 'Microsoft.KeyVault' with key_vault_properties (vault URI, key "
    "name, no version so rotation is followed, and the client id of the identity that unwraps it).",
)
def openai_own_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _is_openai(props):
        return
    encryption = _inner(props).get("encryption") or {}
    vault = encryption.get("keyVaultProperties") or {}
    if encryption.get("keySource") != "Microsoft.KeyVault" or not vault.get("keyName"):
        yield f"encrypts with {encryption.get('keySource', 'Microsoft.CognitiveServices')} keys, not a Key Vault key"
    elif "UserAssigned" in str((props.get("identity") or {}).get("type", "")) and not vault.get("identityClientId"):
        yield "no identity is named to unwrap the key (identityClientId)"


@resource_rule(
    id="azure-openai-deployment-pinned", title="Model deployments stay in the data zone and change only on purpose",
    severity="high", cloud="azure", practice="models", types=[DEPLOYMENT], controls=PINNED,
    remediation="Deploy with sku DataZoneStandard (or Standard/ProvisionedManaged in the region), a pinned model "
    "version and version_upgrade_option 'NoAutoUpgrade'.",
)
def openai_deployment_pinned(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    sku = str((props.get("sku") or {}).get("name", ""))
    if sku in GLOBAL_SKUS:
        yield f"deployment type {sku} may process prompts in any Azure region"
    inner = _inner(props)
    if not (inner.get("model") or {}).get("version"):
        yield "the model version is not pinned"
    if inner.get("versionUpgradeOption") != "NoAutoUpgrade":
        option = inner.get("versionUpgradeOption", "OnceNewDefaultVersionAvailable")
        yield f"the model is upgraded automatically ({option})"


@resource_rule(
    id="azure-registry-private", title="Container registries are private, keyless and keyed with the environment's key",
    severity="high", cloud="azure", practice="access", types=[REGISTRY], controls=REGISTRY_CONTROLS,
    remediation="Use the Premium tier with admin_user_enabled=False, anonymous_pull_enabled=False, "
    "public_network_access='Disabled', policies.export_policy disabled, a private endpoint (group registry), and "
    "encryption with a Key Vault key and a user-assigned identity.",
)
def registry_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("adminUserEnabled") is not False:
        yield "the admin account (a shared username and password) is enabled"
    if props.get("anonymousPullEnabled") is True:
        yield "anyone can pull images anonymously"
    if props.get("publicNetworkAccess") != "Disabled":
        yield f"public network access is {props.get('publicNetworkAccess', 'Enabled (the default)')}"
    if (props.get("sku") or {}).get("name") != "Premium":
        yield "only the Premium tier has private endpoints and customer-managed keys"
    if ((props.get("policies") or {}).get("exportPolicy") or {}).get("status") != "disabled":
        yield "images can be exported out of the registry"
    encryption = props.get("encryption") or {}
    if encryption.get("status") != "enabled" or not (encryption.get("keyVaultProperties") or {}).get("keyIdentifier"):
        yield "images are encrypted with Microsoft's keys, not the environment's"
