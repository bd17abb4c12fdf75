"""The Vertex AI platform in the rendered gcp-ai-eu example: every hardening setting is in the
graph, agents hold the keys before the CMEK resources, and stacks without a platform are unchanged."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardstack.components.gcp.model_access import ModelAccessArgs
from hardstack.components.gcp.names import service_account_id
from hardstack.components.gcp.perimeter import perimeter_id
from hardstack.components.gcp.vertex import endpoint_id
from hardstack.components.gcp.workbench import LOCKDOWN_METADATA, WorkbenchArgs
from hardstack.render import Graph, Resource
from hardstack.spec import CONFIG_KEY, Environment, load

ROOT = Path(__file__).resolve().parents[2]
AI_STACK = ROOT / "stacks" / "Pulumi.gcp-ai-eu.yaml"
NOTEBOOK = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
POLICY = "gcp:networkconnectivity/serviceConnectionPolicy:ServiceConnectionPolicy"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
KEY_BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
SERVICE = "gcp:projects/service:Service"
FIREWALL = "gcp:compute/firewall:Firewall"
BUCKET_BINDING = "gcp:storage/bucketIAMBinding:BucketIAMBinding"
KEYS = "projects/ml-ai-eu-4711/locations/europe-west4/keyRings/gcp-ai-eu-keys/cryptoKeys"
NOTEBOOK_SA = f"{service_account_id('gcp-ai-eu', 'notebooks')}@ml-ai-eu-4711.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def ai_spec() -> Environment:
    return load(AI_STACK).environment


@pytest.fixture(scope="module")
def graph(ai_spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(ai_spec, "gcp-ai-eu")


def raw_spec() -> dict[str, Any]:
    doc = YAML(typ="safe").load(AI_STACK.read_text(encoding="utf-8"))
    return copy.deepcopy(doc["config"][CONFIG_KEY])


def one(graph: Graph, token: str, part: str = "") -> Resource:
    found = [r for r in graph.of_type(token) if part in r.name]
    assert len(found) == 1, (token, part, [r.name for r in found])
    return found[0]


def test_two_notebooks_as_the_spec_asks(graph: Graph) -> None:
    assert len(graph.of_type(NOTEBOOK)) == 2


def test_each_notebook_is_single_user_for_its_owner(graph: Graph) -> None:
    owners = raw_spec()["platform"]["notebooks"]["owners"]
    assert sorted(o for n in graph.of_type(NOTEBOOK) for o in n.inputs["instanceOwners"]) == sorted(owners)
    assert all(len(n.inputs["instanceOwners"]) == 1 for n in graph.of_type(NOTEBOOK))


def test_without_owners_the_notebooks_are_shared_by_their_account(rendered) -> None:
    raw = raw_spec()
    del raw["platform"]["notebooks"]["owners"]
    graph = rendered(Environment.model_validate(raw), "gcp-ai-eu-shared-notebooks")
    assert [n.inputs.get("instanceOwners") for n in graph.of_type(NOTEBOOK)] == [None]  # count defaults to 1


def test_notebooks_have_no_public_ip_nor_proxy(graph: Graph) -> None:
    for nb in graph.of_type(NOTEBOOK):
        setup = nb.inputs["gceSetup"]
        assert setup["disablePublicIp"] is True and setup["enableIpForwarding"] is False
        assert nb.inputs["disableProxyAccess"] is True
        assert not any(nic.get("accessConfigs") for nic in setup["networkInterfaces"])


def test_notebooks_are_confidential_shielded_and_keyed(graph: Graph) -> None:
    disks_key = f"{KEYS}/disks"
    for nb in graph.of_type(NOTEBOOK):
        setup = nb.inputs["gceSetup"]
        assert setup["machineType"] == "n2d-standard-4"
        assert setup["confidentialInstanceConfig"] == {"confidentialInstanceType": "SEV"}
        assert setup["shieldedInstanceConfig"] == {
            "enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True}
        for disk in ("bootDisk", "dataDisks"):
            assert setup[disk]["diskEncryption"] == "CMEK" and setup[disk]["kmsKey"] == disks_key


def test_notebooks_locked_down_and_run_as_their_own_account(graph: Graph) -> None:
    one(graph, "gcp:serviceaccount/account:Account", "notebooks")
    for nb in graph.of_type(NOTEBOOK):
        setup = nb.inputs["gceSetup"]
        assert LOCKDOWN_METADATA.items() <= setup["metadata"].items()
        assert setup["metadata"]["notebook-disable-root"] == "true"
        assert setup["serviceAccounts"] == [{"email": NOTEBOOK_SA}]
        assert setup["networkInterfaces"][0]["subnet"].endswith("/subnetworks/gcp-ai-eu-net-workloads")


def test_notebooks_reach_jupyterlab_only_through_iap(graph: Graph) -> None:
    iap = one(graph, FIREWALL, "allow-iap-ssh")
    assert iap.inputs["sourceRanges"] == ["35.235.240.0/20"] and iap.inputs["direction"] == "INGRESS"


def test_endpoint_private_through_psc_keyed_and_automated(graph: Graph) -> None:
    endpoint = one(graph, ENDPOINT, "scoring")
    psc = endpoint.inputs["privateServiceConnectConfig"]
    assert psc["enablePrivateServiceConnect"] is True and psc["projectAllowlists"] == ["ml-ai-eu-4711"]
    assert psc["pscAutomationConfigs"][0]["projectId"] == "ml-ai-eu-4711"
    assert "network" not in endpoint.inputs  # PSC and peering exclude each other
    assert endpoint.inputs["encryptionSpec"] == {"kmsKeyName": f"{KEYS}/data"}
    assert endpoint.inputs["name"] == endpoint_id("ml-ai-eu-4711/gcp-ai-eu/scoring")
    policy = one(graph, POLICY)
    assert policy.inputs["serviceClass"] == "gcp-vertexai" and policy.inputs["pscConfig"]["subnetworks"]
    assert policy.urn in endpoint.dependencies


def test_metadata_store_keyed(graph: Graph) -> None:
    store = one(graph, STORE)
    assert store.inputs["name"] == "default" and store.inputs["encryptionSpec"]["kmsKeyName"].endswith("/data")


def test_vertex_and_notebooks_agents_hold_the_keys_before_use(graph: Graph) -> None:
    data = one(graph, KEY_BINDING, "keys-data-users")
    disks = one(graph, KEY_BINDING, "keys-disks-users")
    assert any("@gcp-sa-aiplatform.iam.gserviceaccount.com" in m for m in data.inputs["members"])
    assert "serviceAccount:service-482915730164@gcp-sa-notebooks.iam.gserviceaccount.com" in disks.inputs["members"]
    # The CMEK resources take the key id only once its binding exists (KeyRing.ids).
    assert data.urn in one(graph, ENDPOINT).dependencies and data.urn in one(graph, STORE).dependencies
    for nb in graph.of_type(NOTEBOOK):
        assert disks.urn in nb.dependencies


def test_platform_apis_enabled(graph: Graph) -> None:
    services = {r.inputs["service"] for r in graph.of_type(SERVICE)}
    assert {"aiplatform.googleapis.com", "notebooks.googleapis.com", "networkconnectivity.googleapis.com",
            "accesscontextmanager.googleapis.com"} <= services


def test_only_allowed_models_and_narrow_invokers(graph: Graph) -> None:
    policy = one(graph, ORG_POLICY, "allowed-models")
    assert policy.inputs["name"] == "projects/ml-ai-eu-4711/policies/vertexai.allowedModels"
    (rule,) = policy.inputs["spec"]["rules"]
    allowed = rule["values"]["allowedValues"]
    assert "publishers/google/models/gemini-2.5-pro:predict" in allowed
    assert all(v.startswith("publishers/google/models/") and v.endswith(":predict") for v in allowed)
    invokers = [r for r in graph.of_type(PROJECT_MEMBER) if r.inputs["role"] == "roles/aiplatform.user"]
    assert [r.inputs["member"] for r in invokers] == [f"serviceAccount:{NOTEBOOK_SA}"]


def test_notebooks_read_the_datasets_bucket(graph: Graph) -> None:
    readers = [b for b in graph.of_type(BUCKET_BINDING) if "datasets" in b.name and "objectViewer" in b.inputs["role"]]
    assert readers and f"serviceAccount:{NOTEBOOK_SA}" in readers[0].inputs["members"]


def test_perimeter_encloses_the_project_by_number(graph: Graph) -> None:
    perimeter = one(graph, PERIMETER)
    status = perimeter.inputs["status"]
    assert perimeter.inputs["parent"] == "accessPolicies/918273645501"
    assert perimeter.inputs["name"] == "accessPolicies/918273645501/servicePerimeters/gcp_ai_eu"
    assert status["resources"] == ["projects/482915730164"]
    assert {"aiplatform.googleapis.com", "notebooks.googleapis.com", "storage.googleapis.com",
            "cloudkms.googleapis.com"} <= set(status["restrictedServices"])
    assert status["vpcAccessibleServices"] == {"enableRestriction": True, "allowedServices": ["RESTRICTED-SERVICES"]}
    assert "useExplicitDryRunSpec" not in perimeter.inputs
    # the pipeline and the administrators keep reaching the project from outside
    assert status["accessLevels"] == sorted(raw_spec()["platform"]["access_levels"])


def test_stacks_without_a_platform_get_none_of_it(gcp_graph: Graph) -> None:
    for token in (NOTEBOOK, ENDPOINT, STORE, POLICY, PERIMETER):
        assert gcp_graph.of_type(token) == []
    services = {r.inputs["service"] for r in gcp_graph.of_type(SERVICE)}
    assert "aiplatform.googleapis.com" not in services
    assert not [f for f in gcp_graph.of_type(FIREWALL) if "iap" in f.name]


def test_platform_without_notebooks_has_no_workbench(rendered) -> None:
    raw = raw_spec()
    del raw["platform"]["notebooks"]
    graph = rendered(Environment.model_validate(raw), "gcp-ai-eu-no-notebooks")
    assert graph.of_type(NOTEBOOK) == [] and len(graph.of_type(ENDPOINT)) == 1
    assert not [r for r in graph.of_type("gcp:serviceaccount/account:Account") if "notebooks" in r.name]


def test_component_args_refuse_what_cannot_work() -> None:
    with pytest.raises(ValueError, match="N2D only"):
        WorkbenchArgs(project="p", zone="z", count=1, machine_type="e2-standard-4", network="n", subnetwork="s",
                      service_account_email="a", disk_key_id="k")
    with pytest.raises(ValueError, match="2 notebooks take 2 owners, one each; got 1"):
        WorkbenchArgs(project="p", zone="z", count=2, machine_type="n2d-standard-4", network="n", subnetwork="s",
                      service_account_email="a", disk_key_id="k", owners=["ana@example.com"])
    from hardstack.components.gcp.perimeter import ServicePerimeterArgs

    with pytest.raises(ValueError, match="access levels of another policy"):
        ServicePerimeterArgs(access_policy="1", project_number="2", name="n",
                             access_levels=["accessPolicies/9/accessLevels/ci"])
    with pytest.raises(ValueError, match="deny every model"):
        ModelAccessArgs(project="p", allowed_models=[])
    with pytest.raises(ValueError, match="publishers/PUBLISHER"):
        ModelAccessArgs(project="p", allowed_models=["gemini-*"])


def test_names_fit_the_apis() -> None:
    assert endpoint_id("x")[0] != "0" and len(endpoint_id("x")) == 10 and endpoint_id("x") == endpoint_id("x")
    assert perimeter_id("9-env.eu") == "p_9_env_eu" and len(perimeter_id("a" * 80)) == 50


def test_platform_resources_use_the_one_provider_and_hang_below_the_environment(graph: Graph) -> None:
    (provider,) = graph.of_type("pulumi:providers:gcp")
    (root,) = graph.of_type("hardstack:gcp:Environment")
    for token in (NOTEBOOK, ENDPOINT, STORE, POLICY, PERIMETER, ORG_POLICY):
        for resource in graph.of_type(token):
            assert resource.provider_urn == provider.urn, resource.name
            node = resource
            while node is not None and node.urn != root.urn:
                node = graph.by_urn(node.parent)
            assert node is not None, resource.name
    components = {r.type for r in graph if not r.custom}
    assert {"hardstack:gcp:Workbench", "hardstack:gcp:VertexAI", "hardstack:gcp:ModelAccess",
            "hardstack:gcp:ServicePerimeter"} <= components


def test_regional_resources_stay_in_the_spec_region(graph: Graph) -> None:
    assert all(nb.inputs["location"].startswith("europe-west4-") for nb in graph.of_type(NOTEBOOK))
    assert one(graph, ENDPOINT).inputs["location"] == one(graph, STORE).inputs["region"] == "europe-west4"
    assert one(graph, POLICY).inputs["location"] == "europe-west4"


def test_platform_components_compose_outside_a_blueprint() -> None:
    from hardstack.components.gcp.model_access import ModelAccess
    from hardstack.components.gcp.perimeter import ServicePerimeter, ServicePerimeterArgs
    from hardstack.components.gcp.vertex import VertexAI, VertexAIArgs
    from hardstack.components.gcp.workbench import Workbench
    from hardstack.render import Target, render_program

    key = "projects/team-ml/locations/europe-west4/keyRings/r/cryptoKeys/k"
    net, subnet = "projects/team-ml/global/networks/n", "projects/team-ml/regions/europe-west4/subnetworks/s"

    def program() -> None:
        Workbench("nb", WorkbenchArgs(
            project="team-ml", zone="europe-west4-a", count=1, machine_type="n2d-standard-2",
            network=net, subnetwork=subnet,
            service_account_email="nb@team-ml.iam.gserviceaccount.com", disk_key_id=key))
        VertexAI("vx", VertexAIArgs(project="team-ml", region="europe-west4", network=net, subnetwork=subnet,
                                    key_id=key, endpoints=["a", "b"]))
        ModelAccess("models", ModelAccessArgs(project="team-ml",
                                              allowed_models=["publishers/google/models/gemini-2.5-flash:predict"]))
        ServicePerimeter("sp", ServicePerimeterArgs(access_policy="1", project_number="123456789012", name="team"))

    graph = render_program(program, "gcp-platform-alone",
                           Target(cloud="gcp", region="europe-west4", account="team-ml")).graph
    (nb,) = graph.of_type(NOTEBOOK)
    assert nb.inputs["gceSetup"]["disablePublicIp"] is True and nb.inputs["disableProxyAccess"] is True
    assert nb.inputs["gceSetup"]["bootDisk"]["kmsKey"] == key
    endpoints = graph.of_type(ENDPOINT)
    assert len(endpoints) == 2 and len({e.inputs["name"] for e in endpoints}) == 2
    assert all(e.inputs["encryptionSpec"]["kmsKeyName"] == key for e in endpoints)
    assert one(graph, POLICY).inputs["pscConfig"]["limit"] == "4"
    assert one(graph, ORG_POLICY).inputs["spec"]["rules"][0]["values"]["allowedValues"] == [
        "publishers/google/models/gemini-2.5-flash:predict"]
    assert graph.of_type(PROJECT_MEMBER) == []  # no invokers named, none granted
    assert one(graph, PERIMETER).inputs["status"]["resources"] == ["projects/123456789012"]


def test_evidence_draws_the_platform(graph: Graph) -> None:
    from hardstack.evidence.inventory import inventory

    inv = inventory(graph)
    kinds = {n.type: n.kind for n in inv.nodes}
    assert kinds[NOTEBOOK] == kinds[ENDPOINT] == kinds[PERIMETER] == "platform"
    assert kinds[STORE] == "store"
    platform = {n.name for n in inv.of_kind("platform")}
    assert "gcp-ai-eu-models-allowed-models" in platform
    assert not [n for n in inv.nodes if n.type == ORG_POLICY and n.name not in platform]  # guardrails not drawn
    notebooks = [n for n in inv.nodes if n.type == NOTEBOOK]
    assert all(n.details["tee"] != "none" and n.details["machine_type"] == "n2d-standard-4" for n in notebooks)
    assert all(n.within for n in notebooks)  # placed in the workload subnet
    encrypted = {inv.node(e.target).name for e in inv.related("encrypts")}
    assert {"gcp-ai-eu-vertex-scoring", "gcp-ai-eu-vertex-metadata", "gcp-ai-eu-workbench-0"} <= encrypted
    runs_as = {(inv.node(e.source).type, inv.node(e.target).name) for e in inv.related("runs_as")}
    assert (NOTEBOOK, "gcp-ai-eu-notebooks-sa") in runs_as
