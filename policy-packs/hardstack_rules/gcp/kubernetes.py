"""GKE: a private Standard cluster (private nodes and endpoint, authorized networks), Workload Identity
with the GKE metadata server, secrets encrypted with a customer key, Binary Authorization enforced by
a policy that blocks, Dataplane V2, control-plane logging, no legacy authentication, shielded nodes, a
release channel; node pools on Confidential GKE Nodes with customer-key boot disks, their own service
account and automatic repair and upgrade."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..gcp.tokens import BUCKET, LOG_BUCKET, SINK
from ..relations import of_type, referenced
from ..rule import resource_rule, stack_rule

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource

CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BINAUTHZ = "gcp:binaryauthorization/policy:Policy"
LOG_COMPONENTS = ("SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS")
CHANNELS = ("RAPID", "REGULAR", "STABLE", "EXTENDED")
# Confidential GKE Nodes types by machine family (hardstack.spec.catalog; GKE confidential-gke-nodes page).
TYPES_BY_PREFIX = {"c3-": ("TDX",), "a3-highgpu-1g": ("TDX",), "n2d-": ("SEV_SNP", "SEV")}
DEFAULT_COMPUTE_SA = "-compute@developer.gserviceaccount.com"

PRIVATE = {"hipaa": ["164.312(e)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SC-7", "AC-4"]}
ENCRYPTED = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-28", "SC-12"]}
IN_USE = {"hipaa": ["164.312(a)(2)(iv)"], "gdpr": ["32(1)(a)"], "nist-800-53": ["SC-39", "SC-28"]}
LEAST_PRIVILEGE = {"hipaa": ["164.308(a)(4)", "164.312(a)(1)"], "gdpr": ["25", "32(1)(b)"],
                   "nist-800-53": ["AC-6", "CM-7"]}
AUTHENTICATION = {"hipaa": ["164.312(d)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["IA-2", "IA-5"]}
INTEGRITY = {"hipaa": ["164.312(c)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["SI-7", "CM-7"]}
LOGGING = {"hipaa": ["164.312(b)"], "gdpr": ["30", "32(1)(d)"], "nist-800-53": ["AU-2", "AU-12"]}
BASELINE = {"hipaa": ["164.312(c)(1)"], "gdpr": ["32(1)(b)"], "nist-800-53": ["CM-2", "SI-7"]}


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _block(props: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    found = props.get(key)
    return found if isinstance(found, Mapping) else {}


def _node_config(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return _block(props, "nodeConfig")


@resource_rule(
    id="gcp-gke-private-cluster", title="GKE clusters have private nodes and a private control-plane endpoint only",
    severity="high", cloud="gcp", practice="access", types=[CLUSTER], controls=PRIVATE,
    remediation="Set private_cluster_config enable_private_nodes and enable_private_endpoint (no global access) and "
    "master_authorized_networks_config with the environment's ranges only, gcp_public_cidrs_access_enabled false.",
)
def private_cluster(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    private = _block(props, "privateClusterConfig")
    if not _true(private.get("enablePrivateNodes")):
        yield "nodes have public IPs (enable_private_nodes is off)"
    if not _true(private.get("enablePrivateEndpoint")):
        yield "the control plane has a public endpoint (enable_private_endpoint is off)"
    if _true(_block(private, "masterGlobalAccessConfig").get("enabled")):
        yield "the private endpoint is reachable from every region (master global access)"
    networks = _block(props, "masterAuthorizedNetworksConfig")
    if not networks:
        yield "no master authorized networks: every address that reaches the endpoint may call it"
    if _true(networks.get("gcpPublicCidrsAccessEnabled")):
        yield "Google Cloud's public ranges may reach the control plane"
    for block in networks.get("cidrBlocks") or []:
        if isinstance(block, Mapping) and str(block.get("cidrBlock")) in ("0.0.0.0/0", "::/0"):
            yield f"authorized network {block.get('cidrBlock')} opens the control plane to everyone"


@resource_rule(
    id="gcp-gke-workload-identity", title="GKE uses Workload Identity and the GKE metadata server on every node",
    severity="high", cloud="gcp", practice="access", types=[CLUSTER, POOL], controls=LEAST_PRIVILEGE,
    remediation="Set workload_identity_config.workload_pool <project>.svc.id.goog on the cluster and "
    "node_config.workload_metadata_config.mode GKE_METADATA on every node pool.",
)
def workload_identity(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    node = _node_config(props)
    configures_nodes = "nodeConfig" in props or "cluster" in props  # a pool always; a cluster when it has nodeConfig
    if configures_nodes and _block(node, "workloadMetadataConfig").get("mode") != "GKE_METADATA":
        yield "nodes expose the Compute Engine metadata server (and the node's credentials) to pods"
    if "cluster" not in props:  # the cluster itself
        pool = str(_block(props, "workloadIdentityConfig").get("workloadPool") or "")
        if not pool.endswith(".svc.id.goog"):
            yield "Workload Identity is off: pods run with the node's service account"


@resource_rule(
    id="gcp-gke-secrets-encryption", title="GKE secrets are encrypted with a customer-managed key",
    severity="high", cloud="gcp", practice="encryption", types=[CLUSTER], controls=ENCRYPTED,
    remediation="Set database_encryption state ENCRYPTED with key_name the environment's key (same region); the "
    "GKE service agent must hold roles/cloudkms.cryptoKeyEncrypterDecrypter on it first.",
)
def secrets_encryption(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    encryption = _block(props, "databaseEncryption")
    if encryption.get("state") != "ENCRYPTED" or not encryption.get("keyName"):
        yield "Kubernetes secrets in etcd are not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-gke-binary-authorization", title="GKE enforces the project's Binary Authorization policy",
    severity="high", cloud="gcp", practice="models", types=[CLUSTER], controls=INTEGRITY,
    remediation="Set binary_authorization.evaluation_mode PROJECT_SINGLETON_POLICY_ENFORCE, with a project policy "
    "that blocks what it does not admit (components.gcp.GkeCluster writes one).",
)
def binary_authorization(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    mode = _block(props, "binaryAuthorization").get("evaluationMode")
    if mode != "PROJECT_SINGLETON_POLICY_ENFORCE":
        yield f"Binary Authorization evaluation mode is {mode or 'unset'}: any image runs"


@resource_rule(
    id="gcp-binauthz-policy-blocks", title="The Binary Authorization policy blocks images it does not admit",
    severity="high", cloud="gcp", practice="models", types=[BINAUTHZ], controls=INTEGRITY,
    remediation="Set default_admission_rule evaluation_mode ALWAYS_DENY (or REQUIRE_ATTESTATION) with enforcement "
    "ENFORCED_BLOCK_AND_AUDIT_LOG, and admit the environment's registry by admission_whitelist_patterns.",
)
def binauthz_policy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    rule = _block(props, "defaultAdmissionRule")
    if rule.get("evaluationMode") not in ("ALWAYS_DENY", "REQUIRE_ATTESTATION"):
        yield f"the default rule is {rule.get('evaluationMode') or 'unset'}: images nobody admitted run"
    if rule.get("enforcementMode") != "ENFORCED_BLOCK_AND_AUDIT_LOG":
        yield "the default rule only logs (dry run): nothing is blocked"
    for pattern in props.get("admissionWhitelistPatterns") or []:
        name = str(pattern.get("namePattern") if isinstance(pattern, Mapping) else pattern)
        if name in ("*", "**", "*/**") or name.startswith("*"):
            yield f"admission pattern {name} admits every image"


@resource_rule(
    id="gcp-gke-network-policy", title="GKE enforces network policy (Dataplane V2) with intranode visibility",
    severity="medium", cloud="gcp", practice="access", types=[CLUSTER], controls=PRIVATE,
    remediation="Set datapath_provider ADVANCED_DATAPATH (Dataplane V2 enforces NetworkPolicy) and "
    "enable_intranode_visibility.",
)
def network_policy(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    calico = _true(_block(props, "networkPolicy").get("enabled"))
    if props.get("datapathProvider") != "ADVANCED_DATAPATH" and not calico:
        yield "neither Dataplane V2 nor the network policy addon: NetworkPolicy objects are not enforced"
    if not _true(props.get("enableIntranodeVisibility")):
        yield "intranode visibility is off: pod-to-pod traffic on one node escapes the VPC flow logs"


@resource_rule(
    id="gcp-gke-control-plane-logging", title="GKE logs its control plane, system components and workloads",
    severity="medium", cloud="gcp", practice="monitoring", types=[CLUSTER], controls=LOGGING,
    remediation="Set logging_config.enable_components SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, SCHEDULER "
    "and WORKLOADS, and logging_service logging.googleapis.com/kubernetes.",
)
def control_plane_logging(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if str(props.get("loggingService") or "") == "none":
        yield "logging_service is none: the cluster logs nothing"
    components = set(_block(props, "loggingConfig").get("enableComponents") or [])
    missing = [c for c in LOG_COMPONENTS if c not in components]
    if missing:
        yield f"logs not collected: {', '.join(missing)}"


@resource_rule(
    id="gcp-gke-no-legacy-auth", title="GKE has no legacy ABAC, client certificates or alpha features",
    severity="high", cloud="gcp", practice="access", types=[CLUSTER], controls=AUTHENTICATION,
    remediation="Set enable_legacy_abac false, master_auth.client_certificate_config.issue_client_certificate false "
    "and enable_kubernetes_alpha false.",
)
def no_legacy_auth(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if _true(props.get("enableLegacyAbac")):
        yield "legacy ABAC grants rights outside RBAC"
    certificate = _block(_block(props, "masterAuth"), "clientCertificateConfig")
    if _true(certificate.get("issueClientCertificate")):
        yield "a client certificate is issued: a long-lived credential for the control plane"
    if _true(props.get("enableKubernetesAlpha")):
        yield "alpha features are on (unsupported, no upgrades)"


@resource_rule(
    id="gcp-gke-shielded-nodes", title="GKE nodes are Shielded with secure boot and integrity monitoring",
    severity="medium", cloud="gcp", practice="encryption", types=[CLUSTER, POOL], controls=BASELINE,
    remediation="Set enable_shielded_nodes on the cluster and node_config.shielded_instance_config "
    "enable_secure_boot and enable_integrity_monitoring on every pool.",
)
def shielded_nodes(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if "cluster" not in props and props.get("enableShieldedNodes") is False:
        yield "shielded GKE nodes are off"
    if "nodeConfig" in props or "cluster" in props:
        shielded = _block(_node_config(props), "shieldedInstanceConfig")
        if not _true(shielded.get("enableSecureBoot")):
            yield "secure boot is off"
        if shielded.get("enableIntegrityMonitoring") is False:
            yield "integrity monitoring is off"


@resource_rule(
    id="gcp-gke-release-channel", title="GKE clusters follow a release channel and drop the default node pool",
    severity="medium", cloud="gcp", practice="encryption", types=[CLUSTER], controls=BASELINE,
    remediation="Set release_channel.channel REGULAR (or STABLE) and remove_default_node_pool.",
)
def release_channel(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    channel = _block(props, "releaseChannel").get("channel")
    if channel not in CHANNELS:
        yield f"release channel is {channel or 'unset'}: security patches wait for manual upgrades"
    if not _true(props.get("removeDefaultNodePool")):
        yield "the default node pool stays: nodes nobody configured"


@resource_rule(
    id="gcp-gke-confidential-nodes", title="GKE nodes are Confidential GKE Nodes (Intel TDX or AMD SEV-SNP)",
    severity="high", cloud="gcp", practice="encryption", types=[CLUSTER, POOL], controls=IN_USE,
    remediation="Set node_config.confidential_nodes {enabled: true, confidential_instance_type: TDX} (c3, "
    "a3-highgpu-1g) or SEV_SNP (n2d); a pool that cannot needs an exemption (rule confidential-computing).",
    aliases=["confidential-computing"],
)
def confidential_nodes(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    node = _node_config(props)
    if "cluster" not in props and not node:  # a cluster without a default pool config: cluster-level setting
        if not _true(_block(props, "confidentialNodes").get("enabled")):
            yield "the default node pool is not confidential"
        return
    nodes = _block(node, "confidentialNodes")
    kind = str(nodes.get("confidentialInstanceType") or "")
    machine = str(node.get("machineType") or "")
    if not _true(nodes.get("enabled")) or not kind:
        yield f"{machine or 'nodes'} run without confidential computing: data in use is not encrypted"
        return
    allowed = next((types for prefix, types in TYPES_BY_PREFIX.items() if machine.startswith(prefix)), None)
    if allowed is not None and kind not in allowed:
        yield f"{machine} cannot run {kind}; it runs {' or '.join(allowed)}"


@resource_rule(
    id="gcp-gke-node-disks-customer-key", title="GKE node boot disks are encrypted with a customer key",
    severity="high", cloud="gcp", practice="encryption", types=[POOL], controls=ENCRYPTED,
    remediation="Set node_config.boot_disk_kms_key to the environment's disks key (the Compute Engine agent "
    "holds it).",
)
def node_disks(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    if not _node_config(props).get("bootDiskKmsKey"):
        yield "node boot disks are not encrypted with a customer-managed key"


@resource_rule(
    id="gcp-gke-node-service-account", title="GKE nodes run as a service account of their own",
    severity="high", cloud="gcp", practice="access", types=[POOL], controls=LEAST_PRIVILEGE,
    remediation="Set node_config.service_account to the cluster's node account (roles/container."
    "defaultNodeServiceAccount), never the Compute Engine default account.",
)
def node_service_account(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    email = str(_node_config(props).get("serviceAccount") or "")
    if not email or email == "default":
        yield "no service account: the nodes run as the Compute Engine default account"
    elif email.endswith(DEFAULT_COMPUTE_SA):
        yield f"runs as the Compute Engine default account {email}"


@resource_rule(
    id="gcp-gke-node-pool-management", title="GKE node pools repair and upgrade themselves on Container-Optimized OS",
    severity="medium", cloud="gcp", practice="encryption", types=[POOL], controls=BASELINE,
    remediation="Set management.auto_repair and auto_upgrade, and node_config.image_type COS_CONTAINERD.",
)
def pool_management(props: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    management = _block(props, "management")
    for key in ("autoRepair", "autoUpgrade"):
        if not _true(management.get(key)):
            yield f"management.{key} is off"
    image = str(_node_config(props).get("imageType") or "")
    if image and not image.upper().startswith("COS"):
        yield f"image {image} is not Container-Optimized OS"


@stack_rule(
    id="gcp-gke-logs-reach-own-bucket", title="Each GKE cluster's logs are routed into a log bucket of this stack",
    severity="medium", cloud="gcp", practice="monitoring",
    controls={"hipaa": ["164.312(b)"], "gdpr": ["30"], "nist-800-53": ["AU-9", "AU-12"]},
    remediation="Add a logging.ProjectSink whose filter selects the cluster (resource.labels.cluster_name) and "
    "whose destination is the environment's log bucket (components.gcp.GkeCluster does); the audit sink carries "
    "only cloudaudit logs, not control plane, node or container logs.",
)
def cluster_logs(resources: Sequence[PolicyResource], config: Mapping[str, Any]):
    sinks = [s for s in of_type(resources, SINK) if s.props.get("disabled") is not True]
    for cluster in of_type(resources, CLUSTER):
        name = str(cluster.props.get("name") or cluster.name)
        mine = [s for s in sinks if f'cluster_name="{name}"' in str(s.props.get("filter") or "")]
        if not any(referenced(s, "destination", LOG_BUCKET, BUCKET) for s in mine):
            yield (f"no sink routes {name}'s control plane, node and container logs into a bucket of this stack: "
                   "the _Default bucket keeps them 30 days"), cluster.urn
