"""Google Cloud: which resource types are which nodes, and how they relate."""

from __future__ import annotations

from hardstack.evidence.kinds.base import Details, Index, Link, Table, catalog_gpu, days, dig, tee_name, text
from hardstack.evidence.model import Kind
from hardstack.render.graph import Resource

INSTANCE = "gcp:compute/instance:Instance"
KEY = "gcp:kms/cryptoKey:CryptoKey"
BUCKET = "gcp:storage/bucket:Bucket"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
PSC = "gcp:compute/globalForwardingRule:GlobalForwardingRule"
SINK = "gcp:logging/projectSink:ProjectSink"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
TOPIC = "gcp:pubsub/topic:Topic"
FUNCTION = "gcp:cloudfunctionsv2/function:Function"
ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
SCC_CONFIGS = (
    "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig",
    "gcp:securitycenter/projectNotificationConfig:ProjectNotificationConfig",
    "gcp:securitycenter/notificationConfig:NotificationConfig",
    "gcp:securitycenter/v2OrganizationNotificationConfig:V2OrganizationNotificationConfig",
)
NOTEBOOK = "gcp:workbench/instance:Instance"
VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
METADATA_STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
DATASET = "gcp:vertex/aiDataset:AiDataset"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
# Private Service Connect for Google APIs targets one of these bundles; other global forwarding
# rules are load balancers, not private endpoints.
PSC_TARGETS = ("all-apis", "vpc-sc")


def _instance(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    machine = text(i.get("machineType")).rsplit("/", 1)[-1]
    kind = text(dig(i, "confidentialInstanceConfig", "confidentialInstanceType"))
    if not kind and dig(i, "confidentialInstanceConfig", "enableConfidentialCompute") is True:
        kind = "SEV"  # the field's original meaning, before the instance type existed
    accelerators = [a for a in i.get("guestAccelerators") or [] if isinstance(a, dict)]
    gpu = ", ".join(f"{text(a.get('count')) or '1'}x {text(a.get('type')).rsplit('/', 1)[-1]}"
                    for a in accelerators) or catalog_gpu("gcp", machine)
    details = {
        "machine_type": machine, "tee": tee_name(kind) if kind else "none", "gpu": gpu,
        "image": text(dig(i, "bootDisk", "initializeParams", "image")),
        "zone": text(i.get("zone")).rsplit("/", 1)[-1],
    }
    return {k: v for k, v in details.items() if v}


def _notebook(r: Resource, index: Index) -> dict[str, str]:
    setup = r.inputs.get("gceSetup") or {}
    kind = text(dig(setup, "confidentialInstanceConfig", "confidentialInstanceType"))
    details = {
        "machine_type": text(setup.get("machineType")), "tee": tee_name(kind) if kind else "none",
        "zone": text(r.inputs.get("location")), "service": "Vertex AI Workbench",
    }
    return {k: v for k, v in details.items() if v}


def _node_pool(r: Resource, index: Index) -> dict[str, str]:
    """A GKE node pool is compute: its nodes' machine type, TEE (Confidential GKE Nodes), GPU and zones."""
    node = r.inputs.get("nodeConfig") or {}
    machine = text(node.get("machineType"))
    kind = text(dig(node, "confidentialNodes", "confidentialInstanceType")) \
        if dig(node, "confidentialNodes", "enabled") is True else ""
    accelerators = [a for a in node.get("guestAccelerators") or [] if isinstance(a, dict)]
    gpu = ", ".join(f"{text(a.get('count')) or '1'}x {text(a.get('type'))}" for a in accelerators) \
        or catalog_gpu("gcp", machine)
    details = {
        "machine_type": machine, "tee": tee_name(kind) if kind else "none", "gpu": gpu,
        "nodes": text(r.inputs.get("nodeCount")) or text(dig(r.inputs, "autoscaling", "totalMaxNodeCount")),
        "zone": ", ".join(str(z) for z in r.inputs.get("nodeLocations") or []),
        "service": "GKE node pool", "image": text(node.get("imageType")),
    }
    return {k: v for k, v in details.items() if v}


def _cluster(r: Resource, index: Index) -> dict[str, str]:
    private = r.inputs.get("privateClusterConfig") or {}
    return {"service": "GKE (Standard) control plane", "version": text(r.inputs.get("minMasterVersion")),
            "access": "private endpoint" if private.get("enablePrivateEndpoint") is True else "public endpoint"}


def _org_policy(r: Resource, index: Index) -> Kind | None:
    # The Model Garden allow-list is a platform guardrail; the project's other policies are not drawn.
    return "platform" if text(r.inputs.get("name")).endswith("/policies/vertexai.allowedModels") else None


def _allowed_models(r: Resource, index: Index) -> dict[str, str]:
    rules = dig(r.inputs, "spec", "rules") or []
    values = [v for rule in rules if isinstance(rule, dict) for v in dig(rule, "values", "allowedValues") or []]
    return {"service": "Model Garden allow-list (vertexai.allowedModels)", "models": str(len(values))}


def _perimeter(r: Resource, index: Index) -> dict[str, str]:
    services = dig(r.inputs, "status", "restrictedServices") or []
    return {"service": "VPC Service Controls perimeter", "restricted": ", ".join(str(s) for s in services)}


def _vertex_endpoint(r: Resource, index: Index) -> dict[str, str]:
    psc = r.inputs.get("privateServiceConnectConfig") or {}
    return {"service": "Vertex AI online prediction",
            "access": "Private Service Connect" if psc.get("enablePrivateServiceConnect") is True else "public"}


def _key(r: Resource, index: Index) -> dict[str, str]:
    template = r.inputs.get("versionTemplate") or {}
    period = r.inputs.get("rotationPeriod")
    return {
        "protection": text(template.get("protectionLevel")) or "SOFTWARE",
        "rotation": f"every {days(period)}" if period else "off",
        "spec": text(template.get("algorithm")) or "GOOGLE_SYMMETRIC_ENCRYPTION",
    }


def _log_bucket(r: Resource, index: Index) -> dict[str, str]:
    retention = text(r.inputs.get("retentionDays"))
    details = {"retention": f"{retention} days"} if retention else {}
    if r.inputs.get("locked") is True:
        details["locked"] = "true"
    return details


def _psc(r: Resource, index: Index) -> Kind | None:
    target = text(r.inputs.get("target"))
    return "endpoint" if target in PSC_TARGETS else None


def _topic(r: Resource, index: Index) -> Kind | None:
    # A topic is an alert channel when findings are published to it; else it is application data.
    return "alert" if any(ref.type in SCC_CONFIGS for ref, _ in index.referrers.get(r.urn, ())) else None


def _service(name: str) -> Details:
    return lambda r, index: {"service": name}


TABLE = Table(
    cloud="gcp",
    kinds={
        INSTANCE: "workload", KEY: "key", BUCKET: "store",
        "gcp:compute/network:Network": "network", SUBNET: "subnet",
        "gcp:serviceaccount/account:Account": "identity", PSC: _psc,
        SINK: "log", LOG_BUCKET: "log",
        "gcp:monitoring/notificationChannel:NotificationChannel": "alert", TOPIC: _topic,
        ALERT_POLICY: "monitor", **{c: "monitor" for c in SCC_CONFIGS}, FUNCTION: "responder",
        # Managed AI services (the lead's "platform" kind): notebooks, model endpoints and the
        # Model Garden allow-list; lineage and datasets are stores under the data key.
        NOTEBOOK: "platform", VERTEX_ENDPOINT: "platform", METADATA_STORE: "store", DATASET: "store",
        ORG_POLICY: _org_policy, PERIMETER: "platform",
        # GKE: the control plane is a managed service; node pools are the compute that runs the workloads.
        CLUSTER: "platform", NODE_POOL: "workload",
    },
    details={
        INSTANCE: _instance, KEY: _key, LOG_BUCKET: _log_bucket,
        PSC: lambda r, index: {"service": text(r.inputs.get("target"))},
        NOTEBOOK: _notebook, VERTEX_ENDPOINT: _vertex_endpoint, METADATA_STORE: _service("Vertex AI ML Metadata"),
        ORG_POLICY: _allowed_models, PERIMETER: _perimeter,
        DATASET: _service("Vertex AI datasets"), CLUSTER: _cluster, NODE_POOL: _node_pool,
        ALERT_POLICY: _service("Cloud Monitoring"), **{c: _service("Security Command Center") for c in SCC_CONFIGS},
    },
    through={"gcp:compute/disk:Disk": ("diskEncryptionKey",)},
    placement={INSTANCE: ("networkInterfaces",), SUBNET: ("network",), PSC: ("network",), NOTEBOOK: ("gceSetup",),
               CLUSTER: ("subnetwork",)},
    links=(
        Link(INSTANCE, "bootDisk", "", "encrypts"),
        Link(INSTANCE, "attachedDisks", "", "encrypts"),
        Link(BUCKET, "encryption", "", "encrypts"),
        Link(LOG_BUCKET, "cmekSettings", "", "encrypts"),
        Link(TOPIC, "kmsKeyName", "", "encrypts"),
        Link(INSTANCE, "", "serviceAccount", "runs_as"),
        # gceSetup names the disks key (boot and data disk), the account and the subnet.
        Link(NOTEBOOK, "gceSetup", "", "encrypts"),
        Link(NOTEBOOK, "", "gceSetup", "runs_as"),
        Link(VERTEX_ENDPOINT, "encryptionSpec", "", "encrypts"),
        # nodeConfig names the disks key (boot disks) and the node account; the cluster's secrets key.
        Link(NODE_POOL, "nodeConfig", "", "encrypts"),
        Link(NODE_POOL, "", "nodeConfig", "runs_as"),
        Link(CLUSTER, "databaseEncryption", "", "encrypts"),
        Link(METADATA_STORE, "encryptionSpec", "", "encrypts"),
        Link(DATASET, "encryptionSpec", "", "encrypts"),
        # serviceConfig also names the disks key (the snapshots'): only its account is runs_as.
        Link(FUNCTION, "", "serviceConfig", "runs_as"),
        # eventTrigger names the findings topic and the trigger's own account: only the topic triggers.
        Link(FUNCTION, "eventTrigger", "", "triggers"),
        Link(BUCKET, "", "logging", "logs_to"),
        Link(SINK, "", "destination", "logs_to"),
        Link(ALERT_POLICY, "", "notificationChannels", "alerts_to"),
        *(Link(c, "", "pubsubTopic", "alerts_to") for c in SCC_CONFIGS),
        Link(PSC, "network", "", "reaches"),
    ),
)
