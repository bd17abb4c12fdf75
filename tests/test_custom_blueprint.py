"""A spec's own blueprint (`blueprint: package.module:Attribute`): rendered, judged and cached like
the built-in ones. The example is examples/acme_platform (TrainingEnv: the AWS environment plus an
isolated inference environment that shares its keys)."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hardstack import blueprints
from hardstack.cache.keys import blueprint_digest
from hardstack.render.errors import RenderError
from hardstack.spec import Environment, SpecError, load

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
STACK_FILE = EXAMPLES / "acme_platform" / "stacks" / "Pulumi.acme-training-eu.yaml"
REFERENCE = "acme_platform.blueprints:TrainingEnv"
ENV = "acme-training-eu"


@pytest.fixture
def examples_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))


@pytest.fixture(scope="module")
def graph() -> Any:
    from hardstack.render.engine import render

    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(EXAMPLES))
        return render(load(STACK_FILE)).graph


def _env(**changes: Any) -> Environment:
    return load(STACK_FILE).environment.model_copy(update=changes)


def _under_inference(graph: Any) -> list[Any]:
    """Every resource below the IsolatedInference component, however deep."""
    parents = {r.urn: r.parent for r in graph.resources}
    (top,) = [r.urn for r in graph.resources if r.type == "acme:platform:IsolatedInference"]

    def below(urn: str) -> bool:
        while urn:
            urn = parents.get(urn, "")
            if urn == top:
                return True
        return False

    return [r for r in graph.resources if below(r.urn)]


def _key(graph: Any, purpose: str) -> Any:
    (key,) = [r for r in graph.resources if r.type == "aws:kms/key:Key" and r.inputs["tags"]["purpose"] == purpose]
    return key


# --- the example renders: the built-in environment and the isolated inference one --------------------


def test_the_spec_names_the_example_blueprint() -> None:
    assert load(STACK_FILE).environment.blueprint == REFERENCE


def test_example_keeps_every_builtin_resource(graph) -> None:
    names = {r.name for r in graph.resources}
    # What blueprints/aws.py builds from this spec: keys, buckets, trail, network, the trainer fleet.
    for name in (f"{ENV}-data-key", f"{ENV}-logs-key", f"{ENV}-compute-key", f"{ENV}-models-bucket",
                 f"{ENV}-datasets-bucket", f"{ENV}-audit-trail", f"{ENV}-net-vpc", f"{ENV}-trainer-0",
                 f"{ENV}-trainer-1", f"{ENV}-monitoring-guardduty", f"{ENV}-endpoints-guardduty-data"):
        assert name in names, name
    assert {r.type for r in graph.resources if r.parent == graph.root} >= {"hardstack:aws:Environment"}


def test_inference_environment_is_its_own_network(graph) -> None:
    inference = _under_inference(graph)
    vpcs = [r for r in graph.resources if r.type == "aws:ec2/vpc:Vpc"]
    assert sorted(v.inputs["cidrBlock"] for v in vpcs) == ["10.20.0.0/16", "192.168.0.0/16"]
    (vpc,) = [r for r in inference if r.type == "aws:ec2/vpc:Vpc"]
    assert vpc.inputs["cidrBlock"] == "192.168.0.0/16"
    (flow_log,) = [r for r in inference if r.type == "aws:ec2/flowLog:FlowLog"]
    assert flow_log.propertyDependencies["vpcId"] == [vpc.urn]
    # No peering, no transit gateway, no route between the two networks.
    assert not [r for r in graph.resources if "peering" in r.type.lower() or "transitgateway" in r.type.lower()]
    instances = [r for r in inference if r.type == "aws:ec2/instance:Instance"]
    assert [i.name for i in instances] == [f"{ENV}-serving-0", f"{ENV}-serving-1"]
    subnets = {r.urn for r in inference if r.type == "aws:ec2/subnet:Subnet"}
    assert all(set(i.propertyDependencies["subnetId"]) <= subnets for i in instances)
    (group,) = [r for r in inference if r.name == f"{ENV}-serving-sg"]
    assert [rule.get("self") for rule in group.inputs["ingress"]] == [True]  # only its own peers
    assert not any(rule.get("cidrBlocks") for rule in group.inputs["ingress"])
    assert all(i.inputs["cpuOptions"] == {"amdSevSnp": "enabled"} for i in instances)
    assert all(i.inputs["associatePublicIpAddress"] is False for i in instances)


def test_inference_environment_shares_the_keys(graph) -> None:
    inference = _under_inference(graph)
    assert not [r for r in inference if r.type == "aws:kms/key:Key"]  # shared, not its own
    data, logs, compute = (_key(graph, p) for p in ("data", "logs", "compute"))
    for instance in (r for r in inference if r.type == "aws:ec2/instance:Instance"):
        assert instance.propertyDependencies["rootBlockDevice"] == [compute.urn]
        assert instance.propertyDependencies["ebsBlockDevices"] == [compute.urn]
    for group in (r for r in inference if r.type == "aws:cloudwatch/logGroup:LogGroup"):
        assert group.propertyDependencies["kmsKeyId"] == [logs.urn]
    (grants,) = [r for r in inference if r.name == f"{ENV}-serving-grants"]
    assert data.urn in grants.propertyDependencies["policy"]
    statements = {s["Sid"]: s for s in json.loads(grants.inputs["policy"])["Statement"]}
    assert statements["UseDataKey"]["Action"] == ["kms:Decrypt", "kms:DescribeKey"]  # inference: read only
    assert all("datasets" not in str(arn) for arn in statements["ReadOwnBuckets"]["Resource"])
    # The data key's policy admits the serving role: without it no model could be decrypted.
    users = next(s for s in json.loads(data.inputs["policy"])["Statement"] if s["Sid"] == "NamedPrincipalsUse")
    assert f"arn:aws:iam::123456789012:role/{ENV}-serving" in users["Condition"]["ArnEquals"]["aws:PrincipalArn"]


def test_blueprint_outputs_are_the_stack_outputs(examples_on_path) -> None:
    from hardstack.render.computed import Target
    from hardstack.render.engine import render_program

    outputs: dict[str, Any] = {}
    env = _env()
    render_program(lambda: outputs.update(blueprints.build(env)), ENV,
                   Target(cloud=env.cloud, region=env.region, account=env.account))
    assert {"vpc_id", "data_key_arn", "buckets", "inference_vpc_id", "inference_role_arn"} <= set(outputs)


# --- judged like a built-in blueprint ------------------------------------------------------------------


def test_hardstack_check_passes_on_the_example(examples_on_path) -> None:
    from hardstack.check import run_check

    report = run_check([STACK_FILE], with_checkov=True, workers=1, cache=None)
    (stack,) = report.stacks
    assert stack.render_error is None and stack.issues == [] and stack.checkov_note is None
    assert report.checkov_error is None
    assert report.exit_code == 0, [(f.rule_id, f.resource_name, f.status) for f in stack.findings]
    assert {f.status for f in stack.findings} <= {"exempted"}
    assert stack.checkov is not None
    assert any(r.name == f"{ENV}-serving-0" for r in stack.graph.resources)  # judged with the inference env


# --- bad references say what to fix ----------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["acme_platform.blueprints.TrainingEnv", "acme_platform.blueprints:",
                                       ":TrainingEnv", "acme-platform:TrainingEnv", "acme_platform:Training Env"])
def test_reference_without_the_shape_is_refused_by_validation(reference: str) -> None:
    data = load(STACK_FILE).environment.model_dump()
    with pytest.raises(ValidationError) as caught:
        Environment.model_validate({**data, "blueprint": reference})
    (error,) = caught.value.errors()
    assert error["loc"] == ("blueprint",)
    assert "package.module:Attribute" in error["msg"] and reference in error["msg"]


def test_reference_without_colon_is_reported_at_its_line(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.acme-training-eu.yaml"
    stack.write_text(STACK_FILE.read_text().replace(REFERENCE, "acme_platform.blueprints.TrainingEnv"))
    with pytest.raises(SpecError) as caught:
        load(stack)
    (issue,) = caught.value.issues
    assert issue.field == "blueprint" and "package.module:Attribute" in issue.message
    assert "blueprint: acme_platform.blueprints.TrainingEnv" in stack.read_text().splitlines()[issue.line - 1]


def _render_error(reference: str) -> str:
    from hardstack.render.engine import render_environment

    with pytest.raises(RenderError) as caught:
        render_environment(_env(blueprint=reference), ENV)
    message = str(caught.value)
    assert message.startswith(f"stack {ENV}: BlueprintError: blueprint: '{reference}': "), message
    return message


def test_missing_module_says_how_to_make_it_importable(examples_on_path) -> None:
    message = _render_error("acme_nowhere.blueprints:TrainingEnv")
    assert "cannot import module acme_nowhere.blueprints" in message
    assert "pip install" in message and "PYTHONPATH" in message
    assert "cannot import module acme_platform.nope" in _render_error("acme_platform.nope:TrainingEnv")


def test_examples_off_the_path_is_a_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not any(Path(p).resolve() == EXAMPLES for p in sys.path if p)
    for name in [m for m in sys.modules if m == "acme_platform" or m.startswith("acme_platform.")]:
        monkeypatch.delitem(sys.modules, name)  # imported by an earlier test: only the path may count
    message = _render_error(REFERENCE)
    assert "cannot import module acme_platform.blueprints (no module named 'acme_platform')" in message


def test_missing_attribute_names_the_module(examples_on_path) -> None:
    message = _render_error("acme_platform.blueprints:TrainingEnvironment")
    assert "module acme_platform.blueprints has no attribute 'TrainingEnvironment'" in message


@pytest.mark.parametrize(("reference", "says"), [
    ("acme_platform.blueprints:INFERENCE_CIDR", "is a str, not a blueprint"),
    ("acme_platform.blueprints:IsolatedInference", "class IsolatedInference has no build(env) method"),
])
def test_wrong_kind_of_object_is_refused(reference: str, says: str, examples_on_path) -> None:
    assert says in _render_error(reference)


def _package(root: Path, source: str) -> None:
    (root / "acme_fake").mkdir()
    (root / "acme_fake" / "__init__.py").write_text(textwrap.dedent(source))


@pytest.mark.parametrize(("source", "reference", "says"), [
    ("def build(env):\n    return ['vpc']\n", "acme_fake:build", "returned list, not the stack outputs"),
    ("class Env:\n    def build(self, env):\n        return {}\n", "acme_fake:Env", "Env.build is an instance method"),
    ("import acme_missing_dependency\n", "acme_fake:build", "importing acme_fake failed"),
])
def test_broken_blueprints_are_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str,
                                         reference: str, says: str) -> None:
    _package(tmp_path, source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_fake", raising=False)
    assert says in _render_error(reference)


def test_build_dispatches_with_the_same_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(tmp_path, """
        seen = []

        def build(env):
            seen.append(env)
            return {"answer": 42}
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "acme_fake", raising=False)
    env = _env(blueprint="acme_fake:build")
    assert blueprints.build(env) == {"answer": 42}
    assert sys.modules["acme_fake"].seen == [env] and sys.modules["acme_fake"].seen[0] is env


# --- the cache sees the blueprint's own source ------------------------------------------------------------


@pytest.fixture
def copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example package first on sys.path, and not imported (find_spec would
    otherwise answer with the module already loaded)."""
    package = tmp_path / "acme_platform"
    shutil.copytree(EXAMPLES / "acme_platform", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "acme_platform" or m.startswith("acme_platform.")]:
        monkeypatch.delitem(sys.modules, name)
    return package


def test_blueprint_digest_is_stable_and_imports_nothing(copied: Path) -> None:
    first = blueprint_digest(REFERENCE)
    assert blueprint_digest(REFERENCE) == first
    assert "acme_platform" not in sys.modules
    # The files' paths inside the package and their content decide, not where the package lies.
    (copied.parent / "elsewhere").mkdir()
    shutil.move(copied, copied.parent / "elsewhere" / "acme_platform")
    sys.path.insert(0, str(copied.parent / "elsewhere"))
    try:
        assert blueprint_digest(REFERENCE) == first
    finally:
        sys.path.remove(str(copied.parent / "elsewhere"))


def test_blueprint_digest_changes_with_the_source(copied: Path) -> None:
    before = blueprint_digest(REFERENCE)
    blueprints_py = copied / "blueprints.py"
    blueprints_py.write_text(blueprints_py.read_text().replace('"192.168.0.0/16"', '"192.168.0.0/17"'))
    edited = blueprint_digest(REFERENCE)
    assert edited != before
    (copied / "helpers.py").write_text("# a module the blueprint may import\n")
    assert blueprint_digest(REFERENCE) not in (before, edited)
    assert blueprint_digest("acme_platform.blueprints:SomethingElse") != blueprint_digest(REFERENCE)


def test_blueprint_digest_of_a_missing_package_does_not_raise(copied: Path) -> None:
    assert blueprint_digest("acme_nowhere:Env") == blueprint_digest("acme_nowhere:Env")
    assert blueprint_digest("acme_nowhere:Env") != blueprint_digest("acme_elsewhere:Env")
