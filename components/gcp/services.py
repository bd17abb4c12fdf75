"""The project's APIs and the Google service agents that act on the environment's behalf.

Customer-managed keys are used by Google's service agents, not by workloads: Cloud Storage,
Compute Engine, Cloud Logging and Pub/Sub each encrypt with the key as their own agent, so each
key's IAM names these agents. An agent must EXIST before a key binding may name it, and its
email must be the one Google actually uses; neither is guaranteed by a guessed pattern:

- Cloud Storage's agent is created only on first use. `storage.get_project_service_account`
  calls the API that creates it and returns its email.
- Cloud Logging encrypts CMEK log buckets as the project's `kmsServiceAccountId`, which is
  `service-N@gcp-sa-logging` on newer projects and `cmek-pN@gcp-sa-logging` on older ones:
  `logging.get_project_settings` reads the real one.
- Pub/Sub supports just-in-time identity generation: `projects.ServiceIdentity` creates it.
- Compute Engine's agent is created when the Compute Engine API is enabled and follows
  `service-<NUMBER>@compute-system...`; the number comes from the spec (`project_number`) or
  from `organizations.get_project`.

Each lookup runs only after the API it reads from is enabled (`depends_on` on the invoke), and
the member it yields carries that dependency to every binding that names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from hardstack.components.gcp.options import child_options

STORAGE_API = "storage.googleapis.com"
LOGGING_API = "logging.googleapis.com"
COMPUTE_API = "compute.googleapis.com"
PUBSUB_API = "pubsub.googleapis.com"
# organizations.get_project reads projects.get of the Resource Manager API
# (https://cloud.google.com/resource-manager/reference/rest/v1/projects/get); project IAM
# members and audit configs write through it too (projects.setIamPolicy).
RESOURCE_MANAGER_API = "cloudresourcemanager.googleapis.com"
# APIs the environment uses; enabled explicitly so a fresh project deploys in one run.
REQUIRED_APIS: tuple[str, ...] = (
    "cloudkms.googleapis.com", RESOURCE_MANAGER_API, COMPUTE_API, "dns.googleapis.com",
    "iam.googleapis.com", LOGGING_API, "monitoring.googleapis.com",
    "orgpolicy.googleapis.com", "oslogin.googleapis.com", PUBSUB_API,
    "securitycenter.googleapis.com",
    # Private Service Connect endpoints for Google APIs register in Service Directory: "You
    # must enable the Service Directory API in your project"
    # (https://cloud.google.com/vpc/docs/configure-private-service-connect-apis#before-you-begin).
    "servicedirectory.googleapis.com",
    STORAGE_API,
)
# Documented agent emails (https://cloud.google.com/iam/docs/service-agents); used only where
# no API returns the email: Compute Engine, and Pub/Sub if generateServiceIdentity returns none.
COMPUTE_AGENT = "service-{number}@compute-system.iam.gserviceaccount.com"
PUBSUB_AGENT = "service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com"
# The managed AI platform (spec `platform`): Vertex AI, Workbench, and Network Connectivity for the
# service connection policy that lets Vertex AI create Private Service Connect endpoints
# (components/gcp/vertex.py). Enabled only for stacks with a platform.
AIPLATFORM_API = "aiplatform.googleapis.com"
NOTEBOOKS_API = "notebooks.googleapis.com"
PLATFORM_APIS: tuple[str, ...] = (AIPLATFORM_API, NOTEBOOKS_API, "networkconnectivity.googleapis.com")
# Vertex AI encrypts endpoints, datasets and metadata stores as its service agent, which must hold
# the key first (https://cloud.google.com/vertex-ai/docs/general/cmek; terraform-provider-google's
# vertex_ai_index_endpoint example creates it with google_project_service_identity and grants its
# member roles/cloudkms.cryptoKeyEncrypterDecrypter before the CMEK resource). Workbench encrypts
# the notebook VM's disks with the key (https://cloud.google.com/vertex-ai/docs/workbench/instances/cmek):
# Compute Engine's agent encrypts the persistent disks, and the Workbench ("Cloud AI Platform
# Notebooks", service-N@gcp-sa-notebooks) agent creates the VM (https://cloud.google.com/iam/docs/service-agents;
# terraform-example-foundation lets both reach the KMS project through its perimeter). Both hold
# the disks key; whether Workbench needs its own agent on the key is for a deployment to confirm.
# No API returns the Workbench agent's email.
NOTEBOOKS_AGENT = "service-{number}@gcp-sa-notebooks.iam.gserviceaccount.com"
# GKE (spec `kubernetes`): the Kubernetes Engine API and Binary Authorization, enabled only for stacks
# with a cluster. The Kubernetes Engine service agent, service-N@container-engine-robot, exists once
# the API is enabled (https://cloud.google.com/iam/docs/service-agents) and encrypts the cluster's
# secrets with the key (https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets:
# grant it roles/cloudkms.cryptoKeyEncrypterDecrypter). No API returns its email.
CONTAINER_API = "container.googleapis.com"
# The cluster registers in the project's fleet so deployers reach its private control plane through the
# Connect gateway (components/gcp/gke.py): the fleet (GKE Hub) and Connect gateway APIs.
KUBERNETES_APIS: tuple[str, ...] = (CONTAINER_API, "binaryauthorization.googleapis.com", "gkehub.googleapis.com",
                                    "connectgateway.googleapis.com")
CONTAINER_AGENT = "service-{number}@container-engine-robot.iam.gserviceaccount.com"


def compute_member(number: str) -> str:
    return "serviceAccount:" + COMPUTE_AGENT.format(number=number)


def pubsub_member(email: str | None, number: str) -> str:
    """The Pub/Sub agent's member. The provider reads the email from generateServiceIdentity's
    response, and "this API may not return the service identity's details" (terraform-provider-
    google resource_project_service_identity); the resource has created the agent either way,
    so the documented pattern is exact then."""
    return "serviceAccount:" + (email or PUBSUB_AGENT.format(number=number))


@dataclass
class ServiceAgentsArgs:
    project: str
    apis: Sequence[str] = REQUIRED_APIS
    project_number: str | None = None  # skips the organizations.get_project lookup

    def __post_init__(self) -> None:
        needed = {STORAGE_API, LOGGING_API, COMPUTE_API, PUBSUB_API}
        if self.project_number is None:
            needed.add(RESOURCE_MANAGER_API)
        missing = sorted(needed - set(self.apis))
        if missing:
            raise ValueError(f"the service agents are looked up only after their APIs are enabled; "
                             f"add {', '.join(missing)} to apis")


class ServiceAgents(pulumi.ComponentResource):
    """`members[name]` is the IAM member ("serviceAccount:...") of the compute, storage,
    logging and pubsub agents, each an Output that depends on the API it belongs to."""

    members: dict[str, pulumi.Output[str]]
    project_number: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceAgentsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("hardstack:gcp:ServiceAgents", name, None, opts)
        child = child_options(self, opts)
        self.apis = {
            api: gcp.projects.Service(
                f"{name}-{api.split('.')[0]}", project=args.project, service=api,
                # Never switch an API off on destroy: other stacks in the project may use it.
                disable_on_destroy=False, disable_dependent_services=False, opts=child,
            )
            for api in args.apis
        }
        after_apis = child_options(self, opts, *self.apis.values())
        self.pubsub = gcp.projects.ServiceIdentity(
            f"{name}-pubsub-agent", project=args.project, service=PUBSUB_API, opts=after_apis,
        )
        # "Use of this data source calls the relevant API endpoint to obtain the service
        # account's identity and thus ensures it exists prior to any API operations which demand
        # its existence ... Always prefer to use this data source over interpolating the project
        # ID into the well-known format" (https://www.pulumi.com/registry/packages/gcp/api-docs/
        # storage/getprojectserviceaccount/).
        storage = gcp.storage.get_project_service_account_output(
            project=args.project, opts=self._after(STORAGE_API))
        # CMEK log buckets are encrypted as kmsServiceAccountId: "Before enabling CMEK for a
        # logging bucket, you must first assign the cloudkms.cryptoKeyEncrypterDecrypter role to
        # the service account associated with the project for which CMEK will apply"
        # (https://www.pulumi.com/registry/packages/gcp/api-docs/logging/getprojectsettings/;
        # https://cloud.google.com/logging/docs/reference/v2/rest/v2/TopLevel/getSettings). The
        # sinks' writer identity needs no key: it writes to a log bucket of the same project.
        settings = gcp.logging.get_project_settings_output(project=args.project, opts=self._after(LOGGING_API))
        if args.project_number is not None:
            self.project_number = pulumi.Output.from_input(args.project_number)
        else:
            self.project_number = gcp.organizations.get_project_output(
                project_id=args.project, opts=self._after(RESOURCE_MANAGER_API)).number
        compute_api = self.apis[COMPUTE_API]
        self.members = {
            "storage": storage.member,
            "logging": settings.kms_service_account_id.apply(lambda email: f"serviceAccount:{email}"),
            # The Compute Engine agent exists once the Compute Engine API is enabled
            # (https://cloud.google.com/iam/docs/service-agents): the member waits for it.
            "compute": pulumi.Output.all(self.project_number, compute_api.id).apply(
                lambda values: compute_member(values[0])),
            "pubsub": pulumi.Output.all(self.pubsub.email, self.project_number).apply(
                lambda values: pubsub_member(values[0], values[1])),
        }
        if AIPLATFORM_API in self.apis:
            self.vertex = gcp.projects.ServiceIdentity(
                f"{name}-aiplatform-agent", project=args.project, service=AIPLATFORM_API,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.apis[AIPLATFORM_API]]),
            )
            self.members["vertex"] = self.vertex.member
        if NOTEBOOKS_API in self.apis:
            self.members["notebooks"] = pulumi.Output.all(self.project_number, self.apis[NOTEBOOKS_API].id).apply(
                lambda values: "serviceAccount:" + NOTEBOOKS_AGENT.format(number=values[0]))
        if CONTAINER_API in self.apis:
            self.members["container"] = pulumi.Output.all(self.project_number, self.apis[CONTAINER_API].id).apply(
                lambda values: "serviceAccount:" + CONTAINER_AGENT.format(number=values[0]))
        self.register_outputs({"project_number": self.project_number})

    def _after(self, api: str) -> pulumi.InvokeOutputOptions:
        """A lookup that waits for `api` to be enabled; its result depends on that API."""
        return pulumi.InvokeOutputOptions(parent=self, depends_on=[self.apis[api]])
