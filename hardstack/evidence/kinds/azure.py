"""Azure (azure-native): which resource types are which nodes, and how they relate.

A disk encryption set is not a node of its own: it only points a VM's disks at a Key Vault
key, so it is shown folded into that key (the key "encrypts" the VM, and the key's details
name the set that wraps it).
"""

from __future__ import annotations

from hardstack.evidence.kinds.base import (
    Details,
    Index,
    Link,
    Reverse,
    Table,
    catalog_gpu,
    catalog_tee,
    days,
    dig,
    text,
)
from hardstack.evidence.model import Edge, Kind
from hardstack.render.graph import Resource

VM = "azure-native:compute:VirtualMachine"
WEB_APP = "azure-native:web:WebApp"
KEY = "azure-native:keyvault:Key"
DES = "azure-native:compute:DiskEncryptionSet"
STORAGE = "azure-native:storage:StorageAccount"
CONTAINER = "azure-native:storage:BlobContainer"
SUBNET = "azure-native:network:Subnet"
ENDPOINT = "azure-native:network:PrivateEndpoint"
WORKSPACE = "azure-native:operationalinsights:Workspace"
PRICING = "azure-native:security:Pricing"
SYSTEM_TOPIC = "azure-native:eventgrid:SystemTopic"
DIAGNOSTICS = "azure-native:monitor:DiagnosticSetting"
FLOW_LOG = "azure-native:network:FlowLog"
# The managed AI platform: the workspace people work in, its notebooks and endpoints, the models account.
ML_WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
OPENAI = "azure-native:cognitiveservices:Account"
REGISTRY = "azure-native:containerregistry:Registry"
# The AKS cluster: its control plane (a managed platform service) and its node pools (confidential VMs).
AKS = "azure-native:containerservice:ManagedCluster"
AKS_POOL = "azure-native:containerservice:AgentPool"
ALERT_RULES = ("azure-native:monitor:ActivityLogAlert", "azure-native:monitor:MetricAlert",
               "azure-native:monitor:ScheduledQueryRule")


def _vm(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    size = text(dig(i, "hardwareProfile", "vmSize"))
    tee = "none"
    if text(dig(i, "securityProfile", "securityType")) == "ConfidentialVM":
        # The security type says confidential; the size family says which TEE it runs.
        tee = catalog_tee("azure", size) or "confidential VM"
    image = dig(i, "storageProfile", "imageReference") or {}
    image_text = text(image.get("id") or image.get("communityGalleryImageId") or image.get("sharedGalleryImageId"))
    if not image_text and image.get("offer"):
        image_text = ":".join(text(image.get(k)) for k in ("publisher", "offer", "sku", "version"))
    zones = i.get("zones")
    details = {
        "machine_type": size, "tee": tee, "gpu": catalog_gpu("azure", size), "image": image_text,
        "zone": ", ".join(text(z) for z in zones) if isinstance(zones, list) else "",
    }
    return {k: v for k, v in details.items() if v}


def _rotation(policy: object) -> str:
    actions = dig(policy, "lifetimeActions") or []
    expiry = days(dig(policy, "attributes", "expiryTime"))
    for action in actions:
        if text(dig(action, "action", "type")).lower() == "rotate":
            trigger = dig(action, "trigger") or {}
            if trigger.get("timeAfterCreate"):
                return f"every {days(trigger['timeAfterCreate'])}"
            if trigger.get("timeBeforeExpiry"):
                return f"{days(trigger['timeBeforeExpiry'])} before expiry"
    # A policy that only notifies (keys a confidential disk set cannot follow automatically).
    if actions or expiry:
        return f"manual (expires after {expiry})" if expiry else "manual"
    return "off"


def _key(r: Resource, index: Index) -> dict[str, str]:
    props = r.inputs.get("properties") or {}
    kty = text(props.get("kty"))
    details = {
        "protection": "HSM" if kty.upper().endswith("-HSM") else "SOFTWARE",
        "rotation": _rotation(props.get("rotationPolicy")),
        "spec": kty,
    }
    if props.get("releasePolicy"):
        details["release"] = "attested VMs only"
    wrappers = [index.short(d.name) for d in index.referring(r.urn, DES, "activeKey")]
    if wrappers:
        details["wrapped_by"] = ", ".join(wrappers)
    return {k: v for k, v in details.items() if v}


def _storage(r: Resource, index: Index) -> dict[str, str]:
    containers = [text(c.inputs.get("containerName")) or index.short(c.name)
                  for c in index.referring(r.urn, CONTAINER, "accountName")]
    return {"purpose": ", ".join(containers), "containers": ", ".join(containers)} if containers else {}


def _workspace(r: Resource, index: Index) -> dict[str, str]:
    retention = text(r.inputs.get("retentionInDays"))
    return {"retention": f"{retention} days"} if retention else {}


def _endpoint(r: Resource, index: Index) -> dict[str, str]:
    groups = [text(g) for c in r.inputs.get("privateLinkServiceConnections") or [] for g in c.get("groupIds") or []]
    return {"service": ", ".join(groups)} if groups else {}


def _pricing(r: Resource, index: Index) -> dict[str, str]:
    return {"service": f"Defender for {text(r.inputs.get('pricingName'))}",
            "tier": text(r.inputs.get("pricingTier"))}


def _system_topic(r: Resource, index: Index) -> Kind | None:
    # Event Grid topics are general plumbing; only Key Vault's (key expiry events) is a watch.
    return "monitor" if "keyvault" in text(r.inputs.get("topicType")).lower() else None


def _function_app(r: Resource, index: Index) -> Kind | None:
    # Web apps are applications; a function app is here the containment responder.
    return "responder" if "functionapp" in text(r.inputs.get("kind")).lower() else None


def _ml_workspace(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    details = {"service": "Azure Machine Learning workspace",
               "network": text(dig(i, "managedNetwork", "isolationMode")) or "Disabled",
               "public access": text(i.get("publicNetworkAccess")) or "Enabled",
               "high business impact": "on" if i.get("hbiWorkspace") is True else "off"}
    return {k: v for k, v in details.items() if v}


def _compute(r: Resource, index: Index) -> dict[str, str]:
    compute = r.inputs.get("properties") or {}
    inner = compute.get("properties") or {} if isinstance(compute, dict) else {}
    details = {"service": "Azure ML compute instance", "machine_type": text(inner.get("vmSize")),
               "public IP": "yes" if inner.get("enableNodePublicIp") is not False else "no",
               "idle shutdown": text(inner.get("idleTimeBeforeShutdown"))}
    return {k: v for k, v in details.items() if v}


def _online_endpoint(r: Resource, index: Index) -> dict[str, str]:
    props = r.inputs.get("properties") or {}
    return {"service": "Azure ML online endpoint", "auth": text(props.get("authMode")),
            "public access": text(props.get("publicNetworkAccess")) or "Enabled"}


def _openai(r: Resource, index: Index) -> dict[str, str]:
    models = [text(dig(d.inputs, "properties", "model", "name")) + " " + text(dig(d.inputs, "properties", "model",
                                                                                  "version"))
              for d in index.referring(r.urn, "azure-native:cognitiveservices:Deployment", "accountName")]
    details = {"service": "Azure OpenAI", "models": ", ".join(sorted(models)),
               "public access": text(dig(r.inputs, "properties", "publicNetworkAccess")) or "Enabled"}
    return {k: v for k, v in details.items() if v}


def _pool(pool: dict[str, object]) -> dict[str, str]:
    size = text(pool.get("vmSize"))
    zones = pool.get("availabilityZones")
    details = {"machine_type": size, "tee": catalog_tee("azure", size) or "none", "gpu": catalog_gpu("azure", size),
               "nodes": text(pool.get("count")), "mode": text(pool.get("mode")), "image": text(pool.get("osSKU")),
               "zone": ", ".join(text(z) for z in zones) if isinstance(zones, list) else "",
               "public IP": "yes" if pool.get("enableNodePublicIP") is not False else "no"}
    return {k: v for k, v in details.items() if v}


def _aks_pool(r: Resource, index: Index) -> dict[str, str]:
    return _pool(r.inputs)


def _aks(r: Resource, index: Index) -> dict[str, str]:
    i = r.inputs
    access = i.get("apiServerAccessProfile") or {}
    kms = dig(i, "securityProfile", "azureKeyVaultKms") or {}
    pools = [p for p in (i.get("agentPoolProfiles") or []) if isinstance(p, dict)]
    system = _pool(pools[0]) if pools else {}
    details = {
        "service": "AKS cluster", "version": text(i.get("kubernetesVersion")),
        "API server": "private, in the VNet" if access.get("enablePrivateCluster") is True
        and access.get("enableVnetIntegration") is True else "public" if access.get("enablePrivateCluster") is not True
        else "private",
        "local accounts": "off" if i.get("disableLocalAccounts") is True else "on",
        "etcd encryption": ("KMS, private vault" if kms.get("keyVaultNetworkAccess") == "Private" else "KMS")
        if kms.get("enabled") is True else "platform keys",
        "system pool": " ".join(v for v in (system.get("machine_type"), system.get("tee")) if v),
    }
    return {k: v for k, v in details.items() if v}


def _aks_edges(index: Index) -> list[Edge]:
    """The KMS key encrypts the cluster's secrets (its securityProfile also names the vault, which
    would stand for every key in it), and each node pool runs as the cluster's kubelet identity."""
    edges: list[Edge] = []
    for cluster in index.graph.of_type(AKS):
        for urn in index.refs(cluster, "securityProfile"):
            if index.by_urn[urn].type == KEY:
                edges += [Edge(k, cluster.urn, "encrypts") for k in index.resolve(urn)]
        kubelet = index.nodes_named_by(cluster, "identityProfile")
        for pool in index.referring(cluster.urn, AKS_POOL, "resourceName"):
            edges += [Edge(pool.urn, i, "runs_as") for i in kubelet]
    return edges


def _service(name: str) -> Details:
    return lambda r, index: {"service": name}


TABLE = Table(
    cloud="azure",
    kinds={
        VM: "workload", KEY: "key", STORAGE: "store",
        "azure-native:network:VirtualNetwork": "network", SUBNET: "subnet",
        "azure-native:managedidentity:UserAssignedIdentity": "identity", ENDPOINT: "endpoint",
        WORKSPACE: "log", "azure-native:monitor:ActionGroup": "alert",
        PRICING: "monitor", SYSTEM_TOPIC: _system_topic, **{a: "monitor" for a in ALERT_RULES},
        WEB_APP: _function_app,
        ML_WORKSPACE: "platform", COMPUTE: "platform", ONLINE_ENDPOINT: "platform", OPENAI: "platform",
        REGISTRY: "store",
        # The control plane is a managed service; a node pool is confidential VMs running workloads.
        AKS: "platform", AKS_POOL: "workload",
    },
    details={
        VM: _vm, KEY: _key, STORAGE: _storage, WORKSPACE: _workspace, ENDPOINT: _endpoint,
        PRICING: _pricing, SYSTEM_TOPIC: _service("Key Vault events"),
        ML_WORKSPACE: _ml_workspace, COMPUTE: _compute, ONLINE_ENDPOINT: _online_endpoint, OPENAI: _openai,
        REGISTRY: _service("Azure Container Registry"),
        AKS: _aks, AKS_POOL: _aks_pool,
    },
    through={
        "azure-native:network:NetworkInterface": ("ipConfigurations",),
        DES: ("activeKey",),
        "azure-native:compute:Disk": ("encryption",),
        "azure-native:storage:BlobServiceProperties": ("accountName",),
        CONTAINER: ("accountName",),
    },
    # A vault's diagnostic logs are the audit trail of the keys it holds.
    reverse={"azure-native:keyvault:Vault": Reverse(KEY, "vaultName", "")},
    placement={VM: ("networkProfile",), SUBNET: ("virtualNetworkName",), ENDPOINT: ("subnet",),
               AKS: ("apiServerAccessProfile",), AKS_POOL: ("vnetSubnetID",)},
    links=(
        Link(VM, "storageProfile", "", "encrypts"),
        Link(STORAGE, "encryption", "", "encrypts"),
        Link(VM, "", "identity", "runs_as"),
        Link(WEB_APP, "", "identity", "runs_as"),
        # The platform's services unwrap the platform key as the identity they name, and it encrypts them.
        # (Not the workspace's `encryption`: it names the vault too, which stands for all its keys.)
        Link(ML_WORKSPACE, "", "identity", "runs_as"),
        Link(OPENAI, "", "identity", "runs_as"),
        Link(OPENAI, "properties", "", "encrypts"),
        Link(REGISTRY, "encryption", "", "encrypts"),
        # The cluster acts as its control-plane identity, its nodes as the kubelet identity; the KMS key
        # encrypts its secrets; its pools belong to it.
        Link(AKS, "", "identity", "runs_as"),
        Link(AKS, "", "identityProfile", "runs_as"),

        Link(DIAGNOSTICS, "resourceUri", "workspaceId", "logs_to"),
        Link(DIAGNOSTICS, "resourceUri", "storageAccountId", "logs_to"),
        Link(FLOW_LOG, "targetResourceId", "storageId", "logs_to"),
        Link(FLOW_LOG, "targetResourceId", "flowAnalyticsConfiguration", "logs_to"),
        *(Link(a, "", "actions", "alerts_to") for a in ALERT_RULES),
        Link("azure-native:eventgrid:SystemTopicEventSubscription", "systemTopicName", "destination", "alerts_to"),
        Link(ENDPOINT, "subnet", "", "reaches"),
    ),
    extra=(_aks_edges,),
)
