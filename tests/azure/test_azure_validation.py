"""The spec refuses confidential computing Azure cannot give, naming the sizes that fit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from azure_helpers import AZURE_STACK, GPU_STACK
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, SpecError, SpecIssue, validate

TDX_SIZES = "Standard_DC4es_v5, Standard_DC4eds_v5, Standard_EC8es_v5, Standard_EC8eds_v5"
SNP_SIZES = "Standard_DC4as_v5, Standard_DC4ads_v5, Standard_EC8as_v5, Standard_EC8ads_v5"
GPU_SIZE = "Standard_NCC40ads_H100_v5"


def spec_of(stack) -> dict[str, Any]:
    return copy.deepcopy(YAML(typ="safe").load(stack.read_text())["config"][CONFIG_KEY])


def issues_for(workload_changes: dict[str, Any], stack=AZURE_STACK) -> list[SpecIssue]:
    spec = spec_of(stack)
    spec["workloads"][0].update(workload_changes)
    for key in [k for k, v in workload_changes.items() if v is None]:
        del spec["workloads"][0][key]
    with pytest.raises(SpecError) as err:
        validate(spec, stack)
    return err.value.issues


def only_issue(issues: list[SpecIssue]) -> SpecIssue:
    assert len(issues) == 1, [(i.field, i.message) for i in issues]
    return issues[0]


def test_tdx_on_a_sev_snp_size_names_the_tdx_sizes() -> None:
    issue = only_issue(issues_for({"machine_type": "Standard_DC4as_v5", "confidential": "tdx"}))
    assert issue.field.endswith("machine_type")
    assert "cannot run tdx" in issue.message and TDX_SIZES in issue.message


def test_tdx_with_a_gpu_names_the_confidential_gpu_size() -> None:
    issue = only_issue(issues_for({"machine_type": GPU_SIZE, "confidential": "tdx",
                                   "gpu": {"kind": "h100", "count": 1}}))
    assert issue.field.endswith("confidential")
    assert "no tdx GPU size" in issue.message and f"{GPU_SIZE} (sev-snp, h100)" in issue.message


@pytest.mark.parametrize("kind, fitting", [("tdx", TDX_SIZES), ("sev-snp", SNP_SIZES)])
def test_a_size_that_is_not_confidential_names_the_sizes_that_are(kind: str, fitting: str) -> None:
    issue = only_issue(issues_for({"machine_type": "Standard_D4s_v5", "confidential": kind}))
    assert issue.field.endswith("machine_type")
    assert f"'Standard_D4s_v5' cannot run {kind} on azure" in issue.message and fitting in issue.message


def test_azure_defaults_to_tdx_so_an_snp_size_needs_the_kind_spelt_out() -> None:
    issue = only_issue(issues_for({"machine_type": "Standard_DC4as_v5", "confidential": None}))
    assert "cannot run tdx" in issue.message and TDX_SIZES in issue.message


def test_a_gpu_size_that_is_not_confidential_names_the_confidential_gpu_size() -> None:
    issue = only_issue(issues_for({"machine_type": "Standard_NC24ads_A100_v4", "confidential": "sev-snp",
                                   "gpu": {"kind": "a100", "count": 1}}))
    assert "not a confidential GPU type" in issue.message and GPU_SIZE in issue.message


def test_the_confidential_gpu_size_carries_one_h100() -> None:
    issue = only_issue(issues_for({"gpu": {"kind": "h100", "count": 2}}, stack=GPU_STACK))
    assert "1 x h100" in issue.message


def test_azure_workloads_need_an_ssh_key() -> None:
    issue = only_issue(issues_for({"ssh_public_key": None}))
    assert issue.field.endswith("ssh_public_key") and "password login is always off" in issue.message


def test_both_example_stacks_are_valid() -> None:
    for stack in (AZURE_STACK, GPU_STACK):
        env = validate(spec_of(stack), stack)
        assert env.cloud == "azure"


def test_confidential_azure_needs_the_tenant_block(azure_spec) -> None:
    from hardstack.spec import SpecError, validate

    data = azure_spec.model_dump(mode="json")
    data.pop("azure")
    with pytest.raises(SpecError) as err:
        validate(data, Path("Pulumi.azure-prod-eu.yaml"))
    (issue,) = err.value.issues
    assert issue.field == "azure" and "Confidential VM Orchestrator" in issue.message


def test_azure_rotation_below_seven_days_rejected(azure_spec) -> None:
    from hardstack.spec import SpecError, validate

    data = azure_spec.model_dump(mode="json")
    data["keys"]["rotation_days"] = 3
    with pytest.raises(SpecError, match="rotates at least 7 days"):
        validate(data, Path("Pulumi.azure-prod-eu.yaml"))


def test_confidential_azure_needs_an_attestation_region(azure_spec) -> None:
    from hardstack.spec import SpecError, validate

    data = azure_spec.model_dump(mode="json")
    data["region"] = "austriaeast"
    with pytest.raises(SpecError) as err:
        validate(data, Path("Pulumi.azure-prod-eu.yaml"))
    assert any(i.field == "region" and "no shared Azure Attestation provider" in i.message and "westeurope"
               in i.message for i in err.value.issues)


def test_confidential_disk_key_rotation_below_key_vaults_minimum_expiry_refused(example_spec, spec) -> None:
    raw = example_spec("azure")
    raw["keys"]["rotation_days"] = 14
    issue = spec.issue_at(spec.issues(raw), "keys.rotation_days")
    assert "28" in issue.message and "14" in issue.message
    raw["keys"]["rotation_days"] = 28
    assert spec.valid(raw).keys.rotation_days == 28
