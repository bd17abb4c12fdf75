"""The check's cache: an unchanged stack is reused, anything that decides its verdict (the spec,
hardstack's source, an SDK version, checkov and its checks) invalidates it, and a reused verdict
is the verdict a fresh run gives."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardstack.cache import Store, keys
from hardstack.check import CheckReport, run_check
from hardstack.pipeline import judge

REPO = Path(__file__).resolve().parents[1]
AWS = REPO / "stacks" / "Pulumi.aws-prod-eu.yaml"


@pytest.fixture(autouse=True)
def fresh_digests() -> Iterator[None]:
    """The source digest and SDK versions are computed once per process: recompute per test."""
    keys.source_digest.cache_clear()
    keys.sdk_versions.cache_clear()
    yield
    keys.source_digest.cache_clear()
    keys.sdk_versions.cache_clear()


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    copy = tmp_path / AWS.name
    shutil.copy(AWS, copy)
    return copy


def _verdict(check: CheckReport) -> list[tuple[str, str, str, str | None, int | None]]:
    return sorted((s.stack, f.rule_id, f.status, f.resource_urn, f.line) for s in check.stacks for f in s.findings)


def _policies(stack: Path, cache: Store) -> CheckReport:
    return run_check([stack], with_checkov=False, cache=cache)


def test_an_unchanged_stack_is_reused_with_the_same_verdict(stack: Path, tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
    first, second = _policies(stack, cache), _policies(stack, cache)
    assert (first.rendered, first.reused_renders) == (1, 0)
    assert (second.rendered, second.reused_renders) == (0, 1)
    assert second.stacks[0].render_cached and not first.stacks[0].render_cached
    assert _verdict(first) == _verdict(second) and _verdict(first)
    assert first.stacks[0].graph is not None and second.stacks[0].graph is not None
    assert first.stacks[0].graph.to_dict() == second.stacks[0].graph.to_dict()


def test_a_changed_spec_is_rendered_again(stack: Path, tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
    _policies(stack, cache)
    original = stack.read_text()
    stack.write_text(original.replace("# ", "#  ", 1) if "# " in original else original + "# changed\n")
    assert _policies(stack, cache).rendered == 1
    stack.write_text(original)
    assert _policies(stack, cache).reused_renders == 1


def test_a_changed_component_is_rendered_again(stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Store(tmp_path / "cache")
    _policies(stack, cache)
    components = tmp_path / "components"
    shutil.copytree(keys._package_dir("hardstack.components"), components, ignore=shutil.ignore_patterns("__pycache__"))
    key_module = components / "aws" / "kms_key.py"
    assert key_module.is_file(), "the AWS key component moved: point this test at it"
    key_module.write_text(key_module.read_text() + "\n# a changed component\n")
    real = keys._package_dir
    monkeypatch.setattr(keys, "_package_dir", lambda name: components if name == "hardstack.components" else real(name))
    keys.source_digest.cache_clear()
    assert _policies(stack, cache).rendered == 1


def test_a_changed_sdk_version_is_rendered_again(stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Store(tmp_path / "cache")
    _policies(stack, cache)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda dist: "7.99.0" if dist == "pulumi-aws" else real(dist))
    keys.sdk_versions.cache_clear()
    assert _policies(stack, cache).rendered == 1


def test_a_corrupt_entry_is_a_miss_and_is_replaced(stack: Path, tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
    fresh = _policies(stack, cache)
    entries = list((tmp_path / "cache").rglob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text('{"key": "truncated')
    again = _policies(stack, cache)
    assert again.rendered == 1 and _verdict(again) == _verdict(fresh)
    assert all(json.loads(e.read_text())["key"] == e.stem for e in entries)


def test_an_unwritable_cache_costs_only_the_reuse(stack: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be\n")
    cache = Store(blocked)
    report = _policies(stack, cache)
    assert report.exit_code == 0 and report.rendered == 1
    assert cache.write_errors and str(blocked) in cache.write_errors[0]


def test_checkov_verdicts_are_reused_and_invalidated_by_another_checkov(
        stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Store(tmp_path / "cache")
    first = run_check([stack], cache=cache)
    assert first.checkov_error is None and first.checkov_runs == 1
    second = run_check([stack], cache=cache)
    assert (second.checkov_runs, second.checkov_reused) == (0, 1)
    assert _verdict(first) == _verdict(second)
    assert first.stacks[0].checkov is not None and second.stacks[0].checkov is not None
    assert first.stacks[0].checkov.passed == second.stacks[0].checkov.passed
    assert any(f.source == "checkov" for f in second.stacks[0].findings), "the example has exempted checkov failures"
    monkeypatch.setattr(judge, "fingerprint", lambda _checkov: "another-checkov-or-changed-custom-checks")
    third = run_check([stack], cache=cache)
    assert (third.checkov_runs, third.checkov_reused) == (1, 0)
    assert _verdict(third) == _verdict(first)


def test_a_stack_judged_with_others_gets_the_verdict_it_gets_alone(tmp_path: Path) -> None:
    """Cached checkov results are split per export: that is sound only if no stack's results
    depend on the other files checkov scanned with it."""
    stacks = sorted((REPO / "stacks").glob("Pulumi.*.yaml"))
    cache = Store(tmp_path / "cache")
    together = run_check(stacks, cache=cache)
    alone = run_check([AWS])
    assert together.checkov_error is None and alone.checkov_error is None
    (aws,) = [s for s in together.stacks if s.stack == "aws-prod-eu"]
    assert aws.checkov is not None and alone.stacks[0].checkov is not None
    assert aws.checkov.passed == alone.stacks[0].checkov.passed
    assert sorted(f.key() for f in aws.findings) == sorted(f.key() for f in alone.stacks[0].findings)
    reused = run_check([AWS], cache=cache)
    assert reused.checkov_reused == 1 and _verdict(reused) == _verdict(alone)


def test_entries_unused_for_a_month_are_pruned(tmp_path: Path) -> None:
    cache = Store(tmp_path / "cache")
    cache.put("render", "a" * 64, {"stack": "old"})
    cache.put("render", "b" * 64, {"stack": "recent"})
    old = next((tmp_path / "cache").rglob("a*.json"))
    os.utime(old, (time.time() - 31 * 24 * 3600,) * 2)
    assert cache.prune() == 1
    assert cache.get("render", "a" * 64) is None
    assert cache.get("render", "b" * 64) == {"stack": "recent", "key": "b" * 64}


def test_a_changed_organisation_default_is_rendered_again(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    stack = stacks / AWS.name
    text = AWS.read_text()
    assert "    owner: ml-platform\n" in text
    stack.write_text(text.replace("    owner: ml-platform\n", ""))  # the owner comes from the project
    project = tmp_path / "Pulumi.yaml"
    defaults = ("name: hardstack\nruntime: python\nstackConfigDir: stacks\nconfig:\n  hardstack:environment:\n"
                "    value:\n      owner: {owner}\n")
    project.write_text(defaults.format(owner="ml-platform"))
    cache = Store(tmp_path / "cache")
    assert _policies(stack, cache).rendered == 1
    assert _policies(stack, cache).reused_renders == 1
    project.write_text(defaults.format(owner="research-platform"))
    assert _policies(stack, cache).rendered == 1  # the stack file is unchanged; its environment is not
