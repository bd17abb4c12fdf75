"""checkov as an independent judge of the GCP blueprint: both examples pass it (failing only what
their specs exempt), every resource is judged, hardstack's own GCP checks hold, and weakening one
setting fails the named check on the named resource. Everything shares one checkov run."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from checkov_helpers import STACKS, exported_count, first, judge_weakened, setting, weakened_failure

from hardstack.check import run_check
from hardstack.checkov.results import CheckovStackResult
from hardstack.policy import apply_exemptions
from hardstack.render import Graph, Resource
from hardstack.spec import Environment, load

EXAMPLES = {"gcp-prod-eu": STACKS / "Pulumi.gcp-prod-eu.yaml", "gcp-gpu-eu": STACKS / "Pulumi.gcp-gpu-eu.yaml"}
NAT_VARIANT = "gcp-prod-eu-nat"
CUSTOM = {f"HS_GCP_{n}" for n in range(1, 21)}

KEY = "gcp:kms/cryptoKey:CryptoKey"
INSTANCE = "gcp:compute/instance:Instance"
BUCKET = "gcp:storage/bucket:Bucket"
FIREWALL = "gcp:compute/firewall:Firewall"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
TOPIC = "gcp:pubsub/topic:Topic"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"


def open_ssh(graph: Graph) -> str:
    """The workload's peer firewall opened to SSH from anywhere (a rule's ports and sources)."""
    rule = first(graph, FIREWALL, "peers-in")
    rule.inputs.update(allows=[{"protocol": "tcp", "ports": ["22"]}], sourceRanges=["0.0.0.0/0"])
    return rule.name


def quiet_nat(graph: Graph) -> str:
    """A Cloud NAT added by hand, logging nothing (the example has no internet egress)."""
    token = "gcp:compute/routerNat:RouterNat"
    graph.resources.append(Resource(urn=f"urn:pulumi:x::x::{token}::hand-nat", name="hand-nat", type=token,
                                    parent=graph.root, inputs={"name": "hand-nat", "router": "r",
                                                               "logConfig": {"enable": False, "filter": "ALL"}}))
    return "hand-nat"


# checkov id -> weakening of one setting of the gcp-prod-eu example; the check must fail on the
# returned resource.
WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "CKV_GCP_43": setting(KEY, "rotationPeriod", lambda _: f"{365 * 86400}s", "data"),
    "CKV_GCP_112": setting("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "members",
                           lambda m: [*m, "allUsers"], "logs"),
    "CKV_GCP_29": setting(BUCKET, "uniformBucketLevelAccess", lambda _: False, "datasets"),
    "CKV_GCP_114": setting(BUCKET, "publicAccessPrevention", lambda _: "inherited", "models"),
    "CKV_GCP_62": setting(BUCKET, "logging", lambda _: None, "datasets"),
    "CKV_GCP_78": setting(BUCKET, "versioning", lambda _: {"enabled": False}, "datasets"),
    "CKV_GCP_28": setting("gcp:storage/bucketIAMBinding:BucketIAMBinding", "members",
                          lambda m: [*m, "allUsers"], "models-objectviewer"),
    "CKV_GCP_39": setting(INSTANCE, "shieldedInstanceConfig", lambda s: {**s, "enableVtpm": False}, "trainer-0"),
    "CKV_GCP_40": setting(INSTANCE, "networkInterfaces", lambda n: [{**n[0], "accessConfigs": [{}]}], "inference"),
    "CKV_GCP_32": setting(INSTANCE, "metadata", lambda m: {**m, "block-project-ssh-keys": "FALSE"}, "trainer-1"),
    "CKV_GCP_35": setting(INSTANCE, "metadata", lambda m: {**m, "serial-port-enable": "TRUE"}, "trainer-0"),
    "CKV_GCP_36": setting(INSTANCE, "canIpForward", lambda _: True, "inference"),
    "CKV_GCP_37": setting("gcp:compute/disk:Disk", "diskEncryptionKey", lambda _: None, "trainer-1"),
    "CKV_GCP_26": setting(SUBNET, "logConfig", lambda _: None),
    "CKV_GCP_74": setting(SUBNET, "privateIpGoogleAccess", lambda _: False),
    "CKV_GCP_2": open_ssh,
    "CKV_GCP_83": setting(TOPIC, "kmsKeyName", lambda _: None),
    "CKV_GCP_117": setting("gcp:projects/iAMMember:IAMMember", "role", lambda _: "roles/editor", "trainer-logging"),
    "HS_GCP_1": setting(INSTANCE, "confidentialInstanceConfig", lambda _: None, "trainer-1"),
    "HS_GCP_2": setting(BUCKET, "encryption", lambda e: {k: v for k, v in e.items() if k != "defaultKmsKeyName"},
                        "models"),
    "HS_GCP_3": setting(INSTANCE, "scheduling", lambda s: {**s, "onHostMaintenance": "MIGRATE"}, "inference"),
    "HS_GCP_4": setting(KEY, "deletionPolicy", lambda _: "DELETE", "disks"),
    "HS_GCP_5": setting(LOG_BUCKET, "cmekSettings", lambda _: None),
    "HS_GCP_6": setting(LOG_BUCKET, "retentionDays", lambda _: 90),
    "HS_GCP_7": setting("gcp:projects/iAMAuditConfig:IAMAuditConfig", "auditLogConfigs",
                        lambda c: [*c[:2], {"logType": "DATA_WRITE", "exemptedMembers": ["user:ops@example.com"]}]),
    "HS_GCP_8": setting("gcp:orgpolicy/policy:Policy", "spec", lambda _: {"rules": [{"allowAll": "TRUE"}]},
                        "vmexternalipaccess"),
    "HS_GCP_9": setting("gcp:monitoring/alertPolicy:AlertPolicy", "enabled", lambda _: False, "sa-key-creation"),
    "HS_GCP_10": setting(FIREWALL, "logConfig", lambda _: None, "deny-all-egress"),
    "HS_GCP_11": setting("gcp:compute/network:Network", "autoCreateSubnetworks", lambda _: True),
    "HS_GCP_12": setting("gcp:dns/policy:Policy", "enableLogging", lambda _: False),
    "HS_GCP_13": setting(BUCKET, "retentionPolicy", lambda _: None, "access-logs"),
    "HS_GCP_14": quiet_nat,
    "HS_GCP_15": setting(TOPIC, "messageStoragePolicy", lambda _: None),
    "HS_GCP_16": setting("gcp:projects/service:Service", "disableOnDestroy", lambda _: True, "logging"),
    # The containment responder (components/gcp/containment.py).
    "HS_GCP_17": setting("gcp:projects/iAMCustomRole:IAMCustomRole", "permissions",
                         lambda p: [*p, "iam.serviceAccounts.actAs"], "identity-role"),
    "HS_GCP_18": setting("gcp:serviceaccount/iAMMember:IAMMember", "role",
                         lambda _: "roles/iam.serviceAccountTokenCreator", "containment-revoke-0"),
    "HS_GCP_19": setting(FUNCTION, "serviceConfig",
                         lambda c: {**c, "serviceAccountEmail": "412712535515-compute@developer.gserviceaccount.com"}),
    "HS_GCP_20": setting("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "member", lambda _: "allUsers"),
    "CKV_GCP_124": setting(FUNCTION, "serviceConfig", lambda c: {**c, "ingressSettings": "ALLOW_ALL"}),
    "CKV_GCP_84": setting("gcp:artifactregistry/repository:Repository", "kmsKeyName", lambda _: None),
}


def nat_variant(rendered: Callable[[Environment, str], Graph]) -> Graph:
    """The prod example with egress nat: the only way the blueprint makes a Cloud NAT."""
    data = load(EXAMPLES["gcp-prod-eu"]).environment.model_dump(mode="python")
    data["network"]["egress"] = "nat"
    return rendered(Environment.model_validate(data), NAT_VARIANT)


@pytest.fixture(scope="module")
def examples(example_graph) -> dict[str, Graph]:
    return {name: example_graph(path) for name, path in EXAMPLES.items()}


@pytest.fixture(scope="module")
def judged(examples: dict[str, Graph], rendered) -> tuple[dict[str, CheckovStackResult], dict[str, tuple[str, str]]]:
    return judge_weakened(examples["gcp-prod-eu"], WEAKENINGS, "weak-gcp",
                          [*examples.values(), nat_variant(rendered)])


@pytest.mark.parametrize("stack", sorted(EXAMPLES))
def test_example_parsed_whole_by_checkov(judged, examples: dict[str, Graph], stack: str) -> None:
    assert judged[0][stack].resource_count == exported_count(examples[stack]) > 60


@pytest.mark.parametrize("stack", sorted(EXAMPLES))
def test_example_passes_at_least_forty_distinct_checks(judged, stack: str) -> None:
    assert len(judged[0][stack].distinct_passed) >= 40


@pytest.mark.parametrize("stack", [*sorted(EXAMPLES), NAT_VARIANT])
def test_example_has_no_unjudged_resources(judged, stack: str) -> None:
    assert judged[0][stack].unjudged == []


@pytest.mark.parametrize("stack", sorted(EXAMPLES))
def test_example_fails_only_what_its_spec_exempts(judged, examples: dict[str, Graph], stack: str) -> None:
    env = load(EXAMPLES[stack]).environment
    findings = judged[0][stack].findings
    assert {f.rule_id for f in findings} <= {e.rule for e in env.exemptions}
    # Each failure is matched by an exemption of its own resource, not just of its check id
    # (on copies: applying exemptions marks the findings, which other tests read).
    applied = apply_exemptions(copy.deepcopy(findings), env, examples[stack])
    assert [(f.rule_id, f.resource_name) for f in applied if f.status != "exempted"] == []


@pytest.mark.parametrize("stack", sorted(EXAMPLES))
def test_custom_checks_pass_on_the_example(judged, stack: str) -> None:
    # Cloud NAT (HS_GCP_14) exists only with egress: judged on the NAT variant.
    assert CUSTOM - {"HS_GCP_14"} <= judged[0][stack].distinct_passed
    assert not {f.rule_id for f in judged[0][stack].findings} & CUSTOM


def test_custom_checks_pass_with_cloud_nat(judged) -> None:
    result = judged[0][NAT_VARIANT]
    assert result.distinct_passed >= CUSTOM
    nat = [(check, urn) for check, urn in result.passed if check == "HS_GCP_14"]
    assert len(nat) == 1 and "nat" in nat[0][1]


def test_at_least_twelve_weakenings() -> None:
    assert len(WEAKENINGS) >= 12
    assert set(WEAKENINGS) >= CUSTOM  # every check of our own is shown to fail


@pytest.mark.parametrize("check_id", sorted(WEAKENINGS))
def test_weakened_setting_fails_the_named_check(judged, check_id: str) -> None:
    expected, failed = weakened_failure(judged, check_id)
    assert expected in failed, failed


def test_check_passes_both_gcp_examples_with_one_checkov_run() -> None:
    report = run_check(list(EXAMPLES.values()))
    assert report.exit_code == 0 and report.checkov_runs == 1
    for stack in report.stacks:
        assert stack.checkov is not None and stack.checkov.unjudged == [] and stack.failed == []
