"""The README's table of the public component API is each cloud's `__all__`, and every public
component is a ComponentResource of type hardstack:<cloud>:<Name> with a typed args class."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pulumi
import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cloud", ["aws", "gcp", "azure"])
def test_the_readme_lists_each_clouds_public_components(cloud: str) -> None:
    module = importlib.import_module(f"hardstack.components.{cloud}")
    row = re.search(rf"^\| `hardstack\.components\.{cloud}` \| (.+) \|$", README, re.MULTILINE)
    assert row, f"no README row for hardstack.components.{cloud}"
    listed = [name.strip() for name in row.group(1).split(",")]
    public = [n for n in module.__all__ if not n.endswith("Args")]
    components = sorted(n for n in public if issubclass(getattr(module, n), pulumi.ComponentResource))
    assert listed == components
    for name in components:
        assert f"{name}Args" in module.__all__, name
    for name in sorted(set(public) - set(components)):  # value types the components take
        assert f"`{name}`" in README, f"{name} is public in hardstack.components.{cloud}: describe it"
