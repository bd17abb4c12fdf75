"""Fuzzing the front door: mutated example specs, random text and random bytes are accepted or
refused cleanly (SpecError with file, line, field, message; CLI exit 0, 1 or 2), never with a
traceback or a hang; and every spec that validates renders.

CI runs a small, derandomized profile; `HARDSTACK_FUZZ=deep make test` (or pytest on this file)
runs many more examples with fresh randomness.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from hardstack.cli import main
from hardstack.spec import CONFIG_KEY, LoadedSpec, SpecError, catalog, load, loads

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
DEEP = os.environ.get("HARDSTACK_FUZZ") == "deep"


def _profile(ci: int, deep: int, seconds: float | None) -> settings:
    return settings(
        max_examples=deep if DEEP else ci, derandomize=not DEEP,
        deadline=None if seconds is None else dt.timedelta(seconds=seconds),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _spec(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))["config"][CONFIG_KEY]


BASES = {path.name: _spec(path) for path in EXAMPLES}


def _dump(spec: Any) -> str:
    out = io.StringIO()
    YAML(typ="safe").dump({"config": {CONFIG_KEY: spec}}, out)
    return out.getvalue()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=40), st.text(min_size=5_000, max_size=20_000, alphabet="ab-1 é\u202e"),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(["", " ", "TODO", "xn--a", "google", "../../etc/passwd", "$(id)", "1e309", "0x10", "~", "null"]),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    """An example spec with one to three fields dropped, duplicated, retyped or replaced."""
    # The VM examples: their workloads are what is varied (the platform examples have none).
    name = draw(st.sampled_from(sorted(n for n, base in BASES.items() if base.get("workloads"))))
    spec = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(spec)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        leaf = path[-1]
        op = draw(st.sampled_from(["drop", "duplicate", "replace"]))
        if op == "drop":
            del parent[leaf]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(leaf, copy.deepcopy(parent[leaf]))
        else:
            parent[leaf] = draw(ODD_VALUES)
    return name, spec


def _clean(outcome: LoadedSpec | SpecError) -> None:
    if isinstance(outcome, SpecError):
        assert outcome.issues
        for issue in outcome.issues:
            assert issue.line >= 0 and issue.message and isinstance(issue.field, str)


def _loads(text: str, file: Path) -> LoadedSpec | SpecError:
    try:
        return loads(text, file)
    except SpecError as exc:
        return exc


@_profile(ci=150, deep=3000, seconds=5)
@given(mutated())
def test_mutated_specs_are_accepted_or_refused_cleanly(case: tuple[str, Any]) -> None:
    name, spec = case
    _clean(_loads(_dump(spec), Path("stacks") / name))


@_profile(ci=100, deep=2000, seconds=5)
@given(st.binary(max_size=4096))
def test_random_bytes_are_refused_cleanly(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "Pulumi.fuzz.yaml"
    path.write_bytes(data)
    try:
        load(path)
    except SpecError as exc:
        _clean(exc)


@_profile(ci=100, deep=2000, seconds=5)
@given(st.sampled_from(sorted(BASES)), st.integers(0, 10_000), st.text(max_size=30))
def test_random_unicode_spliced_into_examples_is_handled(name: str, at: int, insert: str) -> None:
    text = (REPO / "stacks" / name).read_text(encoding="utf-8")
    at %= len(text) + 1
    _clean(_loads(text[:at] + insert + text[at:], Path("stacks") / name))


@_profile(ci=40, deep=600, seconds=10)
@given(mutated())
def test_validate_cli_exits_0_1_or_2_without_a_traceback(tmp_path_factory: pytest.TempPathFactory,
                                                         case: tuple[str, Any]) -> None:
    name, spec = case
    path = tmp_path_factory.mktemp("cli") / name
    path.write_text(_dump(spec), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


# --- every spec that validates renders -------------------------------------------------------


@st.composite
def valid_variants(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Example specs varied within what validation accepts: other names, counts, egress, key
    protection, buckets, and workloads of any family the region runs confidentially."""
    # The VM examples: their workloads are what is varied (the platform examples have none).
    name = draw(st.sampled_from(sorted(n for n, base in BASES.items() if base.get("workloads"))))
    spec = copy.deepcopy(BASES[name])
    cloud, region = spec["cloud"], spec["region"]
    spec.setdefault("network", {})["egress"] = draw(st.sampled_from(["none", "nat", "proxy"]))
    spec["network"]["zones"] = draw(st.integers(2, 3))
    spec.setdefault("keys", {})["protection"] = draw(st.sampled_from(["hsm", "software"]))
    spec.setdefault("data", {})["buckets"] = [
        {"name": n, "purpose": draw(st.sampled_from(["datasets", "models"]))}
        for n in draw(st.lists(st.from_regex(r"[a-z][a-z0-9]{1,10}", fullmatch=True), min_size=1, max_size=3,
                               unique=True))
    ]
    families = [f for f in catalog.families(cloud) if f.offered_in(region) and f.gpu is None]
    family = draw(st.sampled_from(families))
    workload = dict(spec["workloads"][0])
    workload.update(machine_type=draw(st.sampled_from(family.sizes)), confidential=family.kind,
                    count=draw(st.integers(1, 3)), role=draw(st.sampled_from(["training", "inference"])))
    for key in ("gpu", "zones", "provisioning", "max_run_hours"):
        workload.pop(key, None)
    if "standard" not in family.provisioning:
        workload["provisioning"] = family.provisioning[0]
    spec["workloads"] = [workload]
    return name, spec


@_profile(ci=6, deep=150, seconds=None)
@given(valid_variants())
def test_every_valid_variant_renders(case: tuple[str, dict[str, Any]]) -> None:
    from hardstack.render import render

    name, spec = case
    loaded = loads(_dump(spec), Path("stacks") / name)  # a variant the catalog allows is valid
    graph = render(loaded).graph
    assert any(r.is_cloud_resource for r in graph)
