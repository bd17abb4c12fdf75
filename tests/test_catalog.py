"""The confidential-computing catalog: each fact pinned to its source, and specs that ask for a
region, zone, size or provisioning model the cloud does not offer refused with the alternatives."""

from __future__ import annotations

import pytest

from hardstack.spec import catalog

SNP_REGIONS = {"eu-west-1", "us-east-2"}


def family(cloud: str, machine: str) -> catalog.MachineFamily:
    found = catalog.family_of(cloud, machine)
    assert found is not None, machine
    return found


# --- the facts, as their sources state them -----------------------------------------------


def test_every_family_names_its_source_and_its_example_is_one_of_its_sizes() -> None:
    for f in catalog.FAMILIES:
        assert f.source.startswith("https://"), f
        assert f.example in f.sizes, f
        assert len(set(f.sizes)) == len(f.sizes), f


def test_no_machine_type_belongs_to_two_families() -> None:
    seen: dict[tuple[str, str], catalog.MachineFamily] = {}
    for f in catalog.FAMILIES:
        for size in f.sizes:
            assert (f.cloud, size) not in seen, size
            seen[(f.cloud, size)] = f


def test_places_are_regions_and_zones_hardstack_knows() -> None:
    for f in catalog.FAMILIES:
        regions = f.offered_regions()
        if regions is not None:
            assert regions <= catalog.KNOWN_REGIONS[f.cloud], (f.example, regions - catalog.KNOWN_REGIONS[f.cloud])


def test_aws_sev_snp_sizes_and_regions_as_documented() -> None:
    # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sev-snp.html, snp-work-launch.html
    m6a = ("m6a.large", "m6a.xlarge", "m6a.2xlarge", "m6a.4xlarge", "m6a.8xlarge")
    assert family("aws", "m6a.large").sizes == m6a
    assert family("aws", "c6a.large").sizes[-1] == "c6a.16xlarge"
    assert family("aws", "r6a.large").sizes == ("r6a.large", "r6a.xlarge", "r6a.2xlarge", "r6a.4xlarge")
    for f in catalog.families("aws"):
        assert f.offered_regions() == SNP_REGIONS
        assert f.provisioning == ("standard",)
    for too_big in ("m6a.12xlarge", "c6a.24xlarge", "r6a.8xlarge", "r6a.24xlarge"):
        assert catalog.family_of("aws", too_big) is None, too_big


def test_gcp_confidential_gpu_zones_and_provisioning_as_documented() -> None:
    a3 = family("gcp", "a3-highgpu-1g")
    assert a3.zones == ("europe-west4-c", "us-central1-a", "us-east5-a")
    assert a3.provisioning == ("spot", "flex-start")
    assert (a3.kind, a3.gpu, a3.gpu_count) == ("tdx", "h100", 1)
    assert a3.zones_in("europe-west4") == ["europe-west4-c"]


def test_gcp_tdx_and_sev_snp_zones_as_documented() -> None:
    c3 = family("gcp", "c3-standard-8")
    assert c3.zones_in("europe-west4") == ["europe-west4-a", "europe-west4-b", "europe-west4-c"]
    assert c3.zones_in("europe-west1") == [] and c3.zones_in("europe-west3") == []
    assert catalog.family_of("gcp", "c3-standard-8-lssd") is None  # local SSD sizes run no TDX
    n2d = family("gcp", "n2d-standard-8")
    assert n2d.kind == "sev-snp"
    assert n2d.zones_in("europe-west3") == ["europe-west3-a", "europe-west3-b", "europe-west3-c"]
    assert n2d.zones_in("europe-west9") == []


def test_azure_tdx_v6_and_v5_regions_and_sizes() -> None:
    assert family("azure", "Standard_DC4es_v6").offered_regions() == {"westeurope", "eastus", "westus", "westus3"}
    assert family("azure", "Standard_DC4es_v5").offered_regions() == {"westeurope", "centralus", "eastus2"}
    assert family("azure", "Standard_EC64es_v6").kind == "tdx"
    assert catalog.family_of("azure", "Standard_EC128es_v6") is None  # ECesv6 tops out at 64
    h100 = family("azure", "Standard_NCC40ads_H100_v5")
    assert h100.offered_regions() == {"eastus2", "westeurope"}
    # Microsoft publishes no region list for the AMD sizes: only a deployment can tell.
    assert family("azure", "Standard_DC4as_v5").offered_regions() is None


def test_guardduty_agent_artifact_accounts_cover_the_sev_snp_regions() -> None:
    assert set(catalog.GUARDDUTY_AGENT_ACCOUNTS) >= SNP_REGIONS
    assert catalog.GUARDDUTY_AGENT_ACCOUNTS["eu-west-1"] == "694911143906"


# --- what validation makes of them --------------------------------------------------------


def test_sev_snp_in_eu_central_1_refused_naming_the_regions_that_have_it(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "eu-central-1"
    issues = [i for i in spec.issues(raw) if "cannot run" in i.message]
    assert issues and all(i.field == "region" for i in issues)
    assert "eu-west-1, us-east-2" in issues[0].message and "shared tenancy" in issues[0].message
    assert "sev-snp.html" in issues[0].message or "snp-work-launch" in issues[0].message


@pytest.mark.parametrize("machine", ["m6a.12xlarge", "r6a.8xlarge"])
def test_sev_snp_size_beyond_the_documented_ones_refused(machine: str, example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["workloads"][0]["machine_type"] = machine
    issue = spec.issue_at(spec.issues(raw), "workloads[0].machine_type")
    assert f"'{machine}' cannot run sev-snp" in issue.message


def test_tdx_c3_in_a_region_without_tdx_zones_refused_with_the_zones(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["region"] = "europe-west1"
    issues = [i for i in spec.issues(raw) if i.field == "region" and "cannot run" in i.message]
    assert issues, spec.issues(raw)
    assert "europe-west4-a" in issues[0].message and "europe-west9-a" in issues[0].message


def _a3(raw: dict, **extra: object) -> dict:
    raw["workloads"] = [{"name": "gpu", "machine_type": "a3-highgpu-1g", "confidential": "tdx",
                         "gpu": {"kind": "h100", "count": 1}, **extra}]
    return raw


def test_a3_confidential_in_a_zone_without_it_refused_naming_the_zone_that_has_it(example_spec, spec) -> None:
    raw = _a3(example_spec("gcp"), provisioning="spot", zones=["europe-west4-a"])
    issue = spec.issue_at(spec.issues(raw), "workloads[0].zones[0]")
    assert "europe-west4-a cannot run confidential a3-highgpu-1g" in issue.message
    assert "europe-west4-c" in issue.message


def test_a3_confidential_in_a_region_without_it_refused(example_spec, spec) -> None:
    raw = _a3(example_spec("gcp"), provisioning="spot")
    raw["region"] = "europe-west9"
    issues = [i for i in spec.issues(raw) if i.field == "region"]
    assert any("europe-west4-c, us-central1-a, us-east5-a" in i.message for i in issues), issues


@pytest.mark.parametrize("model", [None, "standard"])
def test_a3_confidential_on_standard_provisioning_refused(model: str | None, example_spec, spec) -> None:
    raw = _a3(example_spec("gcp"), **({"provisioning": model} if model else {}))
    issue = spec.issue_at(spec.issues(raw), "workloads[0].provisioning")
    assert "spot or flex-start" in issue.message and "not standard" in issue.message


def test_a3_confidential_on_spot_in_its_zone_accepted(example_spec, spec) -> None:
    env = spec.valid(_a3(example_spec("gcp"), provisioning="spot", zones=["europe-west4-c"]))
    assert env.workloads[0].provisioning == "spot"


def test_flex_start_needs_max_run_hours_and_only_it_takes_them(example_spec, spec) -> None:
    raw = _a3(example_spec("gcp"), provisioning="flex-start")
    assert "max_run_hours" in spec.issue_at(spec.issues(raw), "workloads[0].max_run_hours").message
    raw["workloads"][0]["max_run_hours"] = 24
    assert spec.valid(raw).workloads[0].max_run_hours == 24
    raw["workloads"][0]["provisioning"] = "spot"
    assert "flex-start" in spec.issue_at(spec.issues(raw), "workloads[0].max_run_hours").message


def test_zone_outside_the_region_refused(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0]["zones"] = ["us-central1-a"]
    issue = spec.issue_at(spec.issues(raw), "workloads[0].zones[0]")
    assert "not a zone of region europe-west4" in issue.message


@pytest.mark.parametrize("cloud", ["aws", "azure"])
def test_zones_and_spot_are_gcp_settings(cloud: str, example_spec, spec) -> None:
    raw = example_spec(cloud)
    raw["workloads"][0].update(zones=["europe-west4-c"], provisioning="spot")
    fields = {i.field for i in spec.issues(raw)}
    assert {"workloads[0].zones", "workloads[0].provisioning"} <= fields


def test_n2d_sev_snp_only_where_listed(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"] = [{"name": "snp", "machine_type": "n2d-standard-8", "confidential": "sev-snp"}]
    raw["region"] = "europe-west3"
    spec.valid(raw)
    raw["region"] = "europe-west9"
    assert any(i.field == "region" and "europe-west3-a" in i.message for i in spec.issues(raw))


def test_azure_tdx_v5_outside_its_regions_refused_and_v6_accepted_in_westeurope(example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["region"] = "northeurope"
    issues = [i for i in spec.issues(raw) if i.field == "region" and "cannot run" in i.message]
    assert issues and "centralus, eastus2, westeurope" in issues[0].message
    raw = example_spec("azure")
    raw["workloads"][0]["machine_type"] = "Standard_DC4es_v6"
    assert spec.valid(raw).workloads[0].machine_type == "Standard_DC4es_v6"


def test_guardduty_agent_region_required_for_aws_workloads(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "eu-central-1"
    raw["workloads"] = [{"name": "gpu", "machine_type": "p5.48xlarge", "confidential": "none",
                         "gpu": {"kind": "h100", "count": 8}}]
    raw["exemptions"] = [spec.exemption("confidential-computing", "gpu")]
    issues = [i for i in spec.issues(raw) if "GuardDuty" in i.message]
    assert issues and issues[0].field == "region" and "eu-west-1" in issues[0].message
    raw["monitoring"]["threat_detection"] = False  # no agent to install: no region constraint
    assert spec.valid(raw).region == "eu-central-1"
