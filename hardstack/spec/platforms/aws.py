"""What SageMaker and Bedrock offer an environment, with the page each fact comes from."""

from __future__ import annotations

from collections.abc import Iterable

from hardstack.spec.platforms.offer import PlatformOffer
from hardstack.spec.view import Problem, SpecView

# CreateNotebookInstance InstanceType (the API's enumeration):
SRC_NOTEBOOK_TYPES = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html"
# ProductionVariant InstanceType (hosting sizes):
SRC_ENDPOINT_TYPES = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html"
# Model ids and their providers:
SRC_BEDROCK_MODELS = "https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html"
# "Supported Regions and models for Amazon Bedrock Guardrails":
SRC_GUARDRAIL_REGIONS = "https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-supported.html"
# The Regions whose base models Amazon Nova Lite, Micro and Pro run in (model copy table):
SRC_NOVA_REGIONS = "https://docs.aws.amazon.com/ja_jp/bedrock/latest/userguide/copy-model-support.html"
# CreateEndpointConfig KmsKeyId: "You can't request a KmsKeyId when using an instance type with local
# storage ... the call to CreateEndpointConfig fails."
SRC_ENDPOINT_KEY = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html"
# Which ml.* families carry NVMe instance store (g4dn, g5 do; m5, c5, r5, t2, inf2 are EBS-only):
SRC_INSTANCE_STORE = "https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html#ac_instance-store"
# The notebook runtime: notebook-al2023-v1 is the current platform; al1-v1, al2-v1, al2-v2 are deprecated
# (pulumi-aws 7.x NotebookInstance.platform_identifier, mirroring the API's enumeration):
SRC_NOTEBOOK_PLATFORM = "https://pub.dev/documentation/pulumi_aws/latest/sagemaker/NotebookInstanceArgs/platformIdentifier.html"
NOTEBOOK_PLATFORM = "notebook-al2023-v1"


def _sizes(family: str, sizes: str) -> tuple[str, ...]:
    return tuple(f"ml.{family}.{s}" for s in sizes.split())


NOTEBOOK_SIZES = (
    _sizes("t3", "medium large xlarge 2xlarge")
    + _sizes("m5", "xlarge 2xlarge 4xlarge 12xlarge 24xlarge")
    + _sizes("c5", "xlarge 2xlarge 4xlarge 9xlarge 18xlarge")
    + _sizes("r5", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge")
    + _sizes("g4dn", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge")
    + _sizes("g5", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge")
    + _sizes("p3", "2xlarge 8xlarge 16xlarge")
)

ENDPOINT_SIZES = (
    _sizes("t2", "medium large xlarge 2xlarge")
    + _sizes("m5", "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge")
    + _sizes("c5", "large xlarge 2xlarge 4xlarge 9xlarge 18xlarge")
    + _sizes("r5", "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge")
    + _sizes("g4dn", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge")
    + _sizes("g5", "xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge 24xlarge 48xlarge")
    + _sizes("inf2", "xlarge 8xlarge 24xlarge 48xlarge")
)
# Families whose instances have local NVMe storage: SageMaker refuses a customer key for them, and
# hardstack encrypts every endpoint volume with the data key, so they are not offered for endpoints.
LOCAL_STORAGE_FAMILIES = frozenset({"g4dn", "g5"})

# family -> the model ids it covers; IAM grants and the bedrock-runtime endpoint policy are written
# from these patterns (arn:aws:bedrock:<region>::foundation-model/<pattern>).
MODEL_FAMILIES = {
    "anthropic.claude": "anthropic.claude-*",
    "amazon.nova": "amazon.nova-*",
    "amazon.titan": "amazon.titan-*",
    "meta.llama": "meta.llama*",
    "mistral": "mistral.*",
    "cohere.command": "cohere.command-*",
    "cohere.embed": "cohere.embed-*",
}

GUARDRAIL_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-gov-east-1", "us-gov-west-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
    "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
})
EU_GUARDRAIL_REGIONS = sorted(r for r in GUARDRAIL_REGIONS if r.startswith("eu-"))
NOVA_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-2", "us-gov-west-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2", "eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
    "eu-west-3",
})

# The geography prefix of Bedrock's system-defined cross-Region inference profiles
# (eu.anthropic.claude-..., us.amazon.nova-...): requests stay inside that geography
# (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html; the geographies:
# https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-bedrock-alpha.CrossRegionInferenceProfileRegion.html).
# Regions of other geographies invoke in-region models only.
PROFILE_GEOGRAPHY = {"eu": "eu", "us": "us", "ap": "apac"}


def profile_geography(region: str) -> str | None:
    return PROFILE_GEOGRAPHY.get(region.split("-")[0])


def _aws_only(view: SpecView) -> Iterable[Problem]:
    platform = view.platform
    if platform is None:
        return
    # Every environment that may invoke foundation models gets a guardrail its roles must name.
    if platform.foundation_models is not None and view.region is not None and view.region not in GUARDRAIL_REGIONS:
        yield Problem(("platform", "foundation_models"),
                      f"Bedrock Guardrails is not offered in {view.region}, and hardstack lets roles invoke models "
                      f"only through a guardrail; Guardrails regions include {', '.join(EU_GUARDRAIL_REGIONS)} "
                      f"(source: {SRC_GUARDRAIL_REGIONS})")
    for index, endpoint in enumerate(platform.endpoints):
        size = endpoint.instance_type or ""
        family = size.split(".")[1] if size.count(".") == 2 else ""
        if family in LOCAL_STORAGE_FAMILIES:
            ebs_only = [s for s in ENDPOINT_SIZES if s.split(".")[1] not in LOCAL_STORAGE_FAMILIES
                        and s.split(".")[1] in ("inf2", "m5", "c5", "r5")]
            yield Problem(("platform", "endpoints", index, "instance_type"),
                          f"'{size}' has local NVMe storage, for which SageMaker refuses a customer-managed key "
                          f"(source: {SRC_ENDPOINT_KEY}), and hardstack encrypts every endpoint with the data key; "
                          f"use an EBS-only size such as {', '.join(ebs_only[:4])} or an inf2 size")


OFFER = PlatformOffer(
    cloud="aws",
    service="SageMaker and Bedrock",
    notebook_service="SageMaker notebook instances",
    notebook_default="ml.t3.medium",
    notebook_sizes=NOTEBOOK_SIZES,
    notebook_source=SRC_NOTEBOOK_TYPES,
    # Access to a notebook instance is an IAM permission (CreatePresignedNotebookInstanceUrl), not an owner:
    # https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
    owner_kind=None,
    owner_pattern="",
    owner_required=False,
    owner_note="who may open one is an IAM permission (sagemaker:CreatePresignedNotebookInstanceUrl on the "
    "instance), granted to people's roles outside hardstack",
    endpoint_fields=frozenset({"instance_type", "count", "image", "model_artifact"}),
    endpoint_default="ml.m5.xlarge",
    endpoint_sizes=ENDPOINT_SIZES,
    endpoint_note="",
    model_families=MODEL_FAMILIES,
    model_source=SRC_BEDROCK_MODELS,
    model_regions={"amazon.nova": NOVA_REGIONS},
    model_regions_source=SRC_NOVA_REGIONS,
    extra=_aws_only,
)
