"""Computed attributes of GCP resources (ids, self links, emails) as pulumi-gcp returns them.

Service agents are named after the project NUMBER, which the spec does not hold (it has the
project id). Offline, every project gets a stable fake 12-digit number derived from its id, so
agent emails, writer identities and everything built from them read like the real thing and
stay identical between renders.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hardstack.render.computed import Target, module_and_kind, short_hash

_API = "https://www.googleapis.com/compute/v1"
_REGIONAL = {"Subnetwork", "Router", "RouterNat", "Address", "ForwardingRule"}
# Service agent domains that do not follow the usual `gcp-sa-<service>` shape.
_AGENT_DOMAINS = {
    "compute": "compute-system",
    "storage": "gs-project-accounts",
    "container": "container-engine-robot",
}
# Collections whose REST name is not the kind in camelCase plus "s".
_COLLECTIONS = {
    "GlobalAddress": "addresses", "Address": "addresses", "GlobalForwardingRule": "forwardingRules",
    "Policy": "policies", "IAMAuditConfig": "auditConfigs",
}
# Inputs that carry a resource's own name, in the order to try.
_NAME_KEYS = ("name", "accountId", "bucketId", "configId", "displayName")


def project_number(project: str) -> str:
    """A stable, plausible 12-digit project number for a project id."""
    return str(10**11 + int(short_hash("project-number", project, length=12), 16) % (9 * 10**11))


def agent_email(service: str, project: str) -> str:
    """The service agent of `service` (e.g. "pubsub.googleapis.com") in `project`."""
    short = service.split(".", 1)[0]
    domain = _AGENT_DOMAINS.get(short, f"gcp-sa-{short}")
    return f"service-{project_number(project)}@{domain}.iam.gserviceaccount.com"


def _collection(kind: str) -> str:
    return _COLLECTIONS.get(kind, f"{kind[0].lower()}{kind[1:]}s")


def computed(token: str, name: str, inputs: dict[str, Any], target: Target) -> dict[str, Any]:
    module, kind = module_and_kind(token)
    project = str(inputs.get("project") or target.account)
    physical = str(next((inputs[k] for k in _NAME_KEYS if inputs.get(k)), name))
    out: dict[str, Any] = {"name": physical, "project": project}
    rid = f"projects/{project}/{_collection(kind)}/{physical}"
    if module == "compute":
        where = (
            f"regions/{inputs.get('region') or target.region}" if kind in _REGIONAL
            else f"zones/{inputs['zone']}" if "zone" in inputs
            else "global"
        )
        rid = f"projects/{project}/{where}/{_collection(kind)}/{physical}"
        out["selfLink"] = f"{_API}/{rid}"
        if kind == "Instance":
            out["instanceId"] = str(int(short_hash(token, name, length=15), 16))
    elif module == "kms" and kind == "KeyRing":
        rid = f"projects/{project}/locations/{inputs.get('location', target.region)}/keyRings/{physical}"
    elif module == "kms" and kind == "CryptoKey":
        ring = inputs.get("keyRing", f"projects/{project}/locations/-/keyRings/-")
        rid = f"{ring}/cryptoKeys/{physical}"
    elif module == "serviceaccount" and kind == "Account":
        email = f"{physical}@{project}.iam.gserviceaccount.com"
        rid = f"projects/{project}/serviceAccounts/{email}"
        out.update(email=email, member=f"serviceAccount:{email}", uniqueId=physical)
    elif module == "projects" and kind == "ServiceIdentity":
        email = agent_email(str(inputs.get("service", "")), project)
        rid = f"projects/{project}/services/{inputs.get('service')}"
        out.update(email=email, member=f"serviceAccount:{email}")
    elif module == "securitycenter" and kind == "NotificationServiceAccount":
        email = f"service-project-{project_number(project)}@gcp-sa-scc-notification.iam.gserviceaccount.com"
        rid = f"projects/{project}"
        out.update(email=email, member=f"serviceAccount:{email}")
    elif module == "storage" and kind == "Bucket":
        rid = physical
        out.update(url=f"gs://{physical}", selfLink=f"https://www.googleapis.com/storage/v1/b/{physical}",
                   projectNumber=int(project_number(project)))
    elif module == "pubsub" and kind == "Topic":
        rid = f"projects/{project}/topics/{physical}"
    elif module == "logging" and kind == "ProjectBucketConfig":
        rid = f"projects/{project}/locations/{inputs.get('location', 'global')}/buckets/{physical}"
        out["name"] = rid
    elif module == "logging" and kind == "ProjectSink":
        rid = f"projects/{project}/sinks/{physical}"
        writer = f"service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
        out["writerIdentity"] = f"serviceAccount:{writer}"
    elif module == "logging" and kind == "Metric":
        rid = physical
    elif module == "monitoring":
        number = str(int(short_hash(token, name, length=15), 16))
        rid = f"projects/{project}/{_collection(kind)}/{number}"
        out["name"] = rid
    elif module == "orgpolicy" and kind == "Policy":
        rid = physical
    elif module == "securitycenter":
        location = inputs.get("location", "global")
        rid = f"projects/{project}/locations/{location}/{_collection(kind)}/{physical}"
    elif module == "workbench" and kind == "Instance":
        rid = f"projects/{project}/locations/{inputs.get('location')}/instances/{physical}"
        out["proxyUri"] = ""  # disable_proxy_access: the instance has no proxy URL
    elif module == "vertex":
        location = inputs.get("location") or inputs.get("region") or target.region
        collection = {"AiEndpoint": "endpoints", "AiMetadataStore": "metadataStores", "AiDataset": "datasets"}
        rid = f"projects/{project}/locations/{location}/{collection.get(kind, _collection(kind))}/{physical}"
        out["name"] = physical if kind != "AiDataset" else rid
    elif module == "networkconnectivity":
        rid = f"projects/{project}/locations/{inputs.get('location', target.region)}/{_collection(kind)}/{physical}"
    elif module == "accesscontextmanager":
        rid = physical  # accessPolicies/<n>/servicePerimeters/<name>
    elif module == "container" and kind == "Cluster":
        location = inputs.get("location") or target.region
        rid = f"projects/{project}/locations/{location}/clusters/{physical}"
        # A private endpoint only: the control plane's address in the /28 the cluster was given.
        master = str((inputs.get("privateClusterConfig") or {}).get("masterIpv4CidrBlock") or "")
        out.update(endpoint=str(ipaddress.IPv4Network(master).network_address + 2) if master else "",
                   selfLink=f"https://container.googleapis.com/v1/{rid}", labelFingerprint="")
    elif module == "container" and kind == "NodePool":
        cluster = str(inputs.get("cluster") or "")
        rid = f"{cluster}/nodePools/{physical}"
        out["instanceGroupUrls"] = []
    elif module == "binaryauthorization" and kind == "Policy":
        rid = f"projects/{project}"
    elif module == "dns" and kind == "ManagedZone":
        out["nameServers"] = ["ns-gcp-private.googledomains.com."]
    out["id"] = rid
    return out

