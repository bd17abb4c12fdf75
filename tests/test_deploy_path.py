"""What a real deployment installs, checked offline.

`pulumi up` (Pulumi.yaml: toolchain pip, virtualenv .venv) creates .venv when it is missing and
pip-installs only the root requirements.txt, from the project directory. A policy pack is
installed on its own: `pulumi install` in its directory, or, once published, `pip install -r
requirements.txt` in the service's extracted copy of that directory alone (`pulumi policy
publish` archives the pack directory, following links, leaving out what .gitignore ignores).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pulumi
import pulumi_policy
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from setuptools import find_packages

from hardstack.rules.gate import EXEMPTIONS_POLICY
from hardstack.rules.packs import PACKS

ROOT = Path(__file__).resolve().parents[1]
PACKS_DIR = ROOT / "policy-packs"
RULES_DIR = PACKS_DIR / "hardstack_rules"


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def constraints() -> dict[str, str]:
    pins = {}
    for line in requirement_lines(ROOT / "constraints.txt"):
        name, version = line.split("==")
        pins[canonicalize_name(name)] = version
    return pins


def runtime_closure(*roots: str) -> set[str]:
    """The installed distributions `roots` need at run time (no extras), roots included."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for spec in importlib.metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def project_dependencies() -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [Requirement(spec) for spec in pyproject["project"]["dependencies"]]


def published_copy(name: str, into: Path) -> Path:
    """The pack directory as `pulumi policy publish` archives it: links followed, ignored files out."""
    target = into / name
    shutil.copytree(PACKS_DIR / name, target, symlinks=False,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "venv"))
    return target


def python_files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*.py") if "__pycache__" not in p.parts}


# pulumi-policy asks for setuptools, which every virtualenv pip creates already has.
PROVIDED_BY_VENV = {"setuptools"}


# --- the Pulumi program: `pulumi install` / `pulumi up` on a fresh clone ---------------------

def test_root_requirements_install_the_project_with_the_pinned_constraints() -> None:
    lines = requirement_lines(ROOT / "requirements.txt")
    assert sorted(lines) == ["-c constraints.txt", "-e ."]
    # `-c` is relative to requirements.txt; `-e .` to pip's working directory, which Pulumi's pip
    # toolchain sets to the project directory: both must be this directory.
    assert (ROOT / "constraints.txt").is_file() and (ROOT / "Pulumi.yaml").is_file()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"] == "hardstack"

    pins = constraints()
    for req in project_dependencies():
        pinned = pins.get(canonicalize_name(req.name))
        assert pinned is not None, f"{req.name} is not pinned in constraints.txt"
        assert Version(pinned) in req.specifier, f"constraints.txt pins {req.name}=={pinned}, outside {req.specifier}"
    # Not only the SDKs: everything they pull in is pinned, so a fresh clone gets what was tested.
    unpinned = runtime_closure(*(r.name for r in project_dependencies())) - set(pins) - PROVIDED_BY_VENV
    assert not unpinned, f"runtime dependencies missing from constraints.txt: {sorted(unpinned)}"


def test_pulumi_uses_the_environment_make_setup_creates_and_the_readme_names() -> None:
    runtime = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["runtime"]
    assert runtime["name"] == "python"
    # toolchain pip is the one that installs requirements.txt into `virtualenv` when it is missing.
    assert runtime["options"]["toolchain"] == "pip"
    venv = runtime["options"]["virtualenv"]
    (make_venv,) = re.findall(r"^VENV\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert venv == make_venv  # `make setup` and `pulumi install` fill the same environment
    assert f"`{venv}`" in (ROOT / "README.md").read_text()


def test_every_package_folder_is_installed_under_the_hardstack_namespace() -> None:
    """One installed namespace: each package folder of the repository (hardstack/, components/,
    blueprints/, policy-packs/hardstack_rules/) under `hardstack`, none left out, none twice (the
    packs' hardstack_rules links are not packages of the project)."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    mapped = {"hardstack": "hardstack", **setup["package-dir"]}
    assert setup["package-dir"] == {"hardstack.components": "components", "hardstack.blueprints": "blueprints",
                                    "hardstack.rules": "policy-packs/hardstack_rules"}
    folders = set()
    for name, folder in mapped.items():
        folders |= {name} | {f"{name}.{sub}" for sub in find_packages(str(ROOT / folder))
                             if not any(sub.startswith(f"{other.split('.', 1)[1]}") and other != name
                                        for other in mapped if other.startswith(f"{name}."))}
    assert sorted(setup["packages"]) == sorted(folders)


def test_the_wheel_installs_one_top_level_package(tmp_path: Path) -> None:
    """Nothing named components, blueprints or hardstack_rules lands in site-packages."""
    import zipfile

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("hardstack-*.whl")
    tops = {name.split("/", 1)[0] for name in zipfile.ZipFile(wheel).namelist()}
    assert tops == {"hardstack", "hardstack-0.1.0.dist-info"}
    names = zipfile.ZipFile(wheel).namelist()
    assert "hardstack/components/aws/kms_key.py" in names and "hardstack/rules/aws/storage.py" in names
    assert "hardstack/blueprints/aws.py" in names and "hardstack/checkov/runner.py" in names


def test_the_old_import_paths_work_from_the_repository_checkout() -> None:
    """Programs in a checkout (the Pulumi program at its root, a team's scripts) may still say
    `import components`; installed, the same modules are hardstack.components."""
    code = ("import components.aws, blueprints, hardstack.components.aws, hardstack.blueprints, hardstack.rules; "
            "print(components.aws.KmsKey.__name__, hardstack.components.aws.KmsKey.__name__)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["KmsKey", "KmsKey"]


# --- the policy packs: each directory installs and runs on its own ---------------------------

@pytest.mark.parametrize("name", sorted(PACKS))
def test_pack_requirements_are_pins_without_paths(name: str) -> None:
    lines = requirement_lines(PACKS_DIR / name / "requirements.txt")
    pins = constraints()
    pinned: dict[str, str] = {}
    for line in lines:
        # No options (-e, -r, -c) and no paths: the published copy has nothing beside it.
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", line)
        assert match, f"{name}/requirements.txt: {line!r} is not a name==version pin"
        pinned[canonicalize_name(match[1])] = match[2]
    assert {"pulumi", "pulumi-policy"} <= set(pinned)
    for dist, version in pinned.items():
        assert pins.get(dist) == version, f"{name}: {dist}=={version}, constraints.txt has {pins.get(dist)}"
    # The pack gets the same versions `hardstack check` evaluates the rules with.
    missing = runtime_closure("pulumi-policy") - set(pinned) - PROVIDED_BY_VENV
    assert not missing, f"{name}/requirements.txt lacks pins for {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(PACKS))
def test_pack_links_the_shared_rules(name: str) -> None:
    link = PACKS_DIR / name / "hardstack_rules"
    assert link.is_symlink() and os.readlink(link) == "../hardstack_rules"  # relative: works in any clone
    assert link.resolve() == RULES_DIR


@pytest.mark.parametrize("name", sorted(PACKS))
def test_pack_archive_keeps_its_files_and_leaves_out_its_environment(name: str, tmp_path: Path) -> None:
    """`pulumi policy publish` drops what .gitignore files in the pack directory and above it
    ignore. Judged by git on the archived layout (git itself stops at the link)."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    pack = published_copy(name, tmp_path / "policy-packs")
    for gitignore in (ROOT / ".gitignore", PACKS_DIR / ".gitignore"):
        if gitignore.exists():
            shutil.copyfile(gitignore, tmp_path / gitignore.relative_to(ROOT))

    def ignored(paths: list[str]) -> list[str]:
        run = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "--no-index", "--stdin"],
                             input="\n".join(paths), capture_output=True, text=True, check=False)
        assert run.returncode in (0, 1), run.stderr
        return run.stdout.split()

    prefix = f"policy-packs/{name}"
    environment = [f"{prefix}/venv/bin/python", f"{prefix}/venv/lib/python3.11/site-packages/pulumi/__init__.py"]
    assert ignored(environment) == environment
    archived = sorted(p.relative_to(tmp_path).as_posix() for p in pack.rglob("*") if p.is_file())
    assert {"PulumiPolicy.yaml", "__main__.py", "requirements.txt", "hardstack_rules/__init__.py"} <= {
        a.removeprefix(f"{prefix}/") for a in archived}
    assert ignored(archived) == []


# Runs in an interpreter that has the SDKs but not this repository: no site processing (so no
# editable-install finder), only the SDKs' site-packages on sys.path, a working directory outside
# the repository. It runs the pack directory the way `python -m pulumi.policy ENGINE DIR` does.
STANDALONE = """
import importlib.util, json, runpy, sys

site_packages, pack_dir = sys.argv[1], sys.argv[2]
sys.path.append(site_packages)
out = {}
try:
    import hardstack  # noqa: F401
    out["hardstack_importable"] = True
except ModuleNotFoundError:
    out["hardstack_importable"] = False
out["rules_importable_before"] = importlib.util.find_spec("hardstack_rules") is not None

import pulumi_policy

captured = []

class RecordingPolicyPack:
    def __init__(self, **kwargs):
        captured.append(kwargs)

pulumi_policy.PolicyPack = RecordingPolicyPack  # the real one serves gRPC and blocks
runpy.run_path(pack_dir, run_name="__main__")

import hardstack_rules

(pack,) = captured
out["name"] = pack["name"]
out["policies"] = [p.name for p in pack["policies"]]
out["initial_config"] = pack.get("initial_config")
out["rules_file"] = hardstack_rules.__file__
print(json.dumps(out, default=lambda value: value.value))  # EnforcementLevel in initial_config
"""


@pytest.mark.parametrize("name", sorted(PACKS))
def test_published_pack_runs_without_the_repository(name: str, tmp_path: Path) -> None:
    pack_dir = published_copy(name, tmp_path / "archive")
    rules = pack_dir / "hardstack_rules"
    assert rules.is_dir() and not rules.is_symlink()
    assert not any(p.is_symlink() for p in rules.rglob("*"))
    assert python_files(rules) == python_files(RULES_DIR)

    site_packages = Path(pulumi_policy.__file__).resolve().parents[1]
    assert Path(pulumi.__file__).resolve().parents[1] == site_packages
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", STANDALONE, str(site_packages), str(pack_dir)],
        cwd=tmp_path, env={"PATH": os.environ.get("PATH", "")}, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["hardstack_importable"] is False  # the repository really is out of reach
    assert out["rules_importable_before"] is False
    assert Path(out["rules_file"]).resolve().is_relative_to(pack_dir.resolve())
    assert out["name"] == f"hardstack-{name}"
    expected = [*(r.id for r in PACKS[name].rules()), EXEMPTIONS_POLICY]
    assert expected and out["policies"] == expected
    assert out["initial_config"] == {**{r.id: PACKS[name].entry(r) for r in PACKS[name].rules()},
                                     EXEMPTIONS_POLICY: {"enforcementLevel": "advisory"}}
