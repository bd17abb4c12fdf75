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

from hardstack_rules.packs import PACKS

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
    runpy.run_path(str(directory / "__main__.py"), run_name="__main__")
    (pack,) = CAPTURED
    assert pack["name"] == f"hardstack-{name}"
    names = [p.name for p in pack["policies"]]
    assert names == [r.id for r in PACKS[name].rules()] and len(names) == len(set(names))
    assert all(isinstance(p, pulumi_policy.ResourceValidationPolicy | pulumi_policy.StackValidationPolicy)
               for p in pack["policies"])


def test_hipaa_pack_tightens_thresholds() -> None:
    config = PACKS["hipaa"].config
    assert config["aws-kms-rotation-period"]["maximumDays"] == 90
    assert config["aws-logs-retention"]["minimumDays"] == 2190


def test_low_severity_rules_are_advisory() -> None:
    pack = PACKS["baseline"]
    assert {pack.enforcement(r) for r in pack.rules() if r.severity == "low"} == {"advisory"}
    assert {pack.enforcement(r) for r in pack.rules() if r.severity != "low"} == {"mandatory"}


def test_rules_must_cite_known_control_ids() -> None:
    from hardstack_rules.rule import REGISTRY, resource_rule

    with pytest.raises(ValueError, match=r"control ids missing from controls\.py: hipaa 999\.999"):
        resource_rule(id="test-unknown-control", title="t", severity="low", cloud="aws", practice="access",
                      types=["aws:s3/bucket:Bucket"], controls={"hipaa": ["999.999"]}, remediation="r")(
            lambda props, config: iter(()))
    assert "test-unknown-control" not in REGISTRY
