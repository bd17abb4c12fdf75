"""GCP stack relations: every data store is encrypted with a Cloud KMS key this stack owns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import BUCKET, DISK, INSTANCE, KEY, LOG_BUCKET, TOPIC
from ..relations import of_type, referenced
from ..rule import stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

# (resource type, input holding its key) for every data store the GCP blueprint creates.
KEYED = (
    (BUCKET, "encryption"),
    (DISK, "diskEncryptionKey"),
    (INSTANCE, "bootDisk"),
    (LOG_BUCKET, "cmekSettings"),
    (TOPIC, "kmsKeyName"),
)


@stack_rule(
    id="gcp-data-encrypted-with-own-key", title="Every data store is encrypted with a key of this stack",
    severity="high", cloud="gcp", practice="encryption",
    controls={"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-28"]},
    remediation="Pass the id from the environment's KeyRing.ids (not a key of another project or a literal "
    "key name): a foreign key's owner can make the data unreadable or read it.",
)
def own_key(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for token, prop in KEYED:
        for res in of_type(resources, token):
            if not referenced(res, prop, KEY):
                yield f"{res.name}: {prop} does not use a Cloud KMS key defined in this stack", res.urn
