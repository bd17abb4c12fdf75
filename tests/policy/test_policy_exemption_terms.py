"""Exemptions that hide nothing (stale) and exemptions naming checks checkov does not have."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hardstack.check import run_check
from hardstack.policy.exemptions import stale_exemptions, validate_exemptions
from hardstack.spec import load
from hardstack.spec.models import Exemption

ROOT = Path(__file__).resolve().parents[2]
AWS = ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"


@pytest.fixture(scope="module")
def checked():
    report = run_check([AWS], with_checkov=False)
    (stack,) = report.stacks
    return stack


def _with(env, *extra: Exemption):
    return env.model_copy(update={"exemptions": [*env.exemptions, *extra]})


def _exemption(rule: str, resource: str) -> Exemption:
    return Exemption(rule=rule, resource=resource, reason="decided in review SEC-77 for this one resource",
                     expires=dt.date.today() + dt.timedelta(days=30), approved_by="secops@example.com")


def test_the_examples_exemptions_all_cover_something(checked) -> None:
    env = checked.loaded.environment
    assert stale_exemptions(env, checked.graph, checked.findings, judged_checkov=False) == []


def test_an_exemption_for_a_rule_that_passes_is_stale(checked) -> None:
    env = _with(checked.loaded.environment, _exemption("aws-s3-versioning", "datasets"))
    stale = stale_exemptions(env, checked.graph, checked.findings, judged_checkov=False)
    assert [(e.rule, e.resource) for _, e in stale] == [("aws-s3-versioning", "datasets")]
    assert stale[0][0] == len(env.exemptions) - 1


def test_checkov_exemptions_are_judged_only_when_checkov_ran(checked) -> None:
    env = _with(checked.loaded.environment, _exemption("CKV_AWS_18", "datasets"))
    assert stale_exemptions(env, checked.graph, checked.findings, judged_checkov=False) == []
    stale = stale_exemptions(env, checked.graph, checked.findings, judged_checkov=True)
    assert ("CKV_AWS_18", "datasets") in [(e.rule, e.resource) for _, e in stale]


def test_a_checkov_id_checkov_does_not_have_is_refused_with_the_closest(checked) -> None:
    env = _with(load(AWS).environment, _exemption("CKV_AWS_1444", "aws-prod-eu"))
    ids = frozenset({"CKV_AWS_144", "CKV_AWS_145", "HS_AWS_1"})
    problems = validate_exemptions(env, checked.graph, checkov_ids=ids)
    (problem,) = [p for p in problems if p.index == len(env.exemptions) - 1]
    assert problem.field == "rule" and "no check of the installed checkov" in problem.message
    assert "CKV_AWS_144" in problem.message
    # Without the installed list, only the shape is checked (checkov absent, --no-checkov).
    assert not [p for p in validate_exemptions(env, checked.graph) if p.index == len(env.exemptions) - 1]


def _stack_with(tmp_path: Path, rule: str, resource: str) -> Path:
    text = AWS.read_text(encoding="utf-8").replace("    exemptions:\n", (
        "    exemptions:\n"
        f"      - rule: {rule}\n        resource: {resource}\n"
        "        reason: decided in review SEC-77 for this one resource only\n"
        f"        expires: {(dt.date.today() + dt.timedelta(days=30)).isoformat()}\n"
        "        approved_by: secops@example.com\n"), 1)
    path = tmp_path / "Pulumi.aws-prod-eu.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_warns_of_a_stale_exemption_and_strict_refuses_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hardstack.cli import main

    stack = _stack_with(tmp_path, "aws-s3-versioning", "datasets")
    warned = CliRunner().invoke(main, ["check", str(stack), "--no-checkov"])
    assert warned.exit_code == 0, warned.output
    assert f"? stale exemption {stack}:" in warned.output and "aws-s3-versioning" in warned.output
    strict = CliRunner().invoke(main, ["check", str(stack), "--no-checkov", "--strict"])
    assert strict.exit_code == 1
    assert "covered no failure in this run (stale)" in strict.output


def test_check_refuses_an_exemption_naming_a_checkov_check_that_does_not_exist(tmp_path: Path) -> None:
    from hardstack.check import run_check

    report = run_check([_stack_with(tmp_path, "CKV_AWS_99999", "datasets")])
    (stack,) = report.stacks
    assert any("CKV_AWS_99999" in i.message and "no check of the installed checkov" in i.message
               for i in stack.issues)
    assert report.exit_code == 1
