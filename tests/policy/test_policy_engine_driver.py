"""The engine driver (hardstack/policy/engine_driver.py) does what the Pulumi CLI does to a pack:
config reconciled as ReconcilePolicyPackConfig does, resources in registration order, stack
config as the engine reads stack files, and a failing policy is a pack error, as it is for
`pulumi preview`. The examples are driven in tests/test_engine_verdict.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto

from hardstack.policy.engine_driver import (
    PackError,
    PackProcess,
    config_value,
    reconcile,
    registration_order,
    stack_config,
)
from hardstack.policy.harness import resource
from hardstack.render import Graph


def info(initial: dict[str, proto.PolicyConfig]) -> proto.AnalyzerInfo:
    schema = struct_pb2.Struct()
    schema.update({"maximumDays": {"type": "integer", "default": 365}})
    return proto.AnalyzerInfo(name="p", supportsConfig=True, initialConfig=initial, policies=[
        proto.PolicyInfo(name="rotation", enforcementLevel=proto.MANDATORY,
                         configSchema=proto.PolicyConfigSchema(properties=schema)),
        proto.PolicyInfo(name="tags", enforcementLevel=proto.ADVISORY),
    ])


def settings(values: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def test_config_is_reconciled_as_the_cli_does() -> None:
    assert reconcile(info({})) == {"rotation": ("mandatory", {"maximumDays": 365.0}), "tags": ("advisory", {})}
    # The pack's initial config overrides defaults; an entry without a level is protobuf's 0: advisory.
    unset = {"rotation": proto.PolicyConfig(properties=settings({"maximumDays": 90}))}
    assert reconcile(info(unset))["rotation"] == ("advisory", {"maximumDays": 90.0})
    stated = {"rotation": proto.PolicyConfig(enforcementLevel=proto.MANDATORY,
                                             properties=settings({"maximumDays": 90}))}
    assert reconcile(info(stated))["rotation"] == ("mandatory", {"maximumDays": 90.0})
    # --policy-pack-config comes last; "all" sets every level.
    given = {"all": {"enforcementLevel": "disabled"}, "tags": {"enforcementLevel": "mandatory"}}
    assert reconcile(info(stated), given) == {"rotation": ("disabled", {"maximumDays": 90.0}),
                                              "tags": ("mandatory", {}), "all": ("disabled", {})}


def test_resources_register_after_their_parents_providers_and_dependencies() -> None:
    child = resource("aws:s3/x:X", {}, name="child", parent="urn:pulumi:test::test::c:C::component")
    child.provider = "urn:pulumi:test::test::pulumi:providers:aws::aws::id"
    child.dependencies = ["urn:pulumi:test::test::aws:kms/key:Key::key"]
    graph = Graph(stack="s", project="p", cloud="aws", root="", resources=[
        child, resource("aws:kms/key:Key", {}, name="key"), resource("c:C", {}, name="component"),
        resource("pulumi:providers:aws", {}, name="aws")])
    order = [r.name for r in registration_order(graph)]
    assert order[0] == "p-s" and registration_order(graph)[0].type == "pulumi:pulumi:Stack"
    assert order.index("child") > max(order.index("key"), order.index("component"), order.index("aws"))


def test_stack_config_reads_stack_files_as_the_cli_does(tmp_path: Path) -> None:
    file = tmp_path / "Pulumi.s.yaml"
    file.write_text(textwrap.dedent("""\
        config:
          aws:region: eu-west-1
          app:flag: true
          app:spec:
            name: s
            exemptions:
              - {rule: r, resource: x, expires: 2027-11-30}
    """))
    config = stack_config(file)
    assert config["aws:region"] == "eu-west-1" and config["app:flag"] == "true"
    # An object is JSON; a date stays the text it was (Go's yaml.v3 into interface{}).
    assert config["app:spec"] == '{"exemptions":[{"expires":"2027-11-30","resource":"x","rule":"r"}],"name":"s"}'
    assert config_value(3) == "3" and config_value([1]) == "[1]"


BROKEN_PACK = '''
import json
from pulumi_policy import PolicyPack, ResourceValidationPolicy, EnforcementLevel

def validate(args, report):
    json.dumps(args.props.get("tags"))  # a proxy under the engine: TypeError

PolicyPack(name="broken", enforcement_level=EnforcementLevel.MANDATORY,
           policies=[ResourceValidationPolicy(name="tags-json", description="d", validate=validate)])
'''


def test_a_policy_that_raises_is_a_pack_error(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(BROKEN_PACK)
    graph = Graph(stack="s", project="p", cloud="aws", root="", resources=[
        resource("aws:s3/bucket:Bucket", {"tags": {"owner": "me"}}, name="b")])
    with PackProcess(tmp_path, project="p", stack="s", timeout=30) as process:
        with pytest.raises(PackError, match=r"Analyze failed: UNKNOWN.*_DictProxy is not JSON serializable"):
            process.run(graph, {})
        assert not process.engine_contacted
    assert process._proc.poll() is not None  # closed: the process is gone


def test_a_pack_that_never_serves_is_an_error_and_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('no pack here')\n")
    with pytest.raises(PackError, match=r"exited .* before serving"):
        PackProcess(tmp_path, timeout=30)
