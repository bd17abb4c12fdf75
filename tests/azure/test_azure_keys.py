"""Keys: one Key Vault locked to the network and RBAC, keys per purpose rotated with an expiry,
and the confidential OS disk key with the release policy the Confidential VM service checks."""

from __future__ import annotations

import datetime as dt

import pytest
from azure_helpers import (
    DES,
    DNS_GROUP,
    ENDPOINT,
    IDENTITY,
    KEY,
    VAULT,
    ZONE,
    arm_id,
    by_input,
    diagnostics_of,
    grants_to,
    key,
    principal_of,
    role_id,
)

from hardstack.components.azure import release_policy, roles
from hardstack.components.azure.naming import vault_name
from hardstack.components.azure.vault_key import ConfidentialRelease, VaultKeyArgs
from hardstack.render import Graph
from hardstack.spec import Environment


def test_one_vault_with_purge_protection_soft_delete_and_rbac(azure_graph: Graph, azure_spec: Environment) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    props = vault.inputs["properties"]
    assert props["enablePurgeProtection"] is True
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == azure_spec.keys.deletion_window_days
    assert props["enableRbacAuthorization"] is True
    assert not props.get("accessPolicies")
    assert vault.protect is True


def test_vault_is_unreachable_from_public_networks(azure_graph: Graph) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    props = vault.inputs["properties"]
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"]["defaultAction"] == "Deny"
    assert props["networkAcls"]["ipRules"] == [] and props["networkAcls"]["virtualNetworkRules"] == []
    for flag in ("enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption"):
        assert props[flag] is False, flag


def test_vault_name_is_globally_unique_and_fits(azure_graph: Graph, azure_spec: Environment) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    assert vault.inputs["vaultName"] == vault_name(azure_spec.name, azure_spec.account)
    long = vault_name("a-very-long-environment-name-x", azure_spec.account)
    assert 3 <= len(long) <= 24 and "--" not in long
    assert vault_name("prod", "00000000-0000-4000-8000-000000000001") != vault_name("prod", azure_spec.account)


def test_vault_has_a_private_endpoint_in_the_vault_dns_zone(azure_graph: Graph) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    vault_id = arm_id(azure_graph, vault)
    (endpoint,) = [e for e in azure_graph.of_type(ENDPOINT)
                   if e.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"] == vault_id]
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["vault"]
    assert endpoint.inputs["subnet"]["id"].endswith("/subnets/snet-endpoints")
    group = by_input(azure_graph, DNS_GROUP, "privateEndpointName", endpoint.inputs["privateEndpointName"])
    zone = by_input(azure_graph, ZONE, "privateZoneName", "privatelink.vaultcore.azure.net")
    assert [c["privateDnsZoneId"] for c in group.inputs["privateDnsZoneConfigs"]] == [arm_id(azure_graph, zone)]


def test_vault_sends_audit_logs_to_the_workspace(azure_graph: Graph) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, vault))
    assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert "/workspaces/" in setting.inputs["workspaceId"]


def test_confidential_vms_share_the_region_of_a_premium_vault(azure_graph: Graph, gpu_graph: Graph) -> None:
    # "Your key vault instance and your confidential VM must be in the same Azure region" and "The
    # standard SKU is not supported":
    # https://learn.microsoft.com/azure/confidential-computing/quick-create-confidential-vm-arm
    for graph in (azure_graph, gpu_graph):
        (vault,) = graph.of_type(VAULT)
        (des,) = graph.of_type(DES)
        assert vault.inputs["properties"]["sku"]["name"] == "premium"
        assert {vm.inputs["location"] for vm in graph.of_type("azure-native:compute:VirtualMachine")} == {
            vault.inputs["location"]} == {des.inputs["location"]}


def test_premium_vault_and_hsm_keys_when_protection_is_hsm(azure_graph: Graph) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    assert vault.inputs["properties"]["sku"] == {"family": "A", "name": "premium"}
    assert {k.inputs["properties"]["kty"] for k in azure_graph.of_type(KEY)} == {"RSA-HSM"}


def test_confidential_disks_keep_the_vault_premium_with_software_keys(render_variant) -> None:
    graph = render_variant(keys={"protection": "software"})
    (vault,) = graph.of_type(VAULT)
    assert vault.inputs["properties"]["sku"]["name"] == "premium"  # RSA-HSM disk keys need it
    assert {k.inputs["keyName"]: k.inputs["properties"]["kty"] for k in graph.of_type(KEY)} == {
        "data": "RSA", "logs": "RSA", "disks": "RSA-HSM", "functions": "RSA"}


def test_one_key_per_purpose(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        # "functions": the containment Function's storage account (threat detection is on).
        assert sorted(k.inputs["keyName"] for k in graph.of_type(KEY)) == ["data", "disks", "functions", "logs"]


# Keys services follow through automatic rotation. The confidential "disks" key is rotated offline
# (test_azure_key_rotation.py). The three tests below asserted an automatic rotate action and a
# rotation_days + 30 lifetime on every key, the disk key included: that encoded the defect (Azure
# cannot use a rotated confidential disk key version, and the pinned one expired unannounced), so
# they now hold the disk key to its offline schedule instead.
AUTOMATIC = ("data", "logs")


def test_every_key_rotates_on_the_spec_period(azure_graph: Graph, azure_spec: Environment) -> None:
    for purpose in AUTOMATIC:
        policy = key(azure_graph, purpose).inputs["properties"]["rotationPolicy"]
        rotate = [a for a in policy["lifetimeActions"] if a["action"]["type"] == "rotate"]
        assert rotate == [{"trigger": {"timeAfterCreate": f"P{azure_spec.keys.rotation_days}D"},
                           "action": {"type": "rotate"}}], purpose
    for k in azure_graph.of_type(KEY):
        policy = k.inputs["properties"]["rotationPolicy"]
        assert any(a["action"]["type"] == "notify" and "timeBeforeExpiry" in a["trigger"]
                   for a in policy["lifetimeActions"]), k.name


def test_rotation_period_follows_the_spec(render_variant) -> None:
    graph = render_variant(keys={"rotation_days": 60})
    for purpose in AUTOMATIC:
        policy = key(graph, purpose).inputs["properties"]["rotationPolicy"]
        assert policy["lifetimeActions"][0]["trigger"]["timeAfterCreate"] == "P60D"
        assert policy["attributes"]["expiryTime"] == "P90D"
    disks = key(graph, "disks").inputs["properties"]["rotationPolicy"]
    assert disks["attributes"]["expiryTime"] == "P60D"  # the offline rotation is due after 60 days
    assert [a["action"]["type"] for a in disks["lifetimeActions"]] == ["notify"]


def test_every_key_version_expires(azure_graph: Graph, azure_spec: Environment) -> None:
    lifetimes = {"data": azure_spec.keys.rotation_days + 30, "logs": azure_spec.keys.rotation_days + 30,
                 "disks": azure_spec.keys.rotation_days}
    today = dt.datetime.now(dt.UTC).timestamp()
    for purpose, lifetime in lifetimes.items():
        props = key(azure_graph, purpose).inputs["properties"]
        assert props["rotationPolicy"]["attributes"]["expiryTime"] == f"P{lifetime}D"
        expires = props["attributes"]["expires"]
        assert today + (lifetime - 1) * 86400 < expires <= today + (lifetime + 1) * 86400, purpose


def test_keys_only_wrap_and_unwrap(azure_graph: Graph) -> None:
    for k in azure_graph.of_type(KEY):
        assert sorted(k.inputs["properties"]["keyOps"]) == ["unwrapKey", "wrapKey"], k.name
        assert k.inputs["properties"]["keySize"] == 3072


def test_confidential_disk_key_is_exportable_rsa_hsm_3072(azure_graph: Graph) -> None:
    props = key(azure_graph, "disks").inputs["properties"]
    assert (props["kty"], props["keySize"], props["attributes"]["exportable"]) == ("RSA-HSM", 3072, True)
    for purpose in ("data", "logs"):
        assert "exportable" not in key(azure_graph, purpose).inputs["properties"]["attributes"]
        assert "releasePolicy" not in key(azure_graph, purpose).inputs["properties"]


def test_release_policy_admits_only_attested_compliant_cvms_of_the_region(azure_graph: Graph,
                                                                          azure_spec: Environment) -> None:
    released = key(azure_graph, "disks").inputs["properties"]["releasePolicy"]
    assert released["contentType"] == "application/json; charset=utf-8"
    policy = release_policy.decode(released["data"])
    (rule,) = policy["anyOf"]
    assert rule["authority"] == "https://sharedweu.weu.attest.azure.net/"  # westeurope's shared MAA
    assert {"claim": "x-ms-compliance-status", "equals": "azure-compliant-cvm"} in rule["allOf"]
    (kinds,) = [c["anyOf"] for c in rule["allOf"] if "anyOf" in c]
    assert kinds == [{"claim": "x-ms-attestation-type", "equals": "tdxvm"}]  # the example runs TDX only


def test_sev_snp_stack_releases_to_sevsnpvm(gpu_graph: Graph) -> None:
    policy = release_policy.decode(key(gpu_graph, "disks").inputs["properties"]["releasePolicy"]["data"])
    assert policy["anyOf"][0]["allOf"][1]["anyOf"] == [{"claim": "x-ms-attestation-type", "equals": "sevsnpvm"}]


def test_disk_encryption_set_is_confidential_with_the_disk_key(azure_graph: Graph) -> None:
    (des,) = azure_graph.of_type(DES)
    assert des.inputs["encryptionType"] == "ConfidentialVmEncryptedWithCustomerKey"
    (vault,) = azure_graph.of_type(VAULT)
    assert des.inputs["activeKey"]["sourceVault"]["id"] == arm_id(azure_graph, vault)
    key_url = des.inputs["activeKey"]["keyUrl"]
    assert key_url.startswith(f"https://{vault.inputs['vaultName']}.vault.azure.net/keys/disks/")
    assert len(key_url.rsplit("/", 1)[-1]) == 32  # confidential sets pin a key version
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is False


def test_disk_encryption_identity_may_only_wrap_with_the_disk_key(azure_graph: Graph) -> None:
    (des,) = azure_graph.of_type(DES)
    (identity_id,) = des.inputs["identity"]["userAssignedIdentities"]
    (identity,) = [i for i in azure_graph.of_type(IDENTITY) if arm_id(azure_graph, i) == identity_id]
    (grant,) = grants_to(azure_graph, principal_of(azure_graph, identity))
    assert role_id(grant) == roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER
    assert grant.inputs["scope"] == arm_id(azure_graph, key(azure_graph, "disks"))
    assert grant.urn in des.dependencies  # the set is created only once it can unwrap


def test_orchestrator_release_grant_from_the_spec(azure_graph: Graph, azure_spec: Environment) -> None:
    assert azure_spec.azure is not None
    graph = azure_graph
    (release,) = grants_to(graph, azure_spec.azure.cvm_orchestrator_object_id)
    assert role_id(release) == roles.KEY_VAULT_CRYPTO_SERVICE_RELEASE_USER
    assert release.inputs["scope"] == arm_id(graph, key(graph, "disks"))


def test_software_protection_without_confidential_disks_uses_a_standard_vault(render_variant,
                                                                              azure_spec: Environment) -> None:
    workload = azure_spec.workloads[0].model_dump()
    exemption = {"rule": "confidential-computing", "resource": workload["name"],
                 "expires": dt.date.today() + dt.timedelta(days=90),  # exemptions last a year at most
                 "reason": "synthetic benchmark data only, reviewed by security in SEC-42",
                 "approved_by": "security-board@example.com"}
    graph = render_variant(keys={"protection": "software"}, workloads=[{**workload, "confidential": "none"}],
                           exemptions=[exemption])
    (vault,) = graph.of_type(VAULT)
    assert vault.inputs["properties"]["sku"]["name"] == "standard"
    assert {k.inputs["properties"]["kty"] for k in graph.of_type(KEY)} == {"RSA"}
    assert "disks" not in {k.inputs["keyName"] for k in graph.of_type(KEY)}
    (des,) = graph.of_type(DES)  # still a customer key for the exempted VM's disks
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithCustomerKey"
    assert des.inputs["rotationToLatestKeyVersionEnabled"] is True


def test_key_args_refuse_rotation_faster_than_key_vault_allows() -> None:
    with pytest.raises(ValueError, match="at least 7 days"):
        VaultKeyArgs(purpose="data", vault_name="kv", resource_group_name="rg", rotation_days=3)


def test_confidential_disk_keys_must_be_hsm_3072() -> None:
    release = ConfidentialRelease("westeurope", ["tdx"])
    with pytest.raises(ValueError, match="RSA-HSM 3072"):
        VaultKeyArgs(purpose="disks", vault_name="kv", resource_group_name="rg", hsm=False,
                     confidential_release=release)
    with pytest.raises(ValueError, match="no shared Azure Attestation provider"):
        release_policy.cvm_release_policy("mars-north", ["tdx"])
