"""The Terraform plan exporter: names, blocks, references, and a table entry for every type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from checkov_helpers import STACKS

from hardstack.checkov.aws_types import AWS_RENAMES, AWS_TYPES
from hardstack.checkov.export import export
from hardstack.checkov.terraform_plan import singular, snake, tf_values, to_plan
from hardstack.render import Graph


@pytest.fixture(scope="module")
def aws_graph(example_graph) -> Graph:
    return example_graph(STACKS / "Pulumi.aws-prod-eu.yaml")


def test_names_follow_terraform() -> None:
    assert snake("enableKeyRotation") == "enable_key_rotation"
    assert snake("httpPutResponseHopLimit") == "http_put_response_hop_limit"
    assert singular("ebs_block_devices") == "ebs_block_device"
    assert singular("inline_policies") == "inline_policy"
    assert singular("ingress") == "ingress"


def test_blocks_become_lists_and_plural_blocks_singular() -> None:
    values = tf_values({
        "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}, "bucketKeyEnabled": True}],
        "metadataOptions": {"httpTokens": "required"},
        "tags": {"ownerTeam": "x"},
        "cidrBlocks": ["10.0.0.0/16"],
        "policy": '{"Statement": []}',
    }, AWS_RENAMES)
    assert values["rule"] == [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}],
                               "bucket_key_enabled": True}]
    assert values["metadata_options"] == [{"http_tokens": "required"}]
    assert values["tags"] == {"ownerTeam": "x"}  # maps stay maps, keys untouched
    assert values["cidr_blocks"] == ["10.0.0.0/16"] and values["policy"] == '{"Statement": []}'


def test_every_type_the_aws_blueprint_emits_is_mapped(aws_graph: Graph) -> None:
    emitted = {r.type for r in aws_graph if r.custom and not r.type.startswith("pulumi:providers:")}
    assert emitted - set(AWS_TYPES) == set()
    assert to_plan(aws_graph, AWS_TYPES).unmapped == []


def test_plan_has_what_checkov_needs(aws_graph: Graph, tmp_path: Path) -> None:
    exported = export(aws_graph, tmp_path)
    plan = json.loads(exported.path.read_text())
    assert plan["terraform_version"]
    resources = plan["planned_values"]["root_module"]["resources"]
    assert resources and all(r["mode"] == "managed" and r["address"] == f"{r['type']}.{r['name']}"
                             for r in resources)
    assert len(resources) == len(exported.addresses) == sum(
        1 for r in aws_graph if r.custom and not r.type.startswith("pulumi:providers:"))


def test_references_connect_bucket_settings_to_their_bucket(aws_graph: Graph) -> None:
    plan = to_plan(aws_graph, AWS_TYPES, AWS_RENAMES).plan
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    versioning = next(a for a in config if a.startswith("aws_s3_bucket_versioning.") and "datasets" in a)
    refs = config[versioning]["expressions"]["bucket"]["references"]
    assert "aws_s3_bucket.aws-prod-eu-datasets-bucket" in refs
