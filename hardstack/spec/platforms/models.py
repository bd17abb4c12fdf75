"""The spec's `platform` section: the cloud's managed AI services, hardened like the VMs.

The fields are the same on every cloud; what each cloud offers (notebook sizes, model
families, the settings only one cloud has) is checked by the cross-field rule in
`hardstack.spec.platforms.rules`, against each cloud's offer in `hardstack.spec.platforms.<cloud>`.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from hardstack.spec.fields import Name, _Strict


class Notebooks(_Strict):
    """Managed notebooks for people who explore data: SageMaker notebook instances, Vertex AI
    Workbench instances or Azure Machine Learning compute instances."""

    count: int = Field(1, ge=1, le=20, description="how many notebook instances (one per person who needs one)")
    instance_type: str | None = Field(
        None, min_length=1,
        description="the cloud's notebook size; empty means the cloud's default "
        "(aws ml.t3.medium, gcp n2d-standard-4, azure Standard_DS3_v2)",
    )


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

    @field_validator("endpoints")
    @classmethod
    def _unique_endpoints(cls, endpoints: list[ModelEndpoint]) -> list[ModelEndpoint]:
        names = [e.name for e in endpoints]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PydanticCustomError(
                "unique", "endpoint names must be unique; repeated: {dupes}", {"dupes": ", ".join(dupes)}
            )
        return endpoints
