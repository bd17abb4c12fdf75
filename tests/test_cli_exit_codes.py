"""One exit-code scheme for every command, documented once (hardstack.exit_codes.EXIT_STATUS)
and shown by every command's --help: 0 success; 1 a stack fails (invalid spec or exemption, or a
blocking finding); 2 hardstack could not do what was asked (usage, a file it will not overwrite
or cannot write, a render or checkov failure)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from report_helpers import AWS, AWS_WEAKENINGS, GCP, GCP_INVALID, write_variant

import hardstack.render.engine as engine
from hardstack.cli import main
from hardstack.exit_codes import EXIT_STATUS
from hardstack.render import RenderError

COMMANDS = [[], ["new"], ["validate"], ["plan"], ["schema"], ["check"], ["export"], ["policies"],
            ["policies", "list"]]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _boom(*_args: object, **_kwargs: object) -> object:
    raise RenderError("blueprint failed: boom")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "hardstack")
def test_every_help_states_the_one_scheme(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert " ".join(EXIT_STATUS.split()) in " ".join(result.output.split())


@pytest.fixture(scope="module")
def invalid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_variant(tmp_path_factory.mktemp("invalid"), GCP, GCP_INVALID)


def test_an_invalid_spec_is_1_in_every_command(invalid: Path, tmp_path: Path) -> None:
    assert run("validate", str(invalid)).exit_code == 1
    assert run("plan", str(invalid)).exit_code == 1
    assert run("export", str(invalid), "--out", str(tmp_path)).exit_code == 1
    assert run("new", "prod-eu", "--cloud", "aws", "--region", "us-east-1", "--compliance", "gdpr",
               "--dir", str(tmp_path)).exit_code == 1
    for extra in ([], ["--soft-fail"]):  # --soft-fail never hides invalid input
        result = run("check", str(invalid), "--no-checkov", *extra)
        assert result.exit_code == 1 and "network.cidr" in result.output


def test_an_invalid_exemption_is_1(tmp_path: Path) -> None:
    stack = write_variant(tmp_path, AWS, ("rule: CKV_AWS_61", "rule: aws-no-such-rule"))
    result = run("check", str(stack), "--no-checkov", "--soft-fail")
    assert result.exit_code == 1 and "aws-no-such-rule" in result.output


def test_blocking_findings_are_1_and_the_gates_decide(tmp_path: Path) -> None:
    stack = write_variant(tmp_path, AWS, AWS_WEAKENINGS[0])  # a high-severity policy failure
    assert run("check", str(stack), "--no-checkov").exit_code == 1
    assert run("check", str(stack), "--no-checkov", "--soft-fail").exit_code == 0
    assert run("check", str(stack), "--no-checkov", "--hard-fail-on", "CRITICAL").exit_code == 0
    assert run("check", str(stack), "--no-checkov", "--soft-fail-on", "MEDIUM").exit_code == 1  # it is high
    assert run("check", str(stack), "--no-checkov", "--skip-check", "aws-s3-sse-customer-key").exit_code == 0


def test_a_render_failure_is_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules["hardstack.cli.plan"], "render", _boom)
    monkeypatch.setattr(sys.modules["hardstack.cli.export"], "render", _boom)
    monkeypatch.setattr(engine, "render_environment", _boom)  # what the check's stack work renders with
    assert run("plan", str(AWS)).exit_code == 2
    assert run("export", str(AWS), "--out", str(tmp_path)).exit_code == 2
    out = tmp_path / "r.json"
    result = run("check", str(AWS), "--no-checkov", "--soft-fail", "-o", str(out))
    assert result.exit_code == 2 and "boom" in result.output
    assert json.loads(out.read_text())["stacks"][0]["verdict"] == "error"


def test_missing_checkov_is_2_even_with_soft_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HARDSTACK_CHECKOV", str(tmp_path / "no-checkov"))
    result = run("check", str(AWS), "--soft-fail", "--format", "sarif", "-o", str(tmp_path / "r.sarif"))
    assert result.exit_code == 2 and "make setup" in result.output
    invocation = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["invocations"][0]
    assert (invocation["exitCode"], invocation["executionSuccessful"]) == (2, False)


def test_refusing_to_overwrite_is_2(tmp_path: Path) -> None:
    args = ["new", "prod-eu", "--cloud", "aws", "--region", "eu-west-1", "--dir", str(tmp_path)]
    assert run(*args).exit_code == 0
    assert run(*args).exit_code == 2
    notes = tmp_path / "notes.json"
    notes.write_text("{}\n")
    assert run("plan", str(AWS), "--out", str(notes)).exit_code == 2
    assert notes.read_text() == "{}\n"


def test_usage_errors_are_2(tmp_path: Path) -> None:
    assert run("validate", str(tmp_path / "Pulumi.missing.yaml")).exit_code == 2
    assert run("check", "--format", "json,sarif").exit_code == 2
    assert run("export", str(AWS), "--format", "arm", "--out", str(tmp_path)).exit_code == 2
    assert run("policies", "list", "--cloud", "mars").exit_code == 2


def test_help_lists_every_command_with_its_own_short_help_without_importing_it() -> None:
    import subprocess
    import sys

    from hardstack.cli import SUBCOMMANDS, main

    ctx = click.Context(main)
    for name, (_, _, short) in SUBCOMMANDS.items():
        assert main.get_command(ctx, name).get_short_help_str(limit=len(short)) == short, name
    probe = ("import sys; from click.testing import CliRunner; from hardstack.cli import main; "
             "CliRunner().invoke(main, ['--help']); CliRunner().invoke(main, ['validate', '--help']); "
             "print(sorted(m for m in ('pulumi', 'pulumi_aws', 'hardstack.check', 'hardstack.render') "
             "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", loaded
