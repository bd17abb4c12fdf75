"""AWS IAM: named actions only, no administrator grants, boundaries on workload roles, trust
bound to this account, no long-lived access keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list, parse, statements, wildcard_actions
from ..relations import of_type
from ..rule import resource_rule, stack_rule
from ..values import is_map

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

ROLE = "aws:iam/role:Role"
POLICIES = ("aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
            "aws:iam/groupPolicy:GroupPolicy")
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"],
                   "nist-800-53": ["AC-6"]}
ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


@resource_rule(
    id="aws-iam-no-wildcard-actions", title="IAM policies allow named actions only", severity="high",
    cloud="aws", practice="access", types=[*POLICIES, ROLE], controls=LEAST_PRIVILEGE,
    remediation="List the actions the workload calls; never '*' or 'service:*'.",
)
def no_wildcard_actions(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    documents = [props.get("policy")] + [p.get("policy") for p in props.get("inlinePolicies") or []]
    for doc in documents:
        for st in allows(doc):
            for action in wildcard_actions(st):
                yield f"statement {st.get('Sid', '?')} allows {action}"


@resource_rule(
    id="aws-iam-no-admin-policies", title="No role or user holds administrator managed policies",
    severity="critical", cloud="aws", practice="access",
    types=[ROLE, "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
           "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"],
    controls=LEAST_PRIVILEGE,
    remediation="Replace AdministratorAccess/PowerUserAccess with a policy scoped to the workload.",
)
def no_admin(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    arns = as_list(props.get("managedPolicyArns")) + as_list(props.get("policyArn"))
    for arn in arns:
        if isinstance(arn, str) and arn.rsplit("/", 1)[-1] in ADMIN_POLICIES:
            yield f"attaches {arn}"


@resource_rule(
    id="aws-iam-workload-boundary", title="Roles that instances assume have a permissions boundary",
    severity="high", cloud="aws", practice="access", types=[ROLE], controls=LEAST_PRIVILEGE,
    remediation="Set permissions_boundary to a policy capping the workload's actions and resources.",
)
def workload_boundary(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    trusted = {str(p) for st in statements(props.get("assumeRolePolicy"))
               for p in as_list((st.get("Principal") or {}).get("Service"))}
    if "ec2.amazonaws.com" in trusted and not props.get("permissionsBoundary"):
        yield "an EC2 workload role without a permissions boundary"


@resource_rule(
    id="aws-iam-trust-this-account", title="Service trust policies are bound to this account",
    severity="high", cloud="aws", practice="access", types=[ROLE],
    controls={"nist-800-53": ["AC-3", "IA-2"], "hipaa": ["164.312(d)"]},
    remediation="Add Condition StringEquals aws:SourceAccount (confused-deputy protection).",
)
def trust_bound(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    for st in allows(props.get("assumeRolePolicy")):
        principal = st.get("Principal") or {}
        if principal == "*" or "*" in as_list(principal.get("AWS") if is_map(principal) else None):
            yield "any principal may assume this role"
        elif is_map(principal) and "Service" in principal:
            conditions = str(st.get("Condition") or {})
            if "aws:SourceAccount" not in conditions and "aws:SourceArn" not in conditions:
                yield f"{principal['Service']} may assume it on behalf of any account"


@stack_rule(
    id="aws-iam-no-long-lived-keys", title="No IAM users or access keys: workloads use roles",
    severity="high", cloud="aws", practice="access",
    controls={"nist-800-53": ["IA-5", "AC-2"], "hipaa": ["164.312(d)"], "gdpr": ["32(1)(b)"]},
    remediation="Remove iam.AccessKey and iam.User; give workloads roles with instance profiles.",
)
def no_long_lived_keys(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    for res in of_type(resources, "aws:iam/accessKey:AccessKey", "aws:iam/user:User"):
        yield f"{res.resource_type.rsplit(':', 1)[-1]} {res.name} is a long-lived credential", res.urn


@resource_rule(
    id="aws-iam-policy-parses", title="IAM policy documents are valid JSON with statements",
    severity="medium", cloud="aws", practice="access", types=list(POLICIES),
    controls={"nist-800-53": ["CM-2"]},
    remediation="Build policy documents from data (json.dumps / Output.json_dumps), not by hand.",
)
def policy_parses(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    doc = parse(props.get("policy"))
    if doc is None or not doc.get("Statement"):
        yield "the policy document is not valid JSON with a Statement"
