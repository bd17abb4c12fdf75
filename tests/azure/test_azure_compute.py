"""Confidential compute: ConfidentialVM with secure boot and vTPM, OS disk sealed with the VM
guest state by the confidential disk encryption set, encryption at host, SSH keys only."""

from __future__ import annotations

import pytest
from azure_helpers import DES, DIAGNOSTIC, IDENTITY, NIC, VM, arm_id, diagnostics_of

from hardstack.components.azure.compute import ConfidentialWorkloadArgs, check_size
from hardstack.render import Graph
from hardstack.spec import Environment


def vms(graph: Graph) -> list:
    found = graph.of_type(VM)
    assert found
    return found


def test_one_vm_per_requested_count_with_the_spec_size(azure_graph: Graph, gpu_graph: Graph,
                                                        azure_spec: Environment, gpu_spec: Environment) -> None:
    for graph, spec in ((azure_graph, azure_spec), (gpu_graph, gpu_spec)):
        sizes = sorted(v.inputs["hardwareProfile"]["vmSize"] for v in vms(graph))
        assert sizes == sorted(w.machine_type for w in spec.workloads for _ in range(w.count))


def test_confidential_vm_with_secure_boot_and_vtpm(azure_graph: Graph, gpu_graph: Graph) -> None:
    for vm in vms(azure_graph) + vms(gpu_graph):
        profile = vm.inputs["securityProfile"]
        assert profile["securityType"] == "ConfidentialVM", vm.name
        assert profile["uefiSettings"] == {"secureBootEnabled": True, "vTpmEnabled": True}, vm.name


def test_encryption_at_host(azure_graph: Graph, gpu_graph: Graph) -> None:
    for vm in vms(azure_graph) + vms(gpu_graph):
        assert vm.inputs["securityProfile"]["encryptionAtHost"] is True, vm.name


def test_os_disk_sealed_with_guest_state_by_the_confidential_set(azure_graph: Graph, gpu_graph: Graph) -> None:
    for graph in (azure_graph, gpu_graph):
        (des,) = graph.of_type(DES)
        assert des.inputs["encryptionType"] == "ConfidentialVmEncryptedWithCustomerKey"
        for vm in vms(graph):
            disk = vm.inputs["storageProfile"]["osDisk"]["managedDisk"]
            assert disk["securityProfile"] == {
                "securityEncryptionType": "DiskWithVMGuestState",
                "diskEncryptionSet": {"id": arm_id(graph, des)},
            }, vm.name


def test_ssh_keys_only(azure_graph: Graph, azure_spec: Environment) -> None:
    for vm in vms(azure_graph):
        os_profile = vm.inputs["osProfile"]
        linux = os_profile["linuxConfiguration"]
        assert linux["disablePasswordAuthentication"] is True
        assert "adminPassword" not in os_profile
        (key,) = linux["ssh"]["publicKeys"]
        assert key["keyData"] == azure_spec.workloads[0].ssh_public_key
        assert key["path"] == f"/home/{os_profile['adminUsername']}/.ssh/authorized_keys"


def test_no_vm_extensions_on_confidential_vms(azure_graph: Graph, gpu_graph: Graph) -> None:
    # An extension is root code pushed into the TEE by the control plane.
    for vm in vms(azure_graph) + vms(gpu_graph):
        assert vm.inputs["osProfile"]["allowExtensionOperations"] is False, vm.name
        assert vm.inputs["osProfile"]["linuxConfiguration"]["patchSettings"]["patchMode"] == "ImageDefault"


def test_confidential_vm_image(azure_graph: Graph, gpu_graph: Graph) -> None:
    for vm in vms(azure_graph) + vms(gpu_graph):
        image = vm.inputs["storageProfile"]["imageReference"]
        assert (image["publisher"], image["offer"], image["sku"]) == ("Canonical", "ubuntu-24_04-lts", "cvm")


def test_vms_run_as_their_workload_identity_behind_private_nics(azure_graph: Graph) -> None:
    identities = {arm_id(azure_graph, i): i for i in azure_graph.of_type(IDENTITY)}
    nics = {arm_id(azure_graph, n) for n in azure_graph.of_type(NIC)}
    for vm in vms(azure_graph):
        (identity_id,) = vm.inputs["identity"]["userAssignedIdentities"]
        assert identities[identity_id].inputs["resourceName"] == "id-azure-prod-eu-inference"
        (nic,) = vm.inputs["networkProfile"]["networkInterfaces"]
        assert nic["id"] in nics


def test_vm_metrics_go_to_the_workspace(azure_graph: Graph) -> None:
    for vm in vms(azure_graph):
        (setting,) = diagnostics_of(azure_graph, arm_id(azure_graph, vm))
        assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert len(azure_graph.of_type(DIAGNOSTIC)) >= 8


def test_gpu_stack_runs_the_confidential_h100_size_with_sev_snp(gpu_graph: Graph) -> None:
    (gpu_vm,) = [v for v in vms(gpu_graph) if v.inputs["hardwareProfile"]["vmSize"] == "Standard_NCC40ads_H100_v5"]
    assert gpu_vm.inputs["tags"]["confidential"] == "sev-snp"
    assert gpu_vm.inputs["storageProfile"]["osDisk"]["diskSizeGB"] == 512
    assert "zones" not in gpu_vm.inputs


def test_cpu_vms_spread_over_the_spec_zones(gpu_graph: Graph, gpu_spec: Environment) -> None:
    serving = [v for v in vms(gpu_graph) if v.inputs["hardwareProfile"]["vmSize"] == "Standard_DC8as_v5"]
    assert [v.inputs["zones"] for v in serving] == [["1"], ["2"]]


@pytest.mark.parametrize("size, kind, gpu, fitting", [
    ("Standard_DC4as_v5", "tdx", False, "Standard_DC4es_v5, Standard_DC4eds_v5, Standard_EC8es_v5"),
    ("Standard_NCC40ads_H100_v5", "tdx", True, "Standard_NCC40ads_H100_v5 (sev-snp)"),
    ("Standard_D4s_v5", "sev-snp", False, "Standard_DC4as_v5, Standard_DC4ads_v5"),
    ("Standard_NC24ads_A100_v4", "sev-snp", True, "Standard_NCC40ads_H100_v5"),
])
def test_component_rejects_sizes_that_cannot_run_the_kind(size: str, kind: str, gpu: bool, fitting: str) -> None:
    with pytest.raises(ValueError) as err:
        check_size(size, kind, gpu)  # type: ignore[arg-type]
    assert fitting in str(err.value)


def test_component_refuses_a_missing_ssh_key() -> None:
    with pytest.raises(ValueError, match="password login is always off"):
        ConfidentialWorkloadArgs(
            resource_group_name="rg", location="westeurope", vm_size="Standard_DC4es_v5", kind="tdx",
            subnet_id="s", identity_id="i", disk_encryption_set_id="d", workspace_id="w", ssh_public_key="hunter2",
        )
