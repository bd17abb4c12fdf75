"""`hardstack new`: a complete, valid stack file; never overwrites without --force."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from hardstack.cli import main
from hardstack.spec import load

CLOUDS = {"aws": "eu-west-1", "gcp": "europe-west4", "azure": "westeurope"}


def _new(runner: CliRunner, *args: str):
    return runner.invoke(main, ["new", *args], catch_exceptions=False)


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
def test_new_then_validate_exits_zero(cloud: str, runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", "--cloud", cloud, "--region", CLOUDS[cloud], "--compliance", "gdpr")
    assert result.exit_code == 0, result.output
    target = workdir / "stacks" / "Pulumi.prod-eu.yaml"
    assert target.is_file()
    assert str(Path("stacks") / "Pulumi.prod-eu.yaml") in result.stdout
    check = runner.invoke(main, ["validate", str(target)], catch_exceptions=False)
    assert check.exit_code == 0, check.output
    check_default = runner.invoke(main, ["validate"], catch_exceptions=False)  # ./stacks
    assert check_default.exit_code == 0, check_default.output


def test_new_writes_what_was_asked_for(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "research", "--cloud", "gcp", "--region", "europe-west4",
                  "--compliance", "gdpr", "--compliance", "hipaa", "--account", "ml-research-4711",
                  "--owner", "ml-research", "--alert-email", "alerts@example.org")
    assert result.exit_code == 0, result.output
    env = load(workdir / "stacks" / "Pulumi.research.yaml").environment
    assert (env.name, env.cloud, env.region, env.account) == (
        "research", "gcp", "europe-west4", "ml-research-4711",
    )
    assert env.compliance == ["gdpr", "hipaa"]
    assert env.owner == "ml-research"
    assert env.monitoring.alert_email == "alerts@example.org"
    assert env.logging.retention_days >= 2190  # HIPAA
    assert env.keys.rotation_days <= 90  # HIPAA
    assert env.workloads, "the template carries a workload to edit"
    assert env.network.egress == "none"


def test_new_file_is_commented(runner: CliRunner, workdir: Path) -> None:
    assert _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1").exit_code == 0
    text = (workdir / "stacks" / "Pulumi.prod-eu.yaml").read_text()
    assert text.count("#") >= 10
    assert "config:\n  hardstack:environment:\n" in text


def test_second_new_with_same_name_leaves_file_unchanged(runner: CliRunner, workdir: Path) -> None:
    first = _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1", "--owner", "first-team")
    assert first.exit_code == 0, first.output
    target = workdir / "stacks" / "Pulumi.prod-eu.yaml"
    # the user edits the file afterwards; a second `new` must not lose the edit
    target.write_bytes(target.read_bytes() + b"# my own note\n")
    before = target.read_bytes()
    second = _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1", "--owner", "second-team")
    assert second.exit_code != 0
    assert target.read_bytes() == before
    assert "--force" in second.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == ["Pulumi.prod-eu.yaml"]  # no temp files


def test_force_overwrites(runner: CliRunner, workdir: Path) -> None:
    assert _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1",
                "--owner", "first-team").exit_code == 0
    target = workdir / "stacks" / "Pulumi.prod-eu.yaml"
    target.write_text(target.read_text() + "# my own note\n")
    result = _new(runner, "prod-eu", "--cloud", "gcp", "--region", "europe-west4",
                  "--owner", "second-team", "--force")
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "# my own note" not in text
    env = load(target).environment
    assert (env.cloud, env.owner) == ("gcp", "second-team")


def test_missing_cloud_without_a_terminal_is_a_usage_error(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", "--region", "eu-west-1")
    assert result.exit_code == 2
    assert "--cloud" in result.stderr
    assert not (workdir / "stacks").exists()


def test_missing_region_without_a_terminal_is_a_usage_error(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", "--cloud", "azure")
    assert result.exit_code == 2
    assert "--region" in result.stderr
    assert "westeurope" in result.stderr  # an example region of the chosen cloud
    assert not (workdir / "stacks").exists()


def test_prompts_in_a_terminal(runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # hardstack.cli.new is shadowed by the command of the same name: patch the module itself
    monkeypatch.setattr(importlib.import_module("hardstack.cli.new"), "_interactive", lambda: True)
    # cloud, compliance, TEE (default), region, machine type (default), account, owner, alert email
    answers = "gcp\nnone\n\neurope-west4\n\nml-research-4711\nml-research\nml@example.org\n"
    result = runner.invoke(main, ["new", "research"], input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    env = load(workdir / "stacks" / "Pulumi.research.yaml").environment
    assert (env.cloud, env.region, env.account) == ("gcp", "europe-west4", "ml-research-4711")
    assert (env.owner, env.monitoring.alert_email, env.compliance) == ("ml-research", "ml@example.org", [])


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--cloud", "aws", "--region", "us-east-1", "--compliance", "gdpr"], "region"),
        # AMD SEV-SNP (the AWS default) exists on shared tenancy in eu-west-1 and us-east-2 only
        (["--cloud", "aws", "--region", "eu-central-1"], "region"),
        (["--cloud", "aws", "--region", "eu-west-1", "--account", "12345"], "account"),
        (["--cloud", "gcp", "--region", "europe-wst4"], "region"),
        (["--cloud", "aws", "--region", "eu-west-1", "--alert-email", "nobody"], "monitoring.alert_email"),
    ],
)
def test_invalid_options_write_nothing_and_exit_1(args, field: str, runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", *args)
    assert result.exit_code == 1
    assert f"{field}:" in result.stderr
    assert "not written" in result.stderr
    stacks = workdir / "stacks"
    assert not stacks.exists() or list(stacks.iterdir()) == []


def test_invalid_options_leave_an_existing_file_alone(runner: CliRunner, workdir: Path) -> None:
    assert _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1").exit_code == 0
    target = workdir / "stacks" / "Pulumi.prod-eu.yaml"
    before = target.read_bytes()
    result = _new(runner, "prod-eu", "--cloud", "aws", "--region", "us-east-1", "--compliance", "gdpr",
                  "--force")
    assert result.exit_code == 1
    assert target.read_bytes() == before


@pytest.mark.parametrize("name", ["Prod", "p", "-prod", "prod_eu", "prod-", "a" * 31])
def test_invalid_name_is_a_usage_error(name: str, runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, name, "--cloud", "aws", "--region", "eu-west-1")
    assert result.exit_code == 2
    assert not (workdir / "stacks").exists()


def test_dir_option(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", "--cloud", "aws", "--region", "eu-west-1", "--dir", "elsewhere/stacks")
    assert result.exit_code == 0, result.output
    assert (workdir / "elsewhere" / "stacks" / "Pulumi.prod-eu.yaml").is_file()
    assert not (workdir / "stacks").exists()


def test_help_shows_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["new", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "hardstack new prod-eu --cloud aws" in result.output


def test_default_machine_type_is_one_the_region_runs_confidentially(runner: CliRunner, workdir: Path) -> None:
    # Azure's TDX v5 sizes are not offered in eastus; the v6 sizes are.
    assert _new(runner, "east", "--cloud", "azure", "--region", "eastus").exit_code == 0
    env = load(workdir / "stacks" / "Pulumi.east.yaml").environment
    assert env.workloads[0].machine_type == "Standard_DC4es_v6"
    text = (workdir / "stacks" / "Pulumi.east.yaml").read_text()
    assert "Standard_DC4es_v5" not in text  # not offered to a region that cannot run it


@pytest.mark.parametrize("cloud, region", [("aws", "eu-west-1"), ("gcp", "europe-west4"), ("azure", "westeurope")])
def test_the_commented_platform_section_validates_once_uncommented(cloud: str, region: str, runner: CliRunner,
                                                                   workdir: Path) -> None:
    from hardstack.scaffold_sections import PLATFORM_MARK

    args = ["new", "lab", "--cloud", cloud, "--region", region, "--compliance", "gdpr"]
    if cloud == "gcp":  # the perimeter names the project by number
        args += ["-c", "project_number=123456789012"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    path = workdir / "stacks" / "Pulumi.lab.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(PLATFORM_MARK)
    # the section's lines are indented below its key; a comment about the next section is not
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    #  "))
    uncommented = [line.replace("    # ", "    ", 1) if start <= i < end else line for i, line in enumerate(lines)]
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    platform = load(path).environment.platform
    assert platform is not None and platform.notebooks is not None
    assert [e.name for e in platform.endpoints] == ["scorer"] and platform.foundation_models is not None
    assert (platform.access_policy is not None) == (cloud == "gcp")


@pytest.mark.parametrize("cloud, region", [("gcp", "europe-west4"), ("azure", "westeurope"), ("aws", "eu-west-1")])
def test_the_commented_kubernetes_section_validates_once_uncommented(cloud: str, region: str, runner: CliRunner,
                                                                     workdir: Path) -> None:
    from hardstack.scaffold_sections import KUBERNETES_MARK
    from hardstack.spec import SpecError

    result = runner.invoke(main, ["new", "lab", "--cloud", cloud, "--region", region, "--compliance", "gdpr"])
    assert result.exit_code == 0, result.output
    path = workdir / "stacks" / "Pulumi.lab.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(KUBERNETES_MARK)
    # the section's lines are indented below its key; a comment about the next section is not
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    #  "))
    uncommented = [line.replace("    # ", "    ", 1) if start <= i < end else line for i, line in enumerate(lines)]
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    if cloud == "aws":  # EKS has no confidential nodes: the pool's none needs its exemption, and says so
        with pytest.raises(SpecError) as caught:
            load(path)
        (issue,) = caught.value.issues
        assert issue.field == "kubernetes.node_pools[0].confidential" and "add an exemption" in issue.message
        return
    cluster = load(path).environment.kubernetes
    assert cluster is not None and [p.name for p in cluster.node_pools] == ["general", "gpu"]
    # AKS needs its admin groups (a placeholder to replace); GKE takes none.
    assert (cluster.admins is not None) == (cloud == "azure")
    assert cluster.node_pools[1].gpu is not None
