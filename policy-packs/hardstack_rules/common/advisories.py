"""Advisories: deliberate but risky choices a reviewer must see, never a failure by themselves.

An advisory is a low-severity rule (packs run low-severity rules as advisory): `hardstack check`
lists it in every report format and `pulumi preview --policy-pack` prints it, but neither blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..rule import stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

# Resources that give workloads a path to the internet, per cloud.
EGRESS = {
    "aws:ec2/natGateway:NatGateway": "NAT gateway",
    "aws:ec2/internetGateway:InternetGateway": "internet gateway",
    "gcp:compute/routerNat:RouterNat": "Cloud NAT",
    "azure-native:network:NatGateway": "NAT gateway",
}


@stack_rule(
    id="internet-egress-advisory", title="Internet egress of a HIPAA or GDPR environment is shown to reviewers",
    severity="low", cloud="any", practice="access",
    controls={"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7"]},
    remediation="Keep network.egress: none (APIs through private endpoints only), or egress: proxy with an "
    "inspecting proxy; if internet egress is intended, record why in the change that sets it.",
)
def internet_egress(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    # Selected only by the hipaa and gdpr packs (cloud "any" stays out of the baseline): egress is
    # allowed by design (spec network.egress), but under these frameworks nobody may miss it.
    for res in resources:
        kind = EGRESS.get(res.resource_type)
        if kind is not None:
            yield (f"{kind} {res.name} gives workloads a path to the internet (network.egress): allowed, "
                   "but under HIPAA/GDPR a reviewer must see where data can leave"), res.urn
