"""The CycloneDX bill of materials: valid 1.6 by the library's own strict validator, every
machine, key and store of the inventory in it with the type and facts a reviewer looks for, the
verdict in its metadata, and the same bytes for the same inventory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.metadata
import json
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from hardstack.evidence.bom import bill_of_materials
from hardstack.evidence.model import Edge, Inventory, Node

P = "urn:pulumi:gcp-prod-eu::hardstack::"
VM = P + "gcp:compute/instance:Instance::training-0"
SUBNET = P + "gcp:compute/subnetwork:Subnetwork::private"
DATA_KEY = P + "gcp:kms/cryptoKey:CryptoKey::data"
LOGS_KEY = P + "gcp:kms/cryptoKey:CryptoKey::logs"
DATASETS = P + "gcp:storage/bucket:Bucket::datasets"
MODELS = P + "gcp:storage/bucket:Bucket::models"
AUDIT_LOG = P + "gcp:logging/projectBucketConfig:ProjectBucketConfig::audit"
TRAINER = P + "gcp:serviceaccount/account:Account::trainer"
READER = P + "gcp:serviceaccount/account:Account::reader"
SERIAL = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
WHEN = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)

EXPECTED_TYPES = {VM: "device", DATA_KEY: "cryptographic-asset", LOGS_KEY: "cryptographic-asset",
                  DATASETS: "data", MODELS: "data", AUDIT_LOG: "data"}


def _inventory() -> Inventory:
    """A GCP environment: one TDX machine with an H100, two keys (HSM and software), two
    buckets and a log bucket they encrypt, two service accounts."""
    nodes = [
        Node(SUBNET, "subnet", "private", "gcp:compute/subnetwork:Subnetwork", "private (10.0.0.0/24)"),
        Node(VM, "workload", "training-0", "gcp:compute/instance:Instance", "training-0 (a3-highgpu-1g, TDX)",
             {"tee": "TDX", "machine_type": "a3-highgpu-1g", "gpu": "nvidia-h100-80gb",
              "image": "ubuntu-2404-noble-amd64-confidential", "zone": "europe-west4-c"}, within=SUBNET),
        Node(DATA_KEY, "key", "data", "gcp:kms/cryptoKey:CryptoKey", "data (HSM, 90 days)",
             {"protection": "HSM", "rotation": "90 days"}),
        Node(LOGS_KEY, "key", "logs", "gcp:kms/cryptoKey:CryptoKey", "logs (software, 30 days)",
             {"protection": "SOFTWARE", "rotation": "30 days"}),
        Node(DATASETS, "store", "datasets", "gcp:storage/bucket:Bucket", "datasets",
             {"purpose": "datasets", "encryption": "CMEK (data)"}),
        Node(MODELS, "store", "models", "gcp:storage/bucket:Bucket", "models",
             {"purpose": "models", "encryption": "CMEK (data)"}),
        Node(AUDIT_LOG, "log", "audit", "gcp:logging/projectBucketConfig:ProjectBucketConfig", "audit logs",
             {"purpose": "logs", "encryption": "CMEK (logs)"}),
        Node(TRAINER, "identity", "trainer", "gcp:serviceaccount/account:Account", "trainer"),
        Node(READER, "identity", "reader", "gcp:serviceaccount/account:Account", "reader"),
    ]
    edges = [
        Edge(DATA_KEY, DATASETS, "encrypts"), Edge(DATA_KEY, MODELS, "encrypts"), Edge(DATA_KEY, VM, "encrypts"),
        Edge(LOGS_KEY, AUDIT_LOG, "encrypts"), Edge(VM, TRAINER, "runs_as"), Edge(VM, AUDIT_LOG, "logs_to"),
    ]
    return Inventory(stack="gcp-prod-eu", cloud="gcp", region="europe-west4", nodes=nodes, edges=edges)


def _bom(inventory: Inventory | None = None, **kwargs: Any) -> str:
    kwargs.setdefault("verdict", "pass")
    kwargs.setdefault("serial", SERIAL)
    kwargs.setdefault("timestamp", WHEN)
    return bill_of_materials(inventory or _inventory(), **kwargs)


def _components(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in doc["components"]}


def _props(entry: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in entry.get("properties", []):
        found.setdefault(p["name"], []).append(p["value"])
    return found


def _invalid(text: str) -> bool:
    return JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is not None


# --- the schema -----------------------------------------------------------------------------------

def test_validates_against_the_cyclonedx_1_6_strict_schema() -> None:
    text = _bom()
    doc = json.loads(text)
    assert (doc["bomFormat"], doc["specVersion"]) == ("CycloneDX", "1.6")
    assert not _invalid(text)


@pytest.mark.parametrize("breakage", ["component type", "crypto asset type", "unknown field", "serial number"])
def test_the_validator_rejects_a_broken_document(breakage: str) -> None:
    """The validation above means something: the same validator refuses our document once broken."""
    doc = json.loads(_bom())
    components = _components(doc)
    if breakage == "component type":
        components[VM]["type"] = "virtual-machine"
    elif breakage == "crypto asset type":
        components[DATA_KEY]["cryptoProperties"]["assetType"] = "key"
    elif breakage == "unknown field":
        components[DATASETS]["encryption"] = "CMEK"
    else:
        doc["serialNumber"] = "not-a-uuid"
    assert _invalid(json.dumps(doc))


# --- components -----------------------------------------------------------------------------------

def test_every_machine_key_store_and_log_is_a_component_of_its_type() -> None:
    components = _components(json.loads(_bom()))
    assert {ref: c["type"] for ref, c in components.items()} == EXPECTED_TYPES
    inventory = _inventory()
    for ref in EXPECTED_TYPES:
        node = inventory.node(ref)
        assert components[ref]["name"] == node.name
        props = _props(components[ref])
        assert props["hardstack:kind"] == [node.kind]
        assert props["hardstack:type"] == [node.type]
        for key, value in node.details.items():
            assert props[f"hardstack:{key}"] == [value], (ref, key)


def test_a_machine_is_a_device_with_its_gpu_and_image_nested() -> None:
    vm = _components(json.loads(_bom()))[VM]
    props = _props(vm)
    assert {k: props[f"hardstack:{k}"] for k in ("tee", "machine_type", "zone", "image")} == {
        "tee": ["TDX"], "machine_type": ["a3-highgpu-1g"], "zone": ["europe-west4-c"],
        "image": ["ubuntu-2404-noble-amd64-confidential"]}
    assert props["hardstack:runs_as"] == ["trainer"]
    assert props["hardstack:within"] == ["private"]
    nested = {c["bom-ref"]: (c["type"], c["name"]) for c in vm["components"]}
    assert nested == {VM + "#gpu": ("device", "nvidia-h100-80gb"),
                      VM + "#image": ("operating-system", "ubuntu-2404-noble-amd64-confidential")}


def test_a_machine_without_gpu_or_image_has_no_nested_components() -> None:
    inventory = _inventory()
    vm = inventory.node(VM)
    inventory.nodes[inventory.nodes.index(vm)] = dataclasses.replace(vm, details={"tee": "SEV_SNP"})
    component = _components(json.loads(_bom(inventory)))[VM]
    assert "components" not in component
    assert _props(component)["hardstack:tee"] == ["SEV_SNP"]


def test_keys_are_secret_key_crypto_material_with_protection_and_rotation() -> None:
    components = _components(json.loads(_bom()))
    for ref, mechanism, rotation in ((DATA_KEY, "HSM", "90 days"), (LOGS_KEY, "Software", "30 days")):
        crypto = components[ref]["cryptoProperties"]
        assert crypto["assetType"] == "related-crypto-material"
        material = crypto["relatedCryptoMaterialProperties"]
        assert material["type"] == "secret-key"
        assert material["securedBy"]["mechanism"] == mechanism
        assert _props(components[ref])["hardstack:rotation"] == [rotation]
    assert sorted(_props(components[DATA_KEY])["hardstack:encrypts"]) == ["datasets", "models", "training-0"]


@pytest.mark.parametrize(("token", "details", "expected"), [
    ("aws:kms/key:Key", {"protection": "HSM (AWS KMS)", "spec": "SYMMETRIC_DEFAULT"}, ("secret-key", "HSM")),
    ("aws:kms/key:Key", {"protection": "HSM (AWS KMS)", "spec": "RSA_3072"}, ("private-key", "HSM")),
    ("aws:kms/key:Key", {"protection": "HSM (AWS KMS)", "spec": "ECC_NIST_P256"}, ("private-key", "HSM")),
    ("azure-native:keyvault:Key", {"protection": "HSM", "spec": "RSA-HSM"}, ("private-key", "HSM")),
    ("azure-native:keyvault:Key", {"protection": "SOFTWARE"}, ("private-key", "Software")),  # vault keys are RSA
    ("gcp:kms/cryptoKey:CryptoKey", {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION"}, ("secret-key", None)),
])
def test_a_keys_material_type_follows_its_spec(token: str, details: dict[str, str],
                                                expected: tuple[str, str | None]) -> None:
    key = f"urn:pulumi:s::hardstack::{token}::k"
    inventory = Inventory(stack="s", cloud=token.split(":")[0], region="r",
                          nodes=[Node(key, "key", "k", token, "k", details)])
    text = _bom(inventory)
    assert not _invalid(text)
    material = _components(json.loads(text))[key]["cryptoProperties"]["relatedCryptoMaterialProperties"]
    secured = material.get("securedBy")
    assert (material["type"], secured and secured["mechanism"]) == expected


def test_stores_are_data_with_purpose_and_encryption() -> None:
    components = _components(json.loads(_bom()))
    for ref, purpose, encryption in ((DATASETS, "datasets", "CMEK (data)"), (MODELS, "models", "CMEK (data)"),
                                     (AUDIT_LOG, "logs", "CMEK (logs)")):
        assert components[ref]["type"] == "data"
        props = _props(components[ref])
        assert (props["hardstack:purpose"], props["hardstack:encryption"]) == ([purpose], [encryption])


def test_identities_and_networks_are_not_components() -> None:
    text = _bom()
    refs = {c["bom-ref"] for c in json.loads(text)["components"]}
    assert not refs & {TRAINER, READER, SUBNET}


# --- dependencies and services --------------------------------------------------------------------

def test_what_a_key_encrypts_depends_on_the_key() -> None:
    doc = json.loads(_bom())
    depends = {d["ref"]: set(d.get("dependsOn", [])) for d in doc["dependencies"]}
    for store in (DATASETS, MODELS, VM):
        assert DATA_KEY in depends[store]
        assert LOGS_KEY not in depends[store]
    assert LOGS_KEY in depends[AUDIT_LOG]
    assert depends["hardstack:stack:gcp:gcp-prod-eu"] >= set(EXPECTED_TYPES)
    assert depends[DATASETS] >= {"hardstack:service:gcp:storage"}


def test_the_cloud_services_used_are_listed_with_their_provider() -> None:
    doc = json.loads(_bom())
    services = {s["bom-ref"]: s for s in doc["services"]}
    assert {s["name"] for s in services.values()} == {
        "Compute Engine", "Cloud KMS", "Cloud Storage", "Cloud Logging", "Cloud IAM"}
    assert {s["provider"]["name"] for s in services.values()} == {"Google Cloud"}
    assert _props(services["hardstack:service:gcp:kms"])["hardstack:resource_type"] == ["gcp:kms/cryptoKey:CryptoKey"]


# --- metadata -------------------------------------------------------------------------------------

@pytest.mark.parametrize("verdict", ["pass", "fail"])
def test_metadata_holds_the_verdict_the_stack_and_where_it_runs(verdict: str) -> None:
    doc = json.loads(_bom(verdict=verdict, properties={"hardstack:findings:error": "2"}))
    meta = doc["metadata"]
    assert _props(meta) == {"hardstack:verdict": [verdict], "hardstack:cloud": ["gcp"],
                            "hardstack:region": ["europe-west4"], "hardstack:findings:error": ["2"]}
    assert (meta["component"]["type"], meta["component"]["name"]) == ("platform", "gcp-prod-eu")
    assert meta["lifecycles"] == [{"phase": "design"}]
    assert meta["tools"]["components"] == [
        {"type": "application", "name": "hardstack", "version": importlib.metadata.version("hardstack")}]
    assert (doc["serialNumber"], meta["timestamp"]) == (SERIAL, "2025-03-01T12:00:00+00:00")


@pytest.mark.parametrize("bad", [{"verdict": "maybe"}, {"properties": {"hardstack:verdict": "pass"}}])
def test_a_verdict_is_pass_or_fail_and_not_overridden(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="verdict"):
        _bom(**bad)


# --- reproducibility ------------------------------------------------------------------------------

def test_the_same_inventory_gives_the_same_bytes_in_any_order() -> None:
    first = _bom()
    assert _bom() == first
    shuffled = _inventory()
    shuffled.nodes.reverse()
    shuffled.edges.reverse()
    assert _bom(shuffled) == first
    assert _bom(serial="urn:uuid:00000000-0000-4000-8000-000000000000") != first


def test_without_a_serial_each_bom_gets_a_fresh_one() -> None:
    first, second = (json.loads(bill_of_materials(_inventory(), verdict="pass")) for _ in range(2))
    assert first["serialNumber"] != second["serialNumber"]
    assert first["components"] == second["components"]


@pytest.mark.parametrize(("token", "expected"), [
    ("aws:s3/bucket:Bucket", ("Amazon S3", "Amazon Web Services")),
    ("azure-native:storage:StorageAccount", ("Azure Storage", "Microsoft Azure")),
    ("aws:sagemaker/domain:Domain", ("aws:sagemaker", "Amazon Web Services")),  # not in the table: kept
    ("pulumi:pulumi:Stack", None),
])
def test_a_type_token_names_its_cloud_service(token: str, expected: tuple[str, str] | None) -> None:
    ref = "urn:pulumi:s::p::" + token + "::x"
    inventory = Inventory(stack="s", cloud="aws", region="eu-west-1",
                          nodes=[Node(ref, "store", "x", token, "x")])
    services = json.loads(_bom(inventory)).get("services", [])
    assert [(s["name"], s["provider"]["name"]) for s in services] == ([expected] if expected else [])


def test_every_example_bom_is_valid_and_lists_its_machines_keys_and_stores(
        example_paths: dict[str, Any], example_graph: Any) -> None:
    from pathlib import Path

    from hardstack.evidence.inventory import inventory
    from hardstack.spec import load

    shown = {"aws:ec2/instance:Instance": "device", "azure-native:compute:VirtualMachine": "device",
             "gcp:compute/instance:Instance": "device", "aws:kms/key:Key": "cryptographic-asset",
             "azure-native:keyvault:Key": "cryptographic-asset", "gcp:kms/cryptoKey:CryptoKey": "cryptographic-asset",
             "aws:s3/bucket:Bucket": "data", "azure-native:storage:StorageAccount": "data",
             "gcp:storage/bucket:Bucket": "data"}
    stacks = sorted(Path(next(iter(example_paths.values()))).parent.glob("Pulumi.*.yaml"))
    assert len(stacks) >= 5  # every example stack: the five VM environments and those that add more
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    for path in stacks:
        graph = example_graph(path)
        text = bill_of_materials(inventory(graph, region=load(path).environment.region), verdict="pass",
                                 serial=SERIAL, timestamp=WHEN)
        assert validator.validate_str(text) is None, path.name
        components = {c["bom-ref"]: c["type"] for c in json.loads(text)["components"]}
        expected = {r.urn: shown[r.type] for r in graph if r.type in shown}
        assert expected and {urn: components.get(urn) for urn in expected} == expected, path.name
