"""`hardstack check`, `export` and `policies list` as users run them: exit codes, reports, lines."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from checkov_helpers import STACKS
from click.testing import CliRunner

from hardstack.cli import main

AWS = STACKS / "Pulumi.aws-prod-eu.yaml"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def variant(tmp_path: Path, old: str, new: str) -> Path:
    text = AWS.read_text()
    assert old in text
    out = tmp_path / "Pulumi.aws-prod-eu.yaml"
    out.write_text(text.replace(old, new, 1))
    return out


def test_example_passes_and_writes_sarif_with_lines(tmp_path: Path) -> None:
    out = tmp_path / "results.sarif"
    result = run("check", str(AWS), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 0, result.output
    sarif = json.loads(out.read_text())
    assert [run["tool"]["driver"]["name"] for run in sarif["runs"]] == ["hardstack", "checkov"]
    results = [r for run in sarif["runs"] for r in run["results"]]
    assert results and all(r["suppressions"][0]["justification"] for r in results)  # only exemptions
    lines = AWS.read_text().splitlines()
    for r in results:
        location = r["locations"][0]["physicalLocation"]
        assert (Path.cwd() / location["artifactLocation"]["uri"]).resolve() == AWS.resolve()
        assert lines[location["region"]["startLine"] - 1].strip().startswith("- rule:")


def test_removed_exemption_fails_with_exit_1_at_the_resource_line(tmp_path: Path) -> None:
    stack = variant(tmp_path, "      - rule: CKV_AWS_252\n        resource: audit\n",
                    "      - rule: CKV_AWS_252\n        resource: access-logs\n")
    out = tmp_path / "r.json"
    result = run("check", str(stack), "--format", "json", "--output", str(out))
    assert result.exit_code == 1, result.output
    report = json.loads(out.read_text())
    failed = [f for f in report["stacks"][0]["findings"] if f["status"] == "failed"]
    assert [(f["rule_id"], f["resource_name"]) for f in failed] == [("CKV_AWS_252", "aws-prod-eu-audit-trail")]
    line = stack.read_text().splitlines()[failed[0]["line"] - 1]
    assert line.strip().startswith("logging:")  # the trail comes from the logging section


def test_expired_exemption_is_a_failure(tmp_path: Path) -> None:
    text = AWS.read_text()
    stack = tmp_path / "Pulumi.aws-prod-eu.yaml"
    marker = "      - rule: CKV2_AWS_3\n"
    head, tail = text.split(marker)
    stack.write_text(head + marker + tail.replace("expires: 2027-11-30", "expires: 2024-01-31", 1))
    result = run("check", str(stack))
    assert result.exit_code == 1
    assert "CKV2_AWS_3" in result.output and "expired on 2024-01-31" in result.output


def test_exemption_naming_no_rule_is_bad_input(tmp_path: Path) -> None:
    stack = variant(tmp_path, "rule: CKV_AWS_252", "rule: aws-no-such-rule")
    result = run("check", str(stack), "--no-checkov")
    assert result.exit_code == 1  # invalid input, like an invalid spec in every command
    assert "exemptions[3].rule" in result.output and "'aws-no-such-rule' is no policy rule" in result.output


def test_exemption_naming_no_resource_is_bad_input(tmp_path: Path) -> None:
    stack = variant(tmp_path, "resource: audit", "resource: no-such-thing")
    result = run("check", str(stack), "--no-checkov")
    assert result.exit_code == 1 and "no resource, workload or bucket named 'no-such-thing'" in result.output


def test_invalid_spec_is_bad_input(tmp_path: Path) -> None:
    stack = variant(tmp_path, "cidr: 10.20.0.0/16", "cidr: 8.8.0.0/16")
    result = run("check", str(stack), "--no-checkov")
    assert result.exit_code == 1 and "network.cidr" in result.output


def test_missing_checkov_is_a_tool_failure(tmp_path: Path) -> None:
    result = run("check", str(AWS), env={"HARDSTACK_CHECKOV": str(tmp_path / "nope")})
    assert result.exit_code == 2 and "checkov" in result.output and "make setup" in result.output


def test_policy_failure_without_checkov_exits_1(tmp_path: Path) -> None:
    stack = variant(tmp_path, "    exemptions:\n      - rule: aws-s3-sse-customer-key",
                    "    exemptions:\n      - rule: aws-s3-bucket-key")
    result = run("check", str(stack), "--no-checkov", "--format", "junit", "--output", str(tmp_path / "j.xml"))
    assert result.exit_code == 1
    suites = ET.parse(tmp_path / "j.xml").getroot()
    failures = [c for c in suites.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["aws-s3-sse-customer-key aws-prod-eu-access-logs-encryption"]


def test_export_writes_a_terraform_plan(tmp_path: Path) -> None:
    result = run("export", str(AWS), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "aws-prod-eu.tfplan.json").read_text())
    assert plan["terraform_version"] and len(plan["planned_values"]["root_module"]["resources"]) > 100


def test_export_refuses_the_wrong_format(tmp_path: Path) -> None:
    result = run("export", str(AWS), "--format", "arm", "--out", str(tmp_path))
    assert result.exit_code == 2 and "export as terraform-plan" in result.output


@pytest.mark.parametrize("args, expected", [
    (("--cloud", "aws", "--framework", "hipaa"), "aws-kms-key-rotation"),
    (("--framework", "gdpr"), "gdpr-data-residency"),
])
def test_policies_list_filters(args: tuple[str, ...], expected: str) -> None:
    result = run("policies", "list", *args, "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert expected in {r["id"] for r in listed}
    framework = args[args.index("--framework") + 1]
    assert all(framework in r["controls"] for r in listed)


def test_help_teaches_with_examples() -> None:
    for command in (["check"], ["export"], ["policies", "list"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output


def test_export_never_overwrites_a_file_that_is_not_an_export(tmp_path: Path) -> None:
    target = tmp_path / "aws-prod-eu.tfplan.json"
    target.write_text("my notes\n")
    result = run("export", str(AWS), "--out", str(tmp_path))
    assert result.exit_code == 2 and "left unchanged" in result.output
    assert target.read_text() == "my notes\n"
    assert run("export", str(AWS), "--out", str(tmp_path), "--force").exit_code == 0
    assert json.loads(target.read_text())["terraform_version"]
    assert run("export", str(AWS), "--out", str(tmp_path)).exit_code == 0  # an earlier export is replaced
