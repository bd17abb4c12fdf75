"""What Vertex AI offers an environment, with the page each fact comes from."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hardstack.spec.platforms.offer import PlatformOffer

if TYPE_CHECKING:
    from hardstack.spec.view import Problem, SpecView

# Workbench instances take a Compute Engine machine type (gce_setup.machine_type,
# https://cloud.google.com/vertex-ai/docs/workbench/reference/rest/v2/projects.locations.instances).
# hardstack runs them only as Confidential VMs: Workbench's confidential_instance_type takes SEV
# alone ("Possible values are: SEV", pulumi-gcp 10.2 workbench InstanceGceSetupConfidentialInstanceConfig,
# and its "Workbench Instance Confidential Compute" example on n2d-standard-2), and AMD SEV runs on
# N2D (https://cloud.google.com/confidential-computing/confidential-vm/docs/supported-configurations).
# The project's compute.restrictNonConfidentialComputing policy (components/gcp/guardrails.py)
# would refuse any other notebook VM anyway.
SRC_WORKBENCH_TYPES = "https://cloud.google.com/confidential-computing/confidential-vm/docs/supported-configurations"
# vertexai.allowedModels takes publishers/PUBLISHER/models/MODEL:ACTION, "each model individually.
# You cannot allow or deny a group of models"
# (https://cloud.google.com/vertex-ai/generative-ai/docs/control-model-access).
SRC_MODEL_GARDEN = "https://cloud.google.com/vertex-ai/generative-ai/docs/control-model-access"
SRC_MODEL_REGIONS = "https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations"


def _sizes(family: str, vcpus: str) -> tuple[str, ...]:
    return tuple(f"{family}-{n}" for n in vcpus.split())


NOTEBOOK_SIZES = (
    _sizes("n2d-standard", "2 4 8 16 32 48 64 80 96")
    + _sizes("n2d-highmem", "2 4 8 16 32 48 64 80 96")
)

# Family -> the models it allows, one by one as the constraint demands. Anthropic's ids are the
# Vertex AI model ids Anthropic publishes (https://docs.claude.com/en/docs/build-with-claude/claude-on-vertex-ai).
MODEL_IDS: dict[str, tuple[str, ...]] = {
    "google.gemini": ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash-001",
                      "gemini-2.0-flash-lite-001"),
    "google.text-embedding": ("text-embedding-005", "text-multilingual-embedding-002", "gemini-embedding-001"),
    "anthropic.claude": ("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5", "claude-sonnet-4"),
    "meta.llama": ("llama-4-maverick-17b-128e-instruct-maas", "llama-4-scout-17b-16e-instruct-maas",
                   "llama-3.3-70b-instruct-maas"),
    "mistralai.mistral": ("mistral-medium-3", "mistral-small-2503", "codestral-2501"),
}
PUBLISHER = {"google": "google", "anthropic": "anthropic", "meta": "meta", "mistralai": "mistralai"}


def model_values(family: str) -> tuple[str, ...]:
    """The constraint's allowed values for one family: predict (models as a service) on each model."""
    publisher = PUBLISHER[family.split(".", 1)[0]]
    return tuple(f"publishers/{publisher}/models/{model}:predict" for model in MODEL_IDS[family])


MODEL_FAMILIES = {family: ", ".join(f"publishers/{PUBLISHER[family.split('.', 1)[0]]}/models/{m}" for m in models)
                  for family, models in MODEL_IDS.items()}

# Where each family can be called regionally. Gemini and Google's embeddings are served in every
# Vertex AI region hardstack's EU examples use (europe-west1/3/4/9), so they are not restricted.
# Partner models run in fewer regions, and their pages say availability "varies by region"
# (https://docs.claude.com/en/docs/build-with-claude/claude-on-vertex-ai): Claude's regional
# endpoints are us-east5, europe-west1 and asia-southeast1 (Anthropic's Vertex AI examples and
# https://theneuralbase.com/anthropic-api/learn/advanced/region-availability-for-claude-on-vertex/);
# Llama as a service runs in us-central1 (Llama 3.3) and us-east5 (Llama 4), Mistral's in
# us-central1 and europe-west4 (SRC_MODEL_REGIONS). These partner regions were read from
# secondary sources: re-check them against the model cards before relying on them.
MODEL_REGIONS: dict[str, frozenset[str]] = {
    "anthropic.claude": frozenset({"us-east5", "europe-west1", "asia-southeast1"}),
    "meta.llama": frozenset({"us-central1", "us-east5"}),
    "mistralai.mistral": frozenset({"us-central1", "europe-west4"}),
}

# Vertex AI is regional; in Europe it is offered in these regions (Belgium, Finland, Frankfurt,
# London, Madrid, Milan, Netherlands, Paris, Warsaw, Zürich: https://cloud.google.com/vertex-ai/docs/general/locations
# and https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations). Outside Europe hardstack
# does not restrict them.
EU_VERTEX_REGIONS = frozenset({"europe-west1", "europe-north1", "europe-west3", "europe-west2", "europe-southwest1",
                               "europe-west8", "europe-west4", "europe-west9", "europe-central2", "europe-west6"})
SRC_VERTEX_REGIONS = "https://cloud.google.com/vertex-ai/docs/general/locations"


def gcp_problems(view: SpecView) -> Iterable[Problem]:
    """Rules only Vertex AI has: the perimeter names the project by number; Vertex AI's European regions."""
    from hardstack.spec.view import Problem

    platform = view.platform
    if platform is None:
        return
    if platform.access_policy is not None and view.project_number is None:
        # A service perimeter lists its projects as projects/<NUMBER>, never by id
        # (https://cloud.google.com/vpc-service-controls/docs/reference/rest/v1/accessPolicies.servicePerimeters#ServicePerimeterConfig).
        yield Problem(("platform", "access_policy"),
                      "a VPC Service Controls perimeter names its project by number: add project_number (gcloud "
                      "projects describe <project> --format='value(projectNumber)'), or remove access_policy")
    region = view.region or ""
    if region.startswith("europe-") and region not in EU_VERTEX_REGIONS:
        yield Problem(("platform",), f"Vertex AI is not offered in {region}; EU regions that offer it: "
                      f"{', '.join(sorted(EU_VERTEX_REGIONS))} (source: {SRC_VERTEX_REGIONS})")


OFFER = PlatformOffer(
    cloud="gcp",
    service="Vertex AI",
    notebook_service="Vertex AI Workbench instances (Confidential VM, AMD SEV on N2D)",
    notebook_default="n2d-standard-4",
    notebook_sizes=NOTEBOOK_SIZES,
    notebook_source=SRC_WORKBENCH_TYPES,
    # instance_owners: one owner, written alias@example.com; set, the instance is single-user, else every user
    # of its service account may open it:
    # https://cloud.google.com/vertex-ai/docs/workbench/instances/manage-access-jupyterlab
    owner_kind="an e-mail address",
    owner_pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
    owner_required=False,
    owner_note="a Workbench instance's owner is the person's Google account, written alias@example.com",
    endpoint_fields=frozenset(),
    endpoint_default=None,
    endpoint_sizes=(),
    endpoint_note="hardstack creates the private (Private Service Connect) endpoint with the environment's key; "
    "deploy models to it from your pipeline (gcloud ai endpoints deploy-model), which picks the machine type",
    model_families=MODEL_FAMILIES,
    model_source=SRC_MODEL_GARDEN,
    model_regions=MODEL_REGIONS,
    model_regions_source=SRC_MODEL_REGIONS,
    extra=gcp_problems,
)
