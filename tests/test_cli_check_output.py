"""`hardstack check` output: one format on standard output and nothing else there, several formats
into a directory, -o, usage errors for contradictions, files with normal permissions."""

from __future__ import annotations

import importlib
import json
import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_helpers import AWS, ROOT, mixed_dir, mixed_report

from hardstack.check import CheckReport
from hardstack.cli import main

HARDSTACK = ROOT / ".venv" / "bin" / "hardstack"
CHECK_MODULE = importlib.import_module("hardstack.cli.check")  # the module, not the command of that name


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[Path]]]:
    """`hardstack check` on the mixed report (one blocking AWS stack, one invalid GCP spec), made once."""
    made: list[list[Path]] = []

    def fake(files: list[Path], progress: Callable[[str], None] = lambda _: None,
             with_checkov: bool = True, strict: bool = False, workers: int = 1,
             cache: object = None, subjects: list[object] | None = None) -> CheckReport:
        assert not subjects  # these tests give stack files only
        made.append(files)
        progress("  rendering (fake) ...")
        return mixed_report()

    monkeypatch.setattr(CHECK_MODULE, "run_check", fake)
    monkeypatch.chdir(mixed_dir())
    yield made


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", ".", *args], catch_exceptions=False)


@pytest.fixture()
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_json_on_standard_output_pipes_into_json_tool(tmp_path: Path) -> None:
    done = subprocess.run([str(HARDSTACK), "check", str(AWS), "--no-checkov", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    tool = subprocess.run([sys.executable, "-m", "json.tool"], input=done.stdout, capture_output=True, text=True,
                          check=False)
    assert tool.returncode == 0, tool.stderr
    assert json.loads(done.stdout)["stacks"][0]["stack"] == "aws-prod-eu"
    assert "checking 1 stack(s)" in done.stderr and "PASS:" in done.stderr  # progress and summary


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown"])
def test_a_machine_format_owns_standard_output(fmt: str, calls: list[list[Path]]) -> None:
    result = check("--format", fmt)
    assert result.exit_code == 1
    if fmt == "junit":
        assert ET.fromstring(result.stdout).tag == "testsuites"
    elif fmt == "markdown":
        assert result.stdout.startswith("## hardstack check: failed (exit 1")
    else:
        json.loads(result.stdout)
    assert "rendering (fake)" in result.stderr and "FAIL:" in result.stderr and "FAIL:" not in result.stdout


def test_text_is_the_default_on_standard_output(calls: list[list[Path]]) -> None:
    result = check()
    assert "FAIL:" in result.stdout and "FAIL:" not in result.stderr and "rendering (fake)" in result.stderr


def test_several_formats_into_a_directory(calls: list[list[Path]], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = check("--format", "text", "--format", "sarif,json", "-c", "*", "--format", "junit,markdown",
                   "--output-dir", str(out))
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [
        "hardstack.json", "hardstack.junit.xml", "hardstack.md", "hardstack.sarif", "hardstack.txt"]
    assert json.loads((out / "hardstack.sarif").read_text())["version"] == "2.1.0"
    assert json.loads((out / "hardstack.json").read_text())["exit_code"] == 1
    assert ET.parse(out / "hardstack.junit.xml").getroot().get("failures") == "2"
    assert "FAIL:" in (out / "hardstack.txt").read_text() and "FAIL:" in result.stdout
    again = check("--format", "sarif", "--output-file-path", str(tmp_path / "again"))  # checkov's name
    assert (tmp_path / "again" / "hardstack.sarif").is_file() and again.exit_code == 1


def test_short_output_option_and_format_from_extension(calls: list[list[Path]], tmp_path: Path) -> None:
    assert check("-o", str(tmp_path / "r.sarif")).exit_code == 1
    assert json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["tool"]["driver"]["name"] == "hardstack"
    check("-o", str(tmp_path / "r.xml"))
    assert ET.parse(tmp_path / "r.xml").getroot().tag == "testsuites"
    check("--format", "json", "-o", str(tmp_path / "r.txt"))  # an explicit format wins
    assert json.loads((tmp_path / "r.txt").read_text())["exit_code"] == 1
    result = check("--format", "json", "-o", "-")
    assert json.loads(result.stdout)["exit_code"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "json,sarif", "-o", "r.json"], "takes one format"),
    (["--format", "json", "--format", "sarif"], "standard output takes one format"),
    (["-o", "r.json", "--output-dir", "out"], "exclude each other"),
    (["--format", "yaml"], "choose from"),
    (["--check", "aws-kms-key-rotaton"], "no policy rule"),
    (["--hard-fail-on", "CRITICAL,hipa"], "hipa"),
])
def test_contradictions_are_usage_errors(args: list[str], message: str, calls: list[list[Path]],
                                         tmp_path: Path) -> None:
    result = check(*args)
    assert result.exit_code == 2 and message in result.stderr
    assert calls == []  # refused before any stack is rendered
    assert not Path("r.json").exists() and not Path("out").exists()


def test_written_files_keep_normal_permissions(calls: list[list[Path]], tmp_path: Path, umask_022: None) -> None:
    report = tmp_path / "r.json"
    check("-o", str(report))
    check("--format", "sarif,markdown", "--output-dir", str(tmp_path / "out"))
    for path in (report, tmp_path / "out" / "hardstack.sarif", tmp_path / "out" / "hardstack.md"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    report.chmod(0o640)  # a replaced file keeps the mode its owner chose
    check("-o", str(report))
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary files left


def test_other_commands_write_files_with_normal_permissions(tmp_path: Path, umask_022: None) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["schema", "--out", str(tmp_path / "s.json")]).exit_code == 0
    created = runner.invoke(main, ["new", "prod-eu", "--cloud", "aws", "--region", "eu-west-1",
                                   "--dir", str(tmp_path / "stacks")])
    assert created.exit_code == 0, created.output
    for path in (tmp_path / "s.json", tmp_path / "stacks" / "Pulumi.prod-eu.yaml"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_an_output_that_cannot_be_written_exits_2(calls: list[list[Path]], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory\n")
    result = check("--format", "json", "--output-dir", str(blocker / "out"))
    assert result.exit_code == 2 and "cannot write" in result.stderr
    assert blocker.read_text() == "not a directory\n"


def test_compact_text_takes_one_line_per_finding(calls: list[list[Path]]) -> None:
    full = check().stdout.splitlines()
    compact = check("--compact").stdout.splitlines()
    exempted = [line for line in compact if line.lstrip().startswith("~ exempted")]
    assert exempted and all(line.rstrip().endswith(")") and "Pulumi.aws-prod-eu.yaml:" in line for line in exempted)
    assert not any("TLS-only" in line for line in exempted)  # reasons are left out
    assert any("TLS-only" in line for line in full)
    assert len([line for line in full if line.startswith("      at ")]) == 2  # blocking findings, with the fix
    assert not any(line.startswith("      at ") for line in compact)


def test_markdown_summary_shows_the_verdict_per_stack(calls: list[list[Path]]) -> None:
    text = check("--format", "markdown", "--soft-fail-on", "MEDIUM").stdout
    assert "| `aws-prod-eu` | ❌ fail | 1 | 1 | 0 |" in text  # one blocking (high), one soft-failed
    assert "| `Pulumi.gcp-prod-eu.yaml` | ❌ invalid input |" in text  # not loaded: named by its file
    assert "### Blocking findings (1)" in text and "aws-s3-sse-customer-key" in text
    assert "### Invalid input (1)" in text and "`network.cidr`" in text
    assert "`--soft-fail-on` MEDIUM" in text


def test_help_documents_every_option_with_examples() -> None:
    text = CliRunner().invoke(main, ["check", "--help"]).output
    for option in ("--format", "-o, --output", "--output-dir", "--soft-fail", "--hard-fail-on", "--soft-fail-on",
                   "-c, --check", "--skip-check", "--compact", "Exit status"):
        assert option in text, option
    examples = text.split("Examples:")[1]
    for option in ("--format json |", "-o results.sarif", "--output-dir", "--soft-fail ", "--hard-fail-on HIGH",
                   "--soft-fail-on MEDIUM", "--check hipaa", "--skip-check", "--compact"):
        assert option in examples, option
