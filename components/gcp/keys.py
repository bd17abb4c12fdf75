"""A key ring of its own per environment and one Cloud KMS key per purpose, rotated.

Keys are kept apart from the data they protect: they live in their own ring, and each key's
encrypt/decrypt role is granted by an authoritative binding to exactly the principals that use
it, so a grant added elsewhere is removed on the next deployment. Keys are protected from
`pulumi destroy` (`deletion_policy="PREVENT"`): destroying a key destroys every byte it
encrypted. Only an explicit `allow_destroy=True` weakens that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.names import resource_name
from hardstack.components.gcp.options import child_options

DAY_SECONDS = 86_400
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
Protection = Literal["software", "hsm"]


def seconds(days: int) -> str:
    """Cloud KMS durations are strings of whole seconds, e.g. "7776000s" for 90 days."""
    return f"{days * DAY_SECONDS}s"


@dataclass
class KeyRingArgs:
    """`users` maps each key purpose (data, logs, disks, ...) to the IAM members
    ("serviceAccount:...") allowed to encrypt and decrypt with that key, and nothing else."""

    project: str
    location: str
    users: Mapping[str, Sequence[pulumi.Input[str]]]
    ring_name: str
    rotation_days: int = 90
    protection: Protection = "hsm"
    destroy_scheduled_days: int = 30
    allow_destroy: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Cloud KMS rejects rotation periods under one day; 2560 days matches the spec's ceiling.
        if not 1 <= self.rotation_days <= 2560:
            raise ValueError(f"rotation_days must be 1..2560, got {self.rotation_days}")
        # Cloud KMS allows 1 to 120 days in DESTROY_SCHEDULED; below 7 leaves no time to notice.
        if not 7 <= self.destroy_scheduled_days <= 120:
            raise ValueError(f"destroy_scheduled_days must be 7..120, got {self.destroy_scheduled_days}")
        if not self.users:
            raise ValueError("a key ring needs at least one key purpose in `users`")
        empty = sorted(p for p, members in self.users.items() if not members)
        if empty:
            raise ValueError(f"keys without users would be unusable: {', '.join(empty)}")


class KeyRing(pulumi.ComponentResource):
    ring: gcp.kms.KeyRing
    keys: dict[str, gcp.kms.CryptoKey]
    ids: dict[str, pulumi.Output[str]]  # key ids that also wait for each key's IAM binding
    bindings: dict[str, gcp.kms.CryptoKeyIAMBinding]

    def __init__(self, name: str, args: KeyRingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:KeyRing", name, None, opts)
        child = child_options(self, opts)
        self.ring = gcp.kms.KeyRing(
            f"{name}-ring", name=args.ring_name, location=args.location, project=args.project, opts=child,
        )
        self.keys, self.ids, self.bindings = {}, {}, {}
        for purpose, members in args.users.items():
            key = gcp.kms.CryptoKey(
                f"{name}-{purpose}",
                name=resource_name(purpose),
                key_ring=self.ring.id,
                purpose="ENCRYPT_DECRYPT",
                rotation_period=seconds(args.rotation_days),
                version_template={
                    "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                    "protection_level": args.protection.upper(),
                },
                destroy_scheduled_duration=seconds(args.destroy_scheduled_days),
                deletion_policy="DELETE" if args.allow_destroy else "PREVENT",
                labels={**args.labels, "purpose": purpose},
                opts=child,
            )
            binding = gcp.kms.CryptoKeyIAMBinding(
                f"{name}-{purpose}-users", crypto_key_id=key.id, role=ENCRYPTER_DECRYPTER,
                members=list(members), opts=child,
            )
            self.keys[purpose], self.bindings[purpose] = key, binding
            # The id as users should take it: resolved only once the binding exists, so any
            # resource encrypted with it is created after its agent may use the key.
            self.ids[purpose] = pulumi.Output.all(key.id, binding.etag).apply(lambda values: values[0])
        self.register_outputs({"ring": self.ring.id, "keys": self.ids})
