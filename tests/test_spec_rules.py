"""Cross-field rules: confidential computing per cloud, exemptions, HIPAA, GDPR, accounts, regions."""

from __future__ import annotations

import pytest

CLOUDS = ("aws", "gcp", "azure")
CONFIDENTIAL = "confidential-computing"
GDPR = "gdpr-data-residency"


def _fields(issues) -> list[str]:
    return [i.field for i in issues]


# --- AWS: SEV-SNP only, no confidential GPU ---------------------------------------------------


def test_tdx_on_aws_rejected_naming_what_aws_offers(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][0]["confidential"] = "tdx"
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].confidential"]
    message = issues[0].message
    assert "aws offers no tdx" in message
    assert "sev-snp" in message
    assert "m6a.2xlarge" in message


@pytest.mark.parametrize("confidential", ["sev-snp", None])
def test_gpu_on_aws_with_confidential_says_none_plus_exemption(confidential, example_spec, spec) -> None:
    raw = example_spec("aws")
    workload = raw["workloads"][0]
    workload.update(machine_type="p5.48xlarge", gpu={"kind": "h100", "count": 8})
    if confidential is None:
        workload.pop("confidential")
    else:
        workload["confidential"] = confidential
    issues = spec.issues(raw)
    issue = spec.issue_at(issues, "workloads[0].gpu")
    assert "confidential: none" in issue.message
    assert "exemption" in issue.message
    assert CONFIDENTIAL in issue.message
    assert "trainer" in issue.message  # the resource the exemption must name


def test_gpu_on_aws_with_confidential_none_and_exemption_accepted(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][0].update(machine_type="p5.48xlarge", gpu={"kind": "h100", "count": 8},
                               confidential="none")
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, "trainer")]
    env = spec.valid(raw)
    assert env.workloads[0].confidential == "none"
    assert env.exemption_for(CONFIDENTIAL, "trainer") is not None


@pytest.mark.parametrize("machine", ["m5.2xlarge", "m7i.2xlarge", "t3.large"])
def test_aws_sev_snp_on_non_amd_type_rejected(machine: str, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][0]["machine_type"] = machine
    issue = spec.issue_at(spec.issues(raw), "workloads[0].machine_type")
    assert f"'{machine}' cannot run sev-snp on aws" in issue.message
    assert "m6a.2xlarge" in issue.message


@pytest.mark.parametrize("machine", ["m6a.large", "m6a.8xlarge", "c6a.16xlarge", "r6a.4xlarge"])
def test_aws_sev_snp_families_accepted(machine: str, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][0]["machine_type"] = machine
    assert spec.valid(raw).workloads[0].machine_type == machine


# --- confidential: none needs an unexpired exemption -----------------------------------------


def _none_workload(cloud: str, example_spec) -> dict:
    raw = example_spec(cloud)
    raw["workloads"][0]["confidential"] = "none"
    return raw


@pytest.mark.parametrize("cloud", CLOUDS)
def test_confidential_none_without_exemption_rejected(cloud: str, example_spec, spec) -> None:
    raw = _none_workload(cloud, example_spec)
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].confidential"]
    assert CONFIDENTIAL in issues[0].message
    assert f"resource: {raw['workloads'][0]['name']}" in issues[0].message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_confidential_none_with_unexpired_exemption_accepted(cloud: str, example_spec, spec) -> None:
    raw = _none_workload(cloud, example_spec)
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, raw["workloads"][0]["name"], spec.iso(30))]
    assert spec.valid(raw).workloads[0].confidential == "none"


def test_exemption_expiring_today_still_applies(example_spec, spec) -> None:
    raw = _none_workload("aws", example_spec)
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, "trainer", spec.iso(0))]
    spec.valid(raw)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_confidential_none_with_expired_exemption_rejected(cloud: str, example_spec, spec) -> None:
    raw = _none_workload(cloud, example_spec)
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, raw["workloads"][0]["name"], spec.iso(-1))]
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].confidential"]


def test_exemption_for_another_workload_does_not_cover(example_spec, spec) -> None:
    raw = _none_workload("aws", example_spec)  # workloads: trainer (none), inference
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, "inference")]
    assert "workloads[0].confidential" in _fields(spec.issues(raw))


def test_exemption_naming_no_workload_rejected(example_spec, spec) -> None:
    raw = _none_workload("aws", example_spec)
    raw["exemptions"] = [spec.exemption(CONFIDENTIAL, "trainer"), spec.exemption(CONFIDENTIAL, "trainr")]
    issue = spec.issue_at(spec.issues(raw), "exemptions[1].resource")
    assert "trainr" in issue.message
    assert "trainer" in issue.message


def test_exemption_of_another_rule_does_not_cover(example_spec, spec) -> None:
    raw = _none_workload("aws", example_spec)
    raw["exemptions"] = [spec.exemption("CKV_AWS_8", "trainer")]
    assert "workloads[0].confidential" in _fields(spec.issues(raw))


# --- GCP: TDX on c3-standard-* and a3-highgpu-1g (1 x H100) -----------------------------------


@pytest.mark.parametrize("machine", ["n2-standard-8", "e2-standard-4", "n2d-standard-8"])
def test_gcp_tdx_on_unsupported_type_names_types_that_can(machine: str, example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0]["machine_type"] = machine
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].machine_type"]
    assert f"'{machine}' cannot run tdx on gcp" in issues[0].message
    assert "c3-standard-8" in issues[0].message
    assert "a3-highgpu-1g" in issues[0].message


@pytest.mark.parametrize("gpu", ["a100", "l4", "t4"])
def test_gcp_tdx_with_gpu_other_than_h100_rejected(gpu: str, example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0].update(machine_type="a3-highgpu-1g", gpu={"kind": gpu, "count": 1})
    issue = spec.issue_at(spec.issues(raw), "workloads[0].gpu")
    assert "h100" in issue.message
    assert gpu in issue.message


def test_gcp_tdx_on_non_confidential_gpu_type_rejected(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0].update(machine_type="a2-highgpu-1g", gpu={"kind": "a100", "count": 1})
    issue = spec.issue_at(spec.issues(raw), "workloads[0].machine_type")
    assert "a3-highgpu-1g" in issue.message


def test_gcp_tdx_a3_with_more_than_one_h100_rejected(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0].update(machine_type="a3-highgpu-1g", gpu={"kind": "h100", "count": 2})
    issue = spec.issue_at(spec.issues(raw), "workloads[0].gpu")
    assert "1 x h100" in issue.message


def test_gcp_a3_highgpu_1g_with_one_h100_under_tdx_accepted(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0].update(machine_type="a3-highgpu-1g", confidential="tdx",
                               gpu={"kind": "h100", "count": 1}, provisioning="spot")
    env = spec.valid(raw)
    assert env.workloads[0].gpu is not None
    assert (env.workloads[0].gpu.kind, env.workloads[0].gpu.count) == ("h100", 1)


def test_gcp_sev_snp_on_n2d_accepted_and_on_c3_rejected(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0].update(machine_type="n2d-standard-8", confidential="sev-snp")
    spec.valid(raw)
    raw["workloads"][0]["machine_type"] = "c3-standard-8"
    issue = spec.issue_at(spec.issues(raw), "workloads[0].machine_type")
    assert "n2d-standard-8" in issue.message


# --- Azure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["Standard_D4s_v5", "Standard_DC4as_v5", "Standard_E8s_v5"])
def test_azure_tdx_on_non_tdx_size_rejected(size: str, example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["workloads"][0]["machine_type"] = size
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].machine_type"]
    assert f"'{size}' cannot run tdx on azure" in issues[0].message
    assert "Standard_DC4es_v5" in issues[0].message


def test_azure_tdx_with_gpu_names_the_confidential_gpu_size(example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["workloads"][0]["gpu"] = {"kind": "h100", "count": 1}
    issues = spec.issues(raw)
    assert _fields(issues) == ["workloads[0].confidential"]
    assert "Standard_NCC40ads_H100_v5" in issues[0].message
    assert "sev-snp" in issues[0].message


def test_azure_confidential_gpu_size_under_sev_snp_accepted(example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["workloads"][0].update(machine_type="Standard_NCC40ads_H100_v5", confidential="sev-snp",
                               gpu={"kind": "h100", "count": 1})
    spec.valid(raw)


@pytest.mark.parametrize("kind", ["sev-snp", "tdx"])
def test_azure_non_confidential_size_with_confidential_set_rejected(kind: str, example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["workloads"][0].update(machine_type="Standard_D4s_v5", confidential=kind)
    issue = spec.issue_at(spec.issues(raw), "workloads[0].machine_type")
    assert f"cannot run {kind} on azure" in issue.message


@pytest.mark.parametrize("size", ["Standard_DC4es_v5", "Standard_DC8eds_v5", "Standard_EC16es_v5"])
def test_azure_tdx_sizes_accepted(size: str, example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["workloads"][0]["machine_type"] = size
    spec.valid(raw)


# --- HIPAA ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [91, 180, 365])
def test_hipaa_rotation_above_90_days_rejected(days: int, example_spec, spec) -> None:
    raw = example_spec("aws")
    assert "hipaa" in raw["compliance"]
    raw["keys"]["rotation_days"] = days
    issues = spec.issues(raw)
    assert _fields(issues) == ["keys.rotation_days"]
    assert "HIPAA" in issues[0].message
    assert str(days) in issues[0].message


def test_rotation_above_90_days_accepted_without_hipaa(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["compliance"] = ["gdpr"]
    raw["keys"]["rotation_days"] = 365
    assert spec.valid(raw).keys.rotation_days == 365


def test_hipaa_rotation_of_exactly_90_days_accepted(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["compliance"] = ["hipaa"]
    raw["logging"]["retention_days"] = 2190
    raw["keys"]["rotation_days"] = 90
    spec.valid(raw)


@pytest.mark.parametrize("days", [90, 365, 2189])
def test_hipaa_log_retention_below_2190_rejected(days: int, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["logging"]["retention_days"] = days
    issues = spec.issues(raw)
    assert _fields(issues) == ["logging.retention_days"]
    assert "2190" in issues[0].message


def test_hipaa_log_retention_default_is_too_short_and_says_so(example_spec, spec) -> None:
    raw = example_spec("aws")
    del raw["logging"]
    issue = spec.issue_at(spec.issues(raw), "logging.retention_days")
    assert "2190" in issue.message
    assert "not set" in issue.message


def test_aws_rotation_below_90_days_rejected(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["keys"]["rotation_days"] = 30
    issue = spec.issue_at(spec.issues(raw), "keys.rotation_days")
    assert "90" in issue.message


# --- GDPR residency -----------------------------------------------------------------------------

# Outside the EU/EEA, yet able to run each example's confidential workloads.
OUTSIDE_EU = {"aws": "us-east-2", "gcp": "us-central1", "azure": "eastus2"}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_gdpr_outside_eu_rejected(cloud: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    assert "gdpr" in raw["compliance"]
    raw["region"] = OUTSIDE_EU[cloud]
    issues = spec.issues(raw)
    assert _fields(issues) == ["region"]
    assert "GDPR" in issues[0].message
    assert GDPR in issues[0].message
    assert f"resource: {raw['name']}" in issues[0].message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_gdpr_outside_eu_with_exemption_for_environment_accepted(cloud: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw["region"] = OUTSIDE_EU[cloud]
    raw["exemptions"] = [spec.exemption(GDPR, raw["name"])]
    assert spec.valid(raw).region == OUTSIDE_EU[cloud]


def test_gdpr_exemption_for_another_resource_does_not_cover(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "us-east-2"
    raw["exemptions"] = [spec.exemption(GDPR, "someone-else")]
    issues = spec.issues(raw)
    assert "region" in _fields(issues)
    assert "exemptions[0].resource" in _fields(issues)


def test_gdpr_expired_exemption_does_not_cover(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "us-east-2"
    raw["exemptions"] = [spec.exemption(GDPR, raw["name"], spec.iso(-1))]
    assert _fields(spec.issues(raw)) == ["region"]


def test_non_eu_region_accepted_without_gdpr(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["compliance"] = ["hipaa"]
    raw["region"] = "us-east-2"
    spec.valid(raw)


# --- accounts and regions -----------------------------------------------------------------------

ACCOUNTS = {
    "aws": (["123456789012", "000000000001"], ["12345678901", "1234567890123", "12345678901a", "ml-prod"]),
    "gcp": (["ml-prod-eu-4711", "abcdef"], ["123456789012", "Ml-prod-eu", "ml-prod-", "abc", "a" * 31]),
    "azure": (
        ["00000000-0000-4000-8000-000000000000", "0a1b2c3d-4e5f-6789-abcd-ef0123456789"],
        ["123456789012", "00000000-0000-4000-8000-00000000000A", "00000000000040008000000000000000"],
    ),
}


@pytest.mark.parametrize(
    ("cloud", "account"), [(c, a) for c, (good, _) in ACCOUNTS.items() for a in good]
)
def test_account_format_accepted(cloud: str, account: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw["account"] = account
    assert spec.valid(raw).account == account


@pytest.mark.parametrize(
    ("cloud", "account"), [(c, a) for c, (_, bad) in ACCOUNTS.items() for a in bad]
)
def test_account_format_rejected(cloud: str, account: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw["account"] = account
    issues = spec.issues(raw)
    assert _fields(issues) == ["account"]
    assert f"not valid for {cloud}" in issues[0].message


@pytest.mark.parametrize(
    ("cloud", "typo", "meant"),
    [("aws", "eu-central-l", "eu-central-1"), ("gcp", "europe-wst4", "europe-west4"),
     ("azure", "westeurop", "westeurope")],
)
def test_unknown_region_gives_did_you_mean(cloud: str, typo: str, meant: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw["region"] = typo
    issues = spec.issues(raw)
    assert _fields(issues) == ["region"]
    assert "did you mean" in issues[0].message
    assert meant in issues[0].message.split("did you mean", 1)[1]


def test_region_of_another_cloud_rejected(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "westeurope"
    assert "region" in _fields(spec.issues(raw))


# --- workloads ----------------------------------------------------------------------------------


def test_duplicate_workload_names_rejected(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][1]["name"] = raw["workloads"][0]["name"]
    issues = spec.issues(raw)
    issue = spec.issue_at(issues, "workloads")
    assert "unique" in issue.message
    assert "trainer" in issue.message


def test_every_cross_field_problem_reported_at_once(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "us-east-2"  # GDPR outside the EU
    raw["keys"]["rotation_days"] = 180  # HIPAA
    raw["logging"]["retention_days"] = 400  # HIPAA
    raw["workloads"][1]["confidential"] = "tdx"  # not on AWS
    raw["account"] = "42"
    fields = set(_fields(spec.issues(raw)))
    assert fields == {
        "region", "keys.rotation_days", "logging.retention_days", "workloads[1].confidential", "account",
    }


def test_cross_field_rules_still_run_when_another_field_is_broken(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["network"]["zones"] = "three"  # field-level error elsewhere
    raw["workloads"][0]["confidential"] = "tdx"  # cross-field error
    fields = set(_fields(spec.issues(raw)))
    assert fields == {"network.zones", "workloads[0].confidential"}
