"""The stack-file loader: every problem at once, each at its 1-based line, with helpful messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardstack.spec import CONFIG_KEY, SpecError, load, loads
from hardstack.spec.models import Environment, Network, Workload

MULTI_MISTAKES = """\
# several mistakes at once
config:
  aws:region: eu-west-1
  hardstack:environment:
    name: multi-bad
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
        count: 1
      - name: inference
        machine_type: c6a.2xlarge
        confidential: tdx
    monitoring:
      alert_email: secops@example.com
"""


def line_containing(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th match of `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} times in the fixture"
    return hits[occurrence - 1]


def _error(text: str, file: Path = Path("stacks/Pulumi.multi-bad.yaml")) -> SpecError:
    with pytest.raises(SpecError) as caught:
        loads(text, file)
    return caught.value


# --- several mistakes, each with its line ------------------------------------------------------


def test_every_mistake_reported_with_its_line() -> None:
    text = MULTI_MISTAKES
    error = _error(text)
    got = {(i.field, i.line) for i in error.issues}
    expected = {
        ("colour", line_containing(text, "colour: blue")),
        ("network.cidr", line_containing(text, "cidr: 8.8.0.0/16")),
        ("network.zones", line_containing(text, "zones: three")),
        ("workloads[1].confidential", line_containing(text, "confidential: tdx")),
    }
    assert got == expected


def test_issue_messages_of_the_multi_mistake_file() -> None:
    by_field = {i.field: i for i in _error(MULTI_MISTAKES).issues}
    assert "unknown field 'colour'" in by_field["colour"].message
    assert "not a private range" in by_field["network.cidr"].message
    assert "'three'" in by_field["network.zones"].message
    assert "aws offers no tdx" in by_field["workloads[1].confidential"].message


def test_issues_sorted_by_line_and_carry_the_file() -> None:
    file = Path("somewhere/Pulumi.multi-bad.yaml")
    issues = _error(MULTI_MISTAKES, file).issues
    assert [i.line for i in issues] == sorted(i.line for i in issues)
    assert all(i.file == file for i in issues)


def test_issue_format_is_file_line_field_message() -> None:
    file = Path("stacks/Pulumi.x.yaml")
    error = _error(MULTI_MISTAKES, file)
    issue = next(i for i in error.issues if i.field == "workloads[1].confidential")
    line = line_containing(MULTI_MISTAKES, "confidential: tdx")
    assert issue.format() == (
        f"stacks/Pulumi.x.yaml:{line}: workloads[1].confidential: aws offers no tdx; it offers "
        "sev-snp (for example m6a.2xlarge, c6a.4xlarge, r6a.2xlarge)"
    )
    # str(SpecError) lists every issue, one per line
    assert str(error).splitlines() == [i.format() for i in error.issues]


def test_load_reads_the_file_and_reports_its_path(tmp_path: Path) -> None:
    file = tmp_path / "Pulumi.multi-bad.yaml"
    file.write_text(MULTI_MISTAKES, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load(file)
    assert {i.file for i in caught.value.issues} == {file}
    assert len(caught.value.issues) == 4


def test_nested_list_item_errors_point_at_the_item_line() -> None:
    text = MULTI_MISTAKES.replace("        count: 1\n", "        count: lots\n")
    issue = next(i for i in _error(text).issues if i.field == "workloads[0].count")
    assert issue.line == line_containing(text, "count: lots")


def test_missing_nested_required_field_points_at_its_parent() -> None:
    text = MULTI_MISTAKES.replace("      alert_email: secops@example.com\n", "      threat_detection: true\n")
    issue = next(i for i in _error(text).issues if i.field == "monitoring.alert_email")
    assert issue.line == line_containing(text, "monitoring:")
    assert "required field is missing" in issue.message


def test_default_that_breaks_a_rule_is_reported_at_the_parent_and_explained(example_text) -> None:
    text = example_text("aws").replace("    logging:\n      retention_days: 2190           # six years, "
                                       "as HIPAA keeps records\n", "")
    assert "retention_days: 2190" not in text
    issue = next(i for i in _error(text).issues if i.field == "logging.retention_days")
    # logging is absent: the issue points at the spec itself (its key or its first line)
    spec_line = line_containing(text, "hardstack:environment:")
    assert issue.line in (spec_line, spec_line + 1)
    assert "not set, so its default applies" in issue.message


def test_cross_field_issue_of_example_points_at_changed_line(example_text) -> None:
    text = example_text("gcp").replace("machine_type: c3-standard-8", "machine_type: n2-standard-8")
    (issue,) = _error(text, Path("stacks/Pulumi.gcp-prod-eu.yaml")).issues  # the file of that name
    assert issue.field == "workloads[0].machine_type"
    assert issue.line == line_containing(text, "machine_type: n2-standard-8")


# --- messages that say what is allowed ---------------------------------------------------------


def test_unknown_field_message_lists_allowed_fields() -> None:
    issue = next(i for i in _error(MULTI_MISTAKES).issues if i.field == "colour")
    assert issue.message.startswith("unknown field 'colour'; allowed here: ")
    listed = issue.message.split("allowed here: ", 1)[1].split(", ")
    assert listed == list(Environment.model_fields)


def test_nested_unknown_field_lists_the_nested_models_fields() -> None:
    text = MULTI_MISTAKES.replace("      zones: three\n", "      zones: 2\n      egres: none\n")
    text = text.replace("        count: 1\n", "        count: 1\n        cpus: 8\n")
    issues = {i.field: i for i in _error(text).issues}
    assert issues["network.egres"].line == line_containing(text, "egres: none")
    for field in Network.model_fields:
        assert field in issues["network.egres"].message
    assert issues["workloads[0].cpus"].line == line_containing(text, "cpus: 8")
    for field in Workload.model_fields:
        assert field in issues["workloads[0].cpus"].message


def test_field_description_is_part_of_the_message() -> None:
    issue = next(i for i in _error(MULTI_MISTAKES).issues if i.field == "network.zones")
    assert Network.model_fields["zones"].description in issue.message


# --- YAML syntax and file shape -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "bad_line_marker"),
    [
        ("    region: eu-west-1: again\n", "eu-west-1: again"),  # mapping values not allowed
        ("    region: 'eu-west-1\n", None),  # unterminated quote: reported at or after its line
        ("\tregion: eu-west-1\n", "\tregion"),  # tab cannot start a token
    ],
)
def test_yaml_syntax_error_reports_a_line(broken: str, bad_line_marker: str | None) -> None:
    text = MULTI_MISTAKES.replace("    region: eu-west-1\n", broken)
    (issue,) = _error(text).issues
    assert "not valid YAML" in issue.message
    broken_line = line_containing(text, broken.strip("\n").strip()[:10])
    if bad_line_marker is not None:
        assert issue.line == line_containing(text, bad_line_marker)
    else:
        assert broken_line <= issue.line <= len(text.splitlines()) + 1


def test_duplicate_key_is_a_yaml_error_with_line() -> None:
    text = MULTI_MISTAKES.replace("    owner: ml-platform\n", "    owner: ml-platform\n    owner: other\n")
    (issue,) = _error(text).issues
    assert "not valid YAML" in issue.message
    assert "owner" in issue.message
    assert issue.line == line_containing(text, "owner: other")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# only a comment\n",
        "config: {}\n",
        "config:\n  aws:region: eu-west-1\n",
        "config: null\n",
        "- config\n",
        "hardstack:environment:\n  name: top-level-by-mistake\n",
        "just a string\n",
    ],
)
def test_file_without_spec_gives_helpful_error(text: str) -> None:
    (issue,) = _error(text).issues
    assert CONFIG_KEY in issue.message
    assert "config:" in issue.message
    assert "hardstack new" in issue.message
    assert issue.line == 1


@pytest.mark.parametrize("value", ["[]", "42", "just-a-name"])
def test_spec_that_is_not_a_mapping_rejected(value: str) -> None:
    text = f"config:\n  hardstack:environment: {value}\n"
    (issue,) = _error(text).issues
    assert "must be a mapping" in issue.message


def test_spec_that_is_a_scalar_is_reported_at_its_line() -> None:
    # Product bug (see report): for a scalar spec line_of() falls back to 0, the value reserved
    # for "the file could not be read", so the issue carries no line.
    text = "config:\n  aws:region: eu-west-1\n  hardstack:environment: 42\n"
    (issue,) = _error(text).issues
    assert issue.line == line_containing(text, "hardstack:environment")


def test_unreadable_file_is_a_spec_error(tmp_path: Path) -> None:
    missing = tmp_path / "Pulumi.nope.yaml"
    with pytest.raises(SpecError) as caught:
        load(missing)
    (issue,) = caught.value.issues
    assert issue.file == missing
    assert issue.line == 0
    assert "cannot read" in issue.message
    assert issue.format().startswith(f"{missing}: ")


# --- inputs that must still end as SpecError ----------------------------------------------------


@pytest.mark.parametrize(("char", "said"), [("\x00", "NUL byte"), ("\ufffe", "YAML")])
def test_control_characters_give_spec_error(char: str, said: str) -> None:
    # ruamel raises ReaderError (not a MarkedYAMLError) for characters YAML forbids; a NUL byte is
    # refused before parsing, as not text at all.
    text = MULTI_MISTAKES.replace("owner: ml-platform", f"owner: ml{char}platform")
    error = _error(text)
    assert any(said in i.message for i in error.issues)


def test_tagged_scalar_spec_gives_spec_error() -> None:
    # Product bug (see report): line_of() adds 1 to the `lc.line` of a TaggedScalar, which is None.
    _error("config:\n  hardstack:environment: !custom value\n")


def test_tagged_scalar_field_is_a_type_error_at_its_line() -> None:
    text = MULTI_MISTAKES.replace("owner: ml-platform", "owner: !custom ml-platform")
    issue = next(i for i in _error(text).issues if i.field == "owner")
    assert issue.line == line_containing(text, "owner: !custom")


def test_deeply_nested_yaml_gives_spec_error() -> None:
    # Product bug (see report): ruamel's constructor recurses once per nesting level and raises
    # RecursionError a few hundred levels down; loads() lets it escape.
    depth = 400
    text = f"config:\n  hardstack:environment:\n    owner: {'[' * depth}{']' * depth}\n"
    _error(text)


@pytest.mark.parametrize("value", ["!!int abc", "!!bool maybe", "!!omap [{[a]: b}]"])
def test_invalid_explicit_yaml_tag_gives_spec_error(value: str) -> None:
    # Product bug (see report): ruamel's constructors raise ValueError, KeyError, IndexError or
    # TypeError for explicit tags whose value does not fit; loads() lets them escape.
    text = MULTI_MISTAKES.replace("owner: ml-platform", f"owner: {value}")
    _error(text)


def test_python_tags_are_not_executed() -> None:
    text = MULTI_MISTAKES.replace("owner: ml-platform", "owner: !!python/object/apply:os.getcwd []")
    error = _error(text)
    assert any(i.field == "owner" for i in error.issues)


# --- LoadedSpec ---------------------------------------------------------------------------------


def test_loaded_spec_knows_stack_and_lines(example_paths, example_text) -> None:
    loaded = load(example_paths["aws"])
    text = example_text("aws")
    assert loaded.stack == "aws-prod-eu"
    assert loaded.file == example_paths["aws"]
    assert loaded.line_of(("workloads", 1, "machine_type")) == line_containing(text, "c6a.2xlarge")
    assert loaded.line_of(("logging", "retention_days")) == line_containing(text, "retention_days: 2190")
    # absent parts resolve to the deepest present ancestor
    assert loaded.line_of(("workloads", 1, "gpu")) == line_containing(text, "- name: inference")
