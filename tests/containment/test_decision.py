"""The responder shape every cloud shares (components/responders/decision.py): the settings a
function is deployed with, the decision, and the report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from hardstack.components.responders.decision import (
    SEVERITY_ORDER,
    Finding,
    Report,
    Settings,
    SettingsError,
    decide,
)

FINDING = Finding(id="f-1", severity="high", title="Backdoor:EC2/C&CActivity.B", resource="i-0abc")
OURS = Settings(environment="prod-eu", mode="isolate", min_severity="high")


def test_a_high_finding_about_our_workload_isolates() -> None:
    assert decide(FINDING, OURS, "prod-eu").outcome == "isolate"


@pytest.mark.parametrize("severity", SEVERITY_ORDER)
def test_the_threshold_is_inclusive_and_ordered(severity) -> None:
    finding = Finding("f", severity, "t", "r")
    outcome = decide(finding, OURS, "prod-eu").outcome
    assert outcome == ("isolate" if SEVERITY_ORDER.index(severity) >= SEVERITY_ORDER.index("high") else "ignore")


def test_below_the_threshold_is_ignored_with_the_reason() -> None:
    decision = decide(Finding("f", "medium", "t", "r"), OURS, "prod-eu")
    assert decision.outcome == "ignore" and "below the threshold high" in decision.reason


@pytest.mark.parametrize("environment", ["other-env", None, ""])
def test_another_environments_or_an_untagged_workload_is_ignored(environment) -> None:
    decision = decide(FINDING, OURS, environment)
    assert decision.outcome == "ignore"
    assert "not 'prod-eu'" in decision.reason


def test_notify_and_dry_run_only_report() -> None:
    assert decide(FINDING, Settings("prod-eu", mode="notify"), "prod-eu").outcome == "report"
    dry = decide(FINDING, Settings("prod-eu", dry_run=True), "prod-eu")
    assert dry.outcome == "report" and "dry run" in dry.reason


def test_the_environment_check_comes_before_the_mode() -> None:
    # A notify-mode responder must not report other environments' workloads as its own.
    assert decide(FINDING, Settings("prod-eu", mode="notify"), "dev").outcome == "ignore"


def test_settings_round_trip_through_the_function_environment() -> None:
    for settings in (OURS, Settings("x-y", "notify", "low", False), Settings("z", "isolate", "critical", True)):
        assert Settings.from_env(settings.as_env()) == settings


@pytest.mark.parametrize("env, named", [
    ({}, "HARDSTACK_ENVIRONMENT"),
    ({"HARDSTACK_ENVIRONMENT": "e", "HARDSTACK_RESPONSE_MODE": "quarantine"}, "HARDSTACK_RESPONSE_MODE"),
    ({"HARDSTACK_ENVIRONMENT": "e", "HARDSTACK_MIN_SEVERITY": "severe"}, "HARDSTACK_MIN_SEVERITY"),
    ({"HARDSTACK_ENVIRONMENT": "e", "HARDSTACK_DRY_RUN": "yes"}, "HARDSTACK_DRY_RUN"),
])
def test_bad_function_settings_name_the_variable(env, named) -> None:
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_the_report_says_what_changed() -> None:
    report = Report(FINDING, decide(FINDING, OURS, "prod-eu"), "prod-eu")
    report.add("quarantine-network", "i-0abc", "already")
    assert not report.changed
    report.add("snapshot", "vol-1", "done", "snap-1")
    assert report.changed
    body = json.loads(report.to_json())
    assert body["finding"]["id"] == "f-1" and body["decision"]["outcome"] == "isolate"
    assert [a["status"] for a in body["actions"]] == ["already", "done"]
    assert report.subject().startswith("[hardstack prod-eu] isolated i-0abc")
    # SNS subjects take at most 100 characters.
    long = Finding("f", "high", "t", "r" * 300)
    assert len(Report(long, decide(long, OURS, "prod-eu"), "prod-eu").subject()) == 100


def test_the_core_needs_only_the_standard_library() -> None:
    # It is shipped into the cloud functions, where hardstack is not installed.
    import hardstack.components.responders.decision as decision

    source = Path(decision.__file__).read_text(encoding="utf-8")
    imported = {line.split()[1].split(".")[0] for line in source.splitlines()
                if line.startswith(("import ", "from ")) and not line.startswith("from __future__")}
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
