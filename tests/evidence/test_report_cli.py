"""`hardstack report` and `hardstack check --report-dir`: which files land where, what a stack
that was not judged gets, the exit status, and the error without Graphviz."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_helpers import AWS, GCP, mixed_dir, mixed_report

from hardstack.check import CheckReport
from hardstack.cli import main
from hardstack.evidence.reports import BOM, DIAGRAM, PAGE, SUMMARY

FILES = (PAGE, SUMMARY, BOM, DIAGRAM)


def _fake_check(monkeypatch: pytest.MonkeyPatch, module: str, report: CheckReport) -> None:
    monkeypatch.setattr(importlib.import_module(module), "run_check", lambda *_a, **_k: report)


def test_report_writes_every_file_per_judged_stack_and_says_what_it_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_check(monkeypatch, "hardstack.cli.report", mixed_report())
    monkeypatch.chdir(mixed_dir())
    out = tmp_path / "evidence"
    result = CliRunner().invoke(main, ["report", AWS.name, GCP.name, "--out", str(out)])
    assert result.exit_code == 1, result.output  # the weakened AWS stack fails, the GCP spec is invalid
    assert sorted(p.name for p in (out / "aws-prod-eu").iterdir()) == sorted(FILES)
    invalid = next(s.stack for s in mixed_report().stacks if s.issues)  # its file name: the spec is unreadable
    assert sorted(p.name for p in out.iterdir()) == ["aws-prod-eu", SUMMARY]
    assert f"no evidence for {invalid}: invalid spec" in result.output
    combined = (out / SUMMARY).read_text()
    assert "### aws-prod-eu: ❌ fail" in combined and "```mermaid" in combined
    assert f"### {invalid}: ❌ invalid input" in combined and "Not judged" in combined
    bom = json.loads((out / "aws-prod-eu" / BOM).read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    assert "exit 1" in result.output


def test_check_report_dir_writes_the_same_evidence_under_its_gates(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_check(monkeypatch, "hardstack.cli.check", mixed_report())
    monkeypatch.chdir(mixed_dir())
    out = tmp_path / "evidence"
    result = CliRunner().invoke(main, ["check", AWS.name, GCP.name, "--soft-fail", "--report-dir", str(out)])
    assert result.exit_code == 1, result.output  # --soft-fail never passes an invalid spec
    page = (out / "aws-prod-eu" / PAGE).read_text()
    assert 'data-gate="soft-failed"' in page and 'data-gate="blocking"' not in page


def test_without_graphviz_the_report_says_how_to_install_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_check(monkeypatch, "hardstack.cli.report", mixed_report())
    monkeypatch.chdir(mixed_dir())
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on it
    result = CliRunner().invoke(main, ["report", str(AWS.name), "--out", str(tmp_path / "evidence")])
    assert result.exit_code == 2, result.output
    assert "graphviz" in result.output.lower() and "apt" in result.output


def test_report_requires_out() -> None:
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 2 and "--out" in result.output
