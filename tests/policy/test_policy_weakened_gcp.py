"""Both GCP examples pass every mandatory rule; weakening one setting of one resource of the
gcp-prod-eu example makes the named rule fail on that resource."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from test_policy_kubernetes_gcp import K8S_WEAKENINGS
from test_policy_platform_gcp import PLATFORM_WEAKENINGS
from weakening import blame, drop, edit_input, findings, first, named, set_input, weaken

from hardstack.render import Graph, Resource
from hardstack.rules import rules
from hardstack.spec import LoadedSpec, load

STACKS = Path(__file__).resolve().parents[2] / "stacks"
PROD = STACKS / "Pulumi.gcp-prod-eu.yaml"
GPU = STACKS / "Pulumi.gcp-gpu-eu.yaml"

KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
NETWORK = "gcp:compute/network:Network"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
FIREWALL = "gcp:compute/firewall:Firewall"
INSTANCE = "gcp:compute/instance:Instance"
DISK = "gcp:compute/disk:Disk"
BUCKET = "gcp:storage/bucket:Bucket"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
ALERT = "gcp:monitoring/alertPolicy:AlertPolicy"
TOPIC = "gcp:pubsub/topic:Topic"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"


@pytest.fixture(scope="module")
def loaded() -> LoadedSpec:
    return load(PROD)


@pytest.fixture(scope="module")
def graph(loaded: LoadedSpec, rendered) -> Graph:
    return rendered(loaded.environment, loaded.stack)  # render(loaded).graph, shared


def foreign(token: str, key: str, value: object, name_part: str = "") -> Callable[[Graph], str]:
    """Point `key` somewhere outside the stack: a literal value, no reference to a resource of it."""
    def mutate(graph: Graph) -> str:
        res = first(graph, token, name_part)
        res.inputs[key] = value
        res.propertyDependencies.pop(key, None)
        return res.name
    return mutate


def add(token: str, name: str, inputs: dict[str, object]) -> Callable[[Graph], str]:
    def mutate(graph: Graph) -> str:
        graph.resources.append(Resource(urn=f"urn:pulumi:x::x::{token}::{name}", name=name, type=token,
                                        parent=graph.root, inputs=dict(inputs)))
        return name
    return mutate


WEAKENINGS: dict[str, Callable[[Graph], str]] = {
    "gcp-kms-key-rotation": set_input(KEY, "rotationPeriod", None, "data"),
    "gcp-kms-rotation-period": set_input(KEY, "rotationPeriod", f"{365 * 86400}s", "data"),
    "gcp-kms-software-key-advisory": edit_input(KEY, "versionTemplate",
                                                lambda t: {**t, "protectionLevel": "SOFTWARE"}, "data"),
    "internet-egress-advisory": add("gcp:compute/routerNat:RouterNat", "egress-nat", {}),
    "gcp-kms-hsm-protection": edit_input(KEY, "versionTemplate", lambda t: {**t, "protectionLevel": "SOFTWARE"},
                                         "disks"),
    "gcp-kms-destroy-window": set_input(KEY, "destroyScheduledDuration", "86400s", "logs"),
    "gcp-kms-prevent-destroy": set_input(KEY, "deletionPolicy", "DELETE", "data"),
    "gcp-kms-iam-no-public-members": edit_input(KEY_BINDING, "members", lambda m: [*m, "allUsers"], "data"),
    "gcp-vpc-custom-mode": set_input(NETWORK, "autoCreateSubnetworks", True),
    "gcp-vpc-no-default-internet-route": set_input(NETWORK, "deleteDefaultRoutesOnCreate", False),
    "gcp-subnet-private-google-access": set_input(SUBNET, "privateIpGoogleAccess", False),
    "gcp-subnet-flow-logs": edit_input(SUBNET, "logConfig", lambda c: {**c, "flowSampling": 0.1}),
    "gcp-vpc-flow-logs": set_input(SUBNET, "logConfig", None),
    "gcp-firewall-no-ingress-from-anywhere": set_input(FIREWALL, "sourceRanges", ["0.0.0.0/0"], "peers-in"),
    "gcp-firewall-logging": set_input(FIREWALL, "logConfig", None, "allow-google-apis"),
    "gcp-firewall-deny-all": drop(FIREWALL, "deny-all-egress", named(NETWORK)),
    "gcp-dns-logging": set_input("gcp:dns/policy:Policy", "enableLogging", False),
    "gcp-nat-logging": add("gcp:compute/routerNat:RouterNat", "added-nat", {"logConfig": {"enable": False}}),
    "gcp-compute-confidential-computing": set_input(INSTANCE, "confidentialInstanceConfig", None, "trainer-1"),
    "gcp-compute-confidential-maintenance": edit_input(INSTANCE, "scheduling",
                                                       lambda s: {**s, "onHostMaintenance": "MIGRATE"}, "inference"),
    "gcp-compute-shielded-vm": edit_input(INSTANCE, "shieldedInstanceConfig",
                                          lambda s: {**s, "enableSecureBoot": False}, "trainer-0"),
    "gcp-compute-no-external-ip": edit_input(INSTANCE, "networkInterfaces",
                                             lambda n: [{**n[0], "accessConfigs": [{}]}], "trainer-0"),
    "gcp-compute-os-login": edit_input(INSTANCE, "metadata", lambda m: {**m, "enable-oslogin": "FALSE"}, "trainer-0"),
    "gcp-compute-block-project-ssh-keys": edit_input(INSTANCE, "metadata",
                                                     lambda m: {**m, "block-project-ssh-keys": "FALSE"}, "inference"),
    "gcp-compute-serial-port-off": edit_input(INSTANCE, "metadata", lambda m: {**m, "serial-port-enable": "TRUE"},
                                              "trainer-1"),
    "gcp-compute-disks-customer-key": set_input(DISK, "diskEncryptionKey", None, "trainer-0"),
    "gcp-compute-no-ip-forwarding": set_input(INSTANCE, "canIpForward", True, "inference"),
    "gcp-compute-own-service-account": edit_input(INSTANCE, "serviceAccount", lambda a: {
        **a, "email": "412712535515-compute@developer.gserviceaccount.com"}, "trainer-0"),
    "gcp-iam-no-primitive-roles": set_input(PROJECT_MEMBER, "role", "roles/editor", "trainer-logging"),
    "gcp-iam-no-public-members": edit_input("gcp:storage/bucketIAMBinding:BucketIAMBinding", "members",
                                            lambda m: [*m, "allAuthenticatedUsers"], "datasets-objectviewer"),
    "gcp-iam-no-project-admin-roles": set_input(PROJECT_MEMBER, "role", "roles/iam.serviceAccountUser",
                                                "inference-monitoring"),
    "gcp-iam-no-service-account-keys": add("gcp:serviceaccount/key:Key", "leaked-key", {"serviceAccountId": "x"}),
    "gcp-iam-default-sa-deprivileged": set_input("gcp:projects/defaultServiceAccounts:DefaultServiceAccounts",
                                                 "action", "FIX_ACCESS"),
    "gcp-org-policies": set_input(ORG_POLICY, "spec", {"rules": [{"enforce": "FALSE"}]}, "requireoslogin"),
    "gcp-audit-logs-all-services": set_input("gcp:projects/iAMAuditConfig:IAMAuditConfig", "auditLogConfigs",
                                             [{"logType": "ADMIN_READ"}]),
    "gcp-audit-logs-reach-own-bucket": foreign(SINK, "destination", "storage.googleapis.com/elsewhere", "audit-sink"),
    "gcp-log-bucket-customer-key": set_input(LOG_BUCKET, "cmekSettings", None),
    "gcp-log-bucket-retention": set_input(LOG_BUCKET, "retentionDays", 400),
    "gcp-log-bucket-locked": set_input(LOG_BUCKET, "locked", False),
    "gcp-storage-customer-key": edit_input(BUCKET, "encryption", lambda e: {
        k: v for k, v in e.items() if k != "defaultKmsKeyName"}, "datasets"),
    "gcp-storage-cmek-enforced": edit_input(BUCKET, "encryption", lambda e: {
        k: v for k, v in e.items() if k != "googleManagedEncryptionEnforcementConfig"}, "models"),
    "gcp-storage-uniform-access": set_input(BUCKET, "uniformBucketLevelAccess", False, "models"),
    "gcp-storage-public-access-prevention": set_input(BUCKET, "publicAccessPrevention", "inherited", "datasets"),
    "gcp-storage-versioning-or-retention": set_input(BUCKET, "versioning", {"enabled": False}, "datasets"),
    "gcp-storage-write-once": edit_input(BUCKET, "retentionPolicy", lambda p: {**p, "isLocked": False}, "models"),
    "gcp-storage-access-logging": set_input(BUCKET, "logging", None, "datasets"),
    "gcp-alerts-notify-people": foreign(ALERT, "notificationChannels", [], "iam-policy-changes"),
    "gcp-alerts-on-control-changes": drop(ALERT, "sa-key-creation", named("gcp:logging/metric:Metric",
                                                                          "sa-key-creation")),
    "gcp-pubsub-customer-key": set_input(TOPIC, "kmsKeyName", None),
    "gcp-pubsub-message-residency": set_input(TOPIC, "messageStoragePolicy", None),
    "gcp-findings-topic-accepts-findings": edit_input(TOPIC, "messageStoragePolicy",
                                                      lambda p: {**p, "enforceInTransit": True}),
    "gcp-required-labels": set_input(DISK, "labels", {"workload": "trainer"}, "trainer-1"),
    "gcp-data-encrypted-with-own-key": foreign(
        TOPIC, "kmsKeyName", "projects/other/locations/europe-west4/keyRings/r/cryptoKeys/k"),
    "gdpr-data-residency": set_input("pulumi:providers:gcp", "region", "us-central1"),
    "gcp-containment-responder": drop(FIREWALL, "quarantine-out", named(FUNCTION)),
    "gcp-function-internal-ingress": edit_input(FUNCTION, "serviceConfig",
                                                lambda c: {**c, "ingressSettings": "ALLOW_ALL"}),
    "gcp-function-no-public-invoke": set_input("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "member",
                                               "allUsers", "trigger-invoker"),
    "gcp-responder-least-privilege": blame(
        edit_input("gcp:projects/iAMCustomRole:IAMCustomRole", "permissions",
                   lambda p: [*p, "compute.instances.delete"], "compute-role"),
        named(PROJECT_MEMBER, "responder-compute")),
    "gcp-function-logs-encrypted": drop(SINK, "containment-logs-sink", named(FUNCTION)),
}


@pytest.mark.parametrize("stack", [PROD, GPU], ids=lambda p: p.stem)
def test_example_passes_every_rule(stack: Path, rendered) -> None:
    spec = load(stack)
    found = findings(spec, rendered(spec.environment, spec.stack))
    # Neither example needs a policy exemption: its checkov exemptions are about checkov's view.
    assert [(f.status, f.rule_id, f.resource_name, f.message) for f in found] == []


def test_every_gcp_rule_has_a_weakening() -> None:
    # The Vertex AI rules are weakened on the gcp-ai-eu example (test_policy_platform_gcp.py), the GKE
    # rules on the gcp-k8s-eu example (test_policy_kubernetes_gcp.py).
    assert {r.id for r in rules(cloud="gcp")} == set(WEAKENINGS) | set(PLATFORM_WEAKENINGS) | set(K8S_WEAKENINGS)
    assert not set(WEAKENINGS) & set(PLATFORM_WEAKENINGS)
    assert not (set(WEAKENINGS) | set(PLATFORM_WEAKENINGS)) & set(K8S_WEAKENINGS)


@pytest.mark.parametrize("rule_id", sorted(WEAKENINGS))
def test_weakened_example_fails_the_named_rule(rule_id: str, loaded: LoadedSpec, graph: Graph) -> None:
    blamed, named_rule, failed = weaken(loaded, graph, WEAKENINGS[rule_id], rule_id)
    assert named_rule, f"{rule_id} did not fire; failures: {[(f.rule_id, f.message) for f in failed]}"
    if blamed:
        assert any(f.resource_name == blamed for f in named_rule), [(f.resource_name, f.message) for f in named_rule]
    assert all(f.message for f in named_rule)
