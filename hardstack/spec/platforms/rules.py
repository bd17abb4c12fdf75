"""Cross-field rules of the `platform` section: each setting checked against what the stack's
cloud offers (`OFFERS`), so a refusal names the alternatives straight from the same table."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from hardstack.spec.platforms import aws, azure, gcp
from hardstack.spec.platforms.offer import PlatformOffer
from hardstack.spec.view import Problem, SpecView

OFFERS: dict[str, PlatformOffer] = {"aws": aws.OFFER, "gcp": gcp.OFFER, "azure": azure.OFFER}

AT = ("platform",)


def _choices(value: str, offered: Iterable[str], shown: int = 8) -> str:
    offered = list(offered)
    close = difflib.get_close_matches(value, offered, n=3)
    if close:
        return f"did you mean {', '.join(close)}? ({len(offered)} offered)"
    more = f", ... ({len(offered)} in all)" if len(offered) > shown else ""
    return f"offered: {', '.join(offered[:shown])}{more}"


def platform_problems(view: SpecView) -> Iterable[Problem]:
    platform, cloud = view.platform, view.cloud
    if platform is None or cloud is None:
        return
    offer = OFFERS[cloud]
    if platform.notebooks is None and not platform.endpoints and platform.foundation_models is None:
        # An empty section is a half-finished edit more often than a wish for an idle workspace.
        yield Problem(AT, "the platform section asks for nothing: add notebooks, endpoints or foundation_models, "
                      "or remove platform")
    yield from _notebooks(view, offer)
    yield from _endpoints(view, offer)
    yield from _foundation_models(view, offer)
    yield from _perimeter(view)
    if offer.extra is not None:
        yield from offer.extra(view)


def _notebooks(view: SpecView, offer: PlatformOffer) -> Iterable[Problem]:
    notebooks = view.platform.notebooks if view.platform else None
    if notebooks is None:
        return
    at = (*AT, "notebooks", "owners")
    if notebooks.owners is not None and offer.owner_kind is None:
        yield Problem(at, f"{offer.notebook_service} have no owner: {offer.owner_note}; remove owners")
    elif notebooks.owners is not None:
        for index, owner in enumerate(notebooks.owners):
            if re.fullmatch(offer.owner_pattern, owner) is None:
                yield Problem((*at, index), f"'{owner}' is not {offer.owner_kind}: {offer.owner_note}")
    elif offer.owner_required:
        yield Problem(at, offer.owner_note)
    if notebooks.instance_type is not None and notebooks.instance_type not in offer.notebook_sizes:
        yield Problem(
            (*AT, "notebooks", "instance_type"),
            f"'{notebooks.instance_type}' is not a size hardstack runs {offer.notebook_service} on; "
            f"{_choices(notebooks.instance_type, offer.notebook_sizes)} (source: {offer.notebook_source})",
        )


def _endpoints(view: SpecView, offer: PlatformOffer) -> Iterable[Problem]:
    assert view.platform is not None
    for index, endpoint in enumerate(view.platform.endpoints):
        at = (*AT, "endpoints", index)
        given = {f for f in ("instance_type", "image", "model_artifact") if getattr(endpoint, f) is not None}
        if endpoint.count != 1:
            given.add("count")
        for unsupported in sorted(given - offer.endpoint_fields):
            yield Problem((*at, unsupported), f"{offer.cloud} takes no endpoint {unsupported}: {offer.endpoint_note}; "
                          f"remove {unsupported}")
        if offer.cloud != "aws":
            continue
        if endpoint.instance_type is not None and endpoint.instance_type not in offer.endpoint_sizes:
            yield Problem((*at, "instance_type"), f"'{endpoint.instance_type}' is not a SageMaker hosting size "
                          f"hardstack knows; {_choices(endpoint.instance_type, offer.endpoint_sizes)}")
        yield from _aws_image(view, endpoint.image, at)
        yield from _aws_artifact(view, endpoint.model_artifact, at)


def _aws_image(view: SpecView, image: str | None, at: tuple[str | int, ...]) -> Iterable[Problem]:
    if image is None:
        yield Problem((*at, "image"), "a SageMaker model needs its serving container: add image: "
                      f"<account>.dkr.ecr.{view.region or '<region>'}.amazonaws.com/<repository>:<tag>")
        return
    # The environment has no internet egress, so SageMaker pulls through the VPC's ECR endpoints,
    # which serve the region's registries only.
    registry = rf"[0-9]{{12}}\.dkr\.ecr\.{re.escape(view.region or '')}\.amazonaws\.com"
    pattern = registry + r"/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})"
    if re.fullmatch(pattern, image) is None:
        yield Problem((*at, "image"), f"'{image}' is not an Amazon ECR image of {view.region}: the endpoint pulls "
                      f"through the environment's private ECR endpoints only; use <account>.dkr.ecr.{view.region}"
                      ".amazonaws.com/<repository>:<tag> (or @sha256:<digest>)")


def _aws_artifact(view: SpecView, artifact: str | None, at: tuple[str | int, ...]) -> Iterable[Problem]:
    models = [b.name for b in view.data.buckets if b.purpose == "models"] if view.data is not None else []
    example = f"{models[0] if models else 'models'}/<path>/model.tar.gz"
    if artifact is None:
        yield Problem((*at, "model_artifact"), f"a SageMaker model needs its archive: add model_artifact: {example}")
        return
    bucket, _, key = artifact.partition("/")
    if not key or key.endswith("/"):
        yield Problem((*at, "model_artifact"), f"'{artifact}' names no object: write <bucket>/<key>, e.g. {example}")
    elif bucket not in models:
        yield Problem((*at, "model_artifact"), f"'{bucket}' is not one of the environment's models buckets "
                      f"({', '.join(models) or 'none declared: add one with purpose: models'}); models are served "
                      "only from the write-once models buckets")


def _foundation_models(view: SpecView, offer: PlatformOffer) -> Iterable[Problem]:
    assert view.platform is not None
    access = view.platform.foundation_models
    if access is None:
        return
    for index, family in enumerate(access.allow):
        at = (*AT, "foundation_models", "allow", index)
        if family not in offer.model_families:
            yield Problem(at, f"'{family}' is not a model family {offer.service} offers; "
                          f"{_choices(family, offer.model_families)} (source: {offer.model_source})")
            continue
        regions = offer.model_regions.get(family)
        if regions is not None and view.region is not None and view.region not in regions:
            yield Problem(at, f"{family} cannot be invoked in {view.region}; it is offered in "
                          f"{', '.join(sorted(regions))} (source: {offer.model_regions_source})")


def _perimeter(view: SpecView) -> Iterable[Problem]:
    assert view.platform is not None
    policy, levels, cloud = view.platform.access_policy, view.platform.access_levels, view.cloud
    if cloud != "gcp":
        for setting in ("access_policy", "access_levels"):
            if getattr(view.platform, setting) is not None:
                yield Problem((*AT, setting), f"{setting} belongs to a VPC Service Controls perimeter, which only GCP "
                              f"has; on {cloud} the platform is kept private by "
                              f"{'VPC endpoints and VPC-only SageMaker' if cloud == 'aws' else 'private endpoints'}: "
                              f"remove {setting}")
        return
    if levels is not None and policy is None:
        yield Problem((*AT, "access_levels"), "access_levels open a VPC Service Controls perimeter, and there is "
                      "none: add access_policy, or remove access_levels")
    elif policy is not None and levels is None:
        # An enforced perimeter refuses calls to its restricted services from outside it unless an access
        # level (or an ingress rule) admits the caller: https://cloud.google.com/vpc-service-controls/docs/use-access-levels
        yield Problem((*AT, "access_levels"), "an enforced VPC Service Controls perimeter refuses every call from "
                      "outside it to Vertex AI, Cloud Storage and Cloud KMS, the next pulumi up and the console "
                      "included: name the access levels of the pipeline and the administrators, access_levels: "
                      f"[accessPolicies/{policy}/accessLevels/<name>] (gcloud access-context-manager levels list "
                      f"--policy={policy})")
    elif policy is not None and levels is not None:
        for index, level in enumerate(levels):
            if not level.startswith(f"accessPolicies/{policy}/"):
                yield Problem((*AT, "access_levels", index), f"'{level}' is not a level of the perimeter's policy "
                              f"{policy}: a perimeter takes levels of its own policy only "
                              f"(accessPolicies/{policy}/accessLevels/<name>)")
