"""Advisories: deliberate but risky choices (internet egress under HIPAA/GDPR, software keys) are
shown in every report format and never fail the check."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hardstack.check import CheckReport, run_check
from hardstack.report.json_report import to_json
from hardstack.report.junit import to_junit
from hardstack.report.sarif import to_sarif
from hardstack.report.text import to_text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    # The GCP example (GDPR + HIPAA) with internet egress through Cloud NAT and software keys.
    text = (REPO / "stacks" / "Pulumi.gcp-prod-eu.yaml").read_text(encoding="utf-8")
    text = text.replace("egress: none", "egress: nat", 1).replace("protection: hsm", "protection: software", 1)
    assert "egress: nat" in text and "protection: software" in text
    stack = tmp_path_factory.mktemp("advisory") / "Pulumi.gcp-prod-eu.yaml"
    stack.write_text(text, encoding="utf-8")
    return run_check([stack], with_checkov=False)


def _advisories(report: CheckReport) -> set[str]:
    return {f.rule_id for s in report.stacks for f in s.findings if f.status == "failed" and not f.blocking}


def test_risky_choices_are_advisories_not_failures(report: CheckReport) -> None:
    assert {"internet-egress-advisory", "gcp-kms-software-key-advisory"} <= _advisories(report)
    blocking = [f for s in report.stacks for f in s.findings if f.blocking and "advisory" in f.rule_id]
    assert not blocking


def test_every_format_shows_them(report: CheckReport) -> None:
    assert "! advisory policy:internet-egress-advisory" in to_text(report)
    found = json.loads(to_json(report))
    as_json = [f for s in found["stacks"] for f in s["findings"] if f["rule_id"] == "internet-egress-advisory"]
    assert as_json and all(f["enforcement"] == "advisory" for f in as_json)
    sarif = json.loads(to_sarif(report))
    notes = [r for run in sarif["runs"] for r in run["results"] if r["ruleId"].endswith("internet-egress-advisory")]
    assert notes and all(r["level"] == "note" for r in notes)
    cases = [c for c in ET.fromstring(to_junit(report)).iter("testcase") if "internet-egress-advisory" in c.get("name")]
    assert cases and all(c.find("failure") is None for c in cases)
    assert all("advisory:" in (c.findtext("system-out") or "") for c in cases)
