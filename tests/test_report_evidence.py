"""Evidence of what passed: the JSON report lists, per stack, every policy rule and checkov check
that ran with its status, and every compliance control with the rules mapped to it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from report_helpers import examples_report, mixed_report

from hardstack.report.gates import Gates, Matcher, Verdict
from hardstack.report.json_report import to_json
from hardstack.rules import REGISTRY


def _stacks(verdict: Verdict) -> dict[str, dict[str, Any]]:
    return {s["stack"]: s for s in json.loads(to_json(verdict))["stacks"]}


@pytest.fixture(scope="module")
def examples() -> dict[str, dict[str, Any]]:
    return _stacks(Verdict(examples_report()))


@pytest.fixture(scope="module")
def mixed() -> dict[str, dict[str, Any]]:
    return _stacks(Verdict(mixed_report()))


def test_every_rule_that_ran_has_a_status(examples: dict[str, dict[str, Any]]) -> None:
    for report in examples_report().stacks:
        assert report.policy is not None and report.checkov is not None
        evidence = examples[report.stack]["evidence"]
        rules = {r["id"]: r for r in evidence["policy_rules"]}
        assert set(rules) == set(report.policy.evaluated)
        for rule_id, rule in rules.items():
            expected = "exempted" if rule["exempted"] else "passed" if rule["resources_evaluated"] else "not_applicable"
            assert rule["status"] == expected, rule_id
            assert rule["severity"] == REGISTRY[rule_id].severity
            assert rule["packs"] and set(rule["packs"]) <= {"baseline", "gdpr", "hipaa"}
        checks = {c["id"]: c for c in evidence["checkov_checks"]}
        assert set(report.checkov.distinct_passed) <= set(checks)
        assert all(c["name"] for c in checks.values())
        assert {c["status"] for c in checks.values()} <= {"passed", "exempted"}
        assert evidence["summary"]["policy_rules"]["passed"] > 40


def test_controls_list_their_rules_per_framework(examples: dict[str, dict[str, Any]]) -> None:
    aws = examples["aws-prod-eu"]["evidence"]
    assert set(aws["controls"]) == {"hipaa", "gdpr", "nist-800-53"}
    assert aws["controls"]["hipaa"]["in_scope"] and not aws["controls"]["nist-800-53"]["in_scope"]
    encryption = next(c for c in aws["controls"]["hipaa"]["controls"] if c["id"] == "164.312(a)(2)(iv)")
    assert encryption["title"] == "Encryption and decryption"
    statuses = {r["rule"]: r["status"] for r in encryption["rules"]}
    assert statuses["aws-s3-sse-customer-key"] == "exempted" and encryption["status"] == "exempted"
    mapped = {r["id"] for r in aws["policy_rules"] if "164.312(a)(2)(iv)" in r["controls"].get("hipaa", [])}
    assert set(statuses) == mapped
    ids = [c["id"] for c in aws["controls"]["nist-800-53"]["controls"]]
    assert ids.index("AU-9") < ids.index("AU-11") and ids.index("SC-8") < ids.index("SC-12")  # natural order


def test_a_failing_rule_fails_its_controls(mixed: dict[str, dict[str, Any]]) -> None:
    aws = mixed["aws-prod-eu"]
    rule = next(r for r in aws["evidence"]["policy_rules"] if r["id"] == "aws-s3-sse-customer-key")
    assert (rule["status"], rule["blocking"], rule["failed"]) == ("failed", True, 1)
    for framework, controls in rule["controls"].items():
        for control in controls:
            entry = next(c for c in aws["evidence"]["controls"][framework]["controls"] if c["id"] == control)
            assert entry["status"] == "failed"
        assert aws["evidence"]["controls"][framework]["status"] == "failed"
    check = next(c for c in aws["evidence"]["checkov_checks"] if c["id"] == "CKV_AWS_252")
    assert (check["status"], check["failed"]) == ("failed", 1)
    assert aws["verdict"] == "fail" and aws["summary"]["blocking"] == 2
    invalid = next(s for name, s in mixed.items() if name != "aws-prod-eu")
    assert invalid["verdict"] == "invalid" and invalid["evidence"]["policy_rules"] == []
    assert invalid["issues"][0]["field"] == "network.cidr" and invalid["issues"][0]["line"] > 0


def test_skip_check_by_framework_marks_rules_skipped() -> None:
    stacks = _stacks(Verdict(mixed_report(), Gates(skip_check=Matcher.parse(["gdpr"]))))
    rules = stacks["aws-prod-eu"]["evidence"]["policy_rules"]
    for rule in rules:
        assert (rule["status"] == "skipped") == ("gdpr" in rule["controls"]), rule["id"]
    assert stacks["aws-prod-eu"]["summary"]["blocking"] == 1  # the checkov failure is no GDPR rule


def test_json_carries_the_gated_exit_code() -> None:
    doc = json.loads(to_json(Verdict(mixed_report(), Gates(soft_fail=True))))
    assert doc["exit_code"] == 1  # the invalid spec is never softened
    assert doc["gates"]["soft_fail"] is True
    findings = [f for s in doc["stacks"] for f in s["findings"] if f["status"] == "failed"]
    assert findings and all(f["gate"] == "soft-failed" and not f["blocking"] for f in findings)


def test_advisories_are_their_own_status(tmp_path_factory: pytest.TempPathFactory) -> None:
    from report_helpers import GCP, write_variant

    from hardstack.check import run_check

    stack = write_variant(tmp_path_factory.mktemp("advisory"), GCP, ("egress: none", "egress: nat"))
    (report,) = _stacks(Verdict(run_check([stack], with_checkov=False))).values()
    rule = next(r for r in report["evidence"]["policy_rules"] if r["id"] == "internet-egress-advisory")
    assert (rule["status"], rule["blocking"], rule["enforcement"]) == ("advisory", False, "advisory")
    assert report["verdict"] == "pass" and report["summary"]["advisory"] >= 1
    hipaa = {c["id"]: c for c in report["evidence"]["controls"]["hipaa"]["controls"]}
    egress = hipaa["164.312(e)(1)"]
    assert {"rule": "internet-egress-advisory", "status": "advisory"} in egress["rules"]
    assert egress["status"] == "advisory"  # nothing mandatory fails there
