"""One verdict at the export gate: `hardstack export` writes the spec's exemptions as a checkov
baseline, and bare checkov with `--baseline` then fails exactly what `hardstack check` fails."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hardstack.checkov import runner
from hardstack.checkov.baseline import BASELINE_NAME, baseline_findings
from hardstack.checkov.export import export
from hardstack.cli import main
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def _failed(reports: list[dict]) -> list[tuple[str, str]]:
    return sorted((f["check_id"], f["resource"]) for r in reports for f in r["results"].get("failed_checks", []))


def _export_all(out: Path, stacks: list[Path]) -> None:
    for stack in stacks:
        result = CliRunner().invoke(main, ["export", str(stack), "--out", str(out)])
        assert result.exit_code == 0, result.output


def test_baseline_covers_what_each_exemption_covers(tmp_path: Path, example_graph) -> None:
    stack = ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"
    loaded = load(stack)
    graph = example_graph(stack)
    exported = export(graph, tmp_path)
    entries = {e["resource"]: e["check_ids"] for e in baseline_findings(exported, graph, loaded.environment)}
    # CKV_AWS_144 is exempted for the whole environment: every exported resource carries it.
    assert set(entries) == set(exported.addresses)
    assert all("CKV_AWS_144" in ids for ids in entries.values())
    # CKV_AWS_145 only for the access-log bucket and what hangs below it.
    with_145 = [address for address, ids in entries.items() if "CKV_AWS_145" in ids]
    assert with_145 and all("access-logs" in address for address in with_145)
    # Expired exemptions are not in the baseline: checkov fails them again.
    later = baseline_findings(exported, graph, loaded.environment, today=dt.date(2027, 12, 1))
    assert later == []


@pytest.fixture(scope="module")
def exported_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exported")
    _export_all(out, STACKS)
    return out


@pytest.fixture(scope="module")
def bare_reports(exported_dir: Path) -> list[dict]:
    """Bare checkov (no baseline) over every exported example: one run, which tests only read."""
    return runner.run(exported_dir, ["terraform_plan", "arm"])


def test_bare_checkov_with_the_baseline_fails_nothing_on_the_examples(exported_dir: Path, bare_reports) -> None:
    frameworks = ["terraform_plan", "arm"]
    without = bare_reports
    assert _failed(without), "the examples' exemptions no longer cover any checkov failure: test is vacuous"
    with_baseline = runner.run(exported_dir, frameworks, baseline=exported_dir / BASELINE_NAME)
    assert _failed(with_baseline) == []


def test_an_exemption_dropped_from_the_spec_fails_bare_checkov_as_it_fails_check(tmp_path: Path) -> None:
    source = (ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml").read_text(encoding="utf-8")
    start = source.index("      - rule: CKV_AWS_144")
    end = source.index("      - rule:", start + 10)
    weakened = tmp_path / "stacks" / "Pulumi.aws-prod-eu.yaml"
    weakened.parent.mkdir()
    weakened.write_text(source[:start] + source[end:], encoding="utf-8")
    out = tmp_path / "exported"
    _export_all(out, [weakened])
    failed = _failed(runner.run(out, ["terraform_plan"], baseline=out / BASELINE_NAME))
    assert failed and {check for check, _ in failed} == {"CKV_AWS_144"}
    check = CliRunner().invoke(main, ["check", str(weakened), "--format", "json", "--output",
                                      str(tmp_path / "r.json")])
    assert check.exit_code == 1
    report = json.loads((tmp_path / "r.json").read_text())
    blocking = {f["rule_id"] for s in report["stacks"] for f in s["findings"]
                if f["status"] == "failed" and f["enforcement"] == "mandatory"}
    assert blocking == {"CKV_AWS_144"}


def test_export_keeps_other_stacks_entries_in_the_baseline(tmp_path: Path) -> None:
    _export_all(tmp_path, [ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml", ROOT / "stacks" / "Pulumi.gcp-prod-eu.yaml"])
    _export_all(tmp_path, [ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml"])  # again: replaces its own entry only
    files = [e["file"] for e in json.loads((tmp_path / BASELINE_NAME).read_text())["failed_checks"]]
    assert files == ["/aws-prod-eu.tfplan.json", "/gcp-prod-eu.tfplan.json"]


def test_checkov_runs_compact_and_reports_what_the_mapping_reads(bare_reports) -> None:
    reports = bare_reports
    items = [i for r in reports for status in ("passed_checks", "failed_checks") for i in r["results"][status]]
    assert items and all(not i.get("code_block") for i in items)  # --compact: no code blocks to parse
    assert all(i.get("check_id") and i.get("resource") and i.get("file_path") for i in items)
