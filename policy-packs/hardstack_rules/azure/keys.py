"""Azure Key Vault: vaults that cannot lose keys or be reached from outside, keys that rotate,
expire, and leave the vault only under an attested release policy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..azure.tokens import KEY, VAULT, days, expiry_days, inner, lifetime_actions, releasable
from ..rule import resource_rule
from ..values import number

KEY_PROTECTION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-12", "CP-9"]}
VAULT_ACCESS = {"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "SC-7"]}
ROTATION = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12"]}


@resource_rule(
    id="azure-keyvault-purge-protection", title="Key Vaults have purge protection", severity="high",
    cloud="azure", practice="encryption", types=[VAULT], controls=KEY_PROTECTION,
    remediation="Set properties.enable_purge_protection=True (irreversible; components.azure.KeyVault does).",
)
def purge_protection(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if inner(props).get("enablePurgeProtection") is not True:
        yield "purge protection is off: a deleted vault and every key in it can be purged at once"


@resource_rule(
    id="azure-keyvault-soft-delete", title="Key Vaults keep deleted keys for at least N days",
    severity="medium", cloud="azure", practice="encryption", types=[VAULT], controls=KEY_PROTECTION,
    remediation="Keep enable_soft_delete on and set soft_delete_retention_in_days (7-90) to at least the minimum.",
    config={"minimumDays": {"type": "integer", "default": 7, "minimum": 7, "maximum": 90}},
)
def soft_delete(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    settings = inner(props)
    if settings.get("enableSoftDelete") is False:
        yield "soft delete is off: deleted keys are gone at once"
        return
    kept = settings.get("softDeleteRetentionInDays", 90)  # Azure's default
    if kept < config["minimumDays"]:
        yield f"keeps deleted keys {number(kept)} days; the minimum is {number(config['minimumDays'])}"


@resource_rule(
    id="azure-keyvault-rbac", title="Key Vaults authorize with Azure RBAC, not access policies",
    severity="high", cloud="azure", practice="access", types=[VAULT],
    controls={"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["AC-3", "AC-6"]},
    remediation="Set properties.enable_rbac_authorization=True, drop access_policies and grant roles per key.",
)
def rbac(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    settings = inner(props)
    if settings.get("enableRbacAuthorization") is not True:
        yield "vault access policies, not Azure RBAC, authorize key use (vault-wide, unaudited by role)"
    if settings.get("accessPolicies"):
        yield f"{len(settings['accessPolicies'])} access policies grant vault-wide permissions"


@resource_rule(
    id="azure-keyvault-public-network-disabled", title="Key Vaults are unreachable from public networks",
    severity="critical", cloud="azure", practice="access", types=[VAULT], controls=VAULT_ACCESS,
    remediation="Set properties.public_network_access='Disabled' and reach the vault through a private endpoint.",
)
def vault_public_network(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    access = inner(props).get("publicNetworkAccess")
    if str(access).lower() != "disabled":
        yield f"public network access is {access or 'enabled (the default)'}"


@resource_rule(
    id="azure-keyvault-network-acl-deny", title="Key Vault firewalls deny by default", severity="high",
    cloud="azure", practice="access", types=[VAULT], controls=VAULT_ACCESS,
    remediation="Set properties.network_acls.default_action='Deny' with no IP rules.",
)
def vault_acl(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    acls = inner(props).get("networkAcls") or {}
    if acls.get("defaultAction") != "Deny":
        yield f"the vault firewall's default action is {acls.get('defaultAction', 'Allow (the default)')}"
    if acls.get("ipRules"):
        yield f"the vault firewall admits {len(acls['ipRules'])} public IP ranges"


@resource_rule(
    id="azure-keyvault-no-platform-access", title="Key Vaults release nothing to ARM or VM provisioning",
    severity="medium", cloud="azure", practice="access", types=[VAULT],
    controls={"nist-800-53": ["AC-6", "CM-7"], "gdpr": ["25"]},
    remediation="Set enabled_for_deployment, enabled_for_template_deployment and enabled_for_disk_encryption "
    "to False; grant identities roles on the keys they use.",
)
def platform_access(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    settings = inner(props)
    for flag, who in (("enabledForDeployment", "VM provisioning"), ("enabledForTemplateDeployment", "ARM deployments"),
                      ("enabledForDiskEncryption", "Azure Disk Encryption")):
        if settings.get(flag) is True:
            yield f"{who} may read the vault's secrets ({flag})"


def _rotations(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return lifetime_actions(props, "rotate")


def _offline(props: Mapping[str, Any]) -> bool:
    """A confidential VM disk key rotated by people: Azure does not rotate confidential VM keys
    automatically (https://learn.microsoft.com/azure/confidential-computing/key-rotation-offline),
    so its versions expire and a notify action announces each expiry instead."""
    notify = [a for a in lifetime_actions(props, "notify") if (a.get("trigger") or {}).get("timeBeforeExpiry")]
    return releasable(props) and bool(notify) and expiry_days(props) is not None


@resource_rule(
    id="azure-key-rotation", title="Key Vault keys rotate automatically, or offline before their versions expire",
    severity="high", cloud="azure", practice="encryption", types=[KEY], controls=ROTATION,
    remediation="Give the key a rotation_policy with a lifetime action of type 'rotate' (components.azure.VaultKey); "
    "a confidential VM disk key instead gets an expiry time and a 'notify' action, and is rotated offline.",
)
def key_rotation(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if _rotations(props) or _offline(props):
        return
    yield "no rotation policy rotates the key: every version stays in use until someone rotates it" + (
        ", and no expiry with a notify action tells them to" if releasable(props) else "")


@resource_rule(
    id="azure-key-rotation-period", title="Key Vault keys rotate at least every N days", severity="medium",
    cloud="azure", practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "nist-800-53": ["SC-12"]},
    remediation="Set the rotate action's trigger.time_after_create (an offline-rotated key: the rotation policy's "
    "expiry time) to at most the maximum (spec keys.rotation_days).",
    config={"maximumDays": {"type": "integer", "default": 365, "minimum": 7}},
)
def rotation_period(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    expiry = expiry_days(props)
    maximum = config["maximumDays"]
    if not _rotations(props) and _offline(props) and expiry is not None and expiry > maximum:
        # Rotated offline: a version is in use until it expires.
        yield (f"a version lives {number(expiry)} days before its offline rotation is due; "
               f"the maximum is {number(maximum)}")
    for action in _rotations(props):
        trigger = action.get("trigger") or {}
        after = days(trigger.get("timeAfterCreate"))
        before = days(trigger.get("timeBeforeExpiry"))
        # "Rotate N days before expiry" rotates at expiry - N after each version's creation.
        period = after if after is not None else (expiry - before if expiry and before is not None else None)
        if period is None:
            yield "the rotate action's trigger gives no rotation period"
        elif period > maximum:
            yield f"rotates {number(period)} days after creation; the maximum is {number(maximum)}"


@resource_rule(
    id="azure-key-expiry", title="Key Vault key versions expire", severity="medium", cloud="azure",
    practice="encryption", types=[KEY], controls={"nist-800-53": ["SC-12", "IA-5"], "gdpr": ["32(1)(a)"]},
    remediation="Set properties.attributes.expires on the first version and rotation_policy.attributes.expiry_time "
    "for rotated ones.",
)
def key_expiry(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    settings = inner(props)
    if not (settings.get("attributes") or {}).get("expires"):
        yield "the key's first version never expires"
    if not ((settings.get("rotationPolicy") or {}).get("attributes") or {}).get("expiryTime"):
        yield "rotated versions get no expiry (rotation_policy.attributes.expiry_time)"


@resource_rule(
    id="azure-key-software-advisory", title="Software-protected keys are shown to reviewers", severity="low",
    cloud="azure", practice="encryption", types=[KEY],
    controls={"nist-800-53": ["SC-12"]},
    remediation="Use keys.protection: hsm (kty RSA-HSM in a Premium vault) unless a software key was chosen "
    "on purpose.",
)
def software_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Advisory: spec keys.protection: software is allowed, but key material then lives outside an HSM.
    kty = str(inner(props).get("kty", ""))
    if kty and not kty.endswith("-HSM"):
        yield f"key material is {kty}, not held in an HSM (spec keys.protection: software)"


@resource_rule(
    id="azure-key-release-hsm", title="Exportable keys are HSM keys bound to a release policy",
    severity="high", cloud="azure", practice="encryption", types=[KEY],
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-39"]},
    remediation="Confidential OS disk keys must be RSA-HSM (3072) in a Premium vault, exportable only with a "
    "release policy admitting attested confidential VMs (components.azure.VaultKey confidential_release).",
)
def release_hsm(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    settings = inner(props)
    exportable = (settings.get("attributes") or {}).get("exportable") is True
    policy = (settings.get("releasePolicy") or {}).get("data")
    if not exportable and not policy:
        return  # the key never leaves the vault
    if not str(settings.get("kty", "")).endswith("-HSM"):
        yield f"a releasable key is {settings.get('kty', 'a software key')}, not HSM-backed"
    if exportable and not policy:
        yield "the key is exportable without a secure key release policy"
