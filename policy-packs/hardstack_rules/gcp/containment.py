"""GCP automated containment: Security Command Center findings trigger a responder function with
quarantine firewalls to use; the function has no public endpoint, holds only the permissions
containment needs, and its logs are kept in a CMEK log bucket."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import (
    FIREWALL,
    INSTANCE,
    INVOKER_IAM,
    LOG_BUCKET,
    PRIMITIVE_ROLES,
    PUBLIC_MEMBERS,
    RESOURCE_IAM,
    SCC_NOTIFICATION_CONFIGS,
    SINK,
    TOPIC,
    grants,
)
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule
from ..values import number

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

FUNCTION = "gcp:cloudfunctionsv2/function:Function"
CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"
REPOSITORY_IAM = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
PROJECT_LEVEL = ("gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMMember:IAMMember",
                 "gcp:projects/iAMPolicy:IAMPolicy")
# What the containment responder calls (components/gcp/containment.py keeps the same list).
RESPONDER_PERMISSIONS = [
    "compute.disks.createSnapshot", "compute.instances.get", "compute.instances.list", "compute.instances.setTags",
    "compute.snapshots.create", "compute.snapshots.get", "compute.snapshots.setLabels",
    "compute.zoneOperations.get", "iam.serviceAccounts.disable", "iam.serviceAccounts.get",
]
RESPONSE = {"hipaa": ["164.308(a)(6)(ii)"], "gdpr": ["32(1)(b)", "33"], "nist-800-53": ["IR-4", "SI-4"]}
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-6"]}
PUBLIC = {"hipaa": ["164.312(a)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["AC-3", "SC-7"]}
ENCRYPTED_LOGS = {"hipaa": ["164.312(a)(2)(iv)", "164.312(b)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["AU-9", "SC-28"]}
CUSTOM_ROLE_NAME = re.compile(r"^projects/[^/]+/roles/(?P<id>[^/]+)$")


def _responders(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """Functions triggered by a topic Security Command Center publishes findings to."""
    topics = {t.urn for c in of_type(resources, *SCC_NOTIFICATION_CONFIGS) for t in referenced(c, "pubsubTopic", TOPIC)}
    return [f for f in of_type(resources, FUNCTION)
            if any(t.urn in topics for t in referenced(f, "eventTrigger", TOPIC))]


def _denies_all(rule: PolicyResource, direction: str, tag: str) -> bool:
    props = rule.props
    ranges = props.get("sourceRanges" if direction == "INGRESS" else "destinationRanges") or []
    return (str(props.get("direction") or "INGRESS") == direction and props.get("disabled") is not True
            and number(props.get("priority")) == "0" and tag in (props.get("targetTags") or [])
            and any(d.get("protocol") == "all" for d in props.get("denies") or [] if isinstance(d, Mapping))
            and "0.0.0.0/0" in ranges and bool(props.get("logConfig")))


@stack_rule(
    id="gcp-containment-responder",
    title="Security Command Center findings trigger a containment function with quarantine firewalls",
    severity="high", cloud="gcp", practice="monitoring", controls=RESPONSE,
    remediation="Enable monitoring.threat_detection: the blueprint adds components.gcp.Containment (a function "
    "triggered by the findings topic, and deny-all ingress/egress firewalls at priority 0 for its quarantine tag).",
)
def containment_responder(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, INSTANCE):
        return
    for scc in of_type(resources, *SCC_NOTIFICATION_CONFIGS):
        for topic in referenced(scc, "pubsubTopic", TOPIC):
            functions = [f for f in of_type(resources, FUNCTION) if any(
                t.urn == topic.urn for t in referenced(f, "eventTrigger", TOPIC))
                and (f.props.get("eventTrigger") or {}).get("eventType") == PUBLISHED]
            if not functions:
                yield f"findings topic {topic.name} triggers no containment function: nothing responds", topic.urn
            for function in functions:
                env = (function.props.get("serviceConfig") or {}).get("environmentVariables") or {}
                tag = env.get("HARDSTACK_QUARANTINE_TAG")
                if not tag:
                    yield f"containment function {function.name} has no quarantine tag to apply", function.urn
                    continue
                rules = of_type(resources, FIREWALL)
                for direction in ("INGRESS", "EGRESS"):
                    if not any(_denies_all(r, direction, tag) for r in rules):
                        yield (f"no logged deny-all {direction} firewall at priority 0 for the quarantine tag {tag} "
                               f"of {function.name}: quarantined instances stay reachable"), function.urn


@resource_rule(
    id="gcp-function-internal-ingress", title="Cloud Run functions take no traffic from the internet",
    severity="high", cloud="gcp", practice="access", types=[FUNCTION], controls=PUBLIC,
    remediation="Set service_config.ingress_settings to ALLOW_INTERNAL_ONLY (Eventarc and Pub/Sub deliveries of "
    "the project are internal traffic).",
)
def internal_ingress(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    ingress = (props.get("serviceConfig") or {}).get("ingressSettings") or "ALLOW_ALL"  # the API's default
    if ingress not in ("ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"):
        yield f"ingress {ingress}: the function's endpoint is reachable from the internet"


@resource_rule(
    id="gcp-function-no-public-invoke", title="Nobody outside the project may invoke a function",
    severity="critical", cloud="gcp", practice="access", types=list(INVOKER_IAM), controls=PUBLIC,
    remediation="Grant roles/run.invoker to the trigger's own service account only, never to allUsers or "
    "allAuthenticatedUsers.",
)
def no_public_invoke(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for role, members in grants(props):
        for member in sorted(PUBLIC_MEMBERS & set(members)):
            yield f"grants {role} to {member}: anyone can invoke the function"


def _role_permissions(resources: Sequence[PolicyResource], role: str) -> list[str] | None:
    match = CUSTOM_ROLE_NAME.match(role)
    if match is None:
        return None
    found = [r for r in of_type(resources, CUSTOM_ROLE) if r.props.get("roleId") == match["id"]]
    return [str(p) for p in found[0].props.get("permissions") or []] if found else None


@stack_rule(
    id="gcp-responder-least-privilege",
    title="The containment function's account holds only the permissions containment calls",
    severity="high", cloud="gcp", practice="access", controls=LEAST_PRIVILEGE,
    remediation="Run the function as its own service account; grant it custom roles of this stack holding only "
    "the responder's permissions, Compute Engine ones on the project and iam.serviceAccounts.* on the "
    "workloads' accounts only.",
    config={"allowedPermissions": {"type": "array", "items": {"type": "string"}, "default": RESPONDER_PERMISSIONS}},
)
def responder_least_privilege(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    allowed = set(config["allowedPermissions"])
    iam = of_type(resources, *RESOURCE_IAM, *INVOKER_IAM, REPOSITORY_IAM)
    for function in _responders(resources):
        email = (function.props.get("serviceConfig") or {}).get("serviceAccountEmail")
        if not email or str(email).endswith("-compute@developer.gserviceaccount.com"):
            yield (f"function {function.name} runs as the Compute Engine default account, not an account of its "
                   "own"), function.urn
            continue
        member = f"serviceAccount:{email}"
        for grant in iam:
            for role, members in grants(grant.props):
                if member not in members:
                    continue
                permissions = _role_permissions(resources, role)
                if role in PRIMITIVE_ROLES or permissions is None:
                    yield (f"{grant.name} grants {role} to the responder {function.name}: only custom roles of this "
                           "stack with the responder's permissions"), grant.urn
                    continue
                extra = sorted(set(permissions) - allowed)
                if extra:
                    yield f"{grant.name} grants {role} with permissions containment never calls: {extra}", grant.urn
                iam_wide = [p for p in permissions if p.startswith("iam.")]
                if iam_wide and grant.resource_type in PROJECT_LEVEL:
                    yield (f"{grant.name} grants {', '.join(iam_wide)} on the whole project: grant them on the "
                           "workloads' service accounts only"), grant.urn


@stack_rule(
    id="gcp-function-logs-encrypted", title="Cloud Run functions' logs are kept in a CMEK log bucket",
    severity="medium", cloud="gcp", practice="encryption", controls=ENCRYPTED_LOGS,
    remediation="Add a logging.ProjectSink with filter resource.labels.service_name=\"<function name>\" to a log "
    "bucket whose cmek_settings name the environment's logs key.",
)
def function_logs_encrypted(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for function in of_type(resources, FUNCTION):
        service = f'resource.labels.service_name="{function.props.get("name")}"'
        routed = [s for s in of_type(resources, SINK) if service in str(s.props.get("filter") or "")
                  and s.props.get("disabled") is not True and any(
                      (b.props.get("cmekSettings") or {}).get("kmsKeyName")
                      for b in referenced(s, "destination", LOG_BUCKET))]
        if not routed:
            yield (f"function {function.name}'s logs go only to the _Default bucket, without a customer key"
                   ), function.urn
