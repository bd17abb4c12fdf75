"""Shared fixtures for the foundation suite.

Helpers are handed out as (session-scoped) fixtures rather than imported from this module:
tests/ has no __init__.py and other directories below it may bring their own conftest.py, so
`from conftest import ...` would be ambiguous.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gc
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from hardstack.spec import CONFIG_KEY, Environment, SpecError, SpecIssue, load, validate

if TYPE_CHECKING:
    from hardstack.render import Graph

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


# --- rendered graphs, shared ---------------------------------------------------------------------
# Most tests only read a rendered example, and a render costs up to seconds: each distinct
# (stack, validated spec) is rendered once per session (once per xdist worker) and every caller
# gets a deep copy of its own, free to change it. A changed spec is another key. A test that
# patches a component, the mocks or the renderer must call the renderer itself, never these.
_GRAPHS: dict[tuple[str, str], Graph] = {}


def _rendered(env: Environment, stack: str) -> Graph:
    """The graph `render_environment(env, stack)` gives, rendered once per session; a deep copy."""
    from hardstack.render import render_environment

    key = (stack, env.model_dump_json())
    if key not in _GRAPHS:
        _GRAPHS[key] = render_environment(env, stack).graph
    return copy.deepcopy(_GRAPHS[key])


def _example_graph(path: Path) -> Graph:
    """The graph `render(load(path))` gives (the stack file as it is now), rendered once; a deep copy."""
    loaded = load(path)
    return _rendered(loaded.environment, loaded.stack)


@pytest.fixture(scope="session")
def rendered() -> Callable[[Environment, str], Graph]:
    """rendered(env, stack): what render_environment(env, stack).graph gives, shared (a deep copy)."""
    return _rendered


@pytest.fixture(scope="session")
def example_graph() -> Callable[[Path], Graph]:
    """example_graph(path): what render(load(path)).graph gives, shared (a deep copy)."""
    return _example_graph


# --- garbage collection ---------------------------------------------------------------------------
# After collection a test process holds millions of objects that live as long as it does (the
# provider SDKs, the catalog, the policy registry), and every full collection walks them all. As
# the product's own processes do (hardstack/cli, pipeline/worker.py, checkov/prestart.py): collect
# less often, and move what collection left out of the collector's sight.
_GC_THRESHOLDS = pytest.StashKey[tuple[int, int, int]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_GC_THRESHOLDS] = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.unfreeze()
    gc.set_threshold(*config.stash.get(_GC_THRESHOLDS, gc.get_threshold()))


# --- parallel runs (pytest-xdist) ---------------------------------------------------------------
# A whole-suite run (or a run of a directory) spreads over every core. Tests are handed out one by
# one, except those that share something made once per process, which stay in one worker so that
# it is made once, as without xdist:
# - a module's tests, if the module has a module- or class-scoped fixture or a functools cache;
# - every user of report_helpers' cached checks (examples_report, mixed_report, mixed_dir).
# xdist's own `loadgroup` cannot be used for this: it renames items (item._nodeid), which pytest 9
# ignores. The grouping is read from the test modules' source, as the controller collects nothing.
_SCOPED = re.compile(r"""scope\s*=\s*["'](module|class|package)["']|@(functools\.)?(cache|lru_cache)\b""")
_SHARED_CHECKS = re.compile(r"\b(examples_report|mixed_report|mixed_dir)\b")
_GROUPING = pytest.StashKey[bool]()


@functools.cache
def _worker_group(module: str) -> str | None:
    """The worker group of the tests in `module` (a path from the repository root); None: any worker."""
    try:
        source = (REPO / module).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if _SHARED_CHECKS.search(source):
        return "report_helpers"
    return module if _SCOPED.search(source) else None


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run the suite, or a directory of it, on every core with pytest-xdist, grouped as above.
    `-n N` sets the workers (PYTEST_XDIST_AUTO_NUM_WORKERS too), `--dist` another distribution;
    `-n 0` or `-p no:xdist` run in this process, and so does a run of single files or tests
    without `-n`: starting workers would cost more than it saves."""
    option = config.option
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if option.dist != "no" or option.tx or option.distload or option.usepdb or option.collectonly:
        return
    if option.numprocesses is None:
        if config.args_source == pytest.Config.ArgsSource.ARGS and not all(
                Path(arg.split("::", 1)[0]).is_dir() for arg in config.args):
            return
        workers = config.hook.pytest_xdist_auto_num_workers(config=config)
        if workers < 2:
            return
        option.numprocesses = workers
    elif option.numprocesses == 0:
        return
    option.dist = "loadscope"  # what runs if the scheduler below is not used
    config.stash[_GROUPING] = True


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if not config.stash.get(_GROUPING, False):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """loadscope, with a work unit per group (see above) and per test of any other module;
        xdist sends the units with most tests first."""

        def _split_scope(self, nodeid: str) -> str:
            return _worker_group(nodeid.split("::", 1)[0]) or nodeid

    return GroupScheduling(config, log)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own empty render/checkov cache: a test that patches a component must
    never be answered from an earlier test's cache, and no test touches the user's cache."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("HARDSTACK_CACHE_DIR", str(directory))
    return directory
