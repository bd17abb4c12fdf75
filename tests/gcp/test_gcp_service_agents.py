"""Service agents (defect 8): the Cloud Storage and Cloud Logging agents are looked up, never
guessed; each lookup waits for its API; keys are granted to exactly what the lookups answer.

Sources: https://www.pulumi.com/registry/packages/gcp/api-docs/storage/getprojectserviceaccount/
(the lookup creates the Cloud Storage agent), https://www.pulumi.com/registry/packages/gcp/api-docs/
logging/getprojectsettings/ (kmsServiceAccountId encrypts CMEK log buckets),
https://cloud.google.com/iam/docs/service-agents (the Compute Engine agent's pattern)."""

from __future__ import annotations

import pytest

from hardstack.components.gcp.services import REQUIRED_APIS, ServiceAgentsArgs, pubsub_member
from hardstack.render import Graph, Resource, lookups, monitor, render_environment
from hardstack.spec import Environment

SERVICE = "gcp:projects/service:Service"


def api(graph: Graph, name: str) -> Resource:
    (found,) = [s for s in graph.of_type(SERVICE) if s.inputs["service"] == name]
    return found


def test_each_agent_lookup_made_once_for_the_spec_project(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    assert sorted(found.token for found in gcp_graph.lookups) == sorted(
        [q.STORAGE_AGENT, q.LOGGING_SETTINGS, q.GET_PROJECT])
    for found in gcp_graph.lookups:
        assert gcp_spec.account in (found.args.get("project"), found.args.get("projectId")), found


def test_keys_are_granted_to_exactly_the_looked_up_agents(gcp_graph: Graph, q) -> None:
    storage = q.lookup(gcp_graph, q.STORAGE_AGENT)
    settings = q.lookup(gcp_graph, q.LOGGING_SETTINGS)
    assert storage["member"] == f"serviceAccount:{storage['emailAddress']}"
    # The Artifact Registry agent encrypts the containment function's images with the data key.
    assert q.key_binding(gcp_graph, "data").inputs["members"] == [
        storage["member"], q.agent(gcp_graph, "gcp-sa-artifactregistry")]
    logs = q.key_binding(gcp_graph, "logs").inputs["members"]
    assert storage["member"] in logs
    assert f"serviceAccount:{settings['kmsServiceAccountId']}" in logs


@pytest.mark.parametrize(("purpose", "apis"), [
    ("data", ["storage.googleapis.com"]),
    ("logs", ["storage.googleapis.com", "logging.googleapis.com"]),
    # the project number is looked up through Resource Manager; the agent exists once Compute is on
    ("disks", ["cloudresourcemanager.googleapis.com", "compute.googleapis.com"]),
])
def test_each_agent_member_waits_for_its_api(gcp_graph: Graph, q, purpose: str, apis: list[str]) -> None:
    members_from = set(q.key_binding(gcp_graph, purpose).propertyDependencies["members"])
    assert {api(gcp_graph, name).urn for name in apis} <= members_from, purpose


def test_keys_follow_the_lookups_not_the_guessed_patterns(gcp_spec: Environment, monkeypatch) -> None:
    """An older project's logging CMEK account is cmek-pN@gcp-sa-logging, and a storage agent the
    pattern does not predict: the bindings must name what the lookups answer."""
    storage = "serviceAccount:service-900000000001@gs-project-accounts.iam.gserviceaccount.com"
    logging = "cmek-p900000000002@gcp-sa-logging.iam.gserviceaccount.com"
    original_storage = lookups.ANSWERS["gcp:storage/getProjectServiceAccount:getProjectServiceAccount"]
    original_settings = lookups.ANSWERS["gcp:logging/getProjectSettings:getProjectSettings"]
    monkeypatch.setitem(lookups.ANSWERS, "gcp:storage/getProjectServiceAccount:getProjectServiceAccount",
                        lambda args, target: {**original_storage(args, target), "member": storage,
                                              "emailAddress": storage.split(":", 1)[1]})
    monkeypatch.setitem(lookups.ANSWERS, "gcp:logging/getProjectSettings:getProjectSettings",
                        lambda args, target: {**original_settings(args, target), "kmsServiceAccountId": logging})
    graph = render_environment(gcp_spec, "gcp-agents-looked-up").graph
    bindings = {b.name.rsplit("-", 2)[-2]: b.inputs["members"]
                for b in graph.of_type("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding")}
    assert bindings["data"][0] == storage and len(bindings["data"]) == 2
    assert "@gcp-sa-artifactregistry.iam.gserviceaccount.com" in bindings["data"][1]
    assert storage in bindings["logs"] and f"serviceAccount:{logging}" in bindings["logs"]
    assert not [m for m in bindings["logs"] if m.startswith("serviceAccount:service-") and "@gcp-sa-logging." in m]


def test_a_spec_project_number_replaces_the_project_lookup(gcp_variant, q) -> None:
    graph = gcp_variant(project_number="123456789012")
    assert q.GET_PROJECT not in {found.token for found in graph.lookups}
    assert q.key_binding(graph, "disks").inputs["members"] == [
        "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com"]
    disks = set(q.key_binding(graph, "disks").propertyDependencies["members"])
    assert api(graph, "compute.googleapis.com").urn in disks


def test_pubsub_agent_falls_back_to_its_documented_email_when_none_is_returned() -> None:
    # generateServiceIdentity "may not return the service identity's details" (terraform-provider-
    # google resource_project_service_identity); the agent exists once the resource is created.
    assert pubsub_member(None, "123") == "serviceAccount:service-123@gcp-sa-pubsub.iam.gserviceaccount.com"
    assert pubsub_member("", "123") == "serviceAccount:service-123@gcp-sa-pubsub.iam.gserviceaccount.com"
    assert pubsub_member("agent@example.iam.gserviceaccount.com", "123") == (
        "serviceAccount:agent@example.iam.gserviceaccount.com")


def test_apis_the_lookups_need_cannot_be_left_out() -> None:
    without = tuple(a for a in REQUIRED_APIS if a != "storage.googleapis.com")
    with pytest.raises(ValueError, match=r"storage\.googleapis\.com"):
        ServiceAgentsArgs(project="p-123456", apis=without)
    no_resource_manager = tuple(a for a in REQUIRED_APIS if a != "cloudresourcemanager.googleapis.com")
    with pytest.raises(ValueError, match=r"cloudresourcemanager\.googleapis\.com"):
        ServiceAgentsArgs(project="p-123456", apis=no_resource_manager)
    ServiceAgentsArgs(project="p-123456", apis=no_resource_manager, project_number="123456789012")


def test_resource_manager_api_enabled_before_project_iam(gcp_graph: Graph) -> None:
    # Project IAM members and audit configs write projects.setIamPolicy of the Resource Manager
    # API (https://cloud.google.com/resource-manager/reference/rest/v1/projects/setIamPolicy).
    assert "cloudresourcemanager.googleapis.com" in REQUIRED_APIS
    manager = api(gcp_graph, "cloudresourcemanager.googleapis.com")
    for token in ("gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMAuditConfig:IAMAuditConfig"):
        resources = gcp_graph.of_type(token)
        assert resources and all(manager.urn in r.dependencies for r in resources), token


def test_lookups_go_through_the_environment_provider(gcp_spec: Environment, monkeypatch) -> None:
    # Like every resource, each lookup uses the explicit provider pinned to the spec's project
    # (the invoke takes its parent's provider), never an ambient default one.
    providers: dict[str, str] = {}
    original = monitor.RecordingMonitor.Invoke

    def record(self, request):  # type: ignore[no-untyped-def]
        providers[request.tok] = request.provider
        return original(self, request)

    monkeypatch.setattr(monitor.RecordingMonitor, "Invoke", record)
    graph = render_environment(gcp_spec, "gcp-lookup-provider").graph
    (provider,) = graph.of_type("pulumi:providers:gcp")
    assert len(providers) == 3
    assert {ref.rsplit("::", 1)[0] for ref in providers.values()} == {provider.urn}
