"""The Azure component example for the README runs as written, offline, and does what it says.

The example lives here until the README carries it (marker `readme-example: azure-compose`);
from then on the README's copy must match this one exactly.
"""

from __future__ import annotations

import re

import pytest
from azure_helpers import KEY, PROVIDER, ROOT, VAULT

from hardstack.render import Target, render_program

MARKER = "<!-- readme-example: azure-compose -->"
EXAMPLE = '''\
import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import resources

from hardstack.components.azure import (
    AuditWorkspace, AuditWorkspaceArgs, KeyVault, KeyVaultArgs, PrivateNetwork, PrivateNetworkArgs,
    ServiceIdentities, ServiceIdentitiesArgs, VaultKey, VaultKeyArgs,
)

SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"
LOCATION = "westeurope"
provider = azure_native.Provider("team", subscription_id=SUBSCRIPTION, location=LOCATION)
opts = pulumi.ResourceOptions(provider=provider)

rg = resources.ResourceGroup("team", resource_group_name="rg-team", location=LOCATION, opts=opts)
audit = AuditWorkspace("team-audit", AuditWorkspaceArgs(
    subscription_id=SUBSCRIPTION, resource_group_name=rg.name, location=LOCATION,
    workspace_name="log-team", retention_days=365,
), opts=opts)
net = PrivateNetwork("team-net", PrivateNetworkArgs(
    resource_group_name=rg.name, location=LOCATION, cidr="10.50.0.0/16", workspace_id=audit.id,
), opts=opts)
ids = ServiceIdentities("team-svc", ServiceIdentitiesArgs(
    resource_group_name=rg.name, location=LOCATION, purposes=["data-cmk"],
), opts=opts)
vault = KeyVault("team-kv", KeyVaultArgs(
    vault_name="kv-team-4711", resource_group_name=rg.name, location=LOCATION, tenant_id=ids.tenant_id,
    endpoint_subnet_id=net.subnets["endpoints"].id, dns_zone_id=net.dns_zones["vault"].id,
    workspace_id=audit.id,
), opts=opts)
key = VaultKey("team-data", VaultKeyArgs(
    purpose="data", vault_name=vault.name, resource_group_name=rg.name, rotation_days=90,
), opts=opts)
pulumi.export("data_key_id", key.id)
'''


def test_example_composes_a_private_vault_and_a_rotated_key() -> None:
    graph = render_program(
        lambda: exec(compile(EXAMPLE, "README.md", "exec"), {}),  # our own text
        "readme-azure", Target(cloud="azure", region="westeurope", account="00000000-0000-4000-8000-000000000000"),
    ).graph
    (vault,) = graph.of_type(VAULT)
    assert vault.inputs["properties"]["publicNetworkAccess"] == "Disabled"
    assert vault.inputs["properties"]["enablePurgeProtection"] is True
    (key,) = graph.of_type(KEY)
    assert key.inputs["properties"]["rotationPolicy"]["lifetimeActions"][0]["trigger"] == {"timeAfterCreate": "P90D"}
    (provider,) = graph.of_type(PROVIDER)
    assert all(r.provider_urn == provider.urn for r in graph if r.custom and r is not provider)


def test_readme_carries_the_example_verbatim() -> None:
    text = (ROOT / "README.md").read_text()
    if MARKER not in text:
        pytest.skip("README has no Azure component example yet (see the Azure blueprint section proposal)")
    match = re.search(re.escape(MARKER) + r"\s*```python\n(.*?)```", text, re.S)
    assert match and match.group(1) == EXAMPLE
