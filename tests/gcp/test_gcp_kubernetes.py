"""The GKE cluster in the rendered gcp-k8s-eu example: every hardening setting is in the graph, the GKE
agent holds the secrets key before the cluster exists, the network carries the cluster's ranges and
routes, and stacks without `kubernetes` are unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hardstack.components.gcp.gke import LOG_COMPONENTS, NODE_ROLES, k8s_log_filter
from hardstack.components.gcp.gke_node_pools import ConfidentialNodePoolArgs, node_config
from hardstack.components.gcp.network import kubernetes_plan
from hardstack.render import Graph, Resource
from hardstack.spec import Environment, load

ROOT = Path(__file__).resolve().parents[2]
K8S_STACK = ROOT / "stacks" / "Pulumi.gcp-k8s-eu.yaml"
PROJECT = "ml-k8s-eu-4711"
NUMBER = "573920184652"
CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
BINAUTHZ = "gcp:binaryauthorization/policy:Policy"
KEY_BINDING = "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"
SERVICE = "gcp:projects/service:Service"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
FIREWALL = "gcp:compute/firewall:Firewall"
SINK = "gcp:logging/projectSink:ProjectSink"
ZONE = "gcp:dns/managedZone:ManagedZone"
ORG_POLICY = "gcp:orgpolicy/policy:Policy"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
KEYS = f"projects/{PROJECT}/locations/europe-west4/keyRings/gcp-k8s-eu-keys/cryptoKeys"
NODE_SA = f"gcp-k8s-eu-gke-nodes@{PROJECT}.iam.gserviceaccount.com"
CPU_ZONES = ["europe-west4-a", "europe-west4-b"]
GKE_AGENT = f"serviceAccount:service-{NUMBER}@container-engine-robot.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def spec() -> Environment:
    return load(K8S_STACK).environment


@pytest.fixture(scope="module")
def graph(spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    return rendered(spec, "gcp-k8s-eu")


def one(graph: Graph, token: str, part: str = "") -> Resource:
    found = [r for r in graph.of_type(token) if part in r.name]
    assert len(found) == 1, (token, part, [r.name for r in found])
    return found[0]


def test_private_cluster_reached_only_from_the_environment(graph: Graph) -> None:
    cluster = one(graph, CLUSTER).inputs
    private = cluster["privateClusterConfig"]
    assert private["enablePrivateNodes"] is True and private["enablePrivateEndpoint"] is True
    assert private["masterGlobalAccessConfig"] == {"enabled": False}
    plan = kubernetes_plan("10.33.0.0/16")
    assert private["masterIpv4CidrBlock"] == plan["master"] == "10.33.255.240/28"
    networks = cluster["masterAuthorizedNetworksConfig"]
    assert [b["cidrBlock"] for b in networks["cidrBlocks"]] == ["10.33.0.0/18"]
    assert networks["gcpPublicCidrsAccessEnabled"] is False and networks["privateEndpointEnforcementEnabled"] is True
    # Deployers reach the private control plane through the Connect gateway of the project's fleet.
    assert cluster["fleet"] == {"project": PROJECT}
    apis = {s.inputs["service"] for s in graph.of_type(SERVICE)}
    assert {"gkehub.googleapis.com", "connectgateway.googleapis.com"} <= apis


def test_cluster_identity_and_authentication(graph: Graph) -> None:
    cluster = one(graph, CLUSTER).inputs
    assert cluster["workloadIdentityConfig"] == {"workloadPool": f"{PROJECT}.svc.id.goog"}
    assert cluster["enableLegacyAbac"] is False and cluster["enableKubernetesAlpha"] is False
    assert cluster["masterAuth"] == {"clientCertificateConfig": {"issueClientCertificate": False}}
    assert cluster["enableShieldedNodes"] is True
    assert cluster["releaseChannel"] == {"channel": "REGULAR"} and cluster["minMasterVersion"] == "1.35"
    assert cluster["removeDefaultNodePool"] is True and cluster["deletionProtection"] is True


def test_secrets_encrypted_with_the_data_key_the_gke_agent_holds_first(graph: Graph) -> None:
    cluster = one(graph, CLUSTER)
    assert cluster.inputs["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": f"{KEYS}/data"}
    binding = next(b for b in graph.of_type(KEY_BINDING) if b.inputs["cryptoKeyId"] == f"{KEYS}/data")
    assert GKE_AGENT in binding.inputs["members"]
    # The key id reaches the cluster only once the binding exists (KeyRing.ids waits for its etag).
    assert binding.urn in cluster.propertyDependencies["databaseEncryption"]
    apis = {s.inputs["service"] for s in graph.of_type(SERVICE)}
    assert {"container.googleapis.com", "binaryauthorization.googleapis.com"} <= apis


def test_binary_authorization_enforced_by_a_blocking_policy(graph: Graph) -> None:
    assert one(graph, CLUSTER).inputs["binaryAuthorization"] == {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}
    policy = one(graph, BINAUTHZ).inputs
    assert policy["defaultAdmissionRule"] == {"evaluationMode": "ALWAYS_DENY",
                                              "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG"}
    assert policy["globalPolicyEvaluationMode"] == "ENABLE"
    assert policy["admissionWhitelistPatterns"] == [{"namePattern": f"europe-west4-docker.pkg.dev/{PROJECT}/**"}]


def test_dataplane_v2_logging_and_labels(graph: Graph) -> None:
    cluster = one(graph, CLUSTER).inputs
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH" and cluster["networkPolicy"] == {"enabled": False}
    assert cluster["enableIntranodeVisibility"] is True
    assert cluster["loggingConfig"] == {"enableComponents": list(LOG_COMPONENTS)}
    assert cluster["resourceLabels"]["hardstack-environment"] == "gcp-k8s-eu"


def test_cluster_logs_reach_the_audit_bucket(graph: Graph) -> None:
    sink = one(graph, SINK, "k8s-logs").inputs
    audit = one(graph, SINK, "audit-sink").inputs
    assert sink["destination"] == audit["destination"]
    assert sink["filter"] == k8s_log_filter("gcp-k8s-eu-gke")
    assert 'resource.type="k8s_control_plane_component"' in sink["filter"]


def test_pools_are_confidential_and_hardened(graph: Graph) -> None:
    cpu, gpu = one(graph, POOL, "cpu").inputs, one(graph, POOL, "gpu").inputs
    for pool in (cpu, gpu):
        node = pool["nodeConfig"]
        assert node["confidentialNodes"] == {"enabled": True, "confidentialInstanceType": "TDX"}
        assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert node["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
        assert node["bootDiskKmsKey"] == f"{KEYS}/disks" and node["serviceAccount"] == NODE_SA
        assert node["imageType"] == "COS_CONTAINERD"
        assert node["oauthScopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
        assert node["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}
        assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert cpu["nodeCount"] == 2 and cpu["nodeConfig"]["machineType"] == "c3-standard-4"
    assert cpu["nodeLocations"] == CPU_ZONES  # the catalog's first two TDX zones of the region (network.zones)
    assert gpu["nodeLocations"] == ["europe-west4-c"] and gpu["nodeConfig"]["spot"] is True
    assert gpu["nodeConfig"]["guestAccelerators"] == [{
        "type": "nvidia-h100-80gb", "count": 1,
        "gpuDriverInstallationConfig": {"gpuDriverVersion": "INSTALLATION_DISABLED"}}]
    assert "spot" not in cpu["nodeConfig"]


def test_default_pool_is_confidential_too(graph: Graph) -> None:
    node = one(graph, CLUSTER).inputs["nodeConfig"]
    assert node["confidentialNodes"]["confidentialInstanceType"] == "TDX" and node["serviceAccount"] == NODE_SA
    policies = {p.inputs["name"].rsplit("/", 1)[-1] for p in graph.of_type(ORG_POLICY)}
    assert "compute.restrictNonConfidentialComputing" in policies


def test_node_account_is_least_privilege(graph: Graph) -> None:
    grants = [m.inputs for m in graph.of_type(PROJECT_MEMBER) if m.inputs["member"] == f"serviceAccount:{NODE_SA}"]
    assert sorted(g["role"] for g in grants) == sorted(NODE_ROLES)


def test_network_carries_the_cluster(graph: Graph) -> None:
    subnet = one(graph, SUBNET).inputs
    plan = kubernetes_plan("10.33.0.0/16")
    assert subnet["secondaryIpRanges"] == [{"rangeName": "pods", "ipCidrRange": plan["pods"]},
                                           {"rangeName": "services", "ipCidrRange": plan["services"]}]
    assert one(graph, CLUSTER).inputs["ipAllocationPolicy"]["clusterSecondaryRangeName"] == "pods"
    zones = {z.inputs["dnsName"] for z in graph.of_type(ZONE)}
    assert {"pkg.dev.", "gcr.io."} <= zones
    out = one(graph, FIREWALL, "nodes-out").inputs
    assert out["direction"] == "EGRESS" and out["targetServiceAccounts"] == [NODE_SA]
    assert set(out["destinationRanges"]) == {"10.33.0.0/18", plan["pods"], plan["services"], plan["master"]}
    assert "0.0.0.0/0" not in one(graph, FIREWALL, "nodes-in").inputs["sourceRanges"]


def test_the_cluster_waits_for_what_its_nodes_need_at_boot(graph: Graph) -> None:
    # Its default pool boots nodes while the cluster is created: with all egress denied and no default
    # route, they reach the control plane and Google APIs only once these rules and records exist.
    cluster = one(graph, CLUSTER)
    needed = [one(graph, FIREWALL, part) for part in ("nodes-in", "nodes-out", "allow-google-apis",
                                                      "deny-all-egress")]
    needed += [r for r in graph.of_type("gcp:dns/recordSet:RecordSet")]
    needed.append(one(graph, "gcp:compute/globalForwardingRule:GlobalForwardingRule", "psc"))
    assert len(needed) == 4 + 6 + 1  # googleapis.com, pkg.dev and gcr.io: an A and a wildcard record each
    missing = [r.name for r in needed if r.urn not in cluster.dependencies]
    assert missing == []


def test_ranges_do_not_overlap() -> None:
    import ipaddress

    from hardstack.components.gcp.network import address_plan
    for cidr in ("10.33.0.0/16", "10.0.0.0/20"):
        plan, k8s = address_plan(cidr), kubernetes_plan(cidr)
        nets = [ipaddress.ip_network(n) for n in (plan["workload"], plan["proxy"], *k8s.values())]
        psc = ipaddress.ip_address(plan["psc"])
        assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:]), cidr
        assert all(psc not in n for n in nets), cidr


def test_stacks_without_kubernetes_are_unchanged(gcp_graph: Graph) -> None:
    assert not gcp_graph.of_type(CLUSTER) and not gcp_graph.of_type(POOL) and not gcp_graph.of_type(BINAUTHZ)
    apis = {s.inputs["service"] for s in gcp_graph.of_type(SERVICE)}
    assert "container.googleapis.com" not in apis
    assert all("secondaryIpRanges" not in s.inputs for s in gcp_graph.of_type(SUBNET))
    assert {z.inputs["dnsName"] for z in gcp_graph.of_type(ZONE)} == {"googleapis.com."}
    assert all("container-engine-robot" not in m for b in gcp_graph.of_type(KEY_BINDING) for m in b.inputs["members"])


def args(**changes: object) -> ConfidentialNodePoolArgs:
    base: dict[str, object] = dict(project="p", location="europe-west4", cluster="c", pool_name="x",
                                   machine_type="c3-standard-4", count=1, zones=["europe-west4-a"],
                                   service_account_email="sa", disk_key_id="k")
    return ConfidentialNodePoolArgs(**{**base, **changes})  # type: ignore[arg-type]


def test_pool_args_refuse_what_gke_cannot_run() -> None:
    with pytest.raises(ValueError, match="cannot run sev-snp"):
        args(confidential="sev-snp")
    with pytest.raises(ValueError, match="spot or flex-start"):
        args(machine_type="a3-highgpu-1g", gpu_kind="h100", gpu_count=1, zones=["europe-west4-c"])
    with pytest.raises(ValueError, match="max_run_hours"):
        args(provisioning="flex-start")


def test_sev_snp_and_flex_start_settings() -> None:
    snp = node_config(args(machine_type="n2d-standard-4", confidential="sev-snp"))
    assert snp["confidential_nodes"] == {"enabled": True, "confidential_instance_type": "SEV_SNP"}
    assert "reservation_affinity" not in snp and snp["disk_type"] == "pd-balanced"
    flex = node_config(args(machine_type="a3-highgpu-1g", gpu_kind="h100", gpu_count=1, zones=["europe-west4-c"],
                            provisioning="flex-start", max_run_hours=24))
    assert flex["flex_start"] is True and flex["max_run_duration"] == "86400s" and "spot" not in flex
    assert flex["reservation_affinity"] == {"consume_reservation_type": "NO_RESERVATION"}
    assert flex["disk_type"] == "hyperdisk-balanced"
    plain = node_config(args(confidential="none"))
    assert "confidential_nodes" not in plain


def test_evidence_draws_the_cluster(graph: Graph) -> None:
    from hardstack.evidence.inventory import inventory

    inv = inventory(graph)
    kinds = {n.type: n.kind for n in inv.nodes}
    assert kinds[CLUSTER] == "platform" and kinds[POOL] == "workload"
    pools = {n.name: n for n in inv.nodes if n.type == POOL}
    assert {n.details["tee"] for n in pools.values()} == {"TDX"}
    gpu = pools["gcp-k8s-eu-gpu-pool"]
    assert gpu.details["machine_type"] == "a3-highgpu-1g" and "nvidia-h100-80gb" in gpu.details["gpu"]
    assert gpu.details["zone"] == "europe-west4-c"
    cluster = next(n for n in inv.nodes if n.type == CLUSTER)
    assert cluster.details["access"] == "private endpoint" and cluster.within  # placed in the workload subnet
    encrypts = {(inv.node(e.source).type, inv.node(e.target).type) for e in inv.related("encrypts")}
    assert {("gcp:kms/cryptoKey:CryptoKey", POOL), ("gcp:kms/cryptoKey:CryptoKey", CLUSTER)} <= encrypts
    runs_as = {(inv.node(e.source).type, inv.node(e.target).name) for e in inv.related("runs_as")}
    assert (POOL, "gcp-k8s-eu-gke-nodes") in runs_as


@pytest.fixture(scope="module")
def variant(spec: Environment, rendered: Callable[[Environment, str], Graph]) -> Graph:
    """The example with an AMD SEV-SNP N2D pool and the GPU pool on flex-start (queued provisioning)."""
    data = spec.model_dump(mode="python")
    pools = data["kubernetes"]["node_pools"]
    pools[1].update(provisioning="flex-start", max_run_hours=24)
    pools.append({"name": "snp", "machine_type": "n2d-standard-4", "confidential": "sev-snp", "count": 1})
    return rendered(Environment.model_validate(data), "gcp-k8s-variant")


def test_flex_start_and_sev_snp_pools_from_the_spec(variant: Graph) -> None:
    gpu, snp = one(variant, POOL, "gpu").inputs, one(variant, POOL, "snp").inputs
    assert gpu["queuedProvisioning"] == {"enabled": True} and gpu["initialNodeCount"] == 0 and "nodeCount" not in gpu
    assert gpu["autoscaling"]["totalMaxNodeCount"] == 1
    assert gpu["nodeConfig"]["flexStart"] is True and gpu["nodeConfig"]["maxRunDuration"] == "86400s"
    assert "spot" not in gpu["nodeConfig"]
    assert snp["nodeConfig"]["confidentialNodes"] == {"enabled": True, "confidentialInstanceType": "SEV_SNP"}
    assert snp["nodeLocations"] and all(z.startswith("europe-west4-") for z in snp["nodeLocations"])


def test_an_exempted_plain_pool_lifts_the_confidential_only_policy(spec: Environment, rendered) -> None:
    data = spec.model_dump(mode="python")
    data["kubernetes"]["node_pools"].append(
        {"name": "plain", "machine_type": "e2-standard-4", "confidential": "none", "count": 1})
    data["exemptions"].append({**data["exemptions"][0], "rule": "confidential-computing", "resource": "plain",
                               "reason": "a build pool for public images, no customer data"})
    graph = rendered(Environment.model_validate(data), "gcp-k8s-plain")
    assert "confidentialNodes" not in one(graph, POOL, "plain").inputs["nodeConfig"]
    policies = {p.inputs["name"].rsplit("/", 1)[-1] for p in graph.of_type(ORG_POLICY)}
    assert "compute.restrictNonConfidentialComputing" not in policies
