"""SARIF: valid against the OASIS 2.1.0 schema, complete for GitHub code scanning, located at the
stack-file line, and still useful when the check itself fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from report_helpers import (
    AWS,
    GCP,
    ROOT,
    examples_report,
    github_problems,
    line_of,
    mixed_dir,
    mixed_report,
    sarif_schema,
)

from hardstack.check import run_check
from hardstack.report.gates import Gates, Matcher, Verdict
from hardstack.report.sarif import to_sarif
from hardstack.rules import REGISTRY


def _runs(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {run["tool"]["driver"]["name"]: run for run in doc["runs"]}


def _schema_errors(doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(sarif_schema())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.fixture(scope="module")
def examples() -> dict[str, Any]:
    return json.loads(to_sarif(examples_report()))


@pytest.fixture(scope="module")
def mixed() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(mixed_dir())
        return json.loads(to_sarif(mixed_report()))


def test_the_schema_is_the_official_one() -> None:
    schema = sarif_schema()
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"


def test_the_checker_catches_what_github_refuses(examples: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(examples))
    rule = broken["runs"][0]["tool"]["driver"]["rules"][3]
    del rule["fullDescription"]
    rule["properties"]["security-severity"] = 9.5  # a number, not a string
    broken["runs"][1]["results"][0]["locations"] = []
    problems = " ".join(github_problems(broken))
    assert "fullDescription" in problems and "security-severity" in problems and "0 locations" in problems
    broken["runs"][0]["results"] = "none"
    assert _schema_errors(broken)


@pytest.mark.parametrize("scenario", ["examples", "mixed"])
def test_valid_against_the_schema_and_githubs_rules(scenario: str, request: pytest.FixtureRequest) -> None:
    doc = request.getfixturevalue(scenario)
    assert _schema_errors(doc) == []
    assert github_problems(doc) == []


def test_examples_pass_with_every_result_a_located_suppression(examples: dict[str, Any]) -> None:
    runs = _runs(examples)
    assert set(runs) == {"hardstack", "checkov"}
    invocation = runs["hardstack"]["invocations"][0]
    assert (invocation["executionSuccessful"], invocation["exitCode"]) == (True, 0)
    results = [r for run in examples["runs"] for r in run["results"]]
    assert results and len(results) == sum(len(s.exempted) for s in examples_report().stacks)
    for result in results:
        assert result["suppressions"][0]["kind"] == "inSource"
        assert "until 2027-11-30" in result["suppressions"][0]["justification"]
        physical = result["locations"][0]["physicalLocation"]
        stack = (Path.cwd() / physical["artifactLocation"]["uri"]).resolve()
        assert stack.parent == (ROOT / "stacks")
        line = stack.read_text().splitlines()[physical["region"]["startLine"] - 1]
        assert line.strip().startswith("- rule:")  # the exemption that decided it
        assert physical["region"]["startColumn"] == line.index("-") + 1


def test_every_rule_that_ran_is_described(examples: dict[str, Any]) -> None:
    runs = _runs(examples)
    policy = {r["id"] for r in runs["hardstack"]["tool"]["driver"]["rules"]}
    ran = {f"policy/{rule}" for s in examples_report().stacks if s.policy for rule in s.policy.evaluated}
    assert ran <= policy and {"hardstack/invalid-spec", "hardstack/invalid-exemption"} <= policy
    checkov = {r["id"] for r in runs["checkov"]["tool"]["driver"]["rules"]}
    passed = {f"checkov/{c}" for s in examples_report().stacks if s.checkov for c in s.checkov.distinct_passed}
    assert passed <= checkov
    assert runs["checkov"]["tool"]["driver"]["version"].startswith("3.")


def test_security_severity_follows_the_rule_severity(examples: dict[str, Any]) -> None:
    expected = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
    for rule in _runs(examples)["hardstack"]["tool"]["driver"]["rules"]:
        if rule["id"].startswith("policy/"):
            policy = REGISTRY[rule["name"]]
            assert rule["properties"]["security-severity"] == expected[policy.severity]
            assert policy.remediation in rule["help"]["text"] and policy.remediation in rule["help"]["markdown"]
            assert all(f"{k}:{c}" in rule["properties"]["tags"] for k, v in policy.controls.items() for c in v)


def test_help_uri_is_the_rule_definition_at_the_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/hardstack")
    monkeypatch.setenv("GITHUB_SHA", "0" * 40)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ROOT))
    monkeypatch.delenv("HARDSTACK_DOCS_URL", raising=False)
    doc = json.loads(to_sarif(examples_report()))
    base = f"https://github.com/acme/hardstack/blob/{'0' * 40}/"
    hardstack = _runs(doc)["hardstack"]["tool"]["driver"]
    assert hardstack["informationUri"] == base + "README.md"
    for rule in hardstack["rules"]:
        assert rule["helpUri"].startswith(base)
        path, _, anchor = rule["helpUri"][len(base):].partition("#")
        if rule["id"].startswith("policy/"):
            lines = (ROOT / path).read_text().splitlines()
            first = int(anchor.removeprefix("L"))
            assert f'id="{rule["name"]}"' in "\n".join(lines[first - 1:first + 3]), rule["helpUri"]
        else:
            assert path == "README.md" and anchor in {"the-spec", "exemptions", "commands"}
    for rule in _runs(doc)["checkov"]["tool"]["driver"]["rules"]:
        expected = base + "hardstack/checkov/custom_checks/" if rule["name"].startswith("HS_") else \
            "https://www.checkov.io/5.Policy%20Index/"
        assert rule["helpUri"].startswith(expected)
    monkeypatch.setenv("HARDSTACK_DOCS_URL", "https://docs.example.org/hardstack/v1/")
    doc = json.loads(to_sarif(examples_report()))
    assert _runs(doc)["hardstack"]["tool"]["driver"]["informationUri"] == \
        "https://docs.example.org/hardstack/v1/README.md"


def test_failures_are_errors_at_their_line_and_invalid_specs_are_results(mixed: dict[str, Any]) -> None:
    runs = _runs(mixed)
    invocation = runs["hardstack"]["invocations"][0]
    assert (invocation["executionSuccessful"], invocation["exitCode"]) == (True, 1)
    spec = [r for r in runs["hardstack"]["results"] if r["ruleId"] == "hardstack/invalid-spec"]
    assert len(spec) == 1 and "network.cidr" in spec[0]["message"]["text"]
    location = spec[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": GCP.name, "uriBaseId": "%SRCROOT%"}
    assert location["region"]["startLine"] == line_of(mixed_dir() / GCP.name, "cidr: 8.8.0.0/16")
    unsuppressed = {r["ruleId"]: r for run in mixed["runs"] for r in run["results"]
                    if not r.get("suppressions") and r["ruleId"] != "hardstack/invalid-spec"}
    assert set(unsuppressed) == {"policy/aws-s3-sse-customer-key", "checkov/CKV_AWS_252"}
    assert {r["level"] for r in unsuppressed.values()} == {"error"}
    trail = unsuppressed["checkov/CKV_AWS_252"]["locations"][0]["physicalLocation"]
    text = (mixed_dir() / AWS.name).read_text().splitlines()[trail["region"]["startLine"] - 1]
    assert text.strip().startswith("logging:")


def test_gates_set_the_level_and_skip_check_drops_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed_dir())
    soft = Verdict(mixed_report(), Gates(soft_fail_on=Matcher.parse(["MEDIUM"])))
    levels = {r["ruleId"]: r["level"] for run in json.loads(to_sarif(soft))["runs"] for r in run["results"]
              if not r.get("suppressions")}
    assert levels["policy/aws-s3-sse-customer-key"] == "error"  # high still blocks
    assert levels["checkov/CKV_AWS_252"] == "warning"  # medium soft-failed
    skipped = Verdict(mixed_report(), Gates(skip_check=Matcher.parse(["CKV_AWS_252,aws-s3-*"])))
    doc = json.loads(to_sarif(skipped))
    ids = {r["ruleId"] for run in doc["runs"] for r in run["results"]}
    rules = {r["id"] for run in doc["runs"] for r in run["tool"]["driver"]["rules"]}
    assert not {"checkov/CKV_AWS_252", "policy/aws-s3-sse-customer-key"} & (ids | rules)
    assert _runs(doc)["hardstack"]["invocations"][0]["exitCode"] == 1  # the invalid GCP spec remains


def test_checkov_missing_keeps_policy_results_and_leaves_checkov_alerts_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HARDSTACK_CHECKOV", str(tmp_path / "no-checkov"))
    monkeypatch.chdir(mixed_dir())
    doc = json.loads(to_sarif(run_check([Path(AWS.name), Path(GCP.name)])))
    assert _schema_errors(doc) == [] and github_problems(doc) == []
    runs = _runs(doc)
    assert set(runs) == {"hardstack"}  # no checkov run: its open alerts are not closed by this upload
    invocation = runs["hardstack"]["invocations"][0]
    assert (invocation["executionSuccessful"], invocation["exitCode"]) == (False, 2)
    assert "checkov" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    ids = {r["ruleId"] for r in runs["hardstack"]["results"]}
    assert {"hardstack/invalid-spec", "policy/aws-s3-sse-customer-key"} <= ids


def test_an_invalid_exemption_is_a_result_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from report_helpers import write_variant

    stack = write_variant(tmp_path, AWS, ("rule: CKV_AWS_61", "rule: aws-no-such-rule"))
    monkeypatch.chdir(tmp_path)
    doc = json.loads(to_sarif(run_check([Path(stack.name)], with_checkov=False)))
    results = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "hardstack/invalid-exemption"]
    assert results and results[0]["level"] == "error"
    line = results[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert "aws-no-such-rule" in stack.read_text().splitlines()[line - 1]
    assert github_problems(doc) == []
