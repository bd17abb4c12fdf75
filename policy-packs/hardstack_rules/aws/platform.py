"""AWS managed AI platform: SageMaker notebooks without internet or root, with IMDSv2, in the VPC;
a VPC-only domain; models isolated in the VPC; every platform store keyed with a customer key;
Bedrock invoked only through a guardrail with strong filters, and only for the allowed models."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..documents import allows, as_list, statements
from ..relations import of_type
from ..rule import resource_rule, stack_rule
from ..values import is_map

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
GUARDRAIL = "aws:bedrock/guardrail:Guardrail"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
# The property holding each platform store's customer key.
KEYED = {NOTEBOOK: "kmsKeyId", DOMAIN: "kmsKeyId", ENDPOINT_CONFIG: "kmsKeyArn", GUARDRAIL: "kmsKeyArn"}
INVOKE = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeModel*",
          "bedrock:Converse", "bedrock:ConverseStream", "bedrock:*", "*")
GUARDRAIL_KEY = "bedrock:GuardrailIdentifier"
CONTENT_TYPES = ("SEXUAL", "VIOLENCE", "HATE", "INSULTS", "MISCONDUCT")

NETWORK = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
ACCESS = {"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-6"]}
AT_REST = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-12", "SC-28"]}
# Who may invoke which model is access control over the data sent in prompts (HIPAA 164.312(a)(1)).
MODELS = {"hipaa": ["164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"], "nist-800-53": ["AC-3", "AC-4"]}


@resource_rule(
    id="aws-sagemaker-notebook-no-internet", title="Notebook instances have no direct internet access and run in "
    "the VPC", severity="high", cloud="aws", practice="access", types=[NOTEBOOK], controls=NETWORK,
    remediation="Set direct_internet_access \"Disabled\" and subnet_id (one of the environment's private subnets) "
    "with security_groups.",
)
def notebook_no_internet(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("directInternetAccess") != "Disabled":
        yield "direct internet access is enabled: the notebook reaches the internet around the VPC"
    if not props.get("subnetId"):
        yield "the notebook runs outside the environment's VPC (no subnet_id)"


@resource_rule(
    id="aws-sagemaker-notebook-no-root", title="Notebook users have no root access", severity="high", cloud="aws",
    practice="access", types=[NOTEBOOK], controls=ACCESS,
    remediation="Set root_access \"Disabled\"; install packages through lifecycle configurations reviewed like code.",
)
def notebook_no_root(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("rootAccess") != "Disabled":
        yield "root access is enabled: users can change the instance, its agents and its network settings"


@resource_rule(
    id="aws-sagemaker-notebook-imdsv2", title="Notebook instances require IMDSv2", severity="medium", cloud="aws",
    practice="access", types=[NOTEBOOK], controls=ACCESS,
    remediation="Set instance_metadata_service_configuration.minimum_instance_metadata_service_version \"2\".",
)
def notebook_imdsv2(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    imds = props.get("instanceMetadataServiceConfiguration") or {}
    if str((imds if is_map(imds) else {}).get("minimumInstanceMetadataServiceVersion")) != "2":
        yield "IMDSv1 is allowed: the role's credentials can be read through a server-side request forgery"


@resource_rule(
    id="aws-sagemaker-customer-key", title="Notebooks, domains, endpoint configurations and guardrails use a "
    "customer-managed key", severity="high", cloud="aws", practice="encryption", types=list(KEYED),
    controls=AT_REST,
    remediation="Pass the environment's data key ARN (kms_key_id, kms_key_arn).",
)
def platform_customer_key(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not any(props.get(p) for p in set(KEYED.values())):
        yield "not encrypted with a customer-managed key (AWS owned or managed key)"


@resource_rule(
    id="aws-sagemaker-domain-vpc-only", title="SageMaker domains send all app traffic through the VPC",
    severity="high", cloud="aws", practice="access", types=[DOMAIN], controls=NETWORK,
    remediation="Set app_network_access_type \"VpcOnly\" with the environment's private subnets and a security "
    "group of its own.",
)
def domain_vpc_only(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("appNetworkAccessType") != "VpcOnly":
        yield (f"app network access is {props.get('appNetworkAccessType') or 'PublicInternetOnly'}: Studio apps "
               "reach the internet through SageMaker's network")


@resource_rule(
    id="aws-sagemaker-model-isolated", title="Models run with network isolation inside the VPC", severity="high",
    cloud="aws", practice="models", types=[MODEL], controls=NETWORK,
    remediation="Set enable_network_isolation True and vpc_config (private subnets, a security group).",
)
def model_isolated(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("enableNetworkIsolation") is not True:
        yield "network isolation is off: the serving container can make outbound calls"
    vpc = props.get("vpcConfig")
    if not (is_map(vpc) and vpc.get("subnets") and vpc.get("securityGroupIds")):
        yield "no VPC config: the model's instances are not in the environment's network"


@resource_rule(
    id="aws-bedrock-guardrail-filters", title="Guardrails filter harmful content at high strength and block or "
    "mask personal data", severity="high", cloud="aws", practice="models", types=[GUARDRAIL], controls=MODELS,
    remediation="Add content_policy_config filters for SEXUAL, VIOLENCE, HATE, INSULTS, MISCONDUCT at HIGH input "
    "and output strength, PROMPT_ATTACK at HIGH input strength, and sensitive_information_policy_config PII entities.",
)
def guardrail_filters(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    content = props.get("contentPolicyConfig") or {}
    filters = {str(f.get("type")): f for f in as_list((content if is_map(content) else {}).get("filtersConfigs"))
               if is_map(f)}
    weak = [t for t in CONTENT_TYPES if (filters.get(t) or {}).get("inputStrength") != "HIGH"
            or (filters.get(t) or {}).get("outputStrength") != "HIGH"]
    if weak:
        yield f"content filters below HIGH: {', '.join(weak)}"
    if (filters.get("PROMPT_ATTACK") or {}).get("inputStrength") != "HIGH":
        yield "the prompt-attack filter is not HIGH"
    sensitive = props.get("sensitiveInformationPolicyConfig") or {}
    if not (is_map(sensitive) and (sensitive.get("piiEntitiesConfigs") or sensitive.get("regexesConfigs"))):
        yield "no sensitive-information filter: personal data passes to and from the model"


def _invokes(st: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(st.get("Action")) if a in INVOKE]


def _guarded(st: Mapping[str, Any]) -> bool:
    condition = st.get("Condition") or {}
    return any(GUARDRAIL_KEY in op for op in condition.values() if is_map(op)) if is_map(condition) else False


@stack_rule(
    id="aws-bedrock-invoke-through-guardrail", title="Roles invoke only named models and only through the "
    "environment's guardrail", severity="high", cloud="aws", practice="models", controls=MODELS,
    remediation="Grant bedrock:InvokeModel* on the allowed families' foundation-model and inference-profile ARNs "
    "with a bedrock:GuardrailIdentifier condition naming the guardrail (and its version).",
)
def invoke_through_guardrail(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, GUARDRAIL):
        return  # no platform guardrail to require: environments without Bedrock access by the platform
    for policy in of_type(resources, ROLE_POLICY):
        for st in allows(policy.props.get("policy")):
            actions = _invokes(st)
            if not actions:
                continue
            wild = [r for r in as_list(st.get("Resource")) if r == "*" or str(r).endswith("foundation-model/*")]
            if wild:
                yield (f"statement {st.get('Sid', '?')} lets a role invoke any model ({', '.join(map(str, wild))})",
                       policy.urn)
            if not _guarded(st):
                yield f"statement {st.get('Sid', '?')} lets a role invoke models without the guardrail", policy.urn


@stack_rule(
    id="aws-bedrock-endpoint-allowed-models", title="The bedrock-runtime VPC endpoint lets through the allowed "
    "models only", severity="medium", cloud="aws", practice="models", controls=MODELS,
    remediation="Write the bedrock-runtime endpoint policy with the allowed families' model ARNs as resources.",
)
def endpoint_allowed_models(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    if not of_type(resources, GUARDRAIL):
        return
    for endpoint in of_type(resources, VPC_ENDPOINT):
        if not str(endpoint.props.get("serviceName", "")).endswith(".bedrock-runtime"):
            continue
        for st in statements(endpoint.props.get("policy")):
            if st.get("Effect") == "Allow" and _invokes(st) and "*" in as_list(st.get("Resource")):
                yield f"statement {st.get('Sid', '?')} lets any model through the endpoint", endpoint.urn
