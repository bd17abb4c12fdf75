"""`hardstack validate`: exit 0 all valid, 1 something invalid, 2 usage error; every problem listed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from hardstack.cli import main

REPO = Path(__file__).resolve().parents[1]
HARDSTACK = REPO / ".venv" / "bin" / "hardstack"

BROKEN = """\
config:
  hardstack:environment:
    name: broken
    cloud: aws
    region: eu-west-1
    account: "123456789012"
    owner: ml-platform
    colour: blue
    network:
      cidr: 8.8.0.0/16
      zones: three
    workloads:
      - name: trainer
        machine_type: m6a.2xlarge
        confidential: tdx
    monitoring:
      alert_email: secops@example.com
"""


def line_containing(text: str, needle: str) -> int:
    (line,) = [n for n, text_line in enumerate(text.splitlines(), start=1) if needle in text_line]
    return line


def _validate(runner: CliRunner, *args: str):
    return runner.invoke(main, ["validate", *args], catch_exceptions=False)


def test_example_stacks_validate(runner: CliRunner, example_paths) -> None:
    result = _validate(runner, *(str(p) for p in example_paths.values()))
    assert result.exit_code == 0, result.output
    for cloud, path in example_paths.items():
        assert f"✓ {path}: {cloud}-prod-eu on {cloud}" in result.stdout


def test_default_is_every_stack_under_stacks(runner: CliRunner, workdir: Path, example_paths) -> None:
    (workdir / "stacks").mkdir()
    for path in example_paths.values():
        shutil.copy(path, workdir / "stacks" / path.name)
    (workdir / "stacks" / "notes.yaml").write_text("not: a stack\n")  # ignored: not Pulumi.*.yaml
    result = _validate(runner)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓") == 3


def test_directory_argument(runner: CliRunner, tmp_path: Path, example_paths) -> None:
    for path in example_paths.values():
        shutil.copy(path, tmp_path / path.name)
    result = _validate(runner, str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓") == 3


def test_invalid_file_exits_1_listing_every_problem(runner: CliRunner, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.broken.yaml"
    stack.write_text(BROKEN)
    result = _validate(runner, str(stack))
    assert result.exit_code == 1
    expected = [
        (line_containing(BROKEN, "colour: blue"), "colour"),
        (line_containing(BROKEN, "cidr: 8.8.0.0/16"), "network.cidr"),
        (line_containing(BROKEN, "zones: three"), "network.zones"),
        (line_containing(BROKEN, "confidential: tdx"), "workloads[0].confidential"),
    ]
    assert f"✗ {stack}: {len(expected)} problem(s)" in result.stderr
    for line, field in expected:
        assert f"{stack}:{line}: {field}: " in result.stderr


def test_one_invalid_file_among_valid_ones_exits_1_and_reports_all(
    runner: CliRunner, tmp_path: Path, example_paths
) -> None:
    for path in example_paths.values():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "Pulumi.broken.yaml").write_text(BROKEN)
    result = _validate(runner, str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.count("✓") == 3
    assert "Pulumi.broken.yaml: 4 problem(s)" in result.stderr


def test_file_without_spec_exits_1_with_hint(runner: CliRunner, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.empty.yaml"
    stack.write_text("config:\n  aws:region: eu-west-1\n")
    result = _validate(runner, str(stack))
    assert result.exit_code == 1
    assert "hardstack:environment" in result.stderr
    assert "hardstack new" in result.stderr


def test_yaml_syntax_error_exits_1_with_line(runner: CliRunner, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.syntax.yaml"
    text = BROKEN.replace("    owner: ml-platform\n", "    owner: ml-platform: again\n")
    stack.write_text(text)
    result = _validate(runner, str(stack))
    assert result.exit_code == 1
    assert f"{stack}:{line_containing(text, 'ml-platform: again')}: " in result.stderr
    assert "not valid YAML" in result.stderr


def test_nonexistent_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = _validate(runner, str(tmp_path / "Pulumi.missing.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_empty_directory_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = _validate(runner, str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "no stack files" in result.stderr


def test_no_stacks_directory_exits_2(runner: CliRunner, workdir: Path) -> None:
    # Product bug (see report): without ./stacks, stack_files() treats the missing directory as a
    # file; load() then fails to read it and validate exits 1 ("cannot read the file") instead of
    # the usage error (2) an empty stacks directory gives.
    result = _validate(runner)
    assert result.exit_code == 2
    assert "no stack files" in result.stderr


def test_help_shows_examples_and_exit_codes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "hardstack validate" in result.output
    assert "Exit status" in result.output


def test_real_executable_new_then_validate(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HARDSTACK), *args], cwd=tmp_path, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=120, check=False,
        )

    created = run("new", "prod-eu", "--cloud", "aws", "--region", "eu-west-1", "--compliance", "gdpr",
                  "--compliance", "hipaa")
    assert created.returncode == 0, created.stderr
    target = tmp_path / "stacks" / "Pulumi.prod-eu.yaml"
    before = target.read_bytes()
    assert run("validate").returncode == 0
    assert run("validate", str(target)).returncode == 0
    again = run("new", "prod-eu", "--cloud", "gcp", "--region", "europe-west4")
    assert again.returncode != 0
    assert target.read_bytes() == before
    no_cloud = run("new", "other", "--region", "eu-west-1")
    assert no_cloud.returncode == 2
    (tmp_path / "Pulumi.broken.yaml").write_text(BROKEN)
    broken = run("validate", "Pulumi.broken.yaml")
    assert broken.returncode == 1
    assert "network.zones" in broken.stderr
    assert run("validate", "Pulumi.missing.yaml").returncode == 2
