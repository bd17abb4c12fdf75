"""The CI workflow, read as YAML: actions pinned by commit with their tag beside, the current
upload-sarif major, least-privilege permissions, a pip cache on the pinned constraints, and a job
summary written from the report the check step itself writes (run here end to end)."""

from __future__ import annotations

import importlib
import os
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import AWS, ROOT
from ruamel.yaml import YAML

from hardstack.check import run_check
from hardstack.cli import main
from hardstack.report import FILE_NAMES

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
# The current major of each action, as their repositories tag it (read 2026-12; see the tag
# comments in the workflow for the release each commit is).
CURRENT_MAJOR = {"actions/cache": 6, "actions/checkout": 7, "actions/setup-python": 7, "actions/upload-artifact": 7,
                 "github/codeql-action": 4}
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w.-]+)(?P<path>/[\w./-]+)?@(?P<ref>\S+)"
                    r"(?:\s+#\s*(?P<tag>v\d+(?:\.\d+)*))?\s*$")


def _load(path: Path) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _steps(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in doc["jobs"].items() for step in job.get("steps", [])]


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    (path,) = [p for p in WORKFLOWS if p.name == "hardstack-check.yml"]
    return _load(path)


def test_every_action_is_pinned_by_commit_with_its_tag() -> None:
    assert WORKFLOWS
    for path in WORKFLOWS:
        uses = [line for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
        assert len(uses) == sum("uses" in step for _, step in _steps(_load(path)))
        for line in uses:
            match = PINNED.match(line)
            assert match, line
            assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"not pinned by commit: {line}"
            assert match["tag"], f"no tag comment beside the commit: {line}"
            major = CURRENT_MAJOR.get(match["action"])
            assert major is not None, f"{match['action']}: add its current major to CURRENT_MAJOR"
            assert match["tag"].split(".")[0] == f"v{major}", line


def test_permissions_are_least_privilege(workflow: dict[str, Any]) -> None:
    assert workflow.get("permissions") == {}  # nothing unless a job asks
    uploaders = [name for name, step in _steps(workflow) if "upload-sarif" in step.get("uses", "")]
    assert uploaders == ["check"]
    for name, job in workflow["jobs"].items():
        expected = {"contents": "read"}
        if name in uploaders:
            expected |= {"actions": "read", "security-events": "write"}
        assert job.get("permissions") == expected, name
    for _, step in _steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_pip_cache_keys_on_the_pinned_constraints(workflow: dict[str, Any]) -> None:
    setups = [step for _, step in _steps(workflow) if step.get("uses", "").startswith("actions/setup-python@")]
    assert len(setups) == len(workflow["jobs"])
    for step in setups:
        assert step["with"]["cache"] == "pip"
        paths = step["with"]["cache-dependency-path"].split()
        assert {"constraints.txt", "checkov-constraints.txt"} <= set(paths)
        assert all((ROOT / p).is_file() for p in paths)


def test_the_summary_and_the_upload_read_what_the_check_writes(
        workflow: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steps = workflow["jobs"]["check"]["steps"]
    command = next(s["run"] for s in steps if "hardstack check" in s.get("run", ""))
    args = shlex.split(command)
    args = args[args.index("check") + 1:]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert upload["if"].startswith("always()") and summary["if"] == "always()"
    assert upload["with"]["category"] == "hardstack"
    report = run_check([AWS], with_checkov=False)
    monkeypatch.setattr(importlib.import_module("hardstack.cli.check"), "run_check", lambda *_a, **_k: report)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(AWS), *args])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--output-dir") + 1])
    assert (tmp_path / upload["with"]["sarif_file"]) == tmp_path / out / FILE_NAMES["sarif"]
    assert (tmp_path / upload["with"]["sarif_file"]).is_file()
    page = tmp_path / "summary.md"
    page.write_text("earlier step\n")
    done = subprocess.run(["bash", "-e", "-c", summary["run"]], cwd=tmp_path, check=False,
                          env={**os.environ, "GITHUB_STEP_SUMMARY": str(page)})
    assert done.returncode == 0
    text = page.read_text()
    assert text.startswith("earlier step\n## hardstack check: passed (exit 0")  # appended, never replaced
    assert "| `aws-prod-eu` | ✅ pass |" in text


def test_pre_commit_hooks_are_valid_invocations(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = {h["id"]: h for h in _load(ROOT / ".pre-commit-hooks.yaml")}
    assert set(hooks) == {"hardstack-validate", "hardstack-check"}
    report = run_check([AWS], with_checkov=False)
    monkeypatch.setattr(importlib.import_module("hardstack.cli.check"), "run_check", lambda *_a, **_k: report)
    for hook in hooks.values():
        program, *args = shlex.split(hook["entry"])
        assert program == "hardstack" and re.search(hook["files"], "stacks/Pulumi.aws-prod-eu.yaml")
        result = CliRunner().invoke(main, [*args, str(AWS)])  # pre-commit passes the changed files
        assert result.exit_code == 0, result.output


def test_the_evidence_is_drawn_summarised_and_kept(workflow: dict[str, Any]) -> None:
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    check = next(i for i, run in enumerate(runs) if "hardstack check" in run)
    graphviz = next(i for i, run in enumerate(runs) if "apt-get install" in run and "graphviz" in run)
    assert graphviz < check  # the diagrams need Graphviz's dot
    args = shlex.split(runs[check])
    evidence = args[args.index("--report-dir") + 1].rstrip("/")
    summary = next(s for s in steps if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert f"{evidence}/summary.md" in summary["run"]
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["if"].startswith("always()") and upload["with"]["path"].rstrip("/") == evidence
    assert upload["with"]["if-no-files-found"] == "error"
