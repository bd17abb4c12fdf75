"""GCP labels: every labelled resource says which environment, owner, data classification and
compliance scope it belongs to (inventory, and who to call)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..gcp.tokens import ALERT, BUCKET, CHANNEL, DISK, INSTANCE, KEY, TOPIC
from ..rule import resource_rule

REQUIRED = ("hardstack-environment", "owner", "data-classification", "compliance")
USER_LABELLED = (ALERT, CHANNEL)
LABELLED_TYPES = [KEY, BUCKET, INSTANCE, DISK, TOPIC, "gcp:dns/managedZone:ManagedZone",
                  "gcp:compute/instanceTemplate:InstanceTemplate", *USER_LABELLED]


@resource_rule(
    id="gcp-required-labels", title="Resources carry environment, owner, classification and compliance labels",
    severity="low", cloud="gcp", practice="compliance", types=LABELLED_TYPES,
    controls={"nist-800-53": ["CM-8"], "gdpr": ["30"]},
    remediation="Pass the environment's labels (blueprints.tags.gcp_labels) to every labelled resource.",
)
def required_labels(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    # Alert policies and channels carry resource labels in `userLabels` (a channel's `labels` hold its
    # address); no type has both meanings, so either map may supply a label.
    found: dict[str, Any] = {}
    for key in ("labels", "userLabels"):
        if isinstance(props.get(key), Mapping):
            found.update(props[key])
    missing = [label for label in REQUIRED if not found.get(label)]
    if missing:
        yield f"missing labels: {', '.join(missing)}"
