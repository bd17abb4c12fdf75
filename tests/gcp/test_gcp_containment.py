"""The containment responder in the rendered GCP examples: the findings topic triggers the
function, which takes internal traffic only and runs as an account holding exactly what the
responder calls; quarantine rules, log routing and the report alert are there."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from hardstack.components.gcp.containment import COMPUTE_PERMISSIONS, IDENTITY_PERMISSIONS
from hardstack.components.responders import gcp_package
from hardstack.render import Graph, Resource
from hardstack.spec import Environment

FUNCTION = "gcp:cloudfunctionsv2/function:Function"
FIREWALL = "gcp:compute/firewall:Firewall"
ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
ACCOUNT = "gcp:serviceaccount/account:Account"
TOPIC = "gcp:pubsub/topic:Topic"
SCC_CONFIG = "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig"
CONTAINMENT = "hardstack:gcp:Containment"
ROOT = Path(__file__).resolve().parents[2]


def inside(graph: Graph) -> list[Resource]:
    (component,) = graph.of_type(CONTAINMENT)
    return [r for r in graph if r.parent == component.urn]


def one(graph: Graph, token: str, suffix: str = "") -> Resource:
    found = [r for r in inside(graph) if r.type == token and r.name.endswith(suffix)]
    assert len(found) == 1, (token, suffix, [r.name for r in found])
    return found[0]


def accounts(graph: Graph) -> dict[str, str]:
    """job (responder, responder-trigger, responder-build) -> IAM member."""
    return {a.name.split("-containment-", 1)[1]: f"serviceAccount:{a.inputs['accountId']}@"
            f"{a.inputs['project']}.iam.gserviceaccount.com" for a in inside(graph) if a.type == ACCOUNT}


def grants_to(graph: Graph, member: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, role, inputs) of every IAM grant anywhere in the graph naming `member`."""
    return [(r.type, r.inputs["role"], r.inputs) for r in graph
            if r.custom and "iam" in r.type.split(":")[-1].lower() and "role" in r.inputs
            and (r.inputs.get("member") == member or member in (r.inputs.get("members") or []))]


@pytest.mark.parametrize("example", ["gcp_graph", "gpu_graph"])
def test_every_example_has_the_trigger_function_roles_and_quarantine(example: str, request) -> None:
    graph: Graph = request.getfixturevalue(example)
    (function,) = graph.of_type(FUNCTION)
    (topic,) = graph.of_type(TOPIC)
    (scc,) = graph.of_type(SCC_CONFIG)
    trigger = function.inputs["eventTrigger"]
    # Security Command Center publishes to the CMEK topic the function is triggered by.
    assert scc.inputs["pubsubTopic"] == trigger["pubsubTopic"] == f"projects/{topic.inputs['project']}/topics/" \
        f"{topic.inputs['name']}"
    assert topic.inputs["kmsKeyName"]
    assert trigger["eventType"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert trigger["retryPolicy"] == "RETRY_POLICY_RETRY"
    assert len(graph.of_type(ROLE)) == 2
    tags = {tuple(f.inputs["targetTags"]) for f in inside(graph) if f.type == FIREWALL}
    assert tags == {(function.inputs["serviceConfig"]["environmentVariables"]["HARDSTACK_QUARANTINE_TAG"],)}


@pytest.mark.parametrize("direction, ranges", [("INGRESS", "sourceRanges"), ("EGRESS", "destinationRanges")])
def test_quarantine_denies_everything_at_top_priority_for_the_tag_only(gcp_graph: Graph, direction: str,
                                                                      ranges: str) -> None:
    (rule,) = [f for f in inside(gcp_graph) if f.type == FIREWALL and f.inputs["direction"] == direction]
    assert rule.inputs["priority"] == 0 and rule.inputs["denies"] == [{"protocol": "all"}]
    assert rule.inputs[ranges] == ["0.0.0.0/0"] and not rule.inputs.get("allows")
    assert rule.inputs["targetTags"] == ["hardstack-quarantine"]
    assert rule.inputs["logConfig"] == {"metadata": "INCLUDE_ALL_METADATA"}
    (network,) = gcp_graph.of_type("gcp:compute/network:Network")
    assert network.urn in rule.propertyDependencies["network"]
    # Nothing else in the environment outranks it.
    assert all(f.inputs["priority"] > 0 for f in gcp_graph.of_type(FIREWALL) if f.urn != rule.urn
               and f.inputs["direction"] == direction and "targetTags" not in f.inputs)


def test_function_is_internal_and_runs_the_rendered_responder(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    (function,) = gcp_graph.of_type(FUNCTION)
    build, service = function.inputs["buildConfig"], function.inputs["serviceConfig"]
    assert service["ingressSettings"] == "ALLOW_INTERNAL_ONLY"
    assert build["runtime"] == "python312" and build["entryPoint"] == gcp_package.ENTRY_POINT
    source = one(gcp_graph, q.BUCKET, "-source")
    assert build["source"]["storageSource"] == {"bucket": source.inputs["name"], "object": gcp_package.object_name()}
    assert source.inputs["encryption"]["defaultKmsKeyName"] == q.key_id(gcp_graph, "data")
    assert source.inputs["publicAccessPrevention"] == "enforced" and source.inputs["uniformBucketLevelAccess"]
    env = service["environmentVariables"]
    assert env == {"HARDSTACK_ENVIRONMENT": gcp_spec.name, "HARDSTACK_RESPONSE_MODE": "isolate",
                   "HARDSTACK_MIN_SEVERITY": "high", "HARDSTACK_DRY_RUN": "false",
                   "HARDSTACK_PROJECT": gcp_spec.account, "HARDSTACK_REGION": gcp_spec.region,
                   "HARDSTACK_QUARANTINE_TAG": "hardstack-quarantine",
                   "HARDSTACK_SNAPSHOT_KEY": q.key_id(gcp_graph, "disks")}
    # The workloads' label is what the responder compares with HARDSTACK_ENVIRONMENT.
    assert {i.inputs["labels"]["hardstack-environment"] for i in gcp_graph.of_type(q.INSTANCE)} == {
        env["HARDSTACK_ENVIRONMENT"]}
    who = accounts(gcp_graph)
    assert service["serviceAccountEmail"] == who["responder"].split(":", 1)[1]
    assert function.inputs["eventTrigger"]["serviceAccountEmail"] == who["responder-trigger"].split(":", 1)[1]
    assert build["serviceAccount"].endswith(who["responder-build"].split(":", 1)[1])
    repository = one(gcp_graph, "gcp:artifactregistry/repository:Repository")
    assert build["dockerRepository"] == (
        f"projects/{gcp_spec.account}/locations/{gcp_spec.region}/repositories/{repository.inputs['repositoryId']}")
    # Images are encrypted with the data key, which the Artifact Registry agent holds first.
    assert repository.inputs["kmsKeyName"] == q.key_id(gcp_graph, "data")
    assert q.key_binding(gcp_graph, "data").urn in repository.dependencies
    assert q.agent(gcp_graph, "gcp-sa-artifactregistry") in q.key_binding(gcp_graph, "data").inputs["members"]
    apis = {s.urn: s.inputs["service"] for s in gcp_graph.of_type("gcp:projects/service:Service")
            if "-containment-" in s.name}
    assert sorted(apis.values()) == sorted(["cloudfunctions.googleapis.com", "run.googleapis.com",
                                            "cloudbuild.googleapis.com", "artifactregistry.googleapis.com",
                                            "eventarc.googleapis.com"])
    assert set(apis) <= set(function.dependencies)


def test_pulumi_uploads_the_rendered_archive_before_the_function_is_built(gcp_graph: Graph, q) -> None:
    (function,) = gcp_graph.of_type(FUNCTION)
    archive = one(gcp_graph, "gcp:storage/bucketObject:BucketObject", "-source-archive")
    bucket = one(gcp_graph, q.BUCKET, "-source")
    assert (archive.inputs["bucket"], archive.inputs["name"]) == (bucket.inputs["name"], gcp_package.object_name())
    # The engine zips the archive's members: exactly the files the package holds, as text (no
    # path of this checkout in the graph).
    members = archive.inputs["source"]["assets"]
    assert {name: m["text"].encode() for name, m in members.items()} == gcp_package.files()
    assert archive.urn in function.dependencies


def test_the_gpu_example_only_notifies(gpu_graph: Graph, gpu_spec: Environment) -> None:
    # Confidential, not restricted, data: the default is notify (Environment.response_mode).
    (function,) = gpu_graph.of_type(FUNCTION)
    env = function.inputs["serviceConfig"]["environmentVariables"]
    assert gpu_spec.data_classification == "confidential"
    assert (env["HARDSTACK_RESPONSE_MODE"], env["HARDSTACK_ENVIRONMENT"]) == ("notify", "gcp-gpu-eu")


def test_dry_run_and_threshold_reach_the_function(gcp_variant) -> None:
    graph = gcp_variant(monitoring={"threat_detection": True, "alert_email": "secops@example.com",
                                    "response": {"mode": "isolate", "min_severity": "critical", "dry_run": True}})
    (function,) = graph.of_type(FUNCTION)
    env = function.inputs["serviceConfig"]["environmentVariables"]
    assert (env["HARDSTACK_DRY_RUN"], env["HARDSTACK_MIN_SEVERITY"]) == ("true", "critical")


def test_no_threat_detection_no_responder(gcp_variant) -> None:
    graph = gcp_variant(monitoring={"threat_detection": False, "alert_email": "secops@example.com"})
    assert graph.of_type(CONTAINMENT) == [] and graph.of_type(FUNCTION) == []


def test_the_responder_holds_exactly_what_it_calls_on_this_project_only(gcp_graph: Graph, gcp_spec: Environment,
                                                                      q) -> None:
    roles = {r.inputs["roleId"]: r.inputs for r in inside(gcp_graph) if r.type == ROLE}
    by_perm = {tuple(sorted(r["permissions"])): f"projects/{gcp_spec.account}/roles/{rid}" for rid, r in roles.items()}
    compute = by_perm[tuple(sorted(COMPUTE_PERMISSIONS))]
    identity = by_perm[tuple(sorted(IDENTITY_PERMISSIONS))]
    assert set(COMPUTE_PERMISSIONS) == {
        "compute.instances.get", "compute.instances.list", "compute.instances.setTags", "compute.zoneOperations.get",
        "compute.disks.createSnapshot", "compute.snapshots.create", "compute.snapshots.get",
        "compute.snapshots.setLabels"}
    assert set(IDENTITY_PERMISSIONS) == {"iam.serviceAccounts.get", "iam.serviceAccounts.disable"}
    responder = accounts(gcp_graph)["responder"]
    grants = grants_to(gcp_graph, responder)
    project = [(t, role, i["project"]) for t, role, i in grants if t == "gcp:projects/iAMMember:IAMMember"]
    assert project == [("gcp:projects/iAMMember:IAMMember", compute, gcp_spec.account)]
    on_accounts = sorted(i["serviceAccountId"] for t, role, i in grants
                         if t == "gcp:serviceaccount/iAMMember:IAMMember" and role == identity)
    workloads = sorted(f"projects/{gcp_spec.account}/serviceAccounts/{email}"
                       for email in q.workload_accounts(gcp_graph).values())
    assert on_accounts == workloads
    assert len(grants) == 1 + len(workloads)


def test_trigger_may_only_invoke_and_build_only_build(gcp_graph: Graph, gcp_spec: Environment) -> None:
    who = accounts(gcp_graph)
    (function,) = gcp_graph.of_type(FUNCTION)
    assert [(t, role, i["name"]) for t, role, i in grants_to(gcp_graph, who["responder-trigger"])] == [
        ("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "roles/run.invoker", function.inputs["name"])]
    build = sorted((t.split(":")[-1], role) for t, role, _ in grants_to(gcp_graph, who["responder-build"]))
    assert build == [("BucketIAMMember", "roles/storage.objectViewer"), ("IAMMember", "roles/logging.logWriter"),
                     ("RepositoryIamMember", "roles/artifactregistry.writer")]
    public = [r.name for r in inside(gcp_graph) if {"allUsers", "allAuthenticatedUsers"} & {
        r.inputs.get("member"), *(r.inputs.get("members") or [])}]
    assert public == []


def test_function_logs_go_to_the_cmek_bucket_and_reports_alert_the_channel(gcp_graph: Graph) -> None:
    (function,) = gcp_graph.of_type(FUNCTION)
    (bucket,) = gcp_graph.of_type("gcp:logging/projectBucketConfig:ProjectBucketConfig")
    sink = one(gcp_graph, "gcp:logging/projectSink:ProjectSink")
    assert bucket.inputs["cmekSettings"]["kmsKeyName"]
    assert bucket.urn in sink.propertyDependencies["destination"]
    assert f'resource.labels.service_name="{function.inputs["name"]}"' in sink.inputs["filter"]
    metric = one(gcp_graph, "gcp:logging/metric:Metric")
    assert "jsonPayload.hardstack_report" in metric.inputs["filter"] and "severity>=WARNING" in metric.inputs["filter"]
    assert sink.inputs["filter"] in metric.inputs["filter"]
    alert = one(gcp_graph, "gcp:monitoring/alertPolicy:AlertPolicy")
    (channel,) = gcp_graph.of_type("gcp:monitoring/notificationChannel:NotificationChannel")
    assert channel.urn in alert.propertyDependencies["notificationChannels"]
    assert metric.urn in alert.propertyDependencies["conditions"]


def test_the_package_is_deterministic_pinned_and_importable(tmp_path: Path, monkeypatch) -> None:
    assert gcp_package.package() == gcp_package.package()
    archive = zipfile.ZipFile(io.BytesIO(gcp_package.package()))
    names = set(archive.namelist())
    assert names == {"main.py", "requirements.txt", "responders/__init__.py", "responders/decision.py",
                     "responders/packaging.py", "responders/gcp_scc.py", "responders/gcp_package.py"}
    pins = dict(line.split("==") for line in archive.read("requirements.txt").decode().split())
    constraints = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines()
                       if "==" in line and not line.startswith("#"))
    assert pins and all(constraints[name] == version for name, version in pins.items())
    archive.extractall(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for module in [m for m in sys.modules if m == "main" or m.startswith("responders")]:
        monkeypatch.delitem(sys.modules, module)
    import main  # the function's entry point, as Cloud Run functions imports it

    assert callable(getattr(main, gcp_package.ENTRY_POINT))
    assert sys.modules["responders.gcp_scc"].__file__.startswith(str(tmp_path))
