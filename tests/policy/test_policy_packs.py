"""The pack directories are what `pulumi preview --policy-pack` runs: each builds a PolicyPack
from its selection of rules (the constructor is replaced here, since the real one serves gRPC
and blocks)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pulumi_policy
import pytest
import yaml

from hardstack.rules.gate import EXEMPTIONS_POLICY
from hardstack.rules.packs import PACKS

PACKS_DIR = Path(__file__).resolve().parents[2] / "policy-packs"


CAPTURED: list[dict[str, Any]] = []


class Captured:
    def __init__(self, **kwargs: Any) -> None:
        CAPTURED.append(kwargs)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_pack_directory_builds_its_pack(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = PACKS_DIR / name
    assert {"PulumiPolicy.yaml", "__main__.py", "requirements.txt"} <= {p.name for p in directory.iterdir()}
    assert yaml.safe_load((directory / "PulumiPolicy.yaml").read_text())["runtime"]["name"] == "python"
    assert "pulumi-policy" in (directory / "requirements.txt").read_text()
    CAPTURED.clear()
    monkeypatch.setattr(pulumi_policy, "PolicyPack", Captured)
    # serve() wraps the SDK's ConfigureStack handler (hardstack_rules.gate): undone after the test.
    servicer = pulumi_policy.policy._PolicyAnalyzerServicer
    monkeypatch.setattr(servicer, "ConfigureStack", servicer.ConfigureStack)
    # As the Pulumi CLI runs a pack: its directory first on sys.path, where its hardstack_rules link is.
    monkeypatch.syspath_prepend(str(directory))
    runpy.run_path(str(directory), run_name="__main__")
    (pack,) = CAPTURED
    assert pack["name"] == f"hardstack-{name}"
    names = [p.name for p in pack["policies"]]
    # The exemptions policy comes last: AnalyzeStack runs a pack's policies in order.
    assert names == [*(r.id for r in PACKS[name].rules()), EXEMPTIONS_POLICY] and len(names) == len(set(names))
    assert all(isinstance(p, pulumi_policy.ResourceValidationPolicy | pulumi_policy.StackValidationPolicy)
               for p in pack["policies"])
    # Every entry states its level (the CLI reads a missing one as protobuf's default, advisory),
    # the level `hardstack check` uses, with the pack's settings.
    initial = pack["initial_config"]
    assert set(initial) == {*(r.id for r in PACKS[name].rules()), EXEMPTIONS_POLICY}
    for rule in PACKS[name].rules():
        entry = dict(initial[rule.id])
        assert entry.pop("enforcementLevel") == pulumi_policy.EnforcementLevel(PACKS[name].enforcement(rule))
        settings = {k: v for k, v in PACKS[name].config.get(rule.id, {}).items() if k != "enforcementLevel"}
        assert entry == {**rule.defaults(), **settings} == PACKS[name].rule_config(rule)
    assert initial[EXEMPTIONS_POLICY] == {"enforcementLevel": pulumi_policy.EnforcementLevel.ADVISORY}
    by_name = {p.name: p for p in pack["policies"]}
    assert by_name[EXEMPTIONS_POLICY].enforcement_level == pulumi_policy.EnforcementLevel.ADVISORY
    assert all(by_name[r.id].enforcement_level.value == PACKS[name].enforcement(r) for r in PACKS[name].rules())


@pytest.mark.parametrize("name", sorted(PACKS))
def test_pack_config_names_only_its_rules_and_fits_their_schemas(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    pack = PACKS[name]
    rules = {r.id: r for r in pack.rules()}
    assert set(pack.config) <= set(rules)
    assert all(entry["enforcementLevel"] == pack.enforcement(rules[rule_id]) for rule_id, entry in pack.config.items())
    for rule in rules.values():
        schema = {"type": "object", "properties": {k: dict(v) for k, v in rule.config.items()}}
        jsonschema.validate(pack.rule_config(rule), schema)
        assert pack.entry(rule)["enforcementLevel"] == pack.enforcement(rule) in ("advisory", "mandatory")


def test_a_pack_entry_may_name_the_level_and_both_gates_use_it() -> None:
    from hardstack.rules.packs import Pack

    pack = Pack("t", "t", select=lambda r: r.id == "aws-kms-rotation-period",
                config={"aws-kms-rotation-period": {"enforcementLevel": "advisory", "maximumDays": 90}})
    (rule,) = pack.rules()
    assert pack.enforcement(rule) == "advisory"
    assert pack.rule_config(rule) == {"maximumDays": 90}
    assert pack.entry(rule) == {"maximumDays": 90, "enforcementLevel": "advisory"}


def test_hipaa_pack_tightens_thresholds() -> None:
    config = PACKS["hipaa"].config
    assert config["aws-kms-rotation-period"]["maximumDays"] == 90
    assert config["aws-logs-retention"]["minimumDays"] == 2190


def test_low_severity_rules_are_advisory() -> None:
    pack = PACKS["baseline"]
    assert {pack.enforcement(r) for r in pack.rules() if r.severity == "low"} == {"advisory"}
    assert {pack.enforcement(r) for r in pack.rules() if r.severity != "low"} == {"mandatory"}


def test_rules_must_cite_known_control_ids() -> None:
    from hardstack.rules.rule import REGISTRY, resource_rule

    with pytest.raises(ValueError, match=r"control ids missing from controls\.py: hipaa 999\.999"):
        resource_rule(id="test-unknown-control", title="t", severity="low", cloud="aws", practice="access",
                      types=["aws:s3/bucket:Bucket"], controls={"hipaa": ["999.999"]}, remediation="r")(
            lambda props, config: iter(()))
    assert "test-unknown-control" not in REGISTRY
