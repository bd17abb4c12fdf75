"""monitoring.response: the containment mode, its default by data classification, the severity
scale of each cloud's threat detection, and the settings that only mean something together."""

from __future__ import annotations

import pytest

from hardstack.spec.response import SEVERITY_ORDER, SEVERITY_SCALES

CLOUDS = ("aws", "gcp", "azure")


@pytest.mark.parametrize("classification, mode", [
    ("restricted", "isolate"), ("confidential", "notify"), ("internal", "notify"), ("public", "notify"),
])
def test_default_mode_follows_the_data_classification(classification, mode, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["data_classification"] = classification
    raw["monitoring"].pop("response", None)
    assert spec.valid(raw).response_mode() == mode


@pytest.mark.parametrize("given", ["isolate", "notify"])
def test_a_stated_mode_wins_over_the_default(given, example_spec, spec) -> None:
    for classification in ("restricted", "public"):
        raw = example_spec("gcp")
        raw["data_classification"] = classification
        raw["monitoring"]["response"] = {"mode": given}
        assert spec.valid(raw).response_mode() == given


def test_defaults_are_high_and_not_a_dry_run(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"].pop("response", None)
    response = spec.valid(raw).monitoring.response
    assert (response.mode, response.min_severity, response.dry_run) == (None, "high", False)


def test_azure_refuses_critical_naming_its_scale(example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["monitoring"]["response"] = {"min_severity": "critical"}
    issue = spec.issue_at(spec.issues(raw), "monitoring.response.min_severity")
    assert "azure threat detection never reports a 'critical' finding" in issue.message
    assert "low, medium, high" in issue.message and "use high" in issue.message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_severity_of_a_clouds_scale_is_accepted(cloud, example_spec, spec) -> None:
    for severity in SEVERITY_SCALES[cloud]:
        raw = example_spec(cloud)
        raw["monitoring"]["response"] = {"min_severity": severity}
        assert spec.valid(raw).monitoring.response.min_severity == severity


def test_scales_are_ordered_subsets_of_one_order() -> None:
    for scale in SEVERITY_SCALES.values():
        assert list(scale) == sorted(scale, key=SEVERITY_ORDER.index)


def test_an_unknown_severity_names_the_choices(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["response"] = {"min_severity": "severe"}
    issue = spec.issue_at(spec.issues(raw), "monitoring.response.min_severity")
    assert "'low', 'medium', 'high' or 'critical'" in issue.message


def test_an_unknown_mode_names_the_choices(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["response"] = {"mode": "quarantine"}
    issue = spec.issue_at(spec.issues(raw), "monitoring.response.mode")
    assert "'isolate' or 'notify'" in issue.message


def test_dry_run_with_notify_is_refused(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["monitoring"]["response"] = {"mode": "notify", "dry_run": True}
    issue = spec.issue_at(spec.issues(raw), "monitoring.response.dry_run")
    assert "no effect with mode notify" in issue.message


def test_dry_run_with_isolate_is_accepted(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["monitoring"]["response"] = {"mode": "isolate", "dry_run": True}
    assert spec.valid(raw).monitoring.response.dry_run is True


def test_a_response_without_threat_detection_is_refused(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["threat_detection"] = False
    raw["monitoring"]["response"] = {"mode": "isolate"}
    issue = spec.issue_at(spec.issues(raw), "monitoring.response")
    assert "threat_detection: true" in issue.message


def test_the_sections_defaults_alone_ask_for_nothing_without_threat_detection(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["threat_detection"] = False
    raw["monitoring"]["response"] = {"min_severity": "high", "dry_run": False}
    assert not [i for i in _issues_or_none(spec, raw) if i.field.startswith("monitoring")]


def test_no_response_section_without_threat_detection_is_fine(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["threat_detection"] = False
    raw["monitoring"].pop("response", None)
    raw["exemptions"] = [*raw.get("exemptions", [])]
    issues = [i for i in _issues_or_none(spec, raw) if i.field.startswith("monitoring")]
    assert issues == []


def test_unknown_keys_in_response_are_refused(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["monitoring"]["response"] = {"mode": "isolate", "dryrun": True}
    assert any(i.field.startswith("monitoring.response") for i in spec.issues(raw))


def _issues_or_none(spec, raw) -> list:
    from hardstack.spec.errors import SpecError
    from hardstack.spec.loader import validate

    try:
        validate(raw, spec.file)
    except SpecError as exc:
        return exc.issues
    return []


def test_azure_containment_needs_the_security_providers_object_id(example_spec, spec) -> None:
    raw = example_spec("azure")
    del raw["azure"]["security_provider_object_id"]
    issue = spec.issue_at(spec.issues(raw), "azure.security_provider_object_id")
    assert "Windows Azure Security Resource Provider" in issue.message
    assert "az ad sp show --id 8edd93e1-2103-40b4-bd70-6e34e586362d" in issue.message


def test_without_threat_detection_azure_needs_no_security_provider(example_spec, spec) -> None:
    raw = example_spec("azure")
    del raw["azure"]["security_provider_object_id"]
    raw["monitoring"]["threat_detection"] = False
    raw["monitoring"].pop("response", None)
    assert not [i for i in _issues_or_none(spec, raw) if i.field.startswith(("azure", "monitoring"))]


def test_the_azure_examples_give_the_security_provider(example_spec, spec) -> None:
    assert spec.valid(example_spec("azure")).azure.security_provider_object_id


def test_a_missing_azure_block_is_one_problem_naming_both_ids(example_spec, spec) -> None:
    raw = example_spec("azure")
    del raw["azure"]
    (issue,) = [i for i in spec.issues(raw) if i.field.startswith("azure")]
    assert issue.field == "azure"
    assert "cvm_orchestrator_object_id" in issue.message and "security_provider_object_id" in issue.message


def test_azure_without_confidential_vms_still_needs_the_block_for_containment(example_spec, spec) -> None:
    raw = example_spec("azure")
    del raw["azure"]
    for workload in raw["workloads"]:
        workload["confidential"] = "none"
    issue = spec.issue_at(spec.issues(raw), "azure")
    assert "Windows Azure Security Resource Provider" in issue.message
