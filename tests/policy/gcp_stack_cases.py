"""A holding and a violating stack for every GCP stack rule, built as small resource graphs
with the property dependencies the engine reports (who references whom)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gcp_resource_cases import BUCKET_OK, INSTANCE_OK, KEY_ID, KEY_OK, LOG_BUCKET_OK, SUBNET_OK

from hardstack.render import Resource
from hardstack.rules.gcp.identity import CONFIDENTIAL_ONLY, GUARDRAILS

FW = "gcp:compute/firewall:Firewall"
NETWORK = "gcp:compute/network:Network"
BUCKET = "gcp:storage/bucket:Bucket"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
AUDIT_FILTER = 'LOG_ID("cloudaudit.googleapis.com/activity") OR LOG_ID("cloudaudit.googleapis.com/data_access")'


class Stack:
    def __init__(self) -> None:
        self.resources: list[Resource] = []

    def add(self, token: str, name: str, props: dict[str, Any] | None = None,
            refs: dict[str, Resource | list[Resource]] | None = None) -> Resource:
        deps = {k: v if isinstance(v, list) else [v] for k, v in (refs or {}).items()}
        res = Resource(
            urn=f"urn:pulumi:t::t::{token}::{name}", type=token, name=name, parent="", inputs=dict(props or {}),
            propertyDependencies={k: [r.urn for r in v] for k, v in deps.items()},
            dependencies=[r.urn for v in deps.values() for r in v],
        )
        self.resources.append(res)
        return res


def network_stack(flow_logs: bool = True, deny: tuple[str, ...] = ("INGRESS", "EGRESS")) -> list[Resource]:
    s = Stack()
    vpc = s.add(NETWORK, "vpc", {"name": "env-net", "autoCreateSubnetworks": False})
    subnet = {**SUBNET_OK} if flow_logs else {k: v for k, v in SUBNET_OK.items() if k != "logConfig"}
    s.add("gcp:compute/subnetwork:Subnetwork", "workloads", subnet, {"network": vpc})
    for direction in deny:
        ranges = {"sourceRanges" if direction == "INGRESS" else "destinationRanges": ["0.0.0.0/0"]}
        s.add(FW, f"deny-{direction.lower()}", {"direction": direction, "denies": [{"protocol": "all"}],
                                                "priority": 65534, **ranges}, {"network": vpc})
    # Quarantine rules deny everything too, but only for tagged instances: no default deny-all.
    for direction in ("INGRESS", "EGRESS"):
        ranges = {"sourceRanges" if direction == "INGRESS" else "destinationRanges": ["0.0.0.0/0"]}
        s.add(FW, f"quarantine-{direction.lower()}", {"direction": direction, "denies": [{"protocol": "all"}],
                                                      "priority": 0, "targetTags": ["hardstack-quarantine"],
                                                      **ranges}, {"network": vpc})
    # An allow that matches everything is no deny-all, whatever its ranges.
    s.add(FW, "allow-apis", {"direction": "EGRESS", "allows": [{"protocol": "tcp", "ports": ["443"]}],
                             "destinationRanges": ["0.0.0.0/0"]}, {"network": vpc})
    return s.resources


def identity_stack(sa_key: bool = False, action: str | None = "DEPRIVILEGE") -> list[Resource]:
    s = Stack()
    account = s.add("gcp:serviceaccount/account:Account", "trainer-sa", {"accountId": "trainer"})
    if action is not None:
        s.add("gcp:projects/defaultServiceAccounts:DefaultServiceAccounts", "default-sa", {"action": action})
    if sa_key:
        s.add("gcp:serviceaccount/key:Key", "ci-key", {"serviceAccountId": "trainer"}, {"serviceAccountId": account})
    return s.resources


def org_policy_stack(skip: str = "", weak: str = "", confidential: bool = True) -> list[Resource]:
    s = Stack()
    for constraint in [*GUARDRAILS, CONFIDENTIAL_ONLY]:
        if constraint == skip:
            continue
        rule = {"denyAll": "TRUE"} if constraint == "compute.vmExternalIpAccess" else {"enforce": "TRUE"}
        if constraint == CONFIDENTIAL_ONLY:
            rule = {"values": {"deniedValues": ["compute.googleapis.com"]}}
        if constraint == weak:
            rule = {"enforce": "FALSE"}
        s.add(ORG_POLICY, constraint.replace(".", "-").lower(),
              {"name": f"projects/p/policies/{constraint}", "parent": "projects/p", "spec": {"rules": [rule]}})
    vm = INSTANCE_OK if confidential else {**INSTANCE_OK, "confidentialInstanceConfig": {}}
    s.add("gcp:compute/instance:Instance", "vm", vm)
    return s.resources


def audit_stack(log_types: tuple[str, ...] = ("ADMIN_READ", "DATA_READ", "DATA_WRITE"),
                own_destination: bool = True) -> list[Resource]:
    s = Stack()
    s.add("gcp:projects/iAMAuditConfig:IAMAuditConfig", "all-services", {
        "service": "allServices", "auditLogConfigs": [{"logType": t} for t in log_types]})
    bucket = s.add(LOG_BUCKET, "audit-bucket", LOG_BUCKET_OK)
    # A network-log sink elsewhere is no audit sink and must not count for or against the rule.
    s.add("gcp:logging/projectSink:ProjectSink", "network-sink", {
        "destination": "storage.googleapis.com/elsewhere", "filter": 'LOG_ID("compute.googleapis.com/vpc_flows")'})
    refs = {"destination": bucket} if own_destination else {}
    destination = "logging.googleapis.com/projects/p/locations/europe-west4/buckets/audit"
    s.add("gcp:logging/projectSink:ProjectSink", "audit-sink", {
        "destination": destination if own_destination else "storage.googleapis.com/someone-elses-bucket",
        "filter": AUDIT_FILTER}, refs)
    return s.resources


def bucket_stack(logging: str = "own") -> list[Resource]:
    s = Stack()
    logs = s.add(BUCKET, "access-logs", {**BUCKET_OK, "name": "env-access-logs"})
    target = {"own": "env-access-logs", "foreign": "someone-elses-logs", "self": "env-datasets"}.get(logging)
    props: dict[str, Any] = {**BUCKET_OK, "name": "env-datasets"}
    if target:
        props["logging"] = {"logBucket": target, "logObjectPrefix": "env-datasets"}
    s.add(BUCKET, "datasets", props, {"logging": logs} if logging == "own" else {})
    s.add(BUCKET, "models", {**BUCKET_OK, "name": "env-models", "logging": {"logBucket": "env-access-logs"}},
          {"logging": logs})
    return s.resources


SIGNAL_FILTERS = {
    "iam": 'protoPayload.methodName:"SetIamPolicy"',
    "firewall": 'protoPayload.methodName:"compute.firewalls.insert"',
    "kms": 'protoPayload.methodName="DestroyCryptoKeyVersion"',
    "sa-keys": 'protoPayload.methodName="google.iam.admin.v1.CreateServiceAccountKey"',
}


def monitoring_stack(channel: bool = True, unalerted: str = "", disabled: str = "") -> list[Resource]:
    s = Stack()
    email = s.add("gcp:monitoring/notificationChannel:NotificationChannel", "email",
                  {"type": "email", "labels": {"email_address": "secops@example.com"}}) if channel else None
    for signal, log_filter in SIGNAL_FILTERS.items():
        metric = s.add("gcp:logging/metric:Metric", f"{signal}-metric", {"filter": log_filter})
        if signal == unalerted:
            continue
        refs: dict[str, Resource | list[Resource]] = {"conditions": metric}
        if email is not None:
            refs["notificationChannels"] = email
        s.add("gcp:monitoring/alertPolicy:AlertPolicy", f"{signal}-alert", {
            "enabled": signal != disabled, "combiner": "OR",
            "notificationChannels": ["projects/p/notificationChannels/1"] if email else []}, refs)
    return s.resources


def provider_stack(region: str) -> list[Resource]:
    s = Stack()
    s.add("pulumi:providers:gcp", "gcp-provider", {"project": "p", "region": region})
    return s.resources


def keyed_stack(own: bool = True) -> list[Resource]:
    s = Stack()
    key = s.add("gcp:kms/cryptoKey:CryptoKey", "logs-key", KEY_OK)
    binding = s.add("gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", "logs-key-users", {}, {"cryptoKeyId": key})
    # The blueprint's key ids wait for the key's binding, so both appear as dependencies.
    s.add(LOG_BUCKET, "audit-bucket", LOG_BUCKET_OK, {"cmekSettings": [key, binding]})
    foreign = "projects/other/locations/europe-west4/keyRings/r/cryptoKeys/k"
    s.add("gcp:pubsub/topic:Topic", "findings", {"kmsKeyName": KEY_ID if own else foreign},
          {"kmsKeyName": [key, binding]} if own else {})
    return s.resources


def findings_stack(enforce_in_transit: bool = False) -> list[Resource]:
    s = Stack()
    policy = {"allowedPersistenceRegions": ["europe-west4"], "enforceInTransit": enforce_in_transit}
    topic = s.add("gcp:pubsub/topic:Topic", "scc-findings", {"kmsKeyName": KEY_ID, "messageStoragePolicy": policy})
    # A topic nobody notifies may enforce in transit: only its own publishers are affected.
    s.add("gcp:pubsub/topic:Topic", "app-events", {"messageStoragePolicy": {**policy, "enforceInTransit": True}})
    s.add("gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig", "scc-notifications",
          {"location": "global", "pubsubTopic": "projects/p/topics/scc-findings"}, {"pubsubTopic": topic})
    return s.resources


RESPONDER = "responder@ml-prod-eu-4711.iam.gserviceaccount.com"
QUARANTINE = "hardstack-quarantine"


def containment_stack(quarantine: tuple[str, ...] = ("INGRESS", "EGRESS"), extra_grant: str | None = None,
                      project_wide_revoke: bool = False, log_sink: bool = True) -> list[Resource]:
    """An instance, the findings topic and its notification config, the responder function it
    triggers with its quarantine firewalls, custom roles and grants, and its log routing."""
    s = Stack()
    vpc = s.add(NETWORK, "vpc", {"name": "env-net", "autoCreateSubnetworks": False})
    s.add("gcp:compute/instance:Instance", "trainer-0", INSTANCE_OK)
    topic = s.add("gcp:pubsub/topic:Topic", "scc-findings", {"kmsKeyName": KEY_ID})
    s.add("gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig", "scc-notifications",
          {"location": "global", "pubsubTopic": "projects/p/topics/scc-findings"}, {"pubsubTopic": topic})
    for direction in quarantine:
        ranges = {"sourceRanges" if direction == "INGRESS" else "destinationRanges": ["0.0.0.0/0"]}
        s.add(FW, f"quarantine-{direction.lower()}", {
            "direction": direction, "priority": 0, "denies": [{"protocol": "all"}], "targetTags": [QUARANTINE],
            "logConfig": {"metadata": "INCLUDE_ALL_METADATA"}, **ranges}, {"network": vpc})
    function = s.add("gcp:cloudfunctionsv2/function:Function", "responder", {
        "name": "env-responder",
        "serviceConfig": {"serviceAccountEmail": RESPONDER, "ingressSettings": "ALLOW_INTERNAL_ONLY",
                          "environmentVariables": {"HARDSTACK_QUARANTINE_TAG": QUARANTINE}},
        "eventTrigger": {"eventType": "google.cloud.pubsub.topic.v1.messagePublished",
                         "pubsubTopic": "projects/p/topics/scc-findings"}}, {"eventTrigger": topic})
    compute = ["compute.instances.get", "compute.instances.setTags", "compute.disks.createSnapshot",
               "compute.snapshots.create"]
    identity = ["iam.serviceAccounts.get", "iam.serviceAccounts.disable"]
    s.add("gcp:projects/iAMCustomRole:IAMCustomRole", "compute-role", {"roleId": "env_containment",
                                                                       "permissions": compute})
    s.add("gcp:projects/iAMCustomRole:IAMCustomRole", "identity-role", {"roleId": "env_revoke",
                                                                        "permissions": identity})
    member = f"serviceAccount:{RESPONDER}"
    s.add("gcp:projects/iAMMember:IAMMember", "responder-compute",
          {"project": "p", "role": "projects/p/roles/env_containment", "member": member})
    if project_wide_revoke:
        s.add("gcp:projects/iAMMember:IAMMember", "responder-revoke-everywhere",
              {"project": "p", "role": "projects/p/roles/env_revoke", "member": member})
    s.add("gcp:serviceaccount/iAMMember:IAMMember", "revoke-trainer", {
        "serviceAccountId": "projects/p/serviceAccounts/trainer@p.iam.gserviceaccount.com",
        "role": "projects/p/roles/env_revoke", "member": member})
    if extra_grant:
        s.add("gcp:projects/iAMMember:IAMMember", "responder-extra", {"project": "p", "role": extra_grant,
                                                                       "member": member})
    s.add("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "trigger-invoker", {
        "name": "env-responder", "role": "roles/run.invoker",
        "member": "serviceAccount:trigger@p.iam.gserviceaccount.com"}, {"name": function})
    bucket = s.add(LOG_BUCKET, "audit-bucket", LOG_BUCKET_OK)
    if log_sink:
        s.add("gcp:logging/projectSink:ProjectSink", "responder-logs", {
            "destination": "logging.googleapis.com/projects/p/locations/europe-west4/buckets/audit",
            "filter": 'resource.type="cloud_run_revision" AND resource.labels.service_name="env-responder"'},
            {"destination": bucket})
    return s.resources


MODELS = "publishers/google/models/gemini-2.5-flash:predict"


def models_stack(allow_list: bool = True) -> list[Resource]:
    """A notebook account allowed to call Vertex AI, and (or not) the project's model allow-list."""
    s = Stack()
    s.add("gcp:projects/iAMMember:IAMMember", "notebooks-invoker", {
        "project": "p", "role": "roles/aiplatform.user", "member": "serviceAccount:nb@p.iam.gserviceaccount.com"})
    if allow_list:
        s.add(ORG_POLICY, "allowed-models", {
            "name": "projects/p/policies/vertexai.allowedModels", "parent": "projects/p",
            "spec": {"rules": [{"values": {"allowedValues": [MODELS]}}]}})
    return s.resources


def egress_stack(nat: bool) -> list[Resource]:
    resources = provider_stack("europe-west4")
    if nat:
        s = Stack()
        s.add("gcp:compute/routerNat:RouterNat", "egress-nat", {})
        resources += s.resources
    return resources


# rule id -> (holding stack, violating stack, message fragment, violating resource name or None)

CASES: dict[str, tuple[Callable[[], list[Resource]], Callable[[], list[Resource]], str, str | None]] = {
    "gcp-vpc-flow-logs": (network_stack, lambda: network_stack(flow_logs=False),
                          "subnet workloads of network vpc has no flow logs", "workloads"),
    "gcp-firewall-deny-all": (network_stack, lambda: network_stack(deny=("INGRESS",)),
                              "network vpc has no deny-all egress rule", "vpc"),
    "gcp-iam-no-service-account-keys": (identity_stack, lambda: identity_stack(sa_key=True),
                                        "service-account key ci-key is a long-lived credential", "ci-key"),
    "gcp-iam-default-sa-deprivileged": (identity_stack, lambda: identity_stack(action=None),
                                        "keeps Editor on the project", None),
    "gcp-org-policies": (org_policy_stack, lambda: org_policy_stack(weak="compute.requireOsLogin"),
                         "organization policy compute.requireOsLogin does not enforce", "compute-requireoslogin"),
    "gcp-audit-logs-all-services": (audit_stack, lambda: audit_stack(log_types=("ADMIN_READ", "DATA_WRITE")),
                                    "audit log types not recorded: DATA_READ", "all-services"),
    "gcp-audit-logs-reach-own-bucket": (audit_stack, lambda: audit_stack(own_destination=False),
                                        "sink audit-sink routes audit logs to a destination outside", "audit-sink"),
    "gcp-storage-access-logging": (bucket_stack, lambda: bucket_stack(logging="foreign"),
                                   "bucket datasets logs access to someone-elses-logs, outside", "datasets"),
    "gcp-alerts-notify-people": (monitoring_stack, lambda: monitoring_stack(channel=False),
                                 "alert iam-alert notifies no channel of this stack", "iam-alert"),
    "gcp-alerts-on-control-changes": (monitoring_stack, lambda: monitoring_stack(disabled="kms"),
                                      "no enabled alert policy on the key destruction metric kms-metric",
                                      "kms-metric"),
    "gcp-findings-topic-accepts-findings": (findings_stack, lambda: findings_stack(enforce_in_transit=True),
                                            "topic scc-findings enforces its message storage regions in transit",
                                            "scc-findings"),
    "gcp-data-encrypted-with-own-key": (keyed_stack, lambda: keyed_stack(own=False),
                                        "findings: kmsKeyName does not use a Cloud KMS key defined in this stack",
                                        "findings"),
    "gcp-containment-responder": (containment_stack, lambda: containment_stack(quarantine=("INGRESS",)),
                                  "no logged deny-all EGRESS firewall at priority 0 for the quarantine tag "
                                  "hardstack-quarantine of responder", "responder"),
    "gcp-responder-least-privilege": (containment_stack, lambda: containment_stack(extra_grant="roles/compute.admin"),
                                      "responder-extra grants roles/compute.admin to the responder responder",
                                      "responder-extra"),
    "gcp-function-logs-encrypted": (containment_stack, lambda: containment_stack(log_sink=False),
                                    "function responder's logs go only to the _Default bucket", "responder"),
    "gcp-vertex-models-allow-list": (models_stack, lambda: models_stack(allow_list=False),
                                     "no vertexai.allowedModels allow-list limits", "notebooks-invoker"),
    # Cloud-independent, run here with a GCP provider: London is outside the EU/EEA.
    "internet-egress-advisory": (lambda: egress_stack(False), lambda: egress_stack(True),
                                 "Cloud NAT egress-nat gives workloads a path to the internet", "egress-nat"),
    "gdpr-data-residency": (lambda: provider_stack("europe-west4"), lambda: provider_stack("europe-west2"),
                            "deploys to europe-west2, outside the EU/EEA", "gcp-provider"),
}


def gke_logs_stack(own_destination: bool = True, filtered: bool = True) -> list[Resource]:
    """A GKE cluster and the sink of its logs (components.gcp.GkeCluster)."""
    s = Stack()
    bucket = s.add(LOG_BUCKET, "audit-bucket", dict(LOG_BUCKET_OK))
    s.add("gcp:container/cluster:Cluster", "gke", {"name": "env-gke"})
    where = 'resource.labels.cluster_name="env-gke" AND resource.type="k8s_container"' if filtered else ""
    refs = {"destination": bucket} if own_destination else None
    s.add("gcp:logging/projectSink:ProjectSink", "k8s-logs", {"filter": where, "destination": "x"}, refs)
    return s.resources


CASES["gcp-gke-logs-reach-own-bucket"] = (
    gke_logs_stack, lambda: gke_logs_stack(own_destination=False),
    "no sink routes env-gke's control plane, node and container logs into a bucket of this stack", "gke")
