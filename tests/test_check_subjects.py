"""`hardstack check --state / --preview`: real `pulumi stack export` and `pulumi preview --json`
files (tests/fixtures/pulumi, origins in its README) judged by the same rules and checkov as a
spec stack, findings at the resource's URN and at its line in the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hardstack.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pulumi"
EXPORT = FIXTURES / "stratify-sample-export.json"
PREVIEW = FIXTURES / "stratify-sample-preview-creates.json"
BUCKET_EXPORT = FIXTURES / "pulumi-aws-bucket-stack.json"


def _check(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache", *args])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture(scope="module")
def judged() -> tuple[int, dict[str, Any]]:
    return _check("--state", str(EXPORT), "--preview", str(PREVIEW), "--state", str(BUCKET_EXPORT))


def _stack(report: dict[str, Any], file: Path) -> dict[str, Any]:
    return next(s for s in report["stacks"] if s["file"] == str(file))


def test_a_public_unencrypted_bucket_fails_the_same_rules_in_an_export_and_a_preview(
        judged: tuple[int, dict[str, Any]]) -> None:
    code, report = judged
    assert code == 1
    for file in (EXPORT, PREVIEW):
        stack = _stack(report, file)
        failed = {(f["source"], f["rule_id"], f["resource_name"]) for f in stack["findings"] if f["status"] == "failed"}
        for rule in ("aws-s3-public-access-block-present", "aws-s3-encryption-configured", "aws-s3-tls-only"):
            assert ("policy", rule, "docs") in failed, (file.name, rule)
        assert ("checkov", "CKV2_AWS_6", "docs") in failed  # checkov judged the same bucket
        assert stack["checkov"]["resources"] >= 3


def test_findings_carry_the_urn_and_point_at_its_line_in_the_file(judged: tuple[int, dict[str, Any]]) -> None:
    _, report = judged
    for file in (EXPORT, PREVIEW):
        lines = file.read_text().splitlines()
        urns = {r["urn"] for r in _resources(file)}
        on_resources = [f for f in _stack(report, file)["findings"] if f["resource_urn"]]
        assert on_resources
        for f in on_resources:
            assert f["resource_urn"] in urns
            assert f["file"] == str(file) and f["line"] >= 1
            assert f'"urn": "{f["resource_urn"]}"' in lines[f["line"] - 1]


def _resources(file: Path) -> list[dict[str, Any]]:
    data = json.loads(file.read_text())
    if "deployment" in data:
        return list(data["deployment"]["resources"])
    return [s["newState"] for s in data["steps"] if s.get("newState")]


def test_two_files_of_one_stack_are_told_apart(judged: tuple[int, dict[str, Any]]) -> None:
    _, report = judged
    names = [s["stack"] for s in report["stacks"]]
    assert len(set(names)) == len(names) == 3
    assert _stack(report, EXPORT)["stack"] == "dev"
    assert _stack(report, PREVIEW)["stack"] == f"dev~{PREVIEW.stem}"


def test_compliance_adds_the_frameworks_packs() -> None:
    _, plain = _check("--no-checkov", "--state", str(BUCKET_EXPORT))
    _, hipaa = _check("--no-checkov", "--state", str(BUCKET_EXPORT), "--compliance", "hipaa")
    rules = {s["stack"]: s["policy_rules_evaluated"] for s in plain["stacks"]}
    assert hipaa["stacks"][0]["policy_rules_evaluated"] > rules[plain["stacks"][0]["stack"]]


def test_an_unreadable_file_is_not_judged_and_the_others_are(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 3, "deployment": ')
    code, report = _check("--no-checkov", "--state", str(broken), "--state", str(BUCKET_EXPORT))
    assert code == 2  # hardstack could not judge every stack
    bad = _stack(report, broken)
    assert bad["verdict"] == "error" and str(broken) in bad["render_error"]
    assert _stack(report, BUCKET_EXPORT)["verdict"] == "fail"


@pytest.mark.parametrize("args", [["--stack", "dev"], ["--compliance", "hipaa"]])
def test_options_that_need_a_subject_say_so(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 2 and "goes with" in result.output


def test_a_value_unknown_in_the_preview_is_an_advisory_not_a_crash_nor_a_pass(judged) -> None:
    # The preview's lambda Permission has its sourceArn unknown until the bucket exists; the
    # engine then says it cannot run the policy (an advisory), and so does the check.
    _, report = judged
    found = [f for s in report["stacks"] for f in s["findings"] if f["message"].startswith("can't run policy")]
    assert [(f["rule_id"], f["enforcement"], f["resource_name"]) for f in found] == [
        ("aws-lambda-no-public-invoke", "advisory", "docsHandler")]
    assert "sourceArn can't be known during preview" in found[0]["message"]
