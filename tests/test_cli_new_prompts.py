"""`hardstack new` as `pulumi new` users expect: prompts checked by the spec, --yes, -c, --from,
the yaml-language-server modeline, NO_COLOR."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hardstack.cli import main
from hardstack.spec import catalog, load

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "stacks" / "Pulumi.gcp-prod-eu.yaml"
MODELINE = "# yaml-language-server: $schema=../hardstack.stack.schema.json"
# everything --yes needs for a GCP stack
GCP_YES = ["--yes", "--cloud", "gcp", "--region", "europe-west4", "--compliance", "none",
           "--account", "ml-research-4711", "--owner", "ml-research", "--alert-email", "ml@example.org"]


def _new(runner: CliRunner, *args: str, answers: str | None = None, **kwargs) -> Result:
    return runner.invoke(main, ["new", *args], input=answers, catch_exceptions=False, **kwargs)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # hardstack.cli.new is shadowed by the command of the same name: patch the module itself
    monkeypatch.setattr(importlib.import_module("hardstack.cli.new"), "_interactive", lambda: True)


def _stack(workdir: Path, name: str) -> Path:
    return workdir / "stacks" / f"Pulumi.{name}.yaml"


# --- prompts ------------------------------------------------------------------------------------

@pytest.mark.usefixtures("terminal")
def test_invalid_answers_are_asked_again_with_the_specs_reason(runner: CliRunner, workdir: Path) -> None:
    answers = "\n".join([
        "prod", "aws", "gdpr",  # aws offers sev-snp only: no TEE question
        "eu-central-1", "eu-west-1",  # SEV-SNP runs on shared tenancy in eu-west-1 and us-east-2 only
        "",  # machine type: the default
        "12345", "123456789012",  # an AWS account id has 12 digits
        "platform",
        "nobody", "secops@example.org",
    ]) + "\n"
    result = _new(runner, answers=answers)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "TEE: sev-snp" in out
    assert "Error: region: eu-central-1 cannot run workloads[0] confidential m6a.2xlarge" in out
    assert "Error: account: '12345' is not valid for aws: use a 12-digit AWS account id" in out
    assert "Error: monitoring.alert_email: String should match pattern" in out
    assert out.count("Region [eu-west-1]:") == 2 and out.count("Alert email") == 2
    env = load(_stack(workdir, "prod")).environment
    assert (env.region, env.account, env.owner, env.compliance) == ("eu-west-1", "123456789012", "platform", ["gdpr"])
    assert env.monitoring.alert_email == "secops@example.org"


@pytest.mark.usefixtures("terminal")
def test_invalid_name_compliance_and_gdpr_region_are_asked_again(runner: CliRunner, workdir: Path) -> None:
    answers = "Prod_EU\nprod-eu\ngcp\nsox\ngdpr\n\nus-central1\neurope-west4\n\nml-prod-4711\nml\nml@example.org\n"
    result = _new(runner, answers=answers)
    assert result.exit_code == 0, result.output
    assert "Error: use 2-30 lower-case letters" in result.output
    assert "Error: compliance[0]: Input should be 'gdpr', 'hipaa' or 'nist-800-53'; got 'sox'" in result.output
    assert "Error: region: GDPR stack in 'us-central1', outside the EU/EEA" in result.output
    assert load(_stack(workdir, "prod-eu")).environment.region == "europe-west4"


@pytest.mark.usefixtures("terminal")
def test_tee_region_and_machine_type_choices_come_from_the_catalog(runner: CliRunner, workdir: Path) -> None:
    answers = "\n".join(["gcp", "none", "sev-snp", "us-east1", "europe-west3", "c3-standard-8", "n2d-standard-16",
                         "ml-4711-ab", "ml", "ml@example.org"]) + "\n"
    result = _new(runner, "research", answers=answers)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "TEE (confidential-computing kind) (sev-snp, tdx) [tdx]:" in out
    regions = catalog.regions_for("gcp", "sev-snp")
    assert regions == ["asia-southeast1", "europe-west3", "europe-west4", "us-central1"]
    assert f"Regions that can run sev-snp on gcp: {', '.join(regions)}" in out
    assert "Error: region: us-east1 cannot run workloads[0] confidential n2d-standard-8 (sev-snp)" in out
    assert "Machine types that run sev-snp in europe-west3:\n  n2d-standard-2, " in out
    assert "c3-standard" not in out.split("Machine types that run")[1].split("Machine type [")[0]
    assert "Error: workloads[0].machine_type: 'c3-standard-8' cannot run sev-snp on gcp" in out
    env = load(_stack(workdir, "research")).environment
    assert (env.region, env.workloads[0].machine_type, env.workloads[0].confidential) == (
        "europe-west3", "n2d-standard-16", "sev-snp")


def test_region_choices_follow_the_catalog_query() -> None:
    assert catalog.regions_for("aws", "sev-snp") == ["eu-west-1", "us-east-2"]
    assert catalog.regions_for("aws", "tdx") == []
    assert [f.example for f in catalog.families_in("azure", "tdx", "eastus")] == [
        "Standard_DC4es_v6", "Standard_DC4eds_v6", "Standard_EC8es_v6", "Standard_EC8eds_v6"]
    assert all(f.gpu is None for f in catalog.families_in("gcp", "tdx", "europe-west4"))
    assert [f.example for f in catalog.families_in("gcp", "tdx", "europe-west4", gpu=True)] == ["a3-highgpu-1g"]


# --- --yes / --no-input ---------------------------------------------------------------------------

@pytest.mark.parametrize("flag", ["--yes", "--no-input", "-y"])
def test_no_input_names_every_missing_option_and_exits_2(flag: str, runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "prod-eu", flag, "--cloud", "azure")
    assert result.exit_code == 2
    for option in ("--compliance", "--region (e.g. westeurope)", "--account", "--owner", "--alert-email"):
        assert option in result.stderr
    assert "--cloud" not in result.stderr.split("missing")[1]
    assert not (workdir / "stacks").exists()


def test_no_input_never_prompts_even_in_a_terminal(runner: CliRunner, workdir: Path, terminal: None) -> None:
    result = _new(runner, "prod-eu", "--yes", "--cloud", "aws", answers="eu-west-1\n")
    assert result.exit_code == 2
    assert "Region" not in result.stdout


def test_no_input_takes_every_value_from_options_or_c(runner: CliRunner, workdir: Path) -> None:
    assert _new(runner, "research", *GCP_YES).exit_code == 0
    result = _new(runner, "lab", "--yes", "-c", "cloud=aws", "-c", "region=eu-west-1", "-c", "compliance=[gdpr]",
                  "-c", "account=123456789012", "-c", "owner=ml lab", "-c", "monitoring.alert_email=ml@example.org")
    assert result.exit_code == 0, result.output
    env = load(_stack(workdir, "lab")).environment
    assert (env.cloud, env.account, env.owner, env.compliance) == ("aws", "123456789012", "ml lab", ["gdpr"])


# --- -c key=value ---------------------------------------------------------------------------------

def test_c_overrides_any_field_by_dotted_path(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "research", *GCP_YES, "-c", "network.cidr=10.40.0.0/16", "-c", "keys.rotation_days=30",
                  "-c", "workloads[0].count=2", "-c", "monitoring.threat_detection=false",
                  "-c", "data.retention_days=400")
    assert result.exit_code == 0, result.output
    target = _stack(workdir, "research")
    env = load(target).environment
    assert (env.network.cidr, env.keys.rotation_days, env.workloads[0].count) == ("10.40.0.0/16", 30, 2)
    assert env.monitoring.threat_detection is False and env.data.retention_days == 400
    text = target.read_text()
    assert "cidr: 10.40.0.0/16   # private range, /16 to /22" in text  # the scaffold's comment stays


@pytest.mark.parametrize(("pair", "expected"), [
    ("network.cdir=10.40.0.0/16", "did you mean network.cidr"),
    ("network.cdir=10.40.0.0/16", "valid keys under network: cidr, egress, zones"),
    ("keys.rotaton_days=30", "did you mean keys.rotation_days"),
    ("netwrk.cidr=10.40.0.0/16", "valid keys at the top: name, cloud, region"),
    ("workloads.count=2", "name an item, e.g. workloads[0].count"),
    ("workloads[3].count=2", "workloads has 1 item(s); there is no [3]"),
    ("network.cidr", "is not KEY=VALUE"),
])
def test_c_unknown_key_is_a_usage_error_naming_valid_keys(pair: str, expected: str, runner: CliRunner,
                                                          workdir: Path) -> None:
    result = _new(runner, "research", *GCP_YES, "-c", pair)
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not _stack(workdir, "research").exists()


@pytest.mark.parametrize(("pair", "field", "message"), [
    ("network.cidr=8.8.8.0/24", "network.cidr", "'8.8.8.0/24' is not a private range"),
    ("keys.rotation_days=abc", "keys.rotation_days", "Input should be a valid integer"),
    ("network.zones=5", "network.zones", "Input should be less than or equal to 3"),
    ("region=us-east-1", "region", "'us-east-1' is not a gcp region hardstack knows"),
])
def test_c_invalid_value_exits_1_with_the_specs_message(pair: str, field: str, message: str, runner: CliRunner,
                                                        workdir: Path) -> None:
    args = [a for a in GCP_YES if a not in ("--region", "europe-west4")] if pair.startswith("region=") else GCP_YES
    result = _new(runner, "research", *args, "-c", pair)
    assert result.exit_code == 1
    assert f"{field}: {message}" in result.stderr
    assert "not written" in result.stderr
    assert not _stack(workdir, "research").exists()


def test_c_contradicting_its_option_is_a_usage_error(runner: CliRunner, workdir: Path) -> None:
    result = _new(runner, "research", *GCP_YES, "-c", "region=europe-west3")
    assert result.exit_code == 2
    assert "contradicts" in result.stderr


# --- --from TEMPLATE ------------------------------------------------------------------------------

def _template(workdir: Path) -> Path:
    folder = workdir / "templates" / "gpu-team"
    folder.mkdir(parents=True)
    template = folder / TEMPLATE.name
    shutil.copy(TEMPLATE, template)
    template.write_text(template.read_text().replace(
        "    network:\n", "    # team rule: every environment gets its own /16\n    network:\n"))
    return template


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


@pytest.mark.parametrize("from_dir", [True, False])
def test_from_template_keeps_its_comments_and_takes_the_new_name(from_dir: bool, runner: CliRunner,
                                                                 workdir: Path) -> None:
    template = _template(workdir)
    source = template.parent if from_dir else template
    result = _new(runner, "gcp-prod-us", "--from", str(source), "--yes", "--owner", "ml-us",
                  "-c", "network.cidr=10.50.0.0/16", "-c", "keys.rotation_days=30")
    assert result.exit_code == 0, result.output
    target = _stack(workdir, "gcp-prod-us")
    text = target.read_text()
    assert text.splitlines()[0] == MODELINE
    kept = _comments(template.read_text())
    assert "team rule: every environment gets its own /16" in kept
    assert [c for c in _comments(text) if not c.startswith("yaml-language-server")] == kept
    env = load(target).environment
    assert (env.name, env.owner, env.network.cidr, env.keys.rotation_days) == (
        "gcp-prod-us", "ml-us", "10.50.0.0/16", 30)
    assert (env.account, env.compliance, len(env.workloads), len(env.exemptions)) == (
        "ml-prod-eu-4711", ["gdpr", "hipaa"], 2, 3)  # the rest is the template's
    assert runner.invoke(main, ["validate", str(target)]).exit_code == 0


def test_from_template_prompts_offer_its_values(runner: CliRunner, workdir: Path, terminal: None) -> None:
    template = _template(workdir)
    result = _new(runner, "eu-2", "--from", str(template), answers="\n" * 6)
    assert result.exit_code == 0, result.output
    assert "Cloud (aws, azure, gcp) [gcp]:" in result.output
    assert "Compliance frameworks (gdpr, hipaa, nist-800-53; comma-separated, or none) [gdpr, hipaa]:" in result.output
    assert "Region [europe-west4]:" in result.output and "Owner (accountable team" in result.output
    assert "Machine type" not in result.output  # the template's workloads stand
    env = load(_stack(workdir, "eu-2")).environment
    assert (env.name, env.region, env.owner) == ("eu-2", "europe-west4", "ml-platform")


def test_invalid_result_from_a_template_is_never_written(runner: CliRunner, workdir: Path) -> None:
    template = _template(workdir)
    result = _new(runner, "eu-2", "--from", str(template), "--yes", "--region", "us-central1")
    assert result.exit_code == 1
    assert "region: GDPR stack in 'us-central1'" in result.stderr
    assert not _stack(workdir, "eu-2").exists()


def test_from_a_directory_without_exactly_one_stack_is_a_usage_error(runner: CliRunner, workdir: Path) -> None:
    template = _template(workdir)
    shutil.copy(template, template.parent / "Pulumi.other.yaml")
    result = _new(runner, "eu-2", "--from", str(template.parent), "--yes")
    assert result.exit_code == 2
    assert "exactly one Pulumi.*.yaml" in result.stderr
    (workdir / "not-a-stack.yaml").write_text("name: x\n")
    result = _new(runner, "eu-2", "--from", "not-a-stack.yaml", "--yes")
    assert result.exit_code == 2
    assert "hardstack:environment" in result.stderr


def test_from_template_never_overwrites_without_force(runner: CliRunner, workdir: Path) -> None:
    template = _template(workdir)
    assert _new(runner, "eu-2", "--from", str(template), "--yes").exit_code == 0
    target = _stack(workdir, "eu-2")
    before = target.read_bytes()
    again = _new(runner, "eu-2", "--from", str(template), "--yes", "--owner", "other")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert target.read_bytes() == before
    assert _new(runner, "eu-2", "--from", str(template), "--yes", "--owner", "other", "--force").exit_code == 0
    assert load(target).environment.owner == "other"


# --- modeline -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("stack_dir", "project", "schema"), [
    ("stacks", None, "../hardstack.stack.schema.json"),
    ("envs/eu/stacks", None, "../../../hardstack.stack.schema.json"),
    ("proj", "proj", "hardstack.stack.schema.json"),  # Pulumi.yaml beside the stack files
    ("proj/stacks", "proj", "../hardstack.stack.schema.json"),  # stackConfigDir: stacks
])
def test_modeline_is_the_first_line_and_the_file_validates(stack_dir: str, project: str | None, schema: str,
                                                           runner: CliRunner, workdir: Path) -> None:
    if project is not None:
        (workdir / project).mkdir(parents=True)
        config_dir = "stackConfigDir: stacks\n" if stack_dir.endswith("stacks") else ""
        (workdir / project / "Pulumi.yaml").write_text(f"name: hardstack\nruntime: python\n{config_dir}")
    result = _new(runner, "research", *GCP_YES, "--dir", stack_dir)
    assert result.exit_code == 0, result.output
    target = workdir / stack_dir / "Pulumi.research.yaml"
    assert target.read_text().splitlines()[0] == f"# yaml-language-server: $schema={schema}"
    check = runner.invoke(main, ["validate", str(target)])
    assert check.exit_code == 0, check.output


# --- NO_COLOR -------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["new", "validate"])
def test_no_color_turns_ansi_styles_off(command: str, runner: CliRunner, workdir: Path) -> None:
    def run(no_color: str) -> Result:
        shutil.rmtree(workdir / "stacks", ignore_errors=True)
        if command == "validate":
            assert _new(runner, "research", *GCP_YES).exit_code == 0
        args = ["new", "research", *GCP_YES] if command == "new" else ["validate"]
        return runner.invoke(main, args, color=True, env={"NO_COLOR": no_color})

    coloured, plain = run(""), run("1")  # NO_COLOR set but empty does not count (no-color.org)
    assert coloured.exit_code == plain.exit_code == 0
    assert "\x1b[" in coloured.output
    assert "\x1b[" not in plain.output
    assert "✓" in plain.output


def test_no_color_also_plain_for_errors(runner: CliRunner, workdir: Path) -> None:
    (workdir / "stacks").mkdir()
    (workdir / "stacks" / "Pulumi.bad.yaml").write_text("config:\n  hardstack:environment:\n    name: bad\n")
    coloured = runner.invoke(main, ["validate"], color=True, env={"NO_COLOR": ""})
    plain = runner.invoke(main, ["validate"], color=True, env={"NO_COLOR": "true"})
    assert coloured.exit_code == plain.exit_code == 1
    assert "\x1b[" in coloured.stderr and "\x1b[" not in plain.stderr


def test_help_shows_the_new_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["new", "--help"])
    assert result.exit_code == 0
    for example in ("hardstack new research --yes --cloud gcp", "--from stacks/Pulumi.prod-eu.yaml",
                    "-c network.cidr=10.40.0.0/16", "-c keys.rotation_days=30"):
        assert example in result.output


ORG_DEFAULTS = """name: hardstack
runtime: python
stackConfigDir: stacks
config:
  hardstack:environment:
    value:
      owner: ml-platform
      monitoring:
        alert_email: secops@acme.example
      keys:
        rotation_days: 180
"""
SCRIPTED = ["--yes", "--cloud", "aws", "--region", "eu-west-1", "--compliance", "none", "--account", "123456789012"]


def test_organisation_defaults_are_known_and_left_to_pulumi_yaml(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(ORG_DEFAULTS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "lab", *SCRIPTED])  # no --owner, no --alert-email
    assert result.exit_code == 0, result.output
    text = (tmp_path / "stacks" / "Pulumi.lab.yaml").read_text()
    assert "owner:" not in text and "alert_email:" not in text and "rotation_days:" not in text
    env = load(tmp_path / "stacks" / "Pulumi.lab.yaml").environment
    assert (env.owner, env.monitoring.alert_email, env.keys.rotation_days) == ("ml-platform", "secops@acme.example",
                                                                                180)
    given = CliRunner().invoke(main, ["new", "lab2", *SCRIPTED, "--owner", "research"])
    assert given.exit_code == 0, given.output
    assert load(tmp_path / "stacks" / "Pulumi.lab2.yaml").environment.owner == "research"  # the stack wins


def test_without_organisation_defaults_the_same_options_are_missing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "lab", *SCRIPTED])
    assert result.exit_code == 2 and "--owner" in result.output and "--alert-email" in result.output
