"""The hardened AI environment on GCP, composed from components/gcp; the reference blueprint
for confidential AI compute (Intel TDX on C3, and on a3-highgpu-1g with its H100).

Order matters where Google needs it: the APIs and service agents first, then the key ring,
whose bindings give each agent its key. Everything encrypted with a key (buckets, the log
bucket, the findings topic, disks) takes the key's id from `KeyRing.ids`, which resolves only
after the binding exists, so no resource is created before its agent may use its key.

With threat detection and at least one workload, a containment responder answers Security
Command Center findings (components/gcp/containment.py; docs/runbooks/containment-gcp.md).

With a `platform` section, Vertex AI joins the environment (components/gcp/workbench.py, vertex.py,
model_access.py, perimeter.py): its APIs, its agents on the data and disks keys, confidential
Workbench notebooks in the workload subnet reached through IAP, private (PSC) endpoints and the
metadata store on the data key, the Model Garden allow-list and a VPC Service Controls perimeter.

Compliance: when the spec lists `hipaa`, the model-artifact and access-log buckets' retention
policies and the audit log bucket are LOCKED (irreversible: retention can then only grow);
otherwise they are retained but unlocked. The spec's validation already keeps HIPAA stacks at
90-day key rotation and 2190-day log retention.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from hardstack.blueprints.gcp_kubernetes import Kubernetes
from hardstack.blueprints.tags import gcp_labels
from hardstack.components.gcp.audit import AuditLogging, AuditLoggingArgs
from hardstack.components.gcp.bucket import SecureBucket, SecureBucketArgs
from hardstack.components.gcp.compute import ConfidentialWorkload, ConfidentialWorkloadArgs
from hardstack.components.gcp.containment import Containment, ContainmentArgs, responder_apis
from hardstack.components.gcp.guardrails import ProjectGuardrails, ProjectGuardrailsArgs
from hardstack.components.gcp.identity import WorkloadIdentity, WorkloadIdentityArgs
from hardstack.components.gcp.keys import KeyRing, KeyRingArgs
from hardstack.components.gcp.model_access import ModelAccess, ModelAccessArgs
from hardstack.components.gcp.monitoring import SecurityMonitoring, SecurityMonitoringArgs
from hardstack.components.gcp.names import bucket_name, resource_name, service_account_id
from hardstack.components.gcp.network import PrivateNetwork, PrivateNetworkArgs
from hardstack.components.gcp.perimeter import ServicePerimeter, ServicePerimeterArgs
from hardstack.components.gcp.services import (
    KUBERNETES_APIS,
    PLATFORM_APIS,
    REQUIRED_APIS,
    ServiceAgents,
    ServiceAgentsArgs,
)
from hardstack.components.gcp.vertex import VertexAI, VertexAIArgs
from hardstack.components.gcp.workbench import Workbench, WorkbenchArgs
from hardstack.components.responders.decision import Settings
from hardstack.spec import Environment, catalog
from hardstack.spec.kubernetes.rules import kind_of
from hardstack.spec.models import Workload
from hardstack.spec.platforms import gcp as gcp_offer
from hardstack.spec.platforms.gcp import model_values

PROVISIONING = {"standard": "STANDARD", "spot": "SPOT", "flex-start": "FLEX_START"}


def workload_zones(env: Environment, workload: Workload) -> list[str]:
    """The spec's zones, else the first `network.zones` zones of the region that offer the machine
    type confidentially (the catalog's list; validation guarantees there is at least one)."""
    if workload.zones:
        return list(workload.zones)
    family = catalog.family_of("gcp", workload.machine_type)
    offered = family.zones_in(env.region) if family is not None and env.confidential_kind(workload) != "none" else []
    if not offered:  # not confidential: any zone of the region takes the type
        offered = [f"{env.region}-{letter}" for letter in "abc"]
    return offered[: env.network.zones]


def platform_apis(env: Environment) -> tuple[str, ...]:
    """The project's APIs: the platform's and GKE's only when the spec has them (other stacks keep theirs)."""
    kubernetes = KUBERNETES_APIS if env.kubernetes is not None else ()
    if env.platform is None:
        return (*REQUIRED_APIS, *kubernetes)
    # Access Context Manager is called with the deployer's project as quota project.
    perimeter = ("accesscontextmanager.googleapis.com",) if env.platform.access_policy else ()
    return (*REQUIRED_APIS, *PLATFORM_APIS, *perimeter, *kubernetes)


def all_confidential(env: Environment) -> bool:
    """Whether every VM the environment runs (workloads and GKE nodes) is confidential."""
    pools = env.kubernetes.node_pools if env.kubernetes else []
    return all(env.confidential_kind(w) != "none" for w in env.workloads) and all(
        kind_of("gcp", p.confidential) != "none" for p in pools)


def notebook_zone(env: Environment, machine_type: str) -> str:
    """A zone of the region where the N2D size runs confidentially (the catalog's list), else -b."""
    family = catalog.family_of("gcp", machine_type)
    zones = family.zones_in(env.region) if family is not None else []
    return zones[0] if zones else f"{env.region}-b"


def locked(env: Environment) -> bool:
    """Whether retention is locked (irreversibly): when the spec has compliance hipaa."""
    return "hipaa" in env.compliance


class GcpEnvironment(pulumi.ComponentResource):
    """The root of one environment: every resource of the stack hangs below it."""

    def __init__(self, env: Environment, provider: gcp.Provider) -> None:
        super().__init__(
            "hardstack:gcp:Environment", env.name, None,
            pulumi.ResourceOptions(providers=[provider]),
        )
        self.env = env
        self.project = env.account
        self.labels = gcp_labels(env)
        self.child = pulumi.ResourceOptions(parent=self)
        self.agents = ServiceAgents(f"{env.name}-services", ServiceAgentsArgs(
            project=self.project, project_number=env.project_number, apis=platform_apis(env)), opts=self.child)
        # Everything else waits for the project's APIs (components pass this on to children).
        self.after_apis = pulumi.ResourceOptions(parent=self, depends_on=[self.agents])
        # The responder to findings: deployed with threat detection and at least one workload, in
        # notify mode too (it then reports what it would do). Its APIs and the Artifact Registry
        # agent come first: the agent must be a user of the key ring's data key.
        self.responder_apis = responder_apis(
            f"{env.name}-containment", self.project, self.agents.project_number, self.after_apis,
        ) if env.monitoring.threat_detection and env.workloads else None
        self._keys()
        self.identities = {
            w.name: WorkloadIdentity(f"{env.name}-{w.name}", WorkloadIdentityArgs(
                project=self.project, account_id=service_account_id(env.name, w.name),
                description=f"{w.role} workload {w.name} of {env.name}",
            ), opts=self.after_apis)
            for w in env.workloads
        }
        notebooks = env.platform.notebooks if env.platform else None
        # The notebooks' own account: never the Compute Engine default, never a workload's.
        self.notebook_identity = WorkloadIdentity(f"{env.name}-notebooks", WorkloadIdentityArgs(
            project=self.project, account_id=service_account_id(env.name, "notebooks"),
            description=f"Vertex AI Workbench notebooks of {env.name}",
        ), opts=self.after_apis) if notebooks else None
        self._storage()
        self.audit = AuditLogging(f"{env.name}-audit", AuditLoggingArgs(
            project=self.project, region=env.region, bucket_id=resource_name(env.name, "audit"),
            logs_key_id=self.keys.ids["logs"], retention_days=env.logging.retention_days, locked=locked(env),
        ), opts=self.after_apis)
        self.network = PrivateNetwork(f"{env.name}-net", PrivateNetworkArgs(
            project=self.project, region=env.region, cidr=env.network.cidr, egress=env.network.egress,
            labels=self.labels,
            # Notebooks are reached through IAP TCP forwarding only (components/gcp/workbench.py).
            allow_iap_ssh=notebooks is not None, kubernetes=env.kubernetes is not None,
        ), opts=self.after_apis)
        self.guardrails = ProjectGuardrails(f"{env.name}-guardrails", ProjectGuardrailsArgs(
            project=self.project,
            require_confidential=all_confidential(env),
        ), opts=self.after_apis)
        self._workloads()
        self._platform()
        # GKE (spec `kubernetes`): blueprints/gcp_kubernetes.py.
        self.kubernetes = Kubernetes(self) if env.kubernetes is not None else None
        self.monitoring = SecurityMonitoring(f"{env.name}-monitoring", SecurityMonitoringArgs(
            project=self.project, region=env.region, name_prefix=env.name,
            alert_email=env.monitoring.alert_email, topic_key_id=self.keys.ids["logs"],
            threat_detection=env.monitoring.threat_detection, labels=self.labels,
        ), opts=self.after_apis)
        self.containment = self._containment()
        self.register_outputs(self.outputs())

    def _keys(self) -> None:
        env, agents = self.env, self.agents.members
        self.keys = KeyRing(f"{env.name}-keys", KeyRingArgs(
            project=self.project, location=env.region, ring_name=resource_name(env.name, "keys"),
            # Only Google's agents encrypt: workloads read and write through Cloud Storage and
            # Compute Engine, which use the keys as their agents, so workloads get no key rights.
            users={
                # Vertex AI encrypts as its own agent; Workbench's agent creates the notebooks' disks.
                # GKE encrypts the cluster's secrets (etcd) as its service agent.
                "data": [agents["storage"], *([agents["vertex"]] if "vertex" in agents else []),
                         *([agents["container"]] if "container" in agents else []),
                         *([self.responder_apis.registry_agent] if self.responder_apis else [])],
                "logs": [agents["storage"], agents["logging"], agents["pubsub"]],
                "disks": [agents["compute"], *([agents["notebooks"]] if "notebooks" in agents else [])],
            },
            rotation_days=env.keys.rotation_days, protection=env.keys.protection,
            destroy_scheduled_days=env.keys.deletion_window_days, labels=self.labels,
        ), opts=self.after_apis)

    def _storage(self) -> None:
        env = self.env
        training = [self.identities[w.name].member for w in env.workloads if w.role == "training"]
        everyone = [i.member for i in self.identities.values()]
        self.access_logs = SecureBucket(f"{env.name}-access-logs", SecureBucketArgs(
            bucket_name=bucket_name(self.project, env.name, "access-logs"), project=self.project,
            location=env.region, kind="access-logs", kms_key_id=self.keys.ids["logs"],
            retention_days=env.logging.retention_days, lock_retention=locked(env), labels=self.labels,
        ), opts=self.after_apis)
        explorers = [self.notebook_identity.member] if self.notebook_identity else []
        grants: dict[str, dict[str, list[Any]]] = {
            "datasets": {"readers": [*training, *explorers], "writers": []},
            "models": {"readers": everyone, "writers": training},
        }
        self.buckets = {
            b.name: SecureBucket(f"{env.name}-{b.name}", SecureBucketArgs(
                bucket_name=bucket_name(self.project, env.name, b.name), project=self.project,
                location=env.region, kind=b.purpose, kms_key_id=self.keys.ids["data"],
                access_log_bucket=self.access_logs.name, noncurrent_days=env.data.retention_days,
                retention_days=env.data.model_lock_days,
                lock_retention=locked(env) and b.purpose == "models",
                labels=self.labels, **grants[b.purpose],
            ), opts=self.after_apis)
            for b in env.data.buckets
        }

    def _workloads(self) -> None:
        env = self.env
        self.workloads = {
            w.name: ConfidentialWorkload(f"{env.name}-{w.name}", ConfidentialWorkloadArgs(
                project=self.project, machine_type=w.machine_type, count=w.count, zones=workload_zones(env, w),
                provisioning=PROVISIONING[w.provisioning], max_run_hours=w.max_run_hours,
                network=self.network.network.id, subnetwork=self.network.workload_subnet.id,
                subnet_cidr=self.network.workload_cidr, service_account_email=self.identities[w.name].email,
                disk_key_id=self.keys.ids["disks"], confidential=env.confidential_kind(w),  # type: ignore[arg-type]
                disk_gb=w.disk_gb, labels={**self.labels, "workload": w.name, "role": w.role},
            ), opts=self.after_apis)
            for w in env.workloads
        }

    def _platform(self) -> None:
        """Vertex AI (spec `platform`): notebooks, private endpoints, lineage, model access, perimeter."""
        env, platform = self.env, self.env.platform
        self.workbench = self.vertex = self.model_access = self.perimeter = None
        if platform is None:
            return
        if platform.notebooks is not None and self.notebook_identity is not None:
            machine = platform.notebooks.instance_type or gcp_offer.OFFER.notebook_default
            self.workbench = Workbench(f"{env.name}-workbench", WorkbenchArgs(
                project=self.project, zone=notebook_zone(env, machine), count=platform.notebooks.count,
                machine_type=machine, network=self.network.network.id, subnetwork=self.network.workload_subnet.id,
                service_account_email=self.notebook_identity.email, disk_key_id=self.keys.ids["disks"],
                name_prefix=resource_name(env.name, "notebook"), labels={**self.labels, "role": "notebook"},
                owners=platform.notebooks.owners or (),
            ), opts=self.after_apis)
        self.vertex = VertexAI(f"{env.name}-vertex", VertexAIArgs(
            project=self.project, region=env.region, network=self.network.network.id,
            subnetwork=self.network.workload_subnet.id, key_id=self.keys.ids["data"],
            endpoints=[e.name for e in platform.endpoints], name_prefix=env.name, labels=self.labels,
        ), opts=self.after_apis)
        if platform.foundation_models is not None:
            invokers = [*([self.notebook_identity.member] if self.notebook_identity else []),
                        *(i.member for i in self.identities.values())]
            self.model_access = ModelAccess(f"{env.name}-models", ModelAccessArgs(
                project=self.project,
                allowed_models=[v for family in platform.foundation_models.allow for v in model_values(family)],
                invokers=invokers,
            ), opts=self.after_apis)
        if platform.access_policy is not None:
            self.perimeter = ServicePerimeter(f"{env.name}-perimeter", ServicePerimeterArgs(
                access_policy=platform.access_policy, project_number=self.agents.project_number, name=env.name,
                access_levels=platform.access_levels or (),
            ), opts=self.after_apis)

    def _containment(self) -> Containment | None:
        """The responder to Security Command Center findings (see responder_apis in __init__)."""
        env = self.env
        if self.responder_apis is None:
            return None
        response = env.monitoring.response
        return Containment(f"{env.name}-containment", ContainmentArgs(
            project=self.project, region=env.region, name_prefix=env.name,
            # The environment as the workloads' label spells it: the responder compares the two.
            settings=Settings(self.labels["hardstack-environment"], env.response_mode(),
                              response.min_severity, response.dry_run),
            network=self.network.network.id, findings_topic=self.monitoring.topic.id,
            disks_key_id=self.keys.ids["disks"], source_key_id=self.keys.ids["data"],
            images_key_id=self.keys.ids["data"], apis=self.responder_apis,
            access_log_bucket=self.access_logs.name, log_destination=self.audit.destination,
            alert_channel=self.monitoring.channel.id,
            workload_accounts=[self.identities[w.name].email for w in env.workloads], labels=self.labels,
        ), opts=self.after_apis)

    def outputs(self) -> dict[str, Any]:
        return {
            "network": self.network.network.id,
            "keys": self.keys.ids,
            "buckets": {n: b.name for n, b in self.buckets.items()},
            "audit_log_bucket": self.audit.bucket.id,
            "findings_topic": self.monitoring.topic.id,
            **({"containment_function": self.containment.function.name} if self.containment else {}),
            **self._platform_outputs(),
            **(self.kubernetes.outputs() if self.kubernetes else {}),
        }

    def _platform_outputs(self) -> dict[str, Any]:
        if self.vertex is None:
            return {}
        return {
            "vertex_endpoints": {n: e.name for n, e in self.vertex.endpoints.items()},
            "vertex_metadata_store": self.vertex.metadata_store.id,
            **({"notebooks": [i.name for i in self.workbench.instances]} if self.workbench else {}),
            **({"allowed_models_policy": self.model_access.policy.name} if self.model_access else {}),
            **({"service_perimeter": self.perimeter.perimeter.name} if self.perimeter else {}),
        }


def provider(env: Environment) -> gcp.Provider:
    # An explicit provider pinned to the spec's project and region: nothing can land in an
    # ambient default project, and one program can hold several environments.
    return gcp.Provider(
        f"{env.name}-gcp",
        project=env.account,
        region=env.region,
        default_labels=gcp_labels(env),
    )


def build(env: Environment) -> dict[str, Any]:
    return GcpEnvironment(env, provider(env)).outputs()
