"""The `platform` section: what every cloud shares (shape, uniqueness, refusals that name the
alternatives from the cloud's offer). Each cloud's facts are pinned in tests/<cloud>/."""

from __future__ import annotations

from typing import Any

import pytest

from hardstack.spec.platforms.rules import OFFERS

CLOUDS = ("aws", "gcp", "azure")


def _family(cloud: str, region: str) -> str:
    """A model family the cloud offers in the region (the first one, so the test follows the table)."""
    offer = OFFERS[cloud]
    return next(f for f in offer.model_families if region in offer.model_regions.get(f, {region}))


def _notebooks(cloud: str, **settings: Any) -> dict[str, Any]:
    """A notebooks section the cloud takes: Azure's compute instances are personal, so they name owners."""
    if OFFERS[cloud].owner_required:
        count = settings.get("count", 1)
        settings.setdefault("owners", [f"00000000-0000-4000-8000-00000000a00{n}" for n in range(count)])
    return settings


def _endpoint(cloud: str, raw: dict[str, Any]) -> dict[str, Any]:
    if cloud != "aws":
        return {"name": "scorer"}
    return {"name": "scorer", "image": f"123456789012.dkr.ecr.{raw['region']}.amazonaws.com/scorer:1.0",
            "model_artifact": "models/scorer/model.tar.gz"}


def _example(cloud: str, example_spec: Any) -> dict[str, Any]:
    """The cloud's example spec, with the tenant's Azure Cosmos DB principal an Azure ML workspace needs."""
    raw = example_spec(cloud)
    if cloud == "azure":
        raw["azure"]["cosmos_db_object_id"] = "00000000-0000-4000-8000-0000000000dd"
    return raw


def _with_platform(cloud: str, example_spec: Any, **platform: Any) -> dict[str, Any]:
    raw = _example(cloud, example_spec)
    raw["platform"] = platform
    return raw


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_cloud_takes_the_whole_section(cloud, example_spec, spec) -> None:
    raw = _example(cloud, example_spec)
    raw["platform"] = {
        "notebooks": _notebooks(cloud, count=2, instance_type=OFFERS[cloud].notebook_default),
        "endpoints": [_endpoint(cloud, raw)],
        "foundation_models": {"allow": [_family(cloud, raw["region"])]},
    }
    env = spec.valid(raw)
    assert env.platform is not None and env.platform.notebooks is not None
    assert env.platform.notebooks.count == 2 and [e.name for e in env.platform.endpoints] == ["scorer"]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_the_section_is_optional_but_not_empty(cloud, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw.pop("platform", None)
    assert spec.valid(raw).platform is None
    raw["platform"] = {}
    issue = spec.issue_at(spec.issues(raw), "platform")
    assert "asks for nothing: add notebooks, endpoints or foundation_models, or remove platform" in issue.message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_notebook_size_the_cloud_lacks_is_refused_with_close_matches(cloud, example_spec, spec) -> None:
    offer = OFFERS[cloud]
    typo = offer.notebook_default[:-1]
    raw = _with_platform(cloud, example_spec, notebooks={"instance_type": typo})
    issue = spec.issue_at(spec.issues(raw), "platform.notebooks.instance_type")
    assert f"'{typo}' is not a size hardstack runs {offer.notebook_service} on" in issue.message
    assert offer.notebook_default in issue.message and offer.notebook_source in issue.message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_size_of_the_offer_is_accepted(cloud, example_spec, spec) -> None:
    for size in OFFERS[cloud].notebook_sizes:
        raw = _with_platform(cloud, example_spec, notebooks=_notebooks(cloud, instance_type=size))
        assert spec.valid(raw).platform.notebooks.instance_type == size


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_model_family_the_cloud_lacks_is_refused_naming_what_it_offers(cloud, example_spec, spec) -> None:
    offer = OFFERS[cloud]
    raw = _with_platform(cloud, example_spec, foundation_models={"allow": ["acme.unheard-of"]})
    issue = spec.issue_at(spec.issues(raw), "platform.foundation_models.allow[0]")
    assert f"'acme.unheard-of' is not a model family {offer.service} offers" in issue.message
    assert next(iter(offer.model_families)) in issue.message and offer.model_source in issue.message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_family_outside_its_regions_is_refused_naming_them(cloud, example_spec, spec) -> None:
    offer = OFFERS[cloud]
    raw = example_spec(cloud)
    limited = [(f, r) for f, r in offer.model_regions.items() if raw["region"] not in r]
    if not limited:
        # Every family of this cloud is offered in the example's region: check the rule with an
        # invented limit instead, so the rule is exercised on every cloud.
        family = next(iter(offer.model_families))
        pytest.MonkeyPatch().setitem(offer.model_regions, family, frozenset({"nowhere-1"}))  # type: ignore[arg-type]
        limited = [(family, frozenset({"nowhere-1"}))]
    family, regions = limited[0]
    raw["platform"] = {"foundation_models": {"allow": [family]}}
    try:
        issue = spec.issue_at(spec.issues(raw), "platform.foundation_models.allow[0]")
    finally:
        if regions == frozenset({"nowhere-1"}):
            del offer.model_regions[family]  # type: ignore[attr-defined]
    assert f"{family} cannot be invoked in {raw['region']}" in issue.message
    assert all(r in issue.message for r in regions)


def test_repeated_model_families_and_endpoint_names_are_refused(example_spec, spec) -> None:
    raw = example_spec("aws")
    endpoint = _endpoint("aws", raw)
    raw["platform"] = {"foundation_models": {"allow": ["amazon.nova", "amazon.nova"]},
                       "endpoints": [endpoint, endpoint]}
    issues = spec.issues(raw)
    assert "repeated: amazon.nova" in spec.issue_at(issues, "platform.foundation_models.allow").message
    assert "repeated: scorer" in spec.issue_at(issues, "platform.endpoints").message


def test_an_empty_allow_list_is_refused(example_spec, spec) -> None:
    raw = _with_platform("gcp", example_spec, foundation_models={"allow": []})
    assert spec.issue_at(spec.issues(raw), "platform.foundation_models.allow")


@pytest.mark.parametrize("count", [0, 21])
def test_notebook_count_is_bounded(count, example_spec, spec) -> None:
    raw = _with_platform("aws", example_spec, notebooks={"count": count})
    assert spec.issue_at(spec.issues(raw), "platform.notebooks.count")


def test_a_misspelt_setting_names_the_allowed_ones(example_spec, spec) -> None:
    raw = _with_platform("aws", example_spec, notebook={"count": 1})
    issue = spec.issue_at(spec.issues(raw), "platform.notebook")
    assert "unknown field 'notebook'" in issue.message and "notebooks" in issue.message


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
@pytest.mark.parametrize("setting, value", [
    ("instance_type", "ml.m5.xlarge"), ("image", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"),
    ("model_artifact", "models/x/model.tar.gz"), ("count", 2),
])
def test_aws_only_endpoint_settings_are_refused_elsewhere_with_the_reason(cloud, setting, value, example_spec,
                                                                          spec) -> None:
    raw = _with_platform(cloud, example_spec, endpoints=[{"name": "scorer", setting: value}])
    issue = spec.issue_at(spec.issues(raw), f"platform.endpoints[0].{setting}")
    assert f"{cloud} takes no endpoint {setting}" in issue.message
    assert OFFERS[cloud].endpoint_note in issue.message and f"remove {setting}" in issue.message


def test_an_aws_endpoint_needs_its_image_and_archive(example_spec, spec) -> None:
    raw = _with_platform("aws", example_spec, endpoints=[{"name": "scorer"}])
    issues = spec.issues(raw)
    assert "needs its serving container" in spec.issue_at(issues, "platform.endpoints[0].image").message
    archive = spec.issue_at(issues, "platform.endpoints[0].model_artifact").message
    assert "needs its archive: add model_artifact: models/<path>/model.tar.gz" in archive
    assert "default applies" not in archive  # there is no default to blame


@pytest.mark.parametrize("image", [
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/scorer:1",  # another region: no private path to it
    "docker.io/library/python:3.12",  # a public registry: the network has no egress
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/scorer",  # neither tag nor digest
])
def test_an_aws_image_outside_the_regions_ecr_is_refused(image, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["platform"] = {"endpoints": [{**_endpoint("aws", raw), "image": image}]}
    issue = spec.issue_at(spec.issues(raw), "platform.endpoints[0].image")
    assert f"is not an Amazon ECR image of {raw['region']}" in issue.message


def test_an_aws_image_by_digest_is_accepted(example_spec, spec) -> None:
    raw = example_spec("aws")
    image = f"123456789012.dkr.ecr.{raw['region']}.amazonaws.com/team/scorer@sha256:{'ab' * 32}"
    raw["platform"] = {"endpoints": [{**_endpoint("aws", raw), "image": image}]}
    assert spec.valid(raw).platform.endpoints[0].image == image


@pytest.mark.parametrize("artifact, wanted", [
    ("datasets/scorer/model.tar.gz", "'datasets' is not one of the environment's models buckets (models)"),
    ("models", "names no object"),
    ("models/scorer/", "names no object"),
])
def test_an_aws_model_archive_must_be_an_object_of_a_models_bucket(artifact, wanted, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["platform"] = {"endpoints": [{**_endpoint("aws", raw), "model_artifact": artifact}]}
    assert wanted in spec.issue_at(spec.issues(raw), "platform.endpoints[0].model_artifact").message


def test_an_unknown_aws_hosting_size_is_refused(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["platform"] = {"endpoints": [{**_endpoint("aws", raw), "instance_type": "m5.xlarge"}]}
    issue = spec.issue_at(spec.issues(raw), "platform.endpoints[0].instance_type")
    assert "'m5.xlarge' is not a SageMaker hosting size" in issue.message and "ml.m5.xlarge" in issue.message


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_a_vpc_service_controls_policy_is_refused_outside_gcp(cloud, example_spec, spec) -> None:
    raw = _with_platform(cloud, example_spec, access_policy="123456789")
    issue = spec.issue_at(spec.issues(raw), "platform.access_policy")
    assert "only GCP has" in issue.message and f"on {cloud}" in issue.message


def test_an_access_policy_is_a_number(example_spec, spec) -> None:
    raw = _with_platform("gcp", example_spec, access_policy="accessPolicies/123")
    assert spec.issue_at(spec.issues(raw), "platform.access_policy")


def test_a_refusal_names_the_file_and_line(tmp_path, example_text) -> None:
    from hardstack.spec import SpecError, load

    text = example_text("aws").replace(
        "    monitoring:\n",
        "    platform:\n      notebooks: {instance_type: ml.t3.tiny}\n    monitoring:\n", 1)
    path = tmp_path / "Pulumi.aws-prod-eu.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load(path)
    issue = next(i for i in caught.value.issues if i.field == "platform.notebooks.instance_type")
    lines = text.splitlines()
    assert issue.file == path and "ml.t3.tiny" in lines[issue.line - 1]


@pytest.mark.parametrize("cloud", CLOUDS)
def test_owners_are_refused_required_or_checked_as_the_cloud_says(cloud, example_spec, spec) -> None:
    offer = OFFERS[cloud]
    raw = _with_platform(cloud, example_spec, notebooks={"owners": ["not an owner"]})
    issues = spec.issues(raw)
    if offer.owner_kind is None:
        issue = spec.issue_at(issues, "platform.notebooks.owners")
        assert f"{offer.notebook_service} have no owner" in issue.message and "remove owners" in issue.message
    else:
        issue = spec.issue_at(issues, "platform.notebooks.owners[0]")
        assert f"'not an owner' is not {offer.owner_kind}" in issue.message
    raw = _with_platform(cloud, example_spec, notebooks={"count": 1})
    if offer.owner_required:
        assert offer.owner_note in spec.issue_at(spec.issues(raw), "platform.notebooks.owners").message
    else:
        assert spec.valid(raw).platform.notebooks.owners is None
