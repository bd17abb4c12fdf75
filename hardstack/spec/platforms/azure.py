"""What Azure Machine Learning and Azure OpenAI offer an environment, with the page each fact
comes from.

Every allowed model family is deployed as one Azure OpenAI deployment with the Data Zone
Standard SKU: prompts and completions are processed inside the data zone of the account's
region (EU or US), never globally, which is what GDPR residency asks of an EU environment. So
a family can be invoked only in the regions that offer its pinned version as Data Zone Standard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hardstack.spec.platforms.offer import PlatformOffer

if TYPE_CHECKING:
    from hardstack.spec.view import Problem, SpecView

# Compute instance sizes: any Azure VM size the region offers the subscription; hardstack keeps
# to general-purpose and memory-optimised Intel sizes and the T4 GPU sizes Microsoft names for
# notebooks. The studio's default size is Standard_DS3_v2.
SRC_COMPUTE_INSTANCE = "https://learn.microsoft.com/azure/machine-learning/concept-compute-instance"
# Models, their versions and the regions of each deployment type (the tables are the includes
# articles/foundry/openai/includes/model-matrix/{datazone-standard,standard-models}.md of
# github.com/MicrosoftDocs/azure-ai-docs, rendered on this page):
SRC_OPENAI_MODELS = "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models"
SRC_DATA_ZONE = ("https://learn.microsoft.com/azure/ai-foundry/openai/concepts/models "
                 "(Data Zone Standard model availability)")
# Data Zone Standard: "prompts and responses are processed within the specified data zone";
# for the European Union data zone, within the EU member nations:
# https://learn.microsoft.com/azure/ai-foundry/foundry-models/concepts/deployment-types

NOTEBOOK_SIZES = (
    "Standard_DS3_v2", "Standard_DS4_v2", "Standard_DS11_v2", "Standard_DS12_v2",
    "Standard_D4s_v3", "Standard_D8s_v3", "Standard_D16s_v3", "Standard_E4s_v3", "Standard_E8s_v3",
    "Standard_NC4as_T4_v3", "Standard_NC8as_T4_v3",
)


@dataclass(frozen=True)
class ModelVersion:
    """The one model version a family is deployed as (Data Zone Standard, no auto-upgrade)."""

    name: str
    version: str


# family -> the pinned version, from the Data Zone Standard table (model name, version columns).
MODEL_VERSIONS: dict[str, ModelVersion] = {
    "gpt-4o": ModelVersion("gpt-4o", "2024-11-20"),
    "gpt-4o-mini": ModelVersion("gpt-4o-mini", "2024-07-18"),
    "gpt-4.1": ModelVersion("gpt-4.1", "2025-04-14"),
    "gpt-4.1-mini": ModelVersion("gpt-4.1-mini", "2025-04-14"),
    "text-embedding-3-large": ModelVersion("text-embedding-3-large", "1"),
    "text-embedding-3-small": ModelVersion("text-embedding-3-small", "1"),
}
MODEL_FAMILIES = {family: f"{v.name} {v.version}" for family, v in MODEL_VERSIONS.items()}
DEPLOYMENT_SKU = "DataZoneStandard"

# Regions with Data Zone Standard deployments of every pinned version above (the table's rows:
# every one of them is ticked for all six versions). EU data zone first.
DATA_ZONE_EU = frozenset({
    "francecentral", "germanywestcentral", "italynorth", "polandcentral", "spaincentral", "swedencentral",
    "westeurope",
})
DATA_ZONE_US = frozenset({
    "centralus", "eastus", "eastus2", "northcentralus", "southcentralus", "westus", "westus3",
})
MODEL_REGIONS: dict[str, frozenset[str]] = {family: DATA_ZONE_EU | DATA_ZONE_US for family in MODEL_VERSIONS}


# A compute instance is personal: with the sharing policy Personal only its user may open its applications,
# and created without create_on_behalf_of (personal_compute_instance_settings.assigned_user) that user is
# whoever creates it, here the principal that runs `pulumi up` (ComputeInstance.applicationSharingPolicy;
# https://learn.microsoft.com/azure/machine-learning/reference-yaml-compute-instance, which also gives
# Standard_DS3_v2 as the default size).
OWNER_NOTE = ("an Azure Machine Learning compute instance belongs to one person, and without owners each would "
              "belong to the principal that runs pulumi up (your pipeline), so no person could open it: add "
              "owners: [<Entra object id>, ...], one notebook each (az ad user show --id someone@example.com "
              "--query id -o tsv)")


# An Azure Machine Learning workspace with a customer-managed key keeps its metadata in a Cosmos DB
# that Microsoft runs, which unwraps the key as the tenant's "Azure Cosmos DB" service principal
# (Get, Wrap Key, Unwrap Key): https://learn.microsoft.com/azure/machine-learning/how-to-setup-customer-managed-keys
# Its app id is the same in every tenant; the object id is not.
COSMOS_DB_APP = "a232010e-820c-4083-83bb-3ace5fc29d0b"
COSMOS_DB_LOOKUP = f"az ad sp show --id {COSMOS_DB_APP} --query id -o tsv"


def azure_problems(view: SpecView) -> Iterable[Problem]:
    """Settings only Azure has an opinion on."""
    from hardstack.spec.view import Problem

    platform = view.platform
    # The workspace exists for notebooks and endpoints; Azure OpenAI alone needs no workspace.
    if platform is None or (platform.notebooks is None and not platform.endpoints):
        return
    if view.azure is not None and view.azure.cosmos_db_object_id:
        return
    why = ("an Azure Machine Learning workspace encrypted with the platform key keeps its metadata in a Cosmos DB "
           "that unwraps the key as the tenant's 'Azure Cosmos DB' service principal; without its object id the key "
           "cannot be granted and the workspace fails to create")
    if view.azure is None:
        if view.azure_given:
            return  # a broken azure block is reported at its own fields
        yield Problem(("azure",), f"{why}: add azure: {{tenant_id: ..., cosmos_db_object_id: ...}} (the object id "
                      f"is printed by {COSMOS_DB_LOOKUP})")
        return
    yield Problem(("azure", "cosmos_db_object_id"), f"{why}: add cosmos_db_object_id (printed by {COSMOS_DB_LOOKUP})")


OFFER = PlatformOffer(
    cloud="azure",
    service="Azure Machine Learning and Azure OpenAI",
    notebook_service="Azure Machine Learning compute instances",
    notebook_default="Standard_DS3_v2",
    notebook_sizes=NOTEBOOK_SIZES,
    notebook_source=SRC_COMPUTE_INSTANCE,
    owner_kind="an Entra object id",
    owner_pattern=r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    owner_required=True,
    owner_note=OWNER_NOTE,
    endpoint_fields=frozenset(),
    endpoint_default=None,
    endpoint_sizes=(),
    endpoint_note="hardstack creates the managed online endpoint (private, Entra tokens only); deploy models to "
    "it from your pipeline (az ml online-deployment create), which picks the size",
    model_families=MODEL_FAMILIES,
    model_source=SRC_OPENAI_MODELS,
    model_regions=MODEL_REGIONS,
    model_regions_source=SRC_DATA_ZONE,
    extra=azure_problems,
)
