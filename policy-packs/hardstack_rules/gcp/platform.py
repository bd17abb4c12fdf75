"""GCP managed AI platform (Vertex AI): Workbench notebooks without public IP or the public proxy,
locked down, confidential and on customer keys; private, keyed endpoints and lineage; Model Garden
limited to an allow-list; the project inside a VPC Service Controls perimeter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import ORG_POLICY, PROJECT_IAM, grants
from ..relations import of_type
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

NOTEBOOK = "gcp:workbench/instance:Instance"
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
METADATA_STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
DATASET = "gcp:vertex/aiDataset:AiDataset"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
MODELS_CONSTRAINT = "vertexai.allowedModels"
INVOKER_ROLES = frozenset({"roles/aiplatform.user", "roles/aiplatform.admin"})
# Workbench's documented metadata (https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-metadata).
LOCKDOWN = ("notebook-disable-root", "notebook-disable-terminal", "notebook-disable-downloads",
            "notebook-disable-nbconvert")
# People reach a notebook without the proxy by SSH (IAP tunnel): OS Login decides who, as on workloads.
OS_LOGIN = {"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE"}
PERIMETER_SERVICES = ("aiplatform.googleapis.com", "notebooks.googleapis.com", "storage.googleapis.com",
                      "cloudkms.googleapis.com")

PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
ENCRYPTED = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
IN_USE = {"gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SI-7"]}
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"],
                   "nist-800-53": ["AC-6", "CM-7"]}
EXFILTRATION = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)", "44"], "nist-800-53": ["SC-7", "AC-4"]}


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


@resource_rule(
    id="gcp-workbench-private", title="Workbench instances have no public IP and no public notebook proxy",
    severity="high", cloud="gcp", practice="access", types=[NOTEBOOK], controls=PRIVATE,
    remediation="Set gce_setup.disable_public_ip, no access_configs, and disable_proxy_access (reach JupyterLab "
    "through an IAP tunnel): components.gcp.Workbench does.",
)
def workbench_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    setup = props.get("gceSetup") or {}
    if not _true(setup.get("disablePublicIp")):
        yield "gce_setup.disable_public_ip is not set: the notebook VM gets an external IP"
    for nic in setup.get("networkInterfaces") or []:
        if isinstance(nic, Mapping) and nic.get("accessConfigs"):
            yield "a network interface has an access config (an external IP)"
    if not _true(props.get("disableProxyAccess")):
        yield "disable_proxy_access is not set: JupyterLab gets a URL on the internet through Google's proxy"


@resource_rule(
    id="gcp-workbench-locked-down", title="Workbench notebooks give no root, terminal, downloads or nbconvert",
    severity="medium", cloud="gcp", practice="access", types=[NOTEBOOK], controls=LEAST_PRIVILEGE,
    remediation="Set gce_setup.metadata notebook-disable-root, notebook-disable-terminal, "
    "notebook-disable-downloads and notebook-disable-nbconvert to \"true\", and enable-oslogin and "
    "block-project-ssh-keys to \"TRUE\".",
)
def workbench_locked_down(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    metadata = (props.get("gceSetup") or {}).get("metadata") or {}
    for key in LOCKDOWN:
        if not _true(metadata.get(key)):
            yield f"metadata {key} is not \"true\""
    for key in OS_LOGIN:
        if not _true(metadata.get(key)):
            yield f"metadata {key} is not TRUE: SSH keys, not OS Login, may decide who reaches the notebook"


@resource_rule(
    id="gcp-workbench-confidential", title="Workbench instances are Confidential VMs with Shielded VM",
    severity="high", cloud="gcp", practice="encryption", types=[NOTEBOOK], controls=IN_USE,
    remediation="Set gce_setup.confidential_instance_config.confidential_instance_type SEV (N2D sizes) and "
    "shielded_instance_config secure boot, vTPM and integrity monitoring.",
)
def workbench_confidential(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    setup = props.get("gceSetup") or {}
    if (setup.get("confidentialInstanceConfig") or {}).get("confidentialInstanceType") != "SEV":
        yield "not a Confidential VM: data in use is not encrypted"
    shielded = setup.get("shieldedInstanceConfig") or {}
    for key in ("enableSecureBoot", "enableVtpm", "enableIntegrityMonitoring"):
        if not _true(shielded.get(key)):
            yield f"shielded_instance_config.{key} is off"


@resource_rule(
    id="gcp-workbench-cmek", title="Workbench boot and data disks are encrypted with a customer key",
    severity="high", cloud="gcp", practice="encryption", types=[NOTEBOOK], controls=ENCRYPTED,
    remediation="Set boot_disk and data_disks disk_encryption CMEK with kms_key the environment's disks key.",
)
def workbench_cmek(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    setup = props.get("gceSetup") or {}
    for disk in ("bootDisk", "dataDisks"):
        spec = setup.get(disk) or {}
        if spec.get("diskEncryption") != "CMEK" or not spec.get("kmsKey"):
            yield f"{disk} is not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-workbench-own-identity", title="Workbench instances run as a service account of their own",
    severity="high", cloud="gcp", practice="access", types=[NOTEBOOK], controls=LEAST_PRIVILEGE,
    remediation="Set gce_setup.service_accounts to the notebooks' own account (not the Compute Engine default).",
)
def workbench_identity(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    accounts = [a for a in (props.get("gceSetup") or {}).get("serviceAccounts") or [] if isinstance(a, Mapping)]
    emails = [str(a.get("email") or "") for a in accounts]
    if not emails or not all(emails):
        yield "no service account named: the notebook runs as the Compute Engine default account"
    for email in emails:
        if email.endswith("-compute@developer.gserviceaccount.com"):
            yield f"runs as the Compute Engine default account {email}"


@resource_rule(
    id="gcp-vertex-endpoint-private", title="Vertex AI endpoints are reachable only privately",
    severity="high", cloud="gcp", practice="access", types=[ENDPOINT], controls=PRIVATE,
    remediation="Set private_service_connect_config.enable_private_service_connect with project_allowlists "
    "naming the environment's project (or peer the endpoint with network).",
)
def endpoint_private(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if props.get("network"):
        return
    psc = props.get("privateServiceConnectConfig") or {}
    if not _true(psc.get("enablePrivateServiceConnect")):
        yield "neither Private Service Connect nor peering: the endpoint is served on the public API"
    elif not psc.get("projectAllowlists"):
        yield "Private Service Connect without a project allow-list"


@resource_rule(
    id="gcp-vertex-cmek", title="Vertex AI endpoints, metadata stores and datasets use a customer key",
    severity="high", cloud="gcp", practice="encryption", types=[ENDPOINT, METADATA_STORE, DATASET],
    controls=ENCRYPTED,
    remediation="Set encryption_spec.kms_key_name to the environment's data key (same region); the Vertex AI "
    "service agent must hold roles/cloudkms.cryptoKeyEncrypterDecrypter on it first.",
)
def vertex_cmek(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not (props.get("encryptionSpec") or {}).get("kmsKeyName"):
        yield "no encryption_spec.kms_key_name: encrypted with a Google-owned key"


def _allowed_models(policy: PolicyResource) -> list[str] | None:
    """The policy's allow-list, or None when it allows everything or is not enforced."""
    spec = policy.props.get("spec") or {}
    if _true(spec.get("reset")):
        return None
    allowed: list[str] = []
    for rule in spec.get("rules") or []:
        if not isinstance(rule, Mapping) or _true(rule.get("allowAll")):
            return None
        allowed += [str(v) for v in (rule.get("values") or {}).get("allowedValues") or []]
    return allowed or None


@stack_rule(
    id="gcp-vertex-models-allow-list",
    title="Whoever may call Vertex AI may call only the Model Garden models the spec allows",
    severity="high", cloud="gcp", practice="access", controls=LEAST_PRIVILEGE,
    remediation="Set platform.foundation_models.allow: components.gcp.ModelAccess sets the project's "
    "vertexai.allowedModels policy to those models (predict only) with its roles/aiplatform.user grants.",
)
def models_allow_list(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    invokers = [g for g in of_type(resources, *PROJECT_IAM)
                if any(role in INVOKER_ROLES for role, _ in grants(g.props))]
    if not invokers:
        return
    policies = [p for p in of_type(resources, ORG_POLICY)
                if str(p.props.get("name") or "").endswith(f"/policies/{MODELS_CONSTRAINT}")]
    allowed = [a for p in policies if (a := _allowed_models(p)) is not None]
    if not allowed:
        for grant in invokers:
            yield (f"{grant.name} lets its members call Vertex AI, and no {MODELS_CONSTRAINT} allow-list limits "
                   "which Model Garden models they call"), grant.urn
        return
    for values in allowed:
        broad = [v for v in values if v.count("/") != 3 or "*" in v]
        for value in broad:
            yield f"{MODELS_CONSTRAINT} allows {value}: name models one by one", policies[0].urn


@resource_rule(
    id="gcp-vertex-perimeter", title="The service perimeter is enforced around Vertex AI, Workbench, Storage and KMS",
    severity="high", cloud="gcp", practice="access", types=[PERIMETER], controls=EXFILTRATION,
    remediation="Put the project (projects/<number>) in an enforced (status) perimeter restricting "
    "aiplatform, notebooks, storage and cloudkms, with VPC accessible services restricted.",
)
def perimeter(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if _true(props.get("useExplicitDryRunSpec")):
        yield "dry run only: nothing is blocked"
    status = props.get("status") or {}
    if not status.get("resources"):
        yield "no project inside the perimeter"
    missing = sorted(set(PERIMETER_SERVICES) - set(status.get("restrictedServices") or []))
    if missing:
        yield f"services not restricted: {', '.join(missing)}"
    if not _true((status.get("vpcAccessibleServices") or {}).get("enableRestriction")):
        yield "VPC accessible services are not restricted: the network may call any Google API"
