"""`hardstack check --program`: a hand-written Pulumi program judged like a spec stack. The
insecure one (tests/fixtures/programs/insecure: a public bucket, an unrotated key, an instance
with a public IP) fails with those rules named; the same program fixed passes, with the
exemptions its stack config declares; a program using a StackReference and an invoke renders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from hardstack.cli import main

PROGRAMS = Path(__file__).resolve().parent / "fixtures" / "programs"


def _check(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--no-cache", *args])
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_the_insecure_program_fails_with_the_three_problems_named() -> None:
    code, report, _ = _check("--program", str(PROGRAMS / "insecure"))
    assert code == 1
    [stack] = report["stacks"]
    assert stack["stack"] == "dev" and stack["file"].endswith("insecure/Pulumi.dev.yaml")
    failed = {(f["rule_id"], f["resource_name"]) for f in stack["findings"] if f["blocking"]}
    assert ("aws-s3-public-access-block", "data-public-access") in failed  # the public bucket
    assert ("aws-kms-key-rotation", "data-key") in failed  # the unrotated key
    assert ("aws-ec2-no-public-ip", "worker") in failed  # the public IP
    assert ("CKV_AWS_88", "worker") in failed and ("CKV_AWS_7", "data-key") in failed  # checkov agrees


def test_the_fixed_program_passes_with_its_declared_exemptions() -> None:
    code, report, _ = _check("--strict", "--program", str(PROGRAMS / "fixed"))
    assert code == 0, [f["rule_id"] for s in report["stacks"] for f in s["findings"] if f["blocking"]]
    [stack] = report["stacks"]
    exempted = [f for f in stack["findings"] if f["status"] == "exempted"]
    assert {f["rule_id"] for f in exempted} >= {"aws-guardduty-enabled", "aws-s3-sse-customer-key", "CKV2_AWS_41"}
    config = (PROGRAMS / "fixed" / "Pulumi.dev.yaml").read_text().splitlines()
    for f in exempted:  # each points at its exemption in the stack config
        assert f["rule_id"] in config[f["line"] - 1], f


def test_a_stack_reference_and_an_invoke_render_with_their_mock_values() -> None:
    code, report, _ = _check("--no-checkov", "--program", str(PROGRAMS / "stackref"))
    [stack] = report["stacks"]
    assert stack["verdict"] in ("pass", "fail") and stack["render_error"] is None and stack["resources"] > 0
    assert code in (0, 1)


def test_an_invalid_exemption_in_the_stack_config_is_invalid_input_at_its_line(tmp_path: Path) -> None:
    import shutil

    program = tmp_path / "fixed"
    shutil.copytree(PROGRAMS / "fixed", program)
    config = program / "Pulumi.dev.yaml"
    old = "expires: 2027-11-30\n      approved_by: dpo"
    text = config.read_text().replace(old, old.replace("2027-11-30", "someday"))
    config.write_text(text)
    code, report, _ = _check("--no-checkov", "--program", str(program))
    assert code == 1
    [issue] = report["stacks"][0]["issues"]
    assert issue["field"].startswith("hardstack:exemptions.") and issue["field"].endswith(".expires")
    assert "expires: someday" in text.splitlines()[issue["line"] - 1]


def test_a_program_that_crashes_is_not_judged_and_shows_its_own_traceback(tmp_path: Path) -> None:
    import shutil

    program = tmp_path / "insecure"
    shutil.copytree(PROGRAMS / "insecure", program)
    main_py = program / "__main__.py"
    main_py.write_text(main_py.read_text() + "\nraise ValueError('broken on purpose')\n")
    code, report, _ = _check("--no-checkov", "--program", str(program))
    assert code == 2
    error = report["stacks"][0]["render_error"]
    assert "broken on purpose" in error and str(main_py) in error and "hardstack/" not in error
