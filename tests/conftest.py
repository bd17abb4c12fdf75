"""Shared fixtures for the foundation suite.

Helpers are handed out as (session-scoped) fixtures rather than imported from this module:
tests/ has no __init__.py and other directories below it may bring their own conftest.py, so
`from conftest import ...` would be ambiguous.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, Environment, SpecError, SpecIssue, validate

REPO = Path(__file__).resolve().parents[1]
STACKS = REPO / "stacks"
EXAMPLES: dict[str, Path] = {
    "aws": STACKS / "Pulumi.aws-prod-eu.yaml",
    "gcp": STACKS / "Pulumi.gcp-prod-eu.yaml",
    "azure": STACKS / "Pulumi.azure-prod-eu.yaml",
}
# Where issues of in-memory specs claim to come from; never written.
FAKE_FILE = Path("stacks/Pulumi.under-test.yaml")


def _example_spec(cloud: str) -> dict[str, Any]:
    """The example stack's spec as plain Python data (a fresh deep copy every call)."""
    doc = YAML(typ="safe").load(EXAMPLES[cloud].read_text(encoding="utf-8"))
    return copy.deepcopy(doc["config"][CONFIG_KEY])


def _spec_issues(spec: Any, file: Path = FAKE_FILE) -> list[SpecIssue]:
    """Every issue `validate` reports for `spec`; fails the test if the spec is accepted."""
    try:
        env = validate(spec, file)
    except SpecError as exc:
        assert exc.issues, "SpecError raised without any issue"
        return exc.issues
    pytest.fail(f"spec was accepted but should be rejected: {env!r}")


def _valid(spec: Any, file: Path = FAKE_FILE) -> Environment:
    """Validate `spec`, failing the test with every issue if it is rejected."""
    try:
        return validate(spec, file)
    except SpecError as exc:
        pytest.fail(f"spec was rejected but should be valid:\n{exc}")


def _issue_at(issues: list[SpecIssue], field: str) -> SpecIssue:
    found = [i for i in issues if i.field == field]
    assert found, f"no issue at {field!r}; issues: {[(i.field, i.message) for i in issues]}"
    return found[0]


def _iso(days_from_today: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days_from_today)).isoformat()


def _exemption(rule: str, resource: str, expires: str | None = None) -> dict[str, str]:
    return {
        "rule": rule,
        "resource": resource,
        "reason": "decided by the security review board, see ticket SEC-1234",
        "approved_by": "security-board@example.com",
        "expires": expires or _iso(180),
    }


@pytest.fixture(scope="session")
def example_paths() -> dict[str, Path]:
    return dict(EXAMPLES)


@pytest.fixture(scope="session")
def example_spec() -> Callable[[str], dict[str, Any]]:
    return _example_spec


@pytest.fixture(scope="session")
def example_text() -> Callable[[str], str]:
    return lambda cloud: EXAMPLES[cloud].read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def spec() -> SimpleNamespace:
    """Spec helpers: issues(spec), valid(spec), issue_at(issues, field), iso(days), exemption(...)."""
    return SimpleNamespace(
        issues=_spec_issues, valid=_valid, issue_at=_issue_at, iso=_iso, exemption=_exemption,
        file=FAKE_FILE,
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory, so commands that write stacks/ never touch the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own empty render/checkov cache: a test that patches a component must
    never be answered from an earlier test's cache, and no test touches the user's cache."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("HARDSTACK_CACHE_DIR", str(directory))
    return directory
