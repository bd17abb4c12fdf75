"""Data: the datasets and models account is customer-key encrypted, TLS 1.2 and HTTPS only,
private, keyless, versioned with soft delete, and the models container is write-once."""

from __future__ import annotations

from azure_helpers import (
    ACCOUNT,
    BLOB_SERVICE,
    CONTAINER,
    ENDPOINT,
    IDENTITY,
    LIFECYCLE,
    VAULT,
    WORM,
    arm_id,
    by_input,
    diagnostics_of,
    environment_only,
    grants_to,
    key,
    principal_of,
    role_id,
)

from hardstack.components.azure import roles
from hardstack.components.azure.naming import storage_account_name
from hardstack.components.azure.storage import redundancy
from hardstack.render import Graph, Resource
from hardstack.spec import Environment


def account(graph: Graph, purpose: str, env: Environment) -> Resource:
    return by_input(graph, ACCOUNT, "accountName", storage_account_name(env.name, env.account, purpose))


def test_customer_managed_key_with_infrastructure_encryption(azure_graph: Graph, azure_spec: Environment) -> None:
    (vault,) = azure_graph.of_type(VAULT)
    for purpose in ("data", "logs"):
        enc = account(azure_graph, purpose, azure_spec).inputs["encryption"]
        assert enc["keySource"] == "Microsoft.Keyvault"
        assert enc["keyVaultProperties"] == {"keyName": purpose,
                                             "keyVaultUri": f"https://{vault.inputs['vaultName']}.vault.azure.net/"}
        assert enc["requireInfrastructureEncryption"] is True
        assert {s["keyType"] for s in enc["services"].values()} == {"Account"}


def test_the_account_unwraps_with_an_identity_granted_on_its_key_only(azure_graph: Graph,
                                                                      azure_spec: Environment) -> None:
    data = account(azure_graph, "data", azure_spec)
    identity_id = data.inputs["encryption"]["encryptionIdentity"]["encryptionUserAssignedIdentity"]
    assert data.inputs["identity"]["userAssignedIdentities"] == [identity_id]
    (identity,) = [i for i in azure_graph.of_type(IDENTITY) if arm_id(azure_graph, i) == identity_id]
    (grant,) = grants_to(azure_graph, principal_of(azure_graph, identity))
    assert role_id(grant) == roles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER
    assert grant.inputs["scope"] == arm_id(azure_graph, key(azure_graph, "data"))
    assert grant.urn in data.dependencies


def test_https_tls12_no_public_blobs_no_shared_keys(azure_graph: Graph) -> None:
    for acct in azure_graph.of_type(ACCOUNT):
        i = acct.inputs
        assert i["enableHttpsTrafficOnly"] is True and i["minimumTlsVersion"] == "TLS1_2", acct.name
        assert i["allowBlobPublicAccess"] is False and i["allowSharedKeyAccess"] is False, acct.name
        assert i["defaultToOAuthAuthentication"] is True and i["allowCrossTenantReplication"] is False, acct.name
        assert i["networkRuleSet"]["defaultAction"] == "Deny" and i["networkRuleSet"]["ipRules"] == [], acct.name


def test_data_account_is_private_with_a_blob_endpoint(azure_graph: Graph, azure_spec: Environment) -> None:
    data = account(azure_graph, "data", azure_spec)
    assert data.inputs["publicNetworkAccess"] == "Disabled"
    assert data.inputs["allowedCopyScope"] == "PrivateLink"
    (endpoint,) = [e for e in azure_graph.of_type(ENDPOINT) if e.inputs["privateLinkServiceConnections"][0][
        "privateLinkServiceId"] == arm_id(azure_graph, data)]
    assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["blob"]


def test_log_account_admits_only_trusted_services(azure_graph: Graph, azure_spec: Environment) -> None:
    # Network Watcher writes flow logs as a trusted service; nothing else passes the firewall.
    logs = account(azure_graph, "logs", azure_spec)
    assert logs.inputs["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices",
                                             "ipRules": [], "virtualNetworkRules": []}


def test_geo_zone_redundant_where_the_region_has_a_pair(azure_graph: Graph) -> None:
    assert {a.inputs["sku"]["name"] for a in azure_graph.of_type(ACCOUNT)} == {"Standard_GZRS"}
    assert redundancy("italynorth") == "Standard_ZRS"  # no paired region: data stays in-region


def test_versioning_change_feed_and_soft_delete(azure_graph: Graph) -> None:
    # The data and log accounts, plus the containment Function's own account: all three alike.
    assert len(environment_only(azure_graph, BLOB_SERVICE)) == 2
    services = azure_graph.of_type(BLOB_SERVICE)
    assert len(services) == 3
    for service in services:
        i = service.inputs
        assert i["isVersioningEnabled"] is True and i["changeFeed"]["enabled"] is True
        assert i["deleteRetentionPolicy"]["enabled"] is True and i["deleteRetentionPolicy"]["days"] >= 7
        assert i["containerDeleteRetentionPolicy"]["enabled"] is True


def test_containers_for_every_spec_bucket_none_public(azure_graph: Graph, azure_spec: Environment) -> None:
    containers = environment_only(azure_graph, CONTAINER)
    assert sorted(c.inputs["containerName"] for c in containers) == sorted(b.name for b in azure_spec.data.buckets)
    assert all(c.inputs["publicAccess"] == "None" for c in azure_graph.of_type(CONTAINER))


def test_models_container_is_write_once_for_model_lock_days(azure_graph: Graph, gpu_graph: Graph,
                                                            azure_spec: Environment, gpu_spec: Environment) -> None:
    for graph, spec in ((azure_graph, azure_spec), (gpu_graph, gpu_spec)):
        models = by_input(graph, CONTAINER, "containerName", "models")
        assert models.inputs["immutableStorageWithVersioning"] == {"enabled": True}
        (worm,) = graph.of_type(WORM)
        assert worm.inputs["containerName"] == "models"
        assert worm.inputs["immutabilityPeriodSinceCreationInDays"] == spec.data.model_lock_days
        assert worm.inputs["allowProtectedAppendWrites"] is False
        datasets = by_input(graph, CONTAINER, "containerName", "datasets")
        assert "immutableStorageWithVersioning" not in datasets.inputs



def test_container_metadata_names_the_bucket_purpose_not_its_name(render_variant) -> None:
    # Policies find the write-once containers by this metadata: a models bucket named otherwise
    # must still say it holds models.
    graph = render_variant(data={"buckets": [{"name": "corpus", "purpose": "datasets"},
                                             {"name": "weights", "purpose": "models"}]})
    weights = by_input(graph, CONTAINER, "containerName", "weights")
    assert weights.inputs["metadata"] == {"purpose": "models"}
    assert weights.inputs["immutableStorageWithVersioning"] == {"enabled": True}
    assert by_input(graph, CONTAINER, "containerName", "corpus").inputs["metadata"] == {"purpose": "datasets"}

def test_old_versions_expire_after_the_spec_retention(azure_graph: Graph, azure_spec: Environment) -> None:
    data_name = account(azure_graph, "data", azure_spec).inputs["accountName"]
    policy = by_input(azure_graph, LIFECYCLE, "accountName", data_name).inputs["policy"]
    actions = policy["rules"][0]["definition"]["actions"]
    assert actions["version"]["delete"]["daysAfterCreationGreaterThan"] == azure_spec.data.retention_days
    assert "baseBlob" not in actions  # datasets and models are never deleted by age


def test_flow_logs_are_deleted_after_the_log_retention(azure_graph: Graph, azure_spec: Environment) -> None:
    logs_name = account(azure_graph, "logs", azure_spec).inputs["accountName"]
    actions = by_input(azure_graph, LIFECYCLE, "accountName", logs_name).inputs["policy"]["rules"][0][
        "definition"]["actions"]
    assert actions["baseBlob"]["delete"]["daysAfterModificationGreaterThan"] == azure_spec.logging.retention_days


def test_blob_logs_go_to_the_workspace(azure_graph: Graph) -> None:
    for service in azure_graph.of_type(BLOB_SERVICE):
        (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, service))
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
