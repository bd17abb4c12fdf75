"""The spec's `platform` section: the cloud's managed AI services, hardened like the VMs.

The fields are the same on every cloud; what each cloud offers (notebook sizes, model
families, the settings only one cloud has) is checked by the cross-field rule in
`hardstack.spec.platforms.rules`, against each cloud's offer in `hardstack.spec.platforms.<cloud>`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from hardstack.spec.fields import Name, _Strict, unique_names

ACCESS_LEVEL = r"^accessPolicies/[0-9]{1,20}/accessLevels/[A-Za-z][A-Za-z0-9_]{0,49}$"


class Notebooks(_Strict):
    """Managed notebooks for people who explore data: SageMaker notebook instances, Vertex AI
    Workbench instances or Azure Machine Learning compute instances."""

    count: int = Field(
        1, ge=1, le=20,
        description="how many notebook instances; with owners, one per owner (left out, it follows them)",
    )
    instance_type: str | None = Field(
        None, min_length=1,
        description="the cloud's notebook size; empty means the cloud's default "
        "(aws ml.t3.medium, gcp n2d-standard-4, azure Standard_DS3_v2)",
    )
    owners: list[str] | None = Field(
        None, min_length=1, max_length=20,
        description="the person each notebook belongs to, one notebook each: azure Entra object ids (required "
        "there: a compute instance is personal), gcp e-mail addresses (single-user access); aws notebook instances "
        "have no owner",
    )

    @model_validator(mode="after")
    def _one_per_owner(self) -> Notebooks:
        if self.owners is None:
            return self
        repeated = sorted({o for o in self.owners if self.owners.count(o) > 1})
        if repeated:
            raise PydanticCustomError("unique", "each owner gets one notebook; repeated: {dupes}",
                                      {"dupes": ", ".join(repeated)})
        if "count" not in self.model_fields_set:
            self.count = len(self.owners)
        elif self.count != len(self.owners):
            raise PydanticCustomError(
                "owners", "count {count} does not match the {owners} owners (one notebook each): remove count, "
                "or list one owner per notebook", {"count": self.count, "owners": len(self.owners)},
            )
        return self


class ModelEndpoint(_Strict):
    """A model serving endpoint reachable only from inside the environment's network."""

    name: Name
    instance_type: str | None = Field(
        None, min_length=1,
        description="aws only: the SageMaker hosting size (ml.*); empty means ml.m5.xlarge. On gcp and azure "
        "the endpoint is created empty and models are deployed to it from your pipeline, which picks the size",
    )
    count: int = Field(1, ge=1, le=10, description="aws only: instances behind the endpoint")
    image: str | None = Field(
        None, min_length=1,
        description="aws only, required there: the serving container image in Amazon ECR of the environment's "
        "region (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or @sha256:<digest>)",
    )
    model_artifact: str | None = Field(
        None, min_length=1,
        description="aws only, required there: <bucket>/<key> of the model archive (model.tar.gz) in one of the "
        "environment's models buckets",
    )


class FoundationModels(_Strict):
    """Which foundation-model families the environment's identities may invoke; nothing else."""

    allow: list[str] = Field(
        min_length=1,
        description="model families that may be invoked, in the cloud's naming (aws: anthropic.claude, "
        "amazon.nova...; gcp: google.gemini, anthropic.claude...; azure: gpt-4o, text-embedding-3-large...)",
    )

    @field_validator("allow")
    @classmethod
    def _unique(cls, allow: list[str]) -> list[str]:
        dupes = sorted({m for m in allow if allow.count(m) > 1})
        if dupes:
            raise PydanticCustomError(
                "unique", "model families must be listed once; repeated: {dupes}", {"dupes": ", ".join(dupes)}
            )
        return allow


class Platform(_Strict):
    """The managed AI platform of the environment (SageMaker and Bedrock, Vertex AI, Azure Machine
    Learning and Azure OpenAI), private, keyed with the environment's keys and run as narrow identities."""

    notebooks: Notebooks | None = Field(None, description="managed notebook instances; none when left out")
    endpoints: list[ModelEndpoint] = Field(default_factory=list, description="private model serving endpoints")
    foundation_models: FoundationModels | None = Field(
        None, description="foundation-model access (Bedrock, Vertex AI Model Garden, Azure OpenAI); none when left out",
    )
    access_policy: str | None = Field(
        None, pattern=r"^[0-9]{1,20}$",
        description="gcp only: the number of the organization's Access Context Manager policy; when set, a VPC "
        "Service Controls perimeter closes Vertex AI, Cloud Storage and Cloud KMS of the project to the outside",
    )
    access_levels: list[Annotated[str, StringConstraints(pattern=ACCESS_LEVEL)]] | None = Field(
        None, min_length=1,
        description="gcp only, required with access_policy: the access levels (accessPolicies/<n>/accessLevels/<name>) "
        "whose callers may still reach the project's APIs from outside the perimeter: the pipeline that runs pulumi up "
        "and the administrators",
    )

    @field_validator("endpoints")
    @classmethod
    def _unique_endpoints(cls, endpoints: list[ModelEndpoint]) -> list[ModelEndpoint]:
        return list(unique_names(endpoints, "endpoint"))
