"""A checkov started before its input exists (hardstack/checkov/prestart.py) reports exactly what
bare checkov reports on the same directory with the same arguments."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from hardstack.checkov import runner
from hardstack.checkov.export import export
from hardstack.checkov.prestart import PrestartedCheckov, _interpreter
from hardstack.render import render
from hardstack.spec import load

ROOT = Path(__file__).resolve().parents[2]


def _results(reports: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    return sorted((r.get("check_type", ""), status, item["check_id"], item["resource"], item["file_path"])
                  for r in reports for status in ("passed_checks", "failed_checks")
                  for item in r["results"].get(status, []))


def test_a_prestarted_checkov_reports_what_bare_checkov_reports(tmp_path: Path) -> None:
    frameworks = []
    for name in ("aws-prod-eu", "azure-prod-eu"):
        frameworks.append(export(render(load(ROOT / "stacks" / f"Pulumi.{name}.yaml")).graph, tmp_path).framework)
    started = PrestartedCheckov()
    assert started.process is not None, "the project's checkov is a Python console script: it should prestart"
    time.sleep(0.5)  # its start-up runs before the exports are named, as during a check
    early = started.scan(tmp_path, frameworks)
    bare = runner.run(tmp_path, frameworks)
    assert _results(early) == _results(bare)
    assert {r["check_type"] for r in early} == {"terraform_plan", "arm"}
    assert len(_results(early)) > 200


def test_an_unused_prestarted_checkov_ends_when_closed() -> None:
    started = PrestartedCheckov()
    process = started.process
    assert process is not None
    started.close()
    assert process.returncode is not None


def test_only_a_python_console_script_is_prestarted(tmp_path: Path) -> None:
    binary = tmp_path / "checkov"
    binary.write_bytes(b"\x7fELF not a script")
    assert _interpreter(binary) is None
    script = tmp_path / "script"
    script.write_text(f"#!{runner.PROJECT_CHECKOV.parent / 'python'}\nprint()\n")
    assert _interpreter(script) == runner.PROJECT_CHECKOV.parent / "python"
