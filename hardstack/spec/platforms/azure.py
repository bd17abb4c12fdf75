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


def azure_problems(view: SpecView) -> Iterable[Problem]:
    """Settings only Azure has an opinion on."""
    from hardstack.spec.view import Problem

    platform = view.platform
    if platform is None:
        return
    # Azure Machine Learning hosts the notebooks and the endpoints; a platform with neither asks
    # only for Azure OpenAI, and one with nothing at all builds nothing.
    if platform.notebooks is None and not platform.endpoints and platform.foundation_models is None:
        yield Problem(("platform",), "the platform section asks for nothing: add notebooks, endpoints or "
                      "foundation_models, or remove platform")


OFFER = PlatformOffer(
    cloud="azure",
    service="Azure Machine Learning and Azure OpenAI",
    notebook_service="Azure Machine Learning compute instances",
    notebook_default="Standard_DS3_v2",
    notebook_sizes=NOTEBOOK_SIZES,
    notebook_source=SRC_COMPUTE_INSTANCE,
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
