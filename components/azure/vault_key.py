"""A customer-managed key for one purpose, with an expiry on every version and a notice before it.

Two rotation modes, chosen by what uses the key:

- automatic (storage and at-rest disk keys): Key Vault creates a new version `rotation_days`
  after each one; services that reference the key without a version pick it up. Each version
  expires `expiry_grace_days` after its scheduled rotation, and a "notify" action fires a week
  after a rotation that did not happen: Key Vault raises Microsoft.KeyVault.KeyNearExpiry only
  for the current version of a key, so after a successful rotation nothing fires.
- offline (`confidential_release`, confidential OS disk keys): Azure does not rotate confidential
  VM keys automatically; a person rotates the key and points the disk encryption set at the new
  version with every VM of the set stopped. There is no "rotate" action (a rotated version would
  go unused, and the version in use would stop being the current one, so its expiry would never
  raise KeyNearExpiry). Each version expires `rotation_days` after creation, which is the
  deadline of the offline rotation; KeyNearExpiry fires `notify_before_expiry_days` earlier and
  KeyExpiryAlerts (key_alerts.py) turns it into an alert. Confidential keys are RSA-HSM 3072,
  exportable and bound to the secure key release policy; they live in a Premium vault.

Sources (pinned by tests/azure/test_azure_key_rotation.py and test_azure_keys.py):
- https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation: "Expiry time
  ... is used to set expiration date on newly rotated key. It doesn't affect a current key";
  rotation at least 7 days after creation; notification time requires an expiry.
- https://learn.microsoft.com/azure/event-grid/event-schema-key-vault: KeyNearExpiry is
  "Triggered when the current version of a key is about to expire".
- https://learn.microsoft.com/azure/confidential-computing/key-rotation-offline: "Automatic key
  rotation isn't currently supported for confidential VMs"; stop every VM of the disk
  encryption set, then change its key.
- https://learn.microsoft.com/azure/virtual-machines/disk-encryption: "When a key is either
  disabled, deleted, or expired, any VMs with either OS or data disks using that key will
  automatically shut down."
- https://learn.microsoft.com/dotnet/api/azure.security.keyvault.keys.keyrotationpolicy
  (ExpiresIn): "It should be at least 28 days."
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_azure_native import keyvault

from hardstack.components.azure import release_policy

MIN_ROTATION_DAYS = 7  # Key Vault: rotation at least 7 days after creation and before expiry
MIN_EXPIRY_DAYS = 28  # Key Vault: a rotation policy's expiry time is at least 28 days
MIN_NOTICE_DAYS = 7  # the shortest notice worth sending before a version expires
ROTATION_OVERDUE_DAYS = 7  # automatic keys: notify a week after a rotation that did not happen
OFFLINE_NOTICE_DAYS = 30  # confidential keys: notice before the offline rotation deadline


@dataclass(frozen=True)
class ConfidentialRelease:
    """Release the key only to attested confidential VMs of `kinds` in `location`."""

    location: str
    kinds: Sequence[str]  # "tdx", "sev-snp"


@dataclass
class VaultKeyArgs:
    """`rotation_days` is how long a version is in use; `expiry_grace_days` how long an
    automatically rotated version outlives its rotation (services pick up new versions daily)."""

    purpose: str  # the key's name in the vault: data, logs, disks
    vault_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    rotation_days: int = 90
    expiry_grace_days: int = 30
    hsm: bool = True
    key_size: int = 3072
    operations: Sequence[str] = ("wrapKey", "unwrapKey")
    confidential_release: ConfidentialRelease | None = None
    # A person rotates the key (offline mode without a release policy): for services that pin one
    # key version, such as AKS KMS ("the key ID must include the version",
    # https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption; rotate with `az aks update
    # --azure-keyvault-kms-key-id`), whose version would otherwise expire unnoticed after a rotation.
    manual_rotation: bool = False
    created: dt.date | None = None  # the day the first version's expiry counts from; today if None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rotation_days < MIN_ROTATION_DAYS:
            raise ValueError(f"Key Vault rotates at least 7 days after creation; got {self.rotation_days}")
        if self.key_size not in (2048, 3072, 4096):
            raise ValueError(f"RSA keys are 2048, 3072 or 4096 bits; got {self.key_size}")
        if self.confidential_release is not None:
            if not self.hsm or self.key_size != 3072:
                raise ValueError("confidential OS disk keys must be RSA-HSM 3072 (hsm=True, key_size=3072)")
            if set(self.operations) != {"wrapKey", "unwrapKey"}:
                raise ValueError("confidential OS disk keys only wrap and unwrap")
            if self.rotation_days < MIN_EXPIRY_DAYS:
                raise ValueError(f"a confidential disk key version expires rotation_days after creation, and Key "
                                 f"Vault expiries are at least {MIN_EXPIRY_DAYS} days; got {self.rotation_days}")
            return
        if self.manual_rotation:
            if self.rotation_days < MIN_EXPIRY_DAYS:
                raise ValueError(f"a manually rotated key version expires rotation_days after creation, and Key "
                                 f"Vault expiries are at least {MIN_EXPIRY_DAYS} days; got {self.rotation_days}")
            return
        if self.expiry_grace_days < MIN_NOTICE_DAYS + ROTATION_OVERDUE_DAYS or self.lifetime_days < MIN_EXPIRY_DAYS:
            raise ValueError("a key version must expire at least 14 days after it rotates and 28 days after creation")

    @property
    def rotation(self) -> Literal["automatic", "offline"]:
        return "offline" if self.confidential_release is not None or self.manual_rotation else "automatic"

    @property
    def lifetime_days(self) -> int:
        """Days from a version's creation to its expiry (for offline keys: the rotation deadline)."""
        if self.manual_rotation:
            # AKS KMS "uses two keys at the same time. After the first key rotation, you need to ensure both
            # the old and new keys are valid (not expired) until the next key rotation"
            # (https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption, Rotate existing keys): a version
            # lives two rotation periods, and the notice still falls one OFFLINE_NOTICE_DAYS before rotation.
            return 2 * self.rotation_days
        if self.rotation == "offline":
            return self.rotation_days
        return self.rotation_days + self.expiry_grace_days

    @property
    def notify_before_expiry_days(self) -> int:
        if self.manual_rotation:
            return self.rotation_days + OFFLINE_NOTICE_DAYS
        if self.rotation == "offline":
            return min(OFFLINE_NOTICE_DAYS, self.lifetime_days - MIN_NOTICE_DAYS)
        return self.expiry_grace_days - ROTATION_OVERDUE_DAYS


def first_expiry(args: VaultKeyArgs) -> int:
    """Seconds since the epoch at which the first version expires (midnight UTC), so that renders
    made on the same day are identical; later versions get theirs from the rotation policy."""
    day = (args.created or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=args.lifetime_days)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def rotation_policy(args: VaultKeyArgs) -> dict[str, object]:
    notify = {"trigger": {"time_before_expiry": f"P{args.notify_before_expiry_days}D"}, "action": {"type": "notify"}}
    actions = [notify] if args.rotation == "offline" else [
        {"trigger": {"time_after_create": f"P{args.rotation_days}D"}, "action": {"type": "rotate"}}, notify]
    return {"attributes": {"expiry_time": f"P{args.lifetime_days}D"}, "lifetime_actions": actions}


class VaultKey(pulumi.ComponentResource):
    key: keyvault.Key
    id: pulumi.Output[str]
    key_uri: pulumi.Output[str]  # versionless: services follow rotation
    key_uri_with_version: pulumi.Output[str]

    def __init__(self, name: str, args: VaultKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:VaultKey", name, None, opts)
        confidential = args.confidential_release
        self.rotation = args.rotation
        self.lifetime_days = args.lifetime_days
        self.notice_days = args.notify_before_expiry_days
        attributes: dict[str, object] = {"enabled": True, "expires": first_expiry(args)}
        properties: dict[str, object] = {
            "kty": "RSA-HSM" if args.hsm else "RSA",
            "key_size": args.key_size,
            "key_ops": list(args.operations),
            "attributes": attributes,
            "rotation_policy": rotation_policy(args),
        }
        if confidential is not None:
            attributes["exportable"] = True
            properties["release_policy"] = {
                "content_type": release_policy.CONTENT_TYPE,
                "data": release_policy.encode(release_policy.cvm_release_policy(confidential.location,
                                                                                confidential.kinds)),
            }
        self.key = keyvault.Key(
            f"{name}-key",
            key_name=args.purpose,
            vault_name=args.vault_name,
            resource_group_name=args.resource_group_name,
            properties=properties,
            # The tag tells whoever finds the key in the portal whether a person must rotate it.
            tags={**args.tags, "purpose": args.purpose, "rotation": args.rotation},
            # ARM "Creates the first version of a new key if it does not exist ... does not update
            # existing keys" (REST Keys - Create If Not Exist): the first version's expiry, computed
            # from the render date, must not look like drift, and a changed rotation policy reaches
            # an existing key only through `az keyvault key rotation-policy update`.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["properties.attributes.expires"]),
        )
        self.id = self.key.id
        self.key_uri = self.key.key_uri
        self.key_uri_with_version = self.key.key_uri_with_version
        self.register_outputs({"id": self.key.id, "key_uri": self.key.key_uri})
