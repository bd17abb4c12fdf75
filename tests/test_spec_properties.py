"""Property-based tests: whatever the input, the spec layer answers Environment or SpecError.

Any other exception (KeyError, TypeError, a YAML library error ...) is a crash that `hardstack
validate` would show as a traceback instead of a list of problems.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, Environment, SpecError, SpecIssue, loads, validate
from hardstack.spec.models import Bucket, Exemption, Gpu, Keys, Logging, Monitoring, Network, Workload

REPO = Path(__file__).resolve().parents[1]
FILE = Path("stacks/Pulumi.prop.yaml")
EXAMPLES: dict[str, dict[str, Any]] = {
    cloud: YAML(typ="safe").load((REPO / "stacks" / f"Pulumi.{cloud}-prod-eu.yaml").read_text())[
        "config"][CONFIG_KEY]
    for cloud in ("aws", "gcp", "azure")
}
FIELD_NAMES = sorted({
    name
    for model in (Environment, Network, Keys, Workload, Gpu, Bucket, Logging, Monitoring, Exemption)
    for name in model.model_fields
})
INTERESTING_STRINGS = [
    "aws", "gcp", "azure", "tdx", "sev-snp", "none", "h100", "a100", "gdpr", "hipaa",
    "10.20.0.0/16", "8.8.8.0/24", "eu-central-1", "us-east-1", "europe-west4", "westeurope",
    "123456789012", "c3-standard-8", "a3-highgpu-1g", "m6a.2xlarge", "Standard_DC4es_v5",
    "confidential-computing", "gdpr-data-residency", "2020-01-01", "2999-01-01", "",
]

PROPERTY = settings(max_examples=200, deadline=None)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(INTERESTING_STRINGS),
    st.dates(),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)


def assert_environment_or_spec_error(call: Any, *args: Any) -> None:
    try:
        result = call(*args)
    except SpecError as exc:
        assert exc.issues, "SpecError without issues"
        assert all(isinstance(i, SpecIssue) for i in exc.issues)
        assert all(i.line >= 0 for i in exc.issues)
        assert str(exc)  # every issue formats
        return
    env = result.environment if hasattr(result, "environment") else result
    assert isinstance(env, Environment)


# --- arbitrary structures ------------------------------------------------------------------------


@PROPERTY
@given(values)
def test_any_value_gives_environment_or_spec_error(value: Any) -> None:
    assert_environment_or_spec_error(validate, value, FILE)


@PROPERTY
@given(st.dictionaries(keys, values, max_size=10))
def test_any_mapping_gives_environment_or_spec_error(mapping: dict[str, Any]) -> None:
    assert_environment_or_spec_error(validate, mapping, FILE)


# --- mutations of a valid spec --------------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated_specs(draw: st.DrawFn) -> dict[str, Any]:
    spec = copy.deepcopy(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(spec)
        op = draw(st.sampled_from(["drop", "retype", "inject"]))
        if op == "inject" or not paths:
            containers = [()] + [p for p in paths if isinstance(_at(spec, p), dict)]
            target = _at(spec, draw(st.sampled_from(containers)))
            target[draw(keys)] = draw(values)
            continue
        path = draw(st.sampled_from(paths))
        parent = _at(spec, path[:-1])
        if op == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(values)
    return spec


@PROPERTY
@given(mutated_specs())
def test_mutated_spec_gives_environment_or_spec_error(spec: dict[str, Any]) -> None:
    assert_environment_or_spec_error(validate, spec, FILE)


def _dump(spec: Any) -> str:
    stream = io.StringIO()
    YAML(typ="safe").dump({"config": {CONFIG_KEY: spec}}, stream)
    return stream.getvalue()


@PROPERTY
@given(mutated_specs())
def test_mutated_stack_file_gives_environment_or_spec_error(spec: dict[str, Any]) -> None:
    assert_environment_or_spec_error(loads, _dump(spec), FILE)


@pytest.mark.parametrize("cloud", sorted(EXAMPLES))
def test_unmutated_examples_stay_valid_through_a_yaml_round_trip(cloud: str) -> None:
    # guards the mutation tests above against vacuity: the base they mutate is valid
    file = Path(f"stacks/Pulumi.{EXAMPLES[cloud]['name']}.yaml")  # a spec's name is its stack's
    assert isinstance(loads(_dump(EXAMPLES[cloud]), file).environment, Environment)


# --- arbitrary text ---------------------------------------------------------------------------------

YAML_TOKENS = [
    "config:", "hardstack:environment:", "\n", "  ", "    ", "- ", "? ", ": ", ":", ",", "[", "]",
    "{", "}", "'", '"', "#", "|", ">", "&a ", "*a", "!tag ",
    "!!int ", "!!str ", "!!binary ", "!!bool ", "!!float ", "!!omap ", "!!set ",
    "---", "...", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "name: x", "cloud: aws", "cloud: gcp",
    "region: us-east-1", "account: '123456789012'", "workloads:", "network:", "cidr: 10.0.0.0/16",
    "monitoring:", "alert_email: a@b.c", "owner: t", "~", "null", "true", "1e400", ".nan", "0x1F",
    "2020-01-01", "\t", "\\", "\ufeff", "é",
]


@PROPERTY
@given(st.text())
def test_loads_on_arbitrary_text_raises_only_spec_error(text: str) -> None:
    assert_environment_or_spec_error(loads, text, FILE)


@PROPERTY
@given(st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join))
def test_loads_on_yaml_like_text_raises_only_spec_error(text: str) -> None:
    assert_environment_or_spec_error(loads, text, FILE)


@PROPERTY
@given(st.text(), st.integers(min_value=0, max_value=2000))
def test_loads_on_a_damaged_stack_file_raises_only_spec_error(insert: str, position: int) -> None:
    base = (REPO / "stacks" / "Pulumi.aws-prod-eu.yaml").read_text()
    position = min(position, len(base))
    assert_environment_or_spec_error(loads, base[:position] + insert + base[position:], FILE)
