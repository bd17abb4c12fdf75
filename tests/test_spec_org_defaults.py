"""Organisation defaults: `hardstack:environment` in the project's Pulumi.yaml `config:` is merged
under every stack's spec; problems in a default are reported at Pulumi.yaml's line. Every test
works on copies in tmp_path: the repository's Pulumi.yaml and stacks/ are only read."""

from __future__ import annotations

import io
import json
import runpy
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import config as pulumi_config
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, SpecError, load
from hardstack.spec.defaults import merge

ROOT = Path(__file__).resolve().parents[1]
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
PROJECT_TEXT = (ROOT / "Pulumi.yaml").read_text()  # name: hardstack, stackConfigDir: stacks


def line_containing(text: str, needle: str) -> int:
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} occurs {len(hits)} times"
    return hits[0]


def copy_stacks(directory: Path, strip: tuple[tuple[str, ...], ...] = ()) -> dict[str, Path]:
    """The example stacks copied into `directory`, each without the spec fields in `strip`."""
    directory.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="rt")
    out = {}
    for source in STACKS:
        doc = yaml.load(source.read_text())
        for path in strip:
            node = doc["config"][CONFIG_KEY]
            for part in path[:-1]:
                node = node[part]
            del node[path[-1]]
        stream = io.StringIO()
        yaml.dump(doc, stream)
        target = directory / source.name
        target.write_text(stream.getvalue())
        out[source.name.split(".")[1]] = target
    return out


def project(tmp_path: Path, config: str | None, strip: tuple[tuple[str, ...], ...] = (),
            head: str = PROJECT_TEXT) -> dict[str, Path]:
    """A project in tmp_path: the repository's Pulumi.yaml plus `config` (YAML text), and the stacks."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text(head + (config or ""))
    return copy_stacks(tmp_path / "stacks", strip)


ORIGINAL = {f.name.split(".")[1]: load(f).environment for f in STACKS}

OWNER_AND_EMAIL = """\
config:
  hardstack:environment:
    value:
      owner: platform-team
      monitoring:
        alert_email: platform@example.com
"""


def _issues(file: Path) -> list[Any]:
    with pytest.raises(SpecError) as caught:
        load(file)
    return caught.value.issues


# --- a default reaches every stack; the stack wins ------------------------------------------------


def test_a_default_reaches_every_stack(tmp_path: Path) -> None:
    stacks = project(tmp_path, OWNER_AND_EMAIL, strip=(("owner",), ("monitoring", "alert_email")))
    assert len(stacks) == len(STACKS) >= 5
    for name, file in stacks.items():
        env = load(file).environment
        original = ORIGINAL[name]
        # The stack's own monitoring.threat_detection survives beside the default alert_email:
        # mappings merge key by key, nothing else changes.
        monitoring = original.monitoring.model_copy(update={"alert_email": "platform@example.com"})
        assert env == original.model_copy(update={"owner": "platform-team", "monitoring": monitoring}), name


STACK_WINS = """\
config:
  hardstack:environment:
    value:
      owner: someone-else
      data_classification: public
      compliance: [COMPLIANCE]
      logging: {retention_days: 30}
      workloads:
        - {name: extra, machine_type: m6a.large}
"""


def test_the_stack_wins_for_scalars_mappings_and_lists(tmp_path: Path) -> None:
    stacks = project(tmp_path, STACK_WINS.replace("COMPLIANCE", "hipaa"))
    for name, file in stacks.items():
        assert load(file).environment == ORIGINAL[name], name
    # Lists replace, never extend: these two stacks say [gdpr] and keep exactly that.
    for name in ("azure-prod-eu", "gcp-gpu-eu"):
        assert ORIGINAL[name].compliance == ["gdpr"]


def test_a_list_the_stack_lacks_arrives_whole(tmp_path: Path) -> None:
    stacks = project(tmp_path, STACK_WINS.replace("COMPLIANCE", "gdpr"), strip=(("compliance",),))
    for name, file in stacks.items():
        assert load(file).environment == ORIGINAL[name].model_copy(update={"compliance": ["gdpr"]}), name


def test_merge_semantics() -> None:
    under = {"a": 1, "m": {"x": 1, "y": [1, 2]}, "l": [1], "n": {"k": 1}}
    over = {"a": 2, "m": {"y": [3]}, "l": [2], "n": None, "new": True}
    assert merge(under, over) == {"a": 2, "m": {"x": 1, "y": [3]}, "l": [2], "n": None, "new": True}


def test_the_unqualified_key_and_the_default_form_work_too(tmp_path: Path) -> None:
    config = """\
config:
  environment:
    description: organisation defaults for every stack
    default:
      owner: platform-team
"""
    stacks = project(tmp_path, config, strip=(("owner",),))
    assert load(stacks["aws-prod-eu"]).environment.owner == "platform-team"


# --- problems in a default are reported at Pulumi.yaml --------------------------------------------


def test_an_invalid_default_is_reported_at_its_pulumi_yaml_line(tmp_path: Path) -> None:
    config = """\
config:
  hardstack:environment:
    value:
      owner: platform-team
      colour: blue
      network:
        cidr: 8.8.0.0/16
"""
    stacks = project(tmp_path, config, strip=(("network", "cidr"), ("owner",)))
    text = (tmp_path / "Pulumi.yaml").read_text()
    issues = _issues(stacks["aws-prod-eu"])
    got = {(i.file.resolve(), i.line, i.field) for i in issues}
    pulumi_yaml = (tmp_path / "Pulumi.yaml").resolve()
    assert got == {
        (pulumi_yaml, line_containing(text, "colour: blue"), "colour"),
        (pulumi_yaml, line_containing(text, "cidr: 8.8.0.0/16"), "network.cidr"),
    }
    by_field = {i.field: i for i in issues}
    assert "unknown field 'colour'" in by_field["colour"].message
    assert "not a private range" in by_field["network.cidr"].message
    assert f"Pulumi.yaml:{line_containing(text, 'cidr: 8.8.0.0/16')}: network.cidr" in str(SpecError(issues))


def test_a_stack_problem_stays_at_the_stack_file(tmp_path: Path) -> None:
    stacks = project(tmp_path, OWNER_AND_EMAIL, strip=(("owner",),))
    file = stacks["aws-prod-eu"]
    file.write_text(file.read_text().replace("cidr: 10.20.0.0/16", "cidr: 8.8.0.0/16"))
    (issue,) = _issues(file)
    assert (issue.file, issue.field) == (file, "network.cidr")
    assert issue.line == line_containing(file.read_text(), "cidr: 8.8.0.0/16")
    loaded_ok = load(project(tmp_path / "ok", OWNER_AND_EMAIL, strip=(("owner",),))["aws-prod-eu"])
    assert loaded_ok.where(("owner",)) == (tmp_path / "ok" / "Pulumi.yaml", line_containing(
        (tmp_path / "ok" / "Pulumi.yaml").read_text(), "owner: platform-team"))
    assert loaded_ok.where(("name",))[0] == loaded_ok.file


@pytest.mark.parametrize("key", ["name", "exemptions"])
def test_name_and_exemptions_are_refused_as_defaults(tmp_path: Path, key: str) -> None:
    value = {"name": "everyone", "exemptions": "[]"}[key]
    config = f"config:\n  hardstack:environment:\n    value:\n      {key}: {value}\n"
    stacks = project(tmp_path, config)
    (issue,) = _issues(stacks["gcp-prod-eu"])
    assert issue.file.resolve() == (tmp_path / "Pulumi.yaml").resolve()
    line = line_containing((tmp_path / "Pulumi.yaml").read_text(), f"{key}: {value}")
    assert (issue.field, issue.line) == (key, line)
    assert "not allowed as an organisation default" in issue.message


# --- nothing changes without defaults -------------------------------------------------------------


@pytest.mark.parametrize("config", [
    None,                                     # no config: in Pulumi.yaml
    "config: {}\n",
    "config:\n  aws:region: eu-west-1\n",     # project config of other keys
    "config:\n  hardstack:environment:\n    description: declared, no value\n",
], ids=["no-config", "empty", "other-keys", "declared-only"])
def test_no_project_defaults_changes_nothing(tmp_path: Path, config: str | None) -> None:
    for name, file in project(tmp_path, config).items():
        loaded = load(file)
        assert loaded.defaults is None
        assert loaded.environment == ORIGINAL[name]


def test_the_repository_stacks_load_without_defaults() -> None:
    for file in STACKS:
        assert load(file).defaults is None


def test_no_pulumi_yaml_changes_nothing(tmp_path: Path) -> None:
    for name, file in copy_stacks(tmp_path / "stacks").items():
        assert load(file).environment == ORIGINAL[name]


def test_stack_config_dir_decides_which_stacks_a_pulumi_yaml_governs(tmp_path: Path) -> None:
    head = "name: hardstack\nruntime: python\n"
    # Without stackConfigDir, Pulumi reads stack files beside Pulumi.yaml: stacks/ is not its.
    stacks = project(tmp_path / "beside", OWNER_AND_EMAIL, strip=(("owner",),), head=head)
    assert any(i.field == "owner" and "missing" in i.message for i in _issues(stacks["aws-prod-eu"]))
    beside = copy_stacks(tmp_path / "beside", strip=(("owner",),))  # next to Pulumi.yaml: its stacks
    assert load(beside["aws-prod-eu"]).environment.owner == "platform-team"
    # stackConfigDir, and its deprecated spelling `config: DIR` (which then holds no config)
    config_dir = project(tmp_path / "dir", OWNER_AND_EMAIL, strip=(("owner",),), head=head + "stackConfigDir: stacks\n")
    assert load(config_dir["aws-prod-eu"]).environment.owner == "platform-team"
    deprecated = project(tmp_path / "old", None, head=head + "config: stacks\n")
    assert load(deprecated["aws-prod-eu"]).environment == ORIGINAL["aws-prod-eu"]


# --- hostile project files ------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "needle", "says"), [
    ("config: [a, b]\n", "config: [a, b]", "must be a mapping of config keys"),
    ("config:\n  hardstack:environment: just-a-string\n", "just-a-string", "given as 'value: {...}'"),
    ("config:\n  hardstack:environment:\n    owner: platform-team\n", "owner: platform-team", "under 'value:'"),
    ("config:\n  hardstack:environment:\n    value: [owner]\n", "value: [owner]", "must be a mapping of spec fields"),
    ("config:\n  hardstack:environment:\n    type: string\n    value: {owner: x}\n", "type: string",
     "leave 'type' out"),
    ("config:\n  hardstack:environment:\n    value: {owner: x}\n    default: {owner: y}\n", "default:",
     "not both"),
    ("config:\n  hardstack:environment:\n    secret: true\n    value: {owner: x}\n", "secret: true", "no secrets"),
    ("config:\n  environment: {value: {owner: x}}\n  hardstack:environment: {value: {owner: y}}\n",
     "  environment:", "the same key"),
    ("config:\n  hardstack:environment: &org\n    value: {owner: x}\n", "&org", "anchors and aliases"),
    ("stackConfigDir: [stacks]\n", "stackConfigDir: [stacks]", "directory path"),
], ids=["config-list", "scalar", "bare-mapping", "value-list", "typed", "value-and-default", "secret",
        "both-keys", "anchor", "stack-config-dir-list"])
def test_a_malformed_project_config_is_a_clear_error(tmp_path: Path, config: str, needle: str, says: str) -> None:
    head = "name: hardstack\nruntime: python\n" + ("" if config.startswith("stackConfigDir") else
                                                    "stackConfigDir: stacks\n")
    stacks = project(tmp_path, config, head=head)
    (issue,) = _issues(stacks["aws-prod-eu"])
    assert issue.file.resolve() == (tmp_path / "Pulumi.yaml").resolve()
    assert issue.line == line_containing((tmp_path / "Pulumi.yaml").read_text(), needle)
    assert says in issue.message


def test_a_huge_or_binary_or_non_mapping_pulumi_yaml_is_refused(tmp_path: Path) -> None:
    stacks = project(tmp_path, "# " + "x" * (300 * 1024) + "\n")
    (issue,) = _issues(stacks["aws-prod-eu"])
    assert issue.file.name == "Pulumi.yaml" and issue.line == 0 and "a Pulumi.yaml has at most" in issue.message
    (tmp_path / "Pulumi.yaml").write_bytes(PROJECT_TEXT.encode() + b"\0")
    (issue,) = _issues(stacks["aws-prod-eu"])
    assert issue.file.name == "Pulumi.yaml" and "NUL byte" in issue.message
    (tmp_path / "Pulumi.yaml").write_text("- not\n- a project\n")
    (issue,) = _issues(stacks["aws-prod-eu"])
    assert issue.file.name == "Pulumi.yaml" and "a project file is a mapping" in issue.message


# --- `pulumi up` sees what `hardstack` sees --------------------------------------------------------


def cli_config(stack_file: Path, project_file: Path) -> dict[str, str]:
    """Config as the Pulumi CLI hands it to the program: the stack's keys, and a project key only
    where the stack has none (whole keys, never merged: mergeConfig in pulumi/pulumi
    sdk/go/common/workspace/config.go applies project config `if !foundOnStack`)."""
    safe = YAML(typ="safe")
    config = dict(safe.load(stack_file.read_text())["config"])
    for key, entry in (safe.load(project_file.read_text()).get("config") or {}).items():
        full = key if ":" in key else f"hardstack:{key}"
        if full not in config and isinstance(entry, dict) and ("value" in entry or "default" in entry):
            config[full] = entry.get("default", entry.get("value"))
    return {key: json.dumps(value, default=str) for key, value in config.items()}


def test_pulumi_up_and_hardstack_see_the_same_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hardstack import blueprints
    from hardstack.render import Target, render_program

    stacks = project(tmp_path, OWNER_AND_EMAIL, strip=(("owner",), ("monitoring", "alert_email")))
    file = stacks["aws-prod-eu"]
    offline = load(file).environment
    assert offline.owner == "platform-team"
    seen = []
    build = blueprints.build
    monkeypatch.setattr(blueprints, "build", lambda env: seen.append(env) or build(env))
    monkeypatch.chdir(tmp_path)  # Pulumi runs the program in the project's directory
    pulumi_config.set_all_config(cli_config(file, tmp_path / "Pulumi.yaml"))
    try:
        render_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), "aws-prod-eu",
                       Target(cloud=offline.cloud, region=offline.region, account=offline.account))
    finally:
        pulumi_config.set_all_config({})
    assert seen == [offline]
