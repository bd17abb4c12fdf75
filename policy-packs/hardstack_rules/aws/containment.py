"""AWS automated containment: GuardDuty findings reach a responder function that isolates the
workload; the responder is least-privileged, its logs are encrypted and kept, nobody else may
invoke it, and its quarantine group lets nothing through."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list, statements
from ..relations import of_type, references
from ..rule import resource_rule, stack_rule
from ..values import is_map

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
RESPONSE = {"hipaa": ["164.308(a)(6)(ii)"], "gdpr": ["32(1)(b)", "33"], "nist-800-53": ["IR-4", "SI-4"]}
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"],
                   "nist-800-53": ["AC-6", "IR-4"]}
LOGS = {"hipaa": ["164.312(b)"], "gdpr": ["30", "32(1)(d)"], "nist-800-53": ["AU-9", "AU-11"]}
# Actions that change a workload; a responder may hold them only on resources it names or that a
# condition binds to the environment (a tag, or the tag-on-create action).
CHANGES = ("ec2:ModifyInstanceAttribute", "ec2:ModifyNetworkInterfaceAttribute", "ec2:CreateSnapshot",
           "ec2:CreateTags", "ec2:DisassociateIamInstanceProfile", "iam:PutRolePolicy", "iam:TagRole",
           "iam:AttachRolePolicy", "iam:DeleteRolePolicy")
BINDING_KEYS = ("aws:ResourceTag/", "aws:RequestTag/", "ec2:CreateAction", "ec2:ResourceTag/")


def _lambda_roles(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    return [r for r in of_type(resources, "aws:iam/role:Role")
            if any("lambda.amazonaws.com" in as_list((st.get("Principal") or {}).get("Service"))
                   for st in statements(r.props.get("assumeRolePolicy")) if is_map(st.get("Principal")))]


def _unbound(st: dict[str, Any]) -> bool:
    """A statement whose resources are a wildcard and whose condition names no environment binding."""
    wild = any(isinstance(r, str) and (r == "*" or r.endswith("/*")) for r in as_list(st.get("Resource")))
    return wild and not any(key.startswith(BINDING_KEYS) for op in (st.get("Condition") or {}).values()
                            if is_map(op) for key in op)


@stack_rule(
    id="aws-responder-least-privilege", title="Function roles change only this environment's resources",
    severity="high", cloud="aws", practice="access", controls=LEAST_PRIVILEGE,
    remediation="Scope each changing action (ModifyInstanceAttribute, CreateSnapshot, CreateTags, PutRolePolicy...) "
    "to named ARNs, or bind it with aws:ResourceTag/hardstack:environment, aws:RequestTag or ec2:CreateAction.",
)
def responder_scoped(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    roles = _lambda_roles(resources)
    for policy in of_type(resources, "aws:iam/rolePolicy:RolePolicy"):
        if not any(references(policy, "role", role) for role in roles):
            continue
        for st in allows(policy.props.get("policy")):
            changing = [a for a in as_list(st.get("Action")) if a in CHANGES or a == "*" or str(a).endswith(":*")]
            if changing and _unbound(st):
                yield (f"statement {st.get('Sid', '?')} lets a function change any resource: "
                       f"{', '.join(sorted(map(str, changing)))}"), policy.urn


@stack_rule(
    id="aws-lambda-logs-encrypted", title="Function logs go to a log group encrypted with a customer key and kept",
    severity="medium", cloud="aws", practice="encryption", controls=LOGS,
    remediation="Create the function's log group with kms_key_id and retention_in_days, and point the function's "
    "logging_config.log_group at it.",
)
def lambda_logs(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    groups = {str(g.props.get("name")): g for g in of_type(resources, "aws:cloudwatch/logGroup:LogGroup")}
    for function in of_type(resources, FUNCTION):
        # Without a custom group, Lambda writes to /aws/lambda/<function name>
        # (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
        default = f"/aws/lambda/{function.props.get('name')}"
        name = (function.props.get("loggingConfig") or {}).get("logGroup") or default
        group = groups.get(str(name))
        if group is None:
            yield f"function {function.name} logs to {name}, which this stack does not create (no key, kept forever)", \
                function.urn
        elif not group.props.get("kmsKeyId") or not group.props.get("retentionInDays"):
            yield f"function {function.name} logs to {name}, which has no customer key or no retention", function.urn


@resource_rule(
    id="aws-lambda-no-public-invoke", title="No function can be invoked by anyone or through a public URL",
    severity="critical", cloud="aws", practice="access", types=[PERMISSION, FUNCTION_URL], controls=LEAST_PRIVILEGE,
    remediation="Grant lambda:InvokeFunction to one service principal with source_arn (and source_account); "
    "never principal '*', never a function URL with authorization_type NONE.",
)
def no_public_invoke(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("authorizationType") == "NONE":
        yield "function URL without authorization: anyone on the internet may invoke it"
    principal = props.get("principal")
    if principal is None:
        return
    if principal == "*":
        yield "any principal may invoke the function"
    elif str(principal).endswith(".amazonaws.com") and not props.get("sourceArn"):
        yield f"{principal} may invoke the function on behalf of any resource (no source_arn)"


@stack_rule(
    id="aws-containment-responder", title="GuardDuty findings about workloads reach a responder with a closed "
    "quarantine group", severity="high", cloud="aws", practice="monitoring", controls=RESPONSE,
    remediation="Add hardstack's Containment component: an EventBridge rule for GuardDuty findings targeting the "
    "responder function (with a lambda Permission for that rule) and a quarantine security group without rules.",
)
def containment(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    detectors = of_type(resources, "aws:guardduty/detector:Detector")
    instances = of_type(resources, "aws:ec2/instance:Instance")
    if not detectors or not instances:
        return  # nothing detects, or nothing to contain: aws-guardduty-enabled speaks for the first
    quarantine = [g for g in of_type(resources, SECURITY_GROUP) if (g.props.get("tags") or {}).get("purpose") ==
                  "quarantine"]
    if not quarantine:
        yield "no quarantine security group (tag purpose=quarantine) to move a compromised instance into", None
    for group in quarantine:
        if group.props.get("ingress") or group.props.get("egress"):
            yield f"quarantine group {group.name} lets traffic through", group.urn
    functions = of_type(resources, FUNCTION)
    wired = False
    for rule in of_type(resources, "aws:cloudwatch/eventRule:EventRule"):
        if "aws.guardduty" not in str(rule.props.get("eventPattern", "")):
            continue
        targets = [t for t in of_type(resources, "aws:cloudwatch/eventTarget:EventTarget")
                   if references(t, "rule", rule)]
        invoked = [f for f in functions if any(references(t, "arn", f) for t in targets)]
        allowed = [f for f in invoked if any(references(p, "function", f) and references(p, "sourceArn", rule)
                                             for p in of_type(resources, PERMISSION))]
        wired = wired or bool(allowed)
        for function in invoked:
            if function not in allowed:
                yield (f"findings rule {rule.name} targets {function.name}, which no permission lets "
                       "EventBridge invoke for this rule"), rule.urn
    if not wired:
        yield "no GuardDuty findings rule invokes a responder function: findings are only mailed", None
