"""Keys: one ring per environment, one rotated key per purpose, HSM when asked, destroy
schedule, destroy prevention, and encrypt/decrypt granted only to the agents that use each key."""

from __future__ import annotations

import pytest

from hardstack.components.gcp.keys import KeyRingArgs
from hardstack.render import Graph
from hardstack.spec import Environment

PURPOSES = ("data", "logs", "disks")


def test_one_key_ring_in_the_region_holding_every_key(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    (ring,) = gcp_graph.of_type("gcp:kms/keyRing:KeyRing")
    assert ring.inputs["location"] == gcp_spec.region
    assert ring.inputs["project"] == gcp_spec.account
    assert ring.inputs["name"] == f"{gcp_spec.name}-keys"
    ring_id = f"projects/{gcp_spec.account}/locations/{gcp_spec.region}/keyRings/{gcp_spec.name}-keys"
    keys = gcp_graph.of_type(q.KEY)
    assert sorted(k.inputs["labels"]["purpose"] for k in keys) == sorted(PURPOSES)
    assert all(k.inputs["keyRing"] == ring_id for k in keys)
    assert all(ring.urn in k.propertyDependencies["keyRing"] for k in keys)


def test_rotation_period_from_the_spec(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    assert gcp_spec.keys.rotation_days == 90
    for purpose in PURPOSES:
        assert q.key(gcp_graph, purpose).inputs["rotationPeriod"] == "7776000s"


def test_rotation_period_follows_a_different_spec_value(gcp_variant, q) -> None:
    graph = gcp_variant(keys={"rotation_days": 30})
    assert {q.key(graph, p).inputs["rotationPeriod"] for p in PURPOSES} == {"2592000s"}


def test_hsm_protection_when_the_spec_asks(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    assert gcp_spec.keys.protection == "hsm"
    for purpose in PURPOSES:
        template = q.key(gcp_graph, purpose).inputs["versionTemplate"]
        assert template == {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "HSM"}


def test_software_protection_when_the_spec_asks(gcp_variant, q) -> None:
    graph = gcp_variant(keys={"protection": "software"})
    assert {q.key(graph, p).inputs["versionTemplate"]["protectionLevel"] for p in PURPOSES} == {"SOFTWARE"}


def test_destroy_scheduled_duration_from_the_deletion_window(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    expected = f"{gcp_spec.keys.deletion_window_days * 86400}s"
    for purpose in PURPOSES:
        assert q.key(gcp_graph, purpose).inputs["destroyScheduledDuration"] == expected


def test_keys_cannot_be_destroyed_by_a_deployment(gcp_graph: Graph, q) -> None:
    for purpose in PURPOSES:
        key = q.key(gcp_graph, purpose).inputs
        assert key["deletionPolicy"] == "PREVENT"
        assert key["purpose"] == "ENCRYPT_DECRYPT"


def test_each_key_used_only_by_the_agents_that_need_it(gcp_graph: Graph, q) -> None:
    # Changed with defect 8: this test used to expect the Cloud Storage and Cloud Logging agents
    # by their guessed email patterns; they are what the storage and logging lookups answer.
    storage = q.lookup(gcp_graph, q.STORAGE_AGENT)["member"]
    logging = "serviceAccount:" + q.lookup(gcp_graph, q.LOGGING_SETTINGS)["kmsServiceAccountId"]
    expected = {
        # The Artifact Registry agent: the containment function's images (test_gcp_containment.py).
        "data": [storage, q.agent(gcp_graph, "gcp-sa-artifactregistry")],
        "logs": [storage, logging, q.agent(gcp_graph, "gcp-sa-pubsub")],
        "disks": [q.agent(gcp_graph, "compute-system")],
    }
    for purpose, members in expected.items():
        binding = q.key_binding(gcp_graph, purpose).inputs
        assert binding["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
        assert sorted(binding["members"]) == sorted(members), purpose


def test_key_iam_is_authoritative_and_nothing_else_grants_on_keys(gcp_graph: Graph, q) -> None:
    assert len(gcp_graph.of_type(q.KEY_BINDING)) == len(PURPOSES)
    others = [r.type for r in gcp_graph if r.type.startswith("gcp:kms/") and "IAM" in r.type
              and r.type != q.KEY_BINDING]
    assert others == []


def test_workload_accounts_hold_no_key(gcp_graph: Graph, q) -> None:
    accounts = set(q.workload_accounts(gcp_graph).values())
    assert accounts
    for binding in gcp_graph.of_type(q.KEY_BINDING):
        assert not any(m.split(":", 1)[1] in accounts for m in binding.inputs["members"])


def test_project_number_comes_from_the_project_lookup(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    # Changed with defect 8: the number used to be parsed out of the Pub/Sub agent's email, and
    # every agent followed from it; now it is read with organizations.get_project (the spec has
    # no project_number), and the Pub/Sub agent still comes from its ServiceIdentity resource.
    assert gcp_spec.project_number is None
    project = q.lookup(gcp_graph, q.GET_PROJECT)
    assert q.project_number(gcp_graph) == project["number"]
    assert q.key_binding(gcp_graph, "disks").inputs["members"] == [
        f"serviceAccount:service-{project['number']}@compute-system.iam.gserviceaccount.com"]
    identities = {i.inputs["service"]: i for i in gcp_graph.of_type("gcp:projects/serviceIdentity:ServiceIdentity")}
    assert sorted(identities) == ["artifactregistry.googleapis.com", "pubsub.googleapis.com"]
    identity = identities["pubsub.googleapis.com"]
    assert identities["artifactregistry.googleapis.com"].urn in q.key_binding(
        gcp_graph, "data").propertyDependencies["members"]
    assert identity.urn in q.key_binding(gcp_graph, "logs").propertyDependencies["members"]
    assert identity.urn not in q.key_binding(gcp_graph, "data").propertyDependencies["members"]


@pytest.mark.parametrize(("field", "value"), [("rotation_days", 0), ("destroy_scheduled_days", 3)])
def test_key_ring_args_reject_unsafe_periods(field: str, value: int) -> None:
    args = {"project": "p-123456", "location": "europe-west4", "ring_name": "r", "users": {"data": ["x"]}}
    with pytest.raises(ValueError, match=field):
        KeyRingArgs(**args, **{field: value})


def test_key_ring_args_reject_keys_without_users() -> None:
    with pytest.raises(ValueError, match="without users"):
        KeyRingArgs(project="p-123456", location="europe-west4", ring_name="r", users={"data": []})
