"""Azure tagging: every taggable resource says which environment, owner, data classification and
compliance scope it belongs to (inventory, cost, and who to call)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..azure.tokens import (
    ACCOUNT,
    ACTION_GROUP,
    ALERT,
    DES,
    ENDPOINT,
    FLOW_LOG,
    IDENTITY,
    KEY,
    NAT,
    NIC,
    NSG,
    PUBLIC_IP,
    RESOURCE_GROUP,
    SYSTEM_TOPIC,
    VAULT,
    VM,
    VNET,
    WORKSPACE,
    ZONE,
    ZONE_LINK,
)
from ..rule import resource_rule

REQUIRED = ("hardstack-environment", "owner", "data-classification", "compliance")
TAGGED_TYPES = [RESOURCE_GROUP, VAULT, KEY, DES, VM, NIC, NSG, VNET, ENDPOINT, ZONE, ZONE_LINK, NAT, PUBLIC_IP,
                FLOW_LOG, ACCOUNT, IDENTITY, WORKSPACE, ACTION_GROUP, ALERT, SYSTEM_TOPIC]


@resource_rule(
    id="azure-required-tags", title="Resources carry environment, owner, classification and compliance tags",
    severity="low", cloud="azure", practice="compliance", types=TAGGED_TYPES,
    controls={"nist-800-53": ["CM-8"], "gdpr": ["30"]},
    remediation="Pass the environment's tags (blueprints.tags.azure_tags) to every resource.",
)
def required_tags(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    missing = [t for t in REQUIRED if not (props.get("tags") or {}).get(t)]
    if missing:
        yield f"missing tags: {', '.join(missing)}"
