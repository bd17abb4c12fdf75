"""GDPR chapter V: personal data stays in the EU/EEA unless a transfer basis is recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..rule import stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

# Provider token -> the input naming its region.
REGION_INPUT = {"pulumi:providers:aws": "region", "pulumi:providers:gcp": "region",
                "pulumi:providers:azure-native": "location"}
EU_PREFIXES = {"pulumi:providers:aws": ("eu-",), "pulumi:providers:gcp": ("europe-",)}
EU_AZURE = {
    "westeurope", "northeurope", "germanywestcentral", "francecentral", "swedencentral", "italynorth",
    "polandcentral", "spaincentral", "norwayeast", "austriaeast", "belgiumcentral", "denmarkeast",
}
NOT_EEA = {"eu-west-2", "europe-west2", "europe-west6"}  # London, London, Zurich


def in_eu_eea(token: str, region: str) -> bool:
    if region in NOT_EEA:
        return False
    if token == "pulumi:providers:azure-native":
        return region.lower() in EU_AZURE
    return region.startswith(EU_PREFIXES.get(token, ("\0",)))


@stack_rule(
    id="gdpr-data-residency", title="Every region of the stack is in the EU/EEA", severity="high",
    cloud="any", practice="compliance", controls={"gdpr": ["44"]},
    remediation="Deploy in an EU/EEA region, or record the chapter V transfer basis (adequacy decision, "
    "standard contractual clauses) as an exemption with its expiry.",
)
def residency(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for res in resources:
        key = REGION_INPUT.get(res.resource_type)
        if key is None:
            continue
        region = str(res.props.get(key) or "")
        if not region:
            yield f"provider {res.name} sets no region: data may land outside the EU/EEA", res.urn
        elif not in_eu_eea(res.resource_type, region):
            yield f"provider {res.name} deploys to {region}, outside the EU/EEA", res.urn
