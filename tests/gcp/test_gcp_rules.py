"""Validation of GCP specs: what the cloud cannot run is rejected before anything renders, and
every message names what would work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardstack.spec import SpecError, SpecIssue, validate

FILE = Path("stacks/Pulumi.gcp-under-test.yaml")


def issues(raw: dict[str, Any]) -> list[SpecIssue]:
    with pytest.raises(SpecError) as err:
        validate(raw, FILE)
    return err.value.issues


@pytest.mark.parametrize("machine", ["n2-standard-8", "e2-standard-4", "n2d-standard-8", "c2-standard-8"])
def test_tdx_on_an_unsupported_machine_type_names_the_types_that_can(machine: str, raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    raw["workloads"][0]["machine_type"] = machine
    (issue,) = issues(raw)
    assert issue.field == "workloads[0].machine_type"
    assert f"'{machine}' cannot run tdx on gcp" in issue.message
    assert "c3-standard-8" in issue.message and "a3-highgpu-1g" in issue.message


@pytest.mark.parametrize("gpu", ["a100", "l4", "t4"])
def test_tdx_with_a_gpu_other_than_the_confidential_h100_is_rejected(gpu: str, raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    raw["workloads"][0].update(machine_type="a3-highgpu-1g", count=1, gpu={"kind": gpu, "count": 1},
                               provisioning="spot")  # confidential a3 runs on spot or flex-start only
    (issue,) = issues(raw)
    assert issue.field == "workloads[0].gpu"
    assert f"1 x {gpu} is not offered confidentially" in issue.message
    assert "a3-highgpu-1g carries 1 x h100" in issue.message


def test_tdx_gpu_on_a_non_confidential_gpu_type_names_the_confidential_one(raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    raw["workloads"][0].update(machine_type="a2-highgpu-1g", gpu={"kind": "a100", "count": 1})
    (issue,) = issues(raw)
    assert issue.field == "workloads[0].machine_type"
    assert "not a confidential GPU type" in issue.message and "a3-highgpu-1g" in issue.message


def test_tdx_a3_with_more_than_one_h100_is_rejected(raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    raw["workloads"][0].update(machine_type="a3-highgpu-1g", gpu={"kind": "h100", "count": 2},
                               provisioning="spot")
    (issue,) = issues(raw)
    assert "2 x h100 is not offered confidentially" in issue.message


@pytest.mark.parametrize("days", [91, 180, 365])
def test_hipaa_with_rotation_over_90_days_is_rejected(days: int, raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    assert "hipaa" in raw["compliance"]
    raw["keys"]["rotation_days"] = days
    (issue,) = issues(raw)
    assert issue.field == "keys.rotation_days"
    assert "HIPAA" in issue.message and "90" in issue.message and str(days) in issue.message


def test_rotation_over_90_days_is_fine_without_hipaa(raw_gcp_spec, gcp_variant, q) -> None:
    raw = raw_gcp_spec()
    raw["compliance"] = ["gdpr"]
    raw["keys"]["rotation_days"] = 365
    assert validate(raw, FILE).keys.rotation_days == 365
    graph = gcp_variant(compliance=["gdpr"], keys={"rotation_days": 365})
    assert q.key(graph, "data").inputs["rotationPeriod"] == f"{365 * 86400}s"


def test_sev_snp_on_c3_names_n2d(raw_gcp_spec) -> None:
    raw = raw_gcp_spec()
    raw["workloads"][0]["confidential"] = "sev-snp"
    (issue,) = issues(raw)
    assert "cannot run sev-snp on gcp" in issue.message and "n2d-standard-8" in issue.message


def test_both_example_stacks_are_valid() -> None:
    from hardstack.spec import load

    from_dir = Path(__file__).resolve().parents[2] / "stacks"
    for stack in ("gcp-prod-eu", "gcp-gpu-eu"):
        assert load(from_dir / f"Pulumi.{stack}.yaml").environment.cloud == "gcp"
