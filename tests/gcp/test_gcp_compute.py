"""Confidential compute: TDX (SEV-SNP on n2d), TERMINATE on maintenance, TDX-capable image,
Shielded VM, no external IP, OS Login, CMEK boot and data disks, a dedicated service account;
and the confidential GPU stack on a3-highgpu-1g."""

from __future__ import annotations

import datetime as dt

import pytest

from hardstack.components.gcp.compute import TDX_CAPABLE_IMAGES, ConfidentialWorkloadArgs
from hardstack.render import Graph
from hardstack.spec import Environment

DISK = "gcp:compute/disk:Disk"


def test_one_instance_per_requested_count_spread_over_zones(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    instances = gcp_graph.of_type(q.INSTANCE)
    assert sorted(i.inputs["machineType"] for i in instances) == sorted(
        w.machine_type for w in gcp_spec.workloads for _ in range(w.count))
    trainer = [i for i in instances if i.inputs["labels"]["workload"] == "trainer"]
    assert len({i.inputs["zone"] for i in trainer}) == 2
    assert all(i.inputs["zone"].startswith(f"{gcp_spec.region}-") for i in instances)


def test_intel_tdx_on_every_instance(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["confidentialInstanceConfig"] == {"confidentialInstanceType": "TDX"}, instance.name


def test_terminate_on_host_maintenance(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["scheduling"]["onHostMaintenance"] == "TERMINATE", instance.name


def test_tdx_capable_image(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["bootDisk"]["initializeParams"]["image"] in TDX_CAPABLE_IMAGES


def test_shielded_vm_secure_boot_vtpm_integrity(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["shieldedInstanceConfig"] == {
            "enableSecureBoot": True, "enableVtpm": True, "enableIntegrityMonitoring": True,
        }, instance.name


def test_no_external_ip(gcp_graph: Graph, q) -> None:
    (subnet,) = gcp_graph.of_type("gcp:compute/subnetwork:Subnetwork")
    for instance in gcp_graph.of_type(q.INSTANCE):
        (nic,) = instance.inputs["networkInterfaces"]
        assert "accessConfigs" not in nic and "ipv6AccessConfigs" not in nic, instance.name
        assert subnet.urn in instance.propertyDependencies["networkInterfaces"]
        assert instance.inputs["canIpForward"] is False


def test_os_login_and_no_project_ssh_keys(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        metadata = instance.inputs["metadata"]
        assert metadata["enable-oslogin"] == "TRUE", instance.name
        assert metadata["block-project-ssh-keys"] == "TRUE", instance.name
        assert metadata["serial-port-enable"] == "FALSE", instance.name


def test_boot_and_data_disks_encrypted_with_the_disks_key(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    disks_key = q.key_id(gcp_graph, "disks")
    disks = {d.inputs["name"]: d for d in gcp_graph.of_type(DISK)}
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["bootDisk"]["kmsKeySelfLink"] == disks_key, instance.name
        (attached,) = instance.inputs["attachedDisks"]
        data = disks[attached["source"].rsplit("/", 1)[1]]
        assert data.inputs["diskEncryptionKey"] == {"kmsKeySelfLink": disks_key}
        assert data.inputs["zone"] == instance.inputs["zone"]
    workload = {w.name: w for w in gcp_spec.workloads}
    assert all(d.inputs["size"] == workload[d.inputs["labels"]["workload"]].disk_gb for d in disks.values())


def test_each_workload_runs_as_its_own_service_account(gcp_graph: Graph, gcp_spec: Environment, q) -> None:
    accounts = {a.inputs["accountId"]
                for a in q.outside_containment(gcp_graph.of_type("gcp:serviceaccount/account:Account"))}
    assert len(accounts) == len(gcp_spec.workloads)
    used = q.workload_accounts(gcp_graph)
    assert len(set(used.values())) == len(gcp_spec.workloads)
    for instance in gcp_graph.of_type(q.INSTANCE):
        sa = instance.inputs["serviceAccount"]
        assert sa["email"].split("@")[0] in accounts
        assert not sa["email"].endswith("-compute@developer.gserviceaccount.com")
        assert sa["scopes"] == ["https://www.googleapis.com/auth/cloud-platform"]


def test_peers_of_a_multi_instance_workload_may_talk(gcp_graph: Graph, q) -> None:
    trainer = q.workload_accounts(gcp_graph)["trainer"]
    rules = [f for f in gcp_graph.of_type(q.FIREWALL) if f.inputs.get("targetServiceAccounts") == [trainer]]
    assert {f.inputs["direction"] for f in rules} == {"INGRESS", "EGRESS"}
    inference = q.workload_accounts(gcp_graph)["inference"]  # count 1: no peers, no rule
    assert not [f for f in gcp_graph.of_type(q.FIREWALL) if f.inputs.get("targetServiceAccounts") == [inference]]


def test_sev_snp_on_n2d_with_amd_milan(gcp_variant, gcp_spec: Environment, q) -> None:
    workloads = [{"name": "snp", "machine_type": "n2d-standard-8", "confidential": "sev-snp"}]
    graph = gcp_variant(workloads=workloads)
    (instance,) = graph.of_type(q.INSTANCE)
    assert instance.inputs["confidentialInstanceConfig"] == {"confidentialInstanceType": "SEV_SNP"}
    assert instance.inputs["minCpuPlatform"] == "AMD Milan"
    assert instance.inputs["scheduling"]["onHostMaintenance"] == "TERMINATE"


def test_unconfidential_only_with_an_exemption_and_then_policy_relaxed(gcp_variant, q) -> None:
    workloads = [{"name": "legacy", "machine_type": "n2-standard-8", "confidential": "none"}]
    with pytest.raises(Exception, match="exemption"):
        gcp_variant(workloads=workloads)
    exemption = {
        "rule": "confidential-computing", "resource": "legacy",
        "reason": "Vendor image without TDX support until its 2027 release",
        "approved_by": "security-board@example.com",
        "expires": dt.date.today() + dt.timedelta(days=60),
    }
    graph = gcp_variant(workloads=workloads, exemptions=[exemption])
    (instance,) = graph.of_type(q.INSTANCE)
    assert "confidentialInstanceConfig" not in instance.inputs
    assert instance.inputs["shieldedInstanceConfig"]["enableSecureBoot"] is True
    policies = {p.inputs["name"].rsplit("/", 1)[1] for p in graph.of_type("gcp:orgpolicy/policy:Policy")}
    assert "compute.restrictNonConfidentialComputing" not in policies


@pytest.mark.parametrize(("machine", "kind"), [("n2-standard-8", "tdx"), ("c3-standard-8", "sev-snp"),
                                               ("n2d-standard-8", "tdx")])
def test_component_rejects_a_machine_type_that_cannot_run_the_kind(machine: str, kind: str) -> None:
    with pytest.raises(ValueError, match="types that can") as err:
        ConfidentialWorkloadArgs(
            project="p-123456", machine_type=machine, count=1, zones=["europe-west4-a"], network="n",
            subnetwork="s", subnet_cidr="10.0.0.0/18", service_account_email="sa", disk_key_id="k",
            confidential=kind,  # type: ignore[arg-type]
        )
    expected = "c3-standard-8, a3-highgpu-1g" if kind == "tdx" else "n2d-standard-8"
    assert expected in str(err.value)


# --- the confidential GPU stack -----------------------------------------------------------------


def test_gpu_stack_runs_a3_highgpu_1g_under_tdx(gpu_graph: Graph, gpu_spec: Environment, q) -> None:
    (workload,) = gpu_spec.workloads
    assert workload.gpu is not None and (workload.gpu.kind, workload.gpu.count) == ("h100", 1)
    (instance,) = gpu_graph.of_type(q.INSTANCE)
    assert instance.inputs["machineType"] == "a3-highgpu-1g"
    assert instance.inputs["confidentialInstanceConfig"] == {"confidentialInstanceType": "TDX"}
    # A3 machine types carry their H100; a separate accelerator would be a second, unprotected GPU.
    assert "guestAccelerators" not in instance.inputs


def test_gpu_instance_keeps_every_hardening(gpu_graph: Graph, q) -> None:
    (instance,) = gpu_graph.of_type(q.INSTANCE)
    inputs = instance.inputs
    assert inputs["scheduling"]["onHostMaintenance"] == "TERMINATE"
    assert inputs["bootDisk"]["initializeParams"]["image"] in TDX_CAPABLE_IMAGES
    assert all(inputs["shieldedInstanceConfig"].values())
    assert "accessConfigs" not in inputs["networkInterfaces"][0]
    assert inputs["metadata"]["enable-oslogin"] == "TRUE"
    assert inputs["bootDisk"]["kmsKeySelfLink"] == q.key_id(gpu_graph, "disks")
    (disk,) = gpu_graph.of_type(DISK)
    assert disk.inputs["size"] == 500 and disk.inputs["diskEncryptionKey"]["kmsKeySelfLink"] == q.key_id(
        gpu_graph, "disks")


def test_disks_wait_for_the_compute_agent_to_hold_the_key(gcp_graph: Graph, q) -> None:
    binding = q.key_binding(gcp_graph, "disks")
    assert q.agent(gcp_graph, "compute-system") in binding.inputs["members"]
    for resource in gcp_graph.of_type(DISK) + gcp_graph.of_type(q.INSTANCE):
        assert binding.urn in resource.dependencies, resource.name


# --- placement and provisioning, from the catalog ---------------------------------------------


def test_instances_placed_only_in_zones_that_run_their_type_confidentially(gcp_graph: Graph, q) -> None:
    from hardstack.spec import catalog

    for instance in gcp_graph.of_type(q.INSTANCE):
        family = catalog.family_of("gcp", instance.inputs["machineType"])
        assert family is not None and instance.inputs["zone"] in family.zones, instance.name


def test_gpu_stack_runs_in_the_one_zone_with_confidential_h100s_on_spot(gpu_graph: Graph, q) -> None:
    (instance,) = gpu_graph.of_type(q.INSTANCE)
    assert instance.inputs["zone"] == "europe-west4-c"
    assert instance.inputs["scheduling"] == {
        "onHostMaintenance": "TERMINATE", "provisioningModel": "SPOT", "preemptible": True,
        "automaticRestart": False, "instanceTerminationAction": "STOP",
    }
    # Confidential VMs with Intel TDX support no reservations: never try to consume one.
    assert instance.inputs["reservationAffinity"] == {"type": "NO_RESERVATION"}
    (disk,) = gpu_graph.of_type(DISK)
    assert disk.inputs["zone"] == "europe-west4-c"


def test_a3_without_zones_in_the_spec_takes_the_catalog_zone(gcp_variant, q) -> None:
    workloads = [{"name": "gpu", "machine_type": "a3-highgpu-1g", "confidential": "tdx",
                  "gpu": {"kind": "h100", "count": 1}, "provisioning": "spot", "count": 2}]
    graph = gcp_variant(workloads=workloads)
    assert {i.inputs["zone"] for i in graph.of_type(q.INSTANCE)} == {"europe-west4-c"}


def test_flex_start_is_deleted_after_its_run_time_and_reserves_nothing(gcp_variant, q) -> None:
    workloads = [{"name": "gpu", "machine_type": "a3-highgpu-1g", "confidential": "tdx",
                  "gpu": {"kind": "h100", "count": 1}, "provisioning": "flex-start", "max_run_hours": 48}]
    (instance,) = gcp_variant(workloads=workloads).of_type(q.INSTANCE)
    assert instance.inputs["scheduling"] == {
        "onHostMaintenance": "TERMINATE", "provisioningModel": "FLEX_START", "preemptible": False,
        "automaticRestart": False, "instanceTerminationAction": "DELETE", "maxRunDuration": {"seconds": 172800},
    }
    assert instance.inputs["reservationAffinity"] == {"type": "NO_RESERVATION"}


def test_standard_instances_restart_automatically_after_maintenance(gcp_graph: Graph, q) -> None:
    for instance in gcp_graph.of_type(q.INSTANCE):
        assert instance.inputs["scheduling"] == {
            "onHostMaintenance": "TERMINATE", "provisioningModel": "STANDARD", "automaticRestart": True,
        }, instance.name


def _gpu_args(**changes: object) -> ConfidentialWorkloadArgs:
    base: dict[str, object] = dict(
        project="p-123456", machine_type="a3-highgpu-1g", count=1, zones=["europe-west4-c"], network="n",
        subnetwork="s", subnet_cidr="10.0.0.0/18", service_account_email="sa", disk_key_id="k",
        confidential="tdx", provisioning="SPOT",
    )
    return ConfidentialWorkloadArgs(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "message"), [
    ({"zones": ["europe-west4-a"]}, "europe-west4-a cannot run confidential a3-highgpu-1g"),
    ({"provisioning": "STANDARD"}, "spot or flex-start"),
    ({"provisioning": "FLEX_START"}, "max_run_hours is required"),
    ({"max_run_hours": 5}, "max_run_hours is required"),
])
def test_component_refuses_what_compute_engine_would(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _gpu_args(**changes)
    assert _gpu_args().provisioning == "SPOT"
