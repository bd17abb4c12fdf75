"""GCP identity: no primitive roles and no public members anywhere, no project-wide admin or
impersonation grants, no service-account keys, a deprivileged default compute account, and
organization policies that make these choices binding on the whole project."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.compute import VMS, confidential_kind
from ..gcp.tokens import (
    ALL_IAM,
    DEFAULT_SERVICE_ACCOUNTS,
    ORG_POLICY,
    PRIMITIVE_ROLES,
    PROJECT_IAM,
    PUBLIC_MEMBERS,
    RESOURCE_IAM,
    SERVICE_ACCOUNT_KEY,
    grants,
)
from ..relations import of_type
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"],
                   "nist-800-53": ["AC-6"]}
# Project-level roles that let a principal act as any service account of the project.
IMPERSONATION = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator",
                 "roles/iam.serviceAccountKeyAdmin", "roles/iam.workloadIdentityUser")
CONFIDENTIAL_ONLY = "compute.restrictNonConfidentialComputing"
GUARDRAILS = ["iam.disableServiceAccountKeyCreation", "iam.disableServiceAccountKeyUpload",
              "compute.vmExternalIpAccess", "compute.requireOsLogin", "compute.requireShieldedVm",
              "storage.uniformBucketLevelAccess", "storage.publicAccessPrevention"]


@resource_rule(
    id="gcp-iam-no-primitive-roles", title="No IAM grant uses a primitive role (owner, editor, viewer)",
    severity="critical", cloud="gcp", practice="access", types=list(ALL_IAM), controls=LEAST_PRIVILEGE,
    remediation="Grant a predefined role scoped to the task (roles/storage.objectViewer, ...) on the resource.",
)
def no_primitive_roles(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for role, members in grants(props):
        if role in PRIMITIVE_ROLES:
            yield f"grants primitive role {role} to {', '.join(members) or 'nobody yet'}"


@resource_rule(
    id="gcp-iam-no-public-members", title="No IAM grant names allUsers or allAuthenticatedUsers",
    severity="critical", cloud="gcp", practice="access", types=list(RESOURCE_IAM),
    controls={"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "AC-6"]},
    remediation="Name the service accounts or groups that need access; never the public.",
)
def no_public_members(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for role, members in grants(props):
        for member in sorted(PUBLIC_MEMBERS & set(members)):
            yield f"grants {role} to {member}"


@resource_rule(
    id="gcp-iam-no-project-admin-roles", title="No project-wide admin or service-account impersonation grants",
    severity="high", cloud="gcp", practice="access", types=list(PROJECT_IAM), controls=LEAST_PRIVILEGE,
    remediation="Grant admin roles on single resources, to people through groups, never to workloads; "
    "workloads get roles/logging.logWriter and roles/monitoring.metricWriter at most.",
)
def no_project_admin(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for role, _members in grants(props):
        if role in IMPERSONATION:
            yield f"grants {role} project-wide: its holders can act as any service account"
        elif role.lower().endswith("admin"):
            yield f"grants {role} project-wide"


@stack_rule(
    id="gcp-iam-no-service-account-keys", title="No service-account keys: workloads use attached identities",
    severity="high", cloud="gcp", practice="access",
    controls={"nist-800-53": ["IA-5", "AC-2"], "hipaa": ["164.312(d)"], "gdpr": ["32(1)(b)"]},
    remediation="Remove serviceaccount.Key; attach the service account to the VM or use workload identity "
    "federation.",
)
def no_keys(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for key in of_type(resources, SERVICE_ACCOUNT_KEY):
        yield f"service-account key {key.name} is a long-lived credential", key.urn


@stack_rule(
    id="gcp-iam-default-sa-deprivileged", title="The default compute service account holds no roles",
    severity="high", cloud="gcp", practice="access", controls=LEAST_PRIVILEGE,
    remediation="Add projects.DefaultServiceAccounts with action DEPRIVILEGE (it removes the Editor grant).",
)
def default_sa(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    found = of_type(resources, DEFAULT_SERVICE_ACCOUNTS)
    if not found:
        yield "the default compute service account keeps Editor on the project", None
    for res in found:
        if res.props.get("action") not in ("DEPRIVILEGE", "DELETE", "DISABLE"):
            yield f"{res.name} takes action {res.props.get('action')}, which leaves the account's roles", res.urn


def enforcing(policy: PolicyResource) -> bool:
    """Whether an org policy's spec restricts: every rule enforces, denies all or denies values."""
    spec = policy.props.get("spec") or {}
    rules = spec.get("rules") or []
    if spec.get("reset") is True or not rules:
        return False
    for rule in rules:
        if str(rule.get("allowAll", "")).upper() == "TRUE" or str(rule.get("enforce", "")).upper() == "FALSE":
            return False
        if not (str(rule.get("enforce", "")).upper() == "TRUE" or str(rule.get("denyAll", "")).upper() == "TRUE"
                or (rule.get("values") or {}).get("deniedValues")):
            return False
    return True


@stack_rule(
    id="gcp-org-policies", title="Organization policies bind the project to the environment's guardrails",
    severity="high", cloud="gcp", practice="compliance",
    controls={"nist-800-53": ["CM-2", "AC-3"], "hipaa": ["164.308(a)(4)"], "gdpr": ["25"]},
    remediation="Enforce the configured constraints as orgpolicy.Policy on the project (components.gcp."
    "ProjectGuardrails); when every VM is confidential, also compute.restrictNonConfidentialComputing.",
    config={"constraints": {"type": "array", "items": {"type": "string"}, "default": GUARDRAILS}},
)
def org_policies(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    required = list(config["constraints"])
    vms = of_type(resources, *VMS)
    # Mirrors the blueprint: a stack whose every VM is confidential forbids any other kind.
    if vms and all(confidential_kind(v.props) for v in vms):
        required.append(CONFIDENTIAL_ONLY)
    policies = of_type(resources, ORG_POLICY)
    for constraint in required:
        found = [p for p in policies if str(p.props.get("name", "")).endswith(f"/policies/{constraint}")]
        if not found:
            yield f"no organization policy {constraint}", None
        for policy in found:
            if not enforcing(policy):
                yield f"organization policy {constraint} does not enforce", policy.urn
