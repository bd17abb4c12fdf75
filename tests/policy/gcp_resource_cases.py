"""A passing and a failing fixture for every GCP resource rule: (type, good props, bad props,
expected message fragment). Props use the engine's camelCase names, as policies see them."""

from __future__ import annotations

import json
from typing import Any

PROJECT = "ml-prod-eu-4711"
KEY_ID = f"projects/{PROJECT}/locations/europe-west4/keyRings/env-keys/cryptoKeys/data"
STORAGE_AGENT = "serviceAccount:service-412712535515@gs-project-accounts.iam.gserviceaccount.com"
WORKLOAD = f"serviceAccount:trainer@{PROJECT}.iam.gserviceaccount.com"
LABELS = {"hardstack-environment": "e", "owner": "o", "data-classification": "restricted", "compliance": "hipaa"}

KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_OK = {
    "purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s", "destroyScheduledDuration": "2592000s",
    "deletionPolicy": "PREVENT", "labels": LABELS,
    "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "HSM"},
}
KEY_BINDING_OK = {"cryptoKeyId": KEY_ID, "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                  "members": [STORAGE_AGENT]}
INSTANCE = "gcp:compute/instance:Instance"
INSTANCE_OK: dict[str, Any] = {
    "machineType": "c3-standard-8", "confidentialInstanceConfig": {"confidentialInstanceType": "TDX"},
    "scheduling": {"onHostMaintenance": "TERMINATE", "automaticRestart": True},
    "shieldedInstanceConfig": {"enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True},
    "networkInterfaces": [{"subnetwork": "projects/p/regions/r/subnetworks/s"}],
    "metadata": {"enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE", "serial-port-enable": "FALSE"},
    "bootDisk": {"kmsKeySelfLink": KEY_ID, "initializeParams": {"image": "ubuntu"}},
    "canIpForward": False, "serviceAccount": {"email": f"trainer@{PROJECT}.iam.gserviceaccount.com"},
    "labels": LABELS,
}
SUBNET = "gcp:compute/subnetwork:Subnetwork"
SUBNET_OK = {"purpose": "PRIVATE", "privateIpGoogleAccess": True,
             "logConfig": {"flowSampling": 1, "metadata": "INCLUDE_ALL_METADATA"}}
FIREWALL = "gcp:compute/firewall:Firewall"
FIREWALL_OK = {"direction": "INGRESS", "allows": [{"protocol": "tcp", "ports": ["22"]}],
               "sourceRanges": ["35.235.240.0/20"], "logConfig": {"metadata": "INCLUDE_ALL_METADATA"}}
BUCKET = "gcp:storage/bucket:Bucket"
ENCRYPTION_OK = {"defaultKmsKeyName": KEY_ID,
                 "googleManagedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"},
                 "customerSuppliedEncryptionEnforcementConfig": {"restrictionMode": "FullyRestricted"}}
BUCKET_OK: dict[str, Any] = {
    "name": "b", "encryption": ENCRYPTION_OK, "uniformBucketLevelAccess": True, "publicAccessPrevention": "enforced",
    "versioning": {"enabled": True}, "labels": {**LABELS, "purpose": "datasets"},
}
MODELS_OK: dict[str, Any] = {**BUCKET_OK, "versioning": {"enabled": False}, "labels": {**LABELS, "purpose": "models"},
                             "retentionPolicy": {"retentionPeriod": "2592000", "isLocked": True}}
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
LOG_BUCKET_OK = {"retentionDays": 2190, "locked": True, "cmekSettings": {"kmsKeyName": KEY_ID}}
TOPIC = "gcp:pubsub/topic:Topic"
# Changed with defect 10b: the good topic used to enforce its regions in transit too, which
# rejects findings Security Command Center publishes from elsewhere; residency is the storage regions.
TOPIC_OK = {"kmsKeyName": KEY_ID, "messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west4"],
                                                           "enforceInTransit": False}}


FUNCTION = "gcp:cloudfunctionsv2/function:Function"
FUNCTION_OK = {"name": "env-responder", "serviceConfig": {"ingressSettings": "ALLOW_INTERNAL_ONLY"}}
INVOKER_OK = {"name": "env-responder", "role": "roles/run.invoker",
              "member": f"serviceAccount:trigger@{PROJECT}.iam.gserviceaccount.com"}


NOTEBOOK = "gcp:workbench/instance:Instance"
DISK_KEY_ID = f"projects/{PROJECT}/locations/europe-west4/keyRings/env-keys/cryptoKeys/disks"
NOTEBOOK_SETUP: dict[str, Any] = {
    "machineType": "n2d-standard-4", "disablePublicIp": True,
    "bootDisk": {"diskEncryption": "CMEK", "kmsKey": DISK_KEY_ID},
    "dataDisks": {"diskEncryption": "CMEK", "kmsKey": DISK_KEY_ID},
    "shieldedInstanceConfig": {"enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True},
    "confidentialInstanceConfig": {"confidentialInstanceType": "SEV"},
    "serviceAccounts": [{"email": f"env-notebooks@{PROJECT}.iam.gserviceaccount.com"}],
    "networkInterfaces": [{"network": "projects/p/global/networks/n", "subnet": "projects/p/regions/r/subnetworks/s"}],
    "metadata": {"notebook-disable-root": "true", "notebook-disable-terminal": "true",
                 "notebook-disable-downloads": "true", "notebook-disable-nbconvert": "true",
                 "enable-oslogin": "TRUE", "block-project-ssh-keys": "TRUE"},
}
NOTEBOOK_OK: dict[str, Any] = {"location": "europe-west4-a", "disableProxyAccess": True, "gceSetup": NOTEBOOK_SETUP}


def notebook(**setup: Any) -> dict[str, Any]:
    """The good notebook with some gce_setup fields replaced."""
    return {**NOTEBOOK_OK, "gceSetup": {**NOTEBOOK_SETUP, **setup}}


VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
VERTEX_ENDPOINT_OK: dict[str, Any] = {
    "name": "1234567890", "location": "europe-west4", "encryptionSpec": {"kmsKeyName": KEY_ID},
    "privateServiceConnectConfig": {"enablePrivateServiceConnect": True, "projectAllowlists": [PROJECT]},
}
METADATA_STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
METADATA_STORE_OK = {"name": "default", "region": "europe-west4", "encryptionSpec": {"kmsKeyName": KEY_ID}}
PERIMETER = "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter"
PERIMETER_OK: dict[str, Any] = {
    "parent": "accessPolicies/1", "name": "accessPolicies/1/servicePerimeters/env",
    "status": {"resources": ["projects/123456789012"],
               "restrictedServices": ["aiplatform.googleapis.com", "notebooks.googleapis.com",
                                      "storage.googleapis.com", "cloudkms.googleapis.com"],
               "vpcAccessibleServices": {"enableRestriction": True, "allowedServices": ["RESTRICTED-SERVICES"]}},
}


def policy_data(role: str, *members: str) -> str:
    return json.dumps({"bindings": [{"role": role, "members": list(members)}]})


CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str]] = {
    "gcp-kms-key-rotation": (KEY, KEY_OK, {k: v for k, v in KEY_OK.items() if k != "rotationPeriod"},
                             "no rotation period"),
    "gcp-kms-rotation-period": (KEY, KEY_OK, {**KEY_OK, "rotationPeriod": f"{730 * 86400}s"},
                                "rotates every 730 days; the maximum is 365"),
    "gcp-kms-hsm-protection": (KEY, KEY_OK, {**KEY_OK, "versionTemplate": {"protectionLevel": "SOFTWARE"}},
                               "protects restricted data with a SOFTWARE key"),
    "gcp-kms-software-key-advisory": (KEY, KEY_OK, {**KEY_OK, "versionTemplate": {"protectionLevel": "SOFTWARE"}},
                                      "key material is SOFTWARE-protected"),
    "gcp-kms-destroy-window": (KEY, KEY_OK, {**KEY_OK, "destroyScheduledDuration": "86400s"},
                               "destruction is scheduled 1 days ahead; the minimum is 14"),
    "gcp-kms-prevent-destroy": (KEY, KEY_OK, {**KEY_OK, "deletionPolicy": "DELETE"},
                                "deletion policy is DELETE"),
    "gcp-kms-iam-no-public-members": (
        "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding", KEY_BINDING_OK,
        {**KEY_BINDING_OK, "members": [STORAGE_AGENT, "allAuthenticatedUsers"]},
        "grants roles/cloudkms.cryptoKeyEncrypterDecrypter to allAuthenticatedUsers"),
    "gcp-vpc-custom-mode": ("gcp:compute/network:Network", {"autoCreateSubnetworks": False},
                            {"autoCreateSubnetworks": True}, "auto mode"),
    "gcp-vpc-no-default-internet-route": ("gcp:compute/network:Network", {"deleteDefaultRoutesOnCreate": True},
                                          {}, "keeps the default route"),
    "gcp-subnet-private-google-access": (SUBNET, SUBNET_OK, {**SUBNET_OK, "privateIpGoogleAccess": False},
                                         "Private Google Access is off"),
    "gcp-subnet-flow-logs": (SUBNET, SUBNET_OK, {**SUBNET_OK, "logConfig": {"flowSampling": 0.1}},
                             "samples 0.1 of flows; the minimum is 0.5"),
    "gcp-firewall-no-ingress-from-anywhere": (FIREWALL, FIREWALL_OK, {**FIREWALL_OK, "sourceRanges": ["0.0.0.0/0"]},
                                              "allows ingress from 0.0.0.0/0 on ports 22"),
    "gcp-firewall-logging": (FIREWALL, FIREWALL_OK, {k: v for k, v in FIREWALL_OK.items() if k != "logConfig"},
                             "firewall logging is off"),
    "gcp-dns-logging": ("gcp:dns/policy:Policy", {"enableLogging": True}, {"enableLogging": False},
                        "DNS query logging is off"),
    "gcp-nat-logging": ("gcp:compute/routerNat:RouterNat", {"logConfig": {"enable": True, "filter": "ALL"}},
                        {"logConfig": {"enable": True, "filter": "ERRORS_ONLY"}}, "NAT logs only ERRORS_ONLY"),
    "gcp-compute-confidential-computing": (INSTANCE, INSTANCE_OK,
                                           {**INSTANCE_OK, "confidentialInstanceConfig": {}},
                                           "c3-standard-8 runs without confidential computing"),
    "gcp-compute-confidential-maintenance": (INSTANCE, INSTANCE_OK, {**INSTANCE_OK, "scheduling": {}},
                                             "on_host_maintenance is MIGRATE"),
    "gcp-compute-shielded-vm": (INSTANCE, INSTANCE_OK,
                                {**INSTANCE_OK, "shieldedInstanceConfig": {"enableVtpm": False}},
                                "Shielded VM features off: secure boot, vTPM"),
    "gcp-compute-no-external-ip": (
        INSTANCE, INSTANCE_OK, {**INSTANCE_OK, "networkInterfaces": [{"accessConfigs": [{"networkTier": "STANDARD"}]}]},
        "network interface 0 has an external IP"),
    "gcp-compute-os-login": (INSTANCE, INSTANCE_OK, {**INSTANCE_OK, "metadata": {"block-project-ssh-keys": "TRUE"}},
                             "OS Login is not enabled"),
    "gcp-compute-block-project-ssh-keys": (INSTANCE, INSTANCE_OK,
                                           {**INSTANCE_OK, "metadata": {"enable-oslogin": "TRUE"}},
                                           "project-wide SSH keys open this VM"),
    "gcp-compute-serial-port-off": (INSTANCE, INSTANCE_OK,
                                    {**INSTANCE_OK, "metadata": {**INSTANCE_OK["metadata"], "serial-port-enable": "1"}},
                                    "serial console is enabled"),
    "gcp-compute-disks-customer-key": (INSTANCE, INSTANCE_OK, {**INSTANCE_OK, "bootDisk": {"autoDelete": True}},
                                       "the boot disk is not encrypted with a customer-managed key"),
    "gcp-compute-no-ip-forwarding": (INSTANCE, INSTANCE_OK, {**INSTANCE_OK, "canIpForward": True},
                                     "IP forwarding is on"),
    "gcp-compute-own-service-account": (
        INSTANCE, INSTANCE_OK,
        {**INSTANCE_OK, "serviceAccount": {"email": "412712535515-compute@developer.gserviceaccount.com"}},
        "runs as the default compute service account 412712535515-compute@"),
    "gcp-iam-no-primitive-roles": ("gcp:projects/iAMMember:IAMMember",
                                   {"role": "roles/logging.logWriter", "member": WORKLOAD},
                                   {"role": "roles/editor", "member": WORKLOAD},
                                   f"grants primitive role roles/editor to {WORKLOAD}"),
    "gcp-iam-no-public-members": ("gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
                                  {"policyData": policy_data("roles/storage.objectViewer", WORKLOAD)},
                                  {"policyData": policy_data("roles/storage.objectViewer", WORKLOAD, "allUsers")},
                                  "grants roles/storage.objectViewer to allUsers"),
    "gcp-iam-no-project-admin-roles": ("gcp:projects/iAMBinding:IAMBinding",
                                       {"role": "roles/monitoring.metricWriter", "members": [WORKLOAD]},
                                       {"role": "roles/iam.serviceAccountTokenCreator", "members": [WORKLOAD]},
                                       "can act as any service account"),
    "gcp-log-bucket-customer-key": (LOG_BUCKET, LOG_BUCKET_OK, {**LOG_BUCKET_OK, "cmekSettings": {}},
                                    "log bucket is not encrypted with a customer-managed key"),
    "gcp-log-bucket-retention": (LOG_BUCKET, LOG_BUCKET_OK, {**LOG_BUCKET_OK, "retentionDays": 90},
                                 "keeps logs 90 days; the minimum is 365"),
    "gcp-log-bucket-locked": (LOG_BUCKET, LOG_BUCKET_OK, {**LOG_BUCKET_OK, "locked": False},
                              "log bucket is not locked"),
    "gcp-storage-customer-key": (BUCKET, BUCKET_OK,
                                 {**BUCKET_OK, "encryption": {k: v for k, v in ENCRYPTION_OK.items()
                                                              if k != "defaultKmsKeyName"}},
                                 "not a customer-managed key"),
    "gcp-storage-cmek-enforced": (BUCKET, BUCKET_OK, {**BUCKET_OK, "encryption": {"defaultKmsKeyName": KEY_ID}},
                                  "writers may still choose Google-managed keys"),
    "gcp-storage-uniform-access": (BUCKET, BUCKET_OK, {**BUCKET_OK, "uniformBucketLevelAccess": False},
                                   "object ACLs still apply"),
    "gcp-storage-public-access-prevention": (BUCKET, BUCKET_OK, {**BUCKET_OK, "publicAccessPrevention": "inherited"},
                                             "public access prevention is inherited, not enforced"),
    "gcp-storage-versioning-or-retention": (BUCKET, BUCKET_OK, {**BUCKET_OK, "versioning": {"enabled": False}},
                                            "neither versioned nor retained"),
    "gcp-storage-write-once": (BUCKET, MODELS_OK, {k: v for k, v in MODELS_OK.items() if k != "retentionPolicy"},
                               "holds models but has no retention policy"),
    "gcp-pubsub-customer-key": (TOPIC, TOPIC_OK, {k: v for k, v in TOPIC_OK.items() if k != "kmsKeyName"},
                                "topic messages are not encrypted with a customer-managed key"),
    "gcp-pubsub-message-residency": (TOPIC, TOPIC_OK, {**TOPIC_OK, "messageStoragePolicy": {}},
                                     "messages may be stored in any region"),
    "gcp-function-internal-ingress": (FUNCTION, FUNCTION_OK,
                                      {**FUNCTION_OK, "serviceConfig": {"ingressSettings": "ALLOW_ALL"}},
                                      "ingress ALLOW_ALL: the function's endpoint is reachable from the internet"),
    "gcp-function-no-public-invoke": (
        "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", INVOKER_OK, {**INVOKER_OK, "member": "allUsers"},
        "grants roles/run.invoker to allUsers: anyone can invoke the function"),
    "gcp-workbench-private": (NOTEBOOK, NOTEBOOK_OK, {**NOTEBOOK_OK, "disableProxyAccess": False},
                              "JupyterLab gets a URL on the internet"),
    "gcp-workbench-locked-down": (NOTEBOOK, NOTEBOOK_OK,
                                  notebook(metadata={**NOTEBOOK_SETUP["metadata"], "notebook-disable-root": "false"}),
                                  'metadata notebook-disable-root is not "true"'),
    "gcp-workbench-confidential": (NOTEBOOK, NOTEBOOK_OK, notebook(confidentialInstanceConfig={}),
                                   "not a Confidential VM"),
    "gcp-workbench-cmek": (NOTEBOOK, NOTEBOOK_OK, notebook(dataDisks={"diskEncryption": "GMEK"}),
                           "dataDisks is not encrypted with a customer-managed key"),
    "gcp-workbench-own-identity": (
        NOTEBOOK, NOTEBOOK_OK, notebook(serviceAccounts=[{"email": "1234-compute@developer.gserviceaccount.com"}]),
        "runs as the Compute Engine default account"),
    "gcp-vertex-endpoint-private": (VERTEX_ENDPOINT, VERTEX_ENDPOINT_OK,
                                    {**VERTEX_ENDPOINT_OK, "privateServiceConnectConfig": None},
                                    "the endpoint is served on the public API"),
    "gcp-vertex-cmek": (METADATA_STORE, METADATA_STORE_OK, {**METADATA_STORE_OK, "encryptionSpec": None},
                        "no encryption_spec.kms_key_name"),
    "gcp-vertex-perimeter": (PERIMETER, PERIMETER_OK,
                             {**PERIMETER_OK, "status": {**PERIMETER_OK["status"],
                                                         "restrictedServices": ["storage.googleapis.com"]}},
                             "services not restricted: aiplatform.googleapis.com, cloudkms.googleapis.com"),
    "gcp-required-labels": (BUCKET, BUCKET_OK, {**BUCKET_OK, "labels": {"owner": "o", "purpose": "datasets"}},
                            "missing labels: hardstack-environment, data-classification, compliance"),
}

# Rules whose failure is mandated only by a pack's configuration (the HIPAA pack's): both of
# their fixtures are checked under this config.
CONFIG: dict[str, dict[str, Any]] = {
    "gcp-log-bucket-locked": {"requireLock": True},
}


# GKE (policy-packs/hardstack_rules/gcp/kubernetes.py): a cluster and a node pool as the example renders them.
CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BINAUTHZ = "gcp:binaryauthorization/policy:Policy"
NODE_SA = f"env-gke-nodes@{PROJECT}.iam.gserviceaccount.com"
NODE_CONFIG: dict[str, Any] = {
    "machineType": "c3-standard-4", "imageType": "COS_CONTAINERD", "bootDiskKmsKey": DISK_KEY_ID,
    "serviceAccount": NODE_SA, "confidentialNodes": {"enabled": True, "confidentialInstanceType": "TDX"},
    "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
    "workloadMetadataConfig": {"mode": "GKE_METADATA"},
}
CLUSTER_OK: dict[str, Any] = {
    "name": "env-gke", "location": "europe-west4", "removeDefaultNodePool": True, "nodeConfig": NODE_CONFIG,
    "privateClusterConfig": {"enablePrivateNodes": True, "enablePrivateEndpoint": True,
                             "masterIpv4CidrBlock": "10.33.255.240/28", "masterGlobalAccessConfig": {"enabled": False}},
    "masterAuthorizedNetworksConfig": {"cidrBlocks": [{"cidrBlock": "10.33.0.0/18"}],
                                       "gcpPublicCidrsAccessEnabled": False},
    "workloadIdentityConfig": {"workloadPool": f"{PROJECT}.svc.id.goog"},
    "databaseEncryption": {"state": "ENCRYPTED", "keyName": KEY_ID},
    "binaryAuthorization": {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
    "datapathProvider": "ADVANCED_DATAPATH", "networkPolicy": {"enabled": False}, "enableIntranodeVisibility": True,
    "loggingService": "logging.googleapis.com/kubernetes",
    "loggingConfig": {"enableComponents": ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER",
                                           "WORKLOADS"]},
    "enableLegacyAbac": False, "masterAuth": {"clientCertificateConfig": {"issueClientCertificate": False}},
    "enableShieldedNodes": True, "releaseChannel": {"channel": "REGULAR"},
}
POOL_OK: dict[str, Any] = {"cluster": "projects/p/locations/europe-west4/clusters/env-gke", "nodeConfig": NODE_CONFIG,
                           "management": {"autoRepair": True, "autoUpgrade": True}}
BINAUTHZ_OK: dict[str, Any] = {
    "globalPolicyEvaluationMode": "ENABLE",
    "admissionWhitelistPatterns": [{"namePattern": f"europe-west4-docker.pkg.dev/{PROJECT}/**"}],
    "defaultAdmissionRule": {"evaluationMode": "ALWAYS_DENY", "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG"},
}


def cluster(**changes: Any) -> dict[str, Any]:
    return {**CLUSTER_OK, **changes}


def pool(**node: Any) -> dict[str, Any]:
    return {**POOL_OK, "nodeConfig": {**NODE_CONFIG, **node}}


CASES.update({
    "gcp-gke-private-cluster": (CLUSTER, CLUSTER_OK, cluster(privateClusterConfig={"enablePrivateNodes": True}),
                                "the control plane has a public endpoint"),
    "gcp-gke-workload-identity": (POOL, POOL_OK, pool(workloadMetadataConfig={"mode": "GCE_METADATA"}),
                                  "nodes expose the Compute Engine metadata server"),
    "gcp-gke-secrets-encryption": (CLUSTER, CLUSTER_OK, cluster(databaseEncryption={"state": "DECRYPTED"}),
                                   "secrets in etcd are not encrypted"),
    "gcp-gke-binary-authorization": (CLUSTER, CLUSTER_OK, cluster(binaryAuthorization={"evaluationMode": "DISABLED"}),
                                     "evaluation mode is DISABLED"),
    "gcp-binauthz-policy-blocks": (BINAUTHZ, BINAUTHZ_OK,
                                   {**BINAUTHZ_OK, "defaultAdmissionRule": {"evaluationMode": "ALWAYS_ALLOW"}},
                                   "the default rule is ALWAYS_ALLOW"),
    "gcp-gke-network-policy": (CLUSTER, CLUSTER_OK, cluster(datapathProvider="LEGACY_DATAPATH"),
                               "NetworkPolicy objects are not enforced"),
    "gcp-gke-control-plane-logging": (CLUSTER, CLUSTER_OK,
                                      cluster(loggingConfig={"enableComponents": ["SYSTEM_COMPONENTS"]}),
                                      "logs not collected: APISERVER, CONTROLLER_MANAGER, SCHEDULER, WORKLOADS"),
    "gcp-gke-no-legacy-auth": (CLUSTER, CLUSTER_OK, cluster(enableLegacyAbac=True), "legacy ABAC"),
    "gcp-gke-shielded-nodes": (CLUSTER, CLUSTER_OK, cluster(enableShieldedNodes=False), "shielded GKE nodes are off"),
    "gcp-gke-release-channel": (CLUSTER, CLUSTER_OK, cluster(releaseChannel={"channel": "UNSPECIFIED"}),
                                "release channel is UNSPECIFIED"),
    "gcp-gke-confidential-nodes": (POOL, POOL_OK, pool(confidentialNodes={"enabled": True,
                                                                          "confidentialInstanceType": "SEV_SNP"}),
                                   "c3-standard-4 cannot run SEV_SNP; it runs TDX"),
    "gcp-gke-node-disks-customer-key": (POOL, POOL_OK, pool(bootDiskKmsKey=None), "not encrypted with a customer"),
    "gcp-gke-node-service-account": (POOL, POOL_OK, pool(serviceAccount="1234-compute@developer.gserviceaccount.com"),
                                     "runs as the Compute Engine default account"),
    "gcp-gke-node-pool-management": (POOL, POOL_OK, {**POOL_OK, "management": {"autoRepair": True}},
                                     "management.autoUpgrade is off"),
})
