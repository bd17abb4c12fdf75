"""A customer-managed key for one purpose, rotated by Key Vault and given an expiry.

Always: a rotation policy (rotate `rotation_days` after each version is created, notify 30 days
before a version expires), an expiry on the first version and on every rotated one, and only
the operations the purpose needs. `confidential_release` makes it a confidential OS disk key:
RSA-HSM 3072, exportable, bound to the secure key release policy the Confidential VM service
checks; such keys can only live in a Premium vault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import keyvault

from components.azure import release_policy

NOTIFY_BEFORE_EXPIRY_DAYS = 30


@dataclass(frozen=True)
class ConfidentialRelease:
    """Release the key only to attested confidential VMs of `kinds` in `location`."""

    location: str
    kinds: Sequence[str]  # "tdx", "sev-snp"


@dataclass
class VaultKeyArgs:
    """`expiry_grace_days` is how long a version outlives its scheduled rotation: enough for
    services that pick up new versions daily (storage), and for the offline rotation that
    confidential OS disks need (stop the VMs, point the disk encryption set at the new version).
    """

    purpose: str  # the key's name in the vault: data, logs, disks
    vault_name: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    rotation_days: int = 90
    expiry_grace_days: int = 30
    hsm: bool = True
    key_size: int = 3072
    operations: Sequence[str] = ("wrapKey", "unwrapKey")
    confidential_release: ConfidentialRelease | None = None
    created: dt.date | None = None  # the day the first version's expiry counts from; today if None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rotation_days < 7:
            raise ValueError(f"Key Vault rotates at least 7 days after creation; got {self.rotation_days}")
        if self.expiry_grace_days < 7 or self.lifetime_days < 28:
            raise ValueError("a key version must expire at least 7 days after it rotates and 28 days after creation")
        if self.confidential_release is not None:
            if not self.hsm or self.key_size != 3072:
                raise ValueError("confidential OS disk keys must be RSA-HSM 3072 (hsm=True, key_size=3072)")
            if set(self.operations) != {"wrapKey", "unwrapKey"}:
                raise ValueError("confidential OS disk keys only wrap and unwrap")
        if self.key_size not in (2048, 3072, 4096):
            raise ValueError(f"RSA keys are 2048, 3072 or 4096 bits; got {self.key_size}")

    @property
    def lifetime_days(self) -> int:
        return self.rotation_days + self.expiry_grace_days


def first_expiry(args: VaultKeyArgs) -> int:
    """Seconds since the epoch at which the first version expires (midnight UTC), so that renders
    made on the same day are identical; later versions get theirs from the rotation policy."""
    day = (args.created or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=args.lifetime_days)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


class VaultKey(pulumi.ComponentResource):
    key: keyvault.Key
    id: pulumi.Output[str]
    key_uri: pulumi.Output[str]  # versionless: services follow rotation
    key_uri_with_version: pulumi.Output[str]

    def __init__(self, name: str, args: VaultKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:azure:VaultKey", name, None, opts)
        confidential = args.confidential_release
        attributes: dict[str, object] = {"enabled": True, "expires": first_expiry(args)}
        properties: dict[str, object] = {
            "kty": "RSA-HSM" if args.hsm else "RSA",
            "key_size": args.key_size,
            "key_ops": list(args.operations),
            "attributes": attributes,
            "rotation_policy": {
                "attributes": {"expiry_time": f"P{args.lifetime_days}D"},
                "lifetime_actions": [
                    {"trigger": {"time_after_create": f"P{args.rotation_days}D"}, "action": {"type": "rotate"}},
                    {"trigger": {"time_before_expiry": f"P{NOTIFY_BEFORE_EXPIRY_DAYS}D"},
                     "action": {"type": "notify"}},
                ],
            },
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
            tags={**args.tags, "purpose": args.purpose},
            # ARM never updates an existing key (later versions come from rotation), so the
            # first version's expiry, computed from the render date, must not look like drift.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["properties.attributes.expires"]),
        )
        self.id = self.key.id
        self.key_uri = self.key.key_uri
        self.key_uri_with_version = self.key.key_uri_with_version
        self.register_outputs({"id": self.key.id, "key_uri": self.key.key_uri})
