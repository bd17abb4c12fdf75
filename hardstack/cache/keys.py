"""Cache keys: a digest of everything that decides an entry.

A rendered stack depends on its spec file, the project's own source (blueprints, components,
the spec rules and catalog, the policy rules, the exporters) and the versions of Python and of
every SDK the render and the policies run on; checkov's verdict on an export depends on the
export's text, the installed checkov, hardstack's custom checks and the command-line flags.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import sys
from pathlib import Path

# Everything whose code runs between a spec and its verdict.
PACKAGES = ("hardstack", "hardstack.components", "hardstack.blueprints", "hardstack.rules")
# Distributions whose behaviour a render, the policies or the spec validation depend on.
DISTRIBUTIONS = ("pulumi", "pulumi-aws", "pulumi-azure-native", "pulumi-gcp", "pulumi-policy", "pydantic",
                 "pydantic-core", "ruamel.yaml")
# Bump to drop every entry when the entry format changes.
FORMAT = "1"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find package {name} to fingerprint its source")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


@functools.cache
def source_digest() -> str:
    """The project's source, file by file (relative path and content)."""
    digest = hashlib.sha256()
    for name in PACKAGES:
        root = _package_dir(name)
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def blueprint_digest(reference: str) -> str:
    """The source of a spec's own blueprint (`blueprint: package.module:Attribute`): every .py file
    of the reference's top-level package, found as the render will import it but not imported.

    A reference whose package cannot be found digests to a marker: its render fails and says why,
    and failed renders are never cached. Packages the blueprint imports in turn are not covered
    (nor data files it reads); hardstack's own are, by `source_digest`.
    """
    top = reference.partition(":")[0].split(".")[0]
    digest = hashlib.sha256(f"blueprint\0{reference}\0".encode())
    try:
        # A top-level name: find_spec imports nothing (a dotted one would import its parents).
        spec = importlib.util.find_spec(top) if top.isidentifier() else None
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        digest.update(b"not found")
        return digest.hexdigest()
    if spec.submodule_search_locations:  # a package, perhaps a namespace package in several places
        roots = [Path(location).resolve() for location in spec.submodule_search_locations]
        files = [(f"{index}/{path.relative_to(root).as_posix()}", path)
                 for index, root in enumerate(roots) for path in sorted(root.rglob("*.py"))
                 if "__pycache__" not in path.relative_to(root).parts]
    elif spec.has_location and spec.origin:  # a single module
        files = [(Path(spec.origin).name, Path(spec.origin))]
    else:  # built into the interpreter: its version is the interpreter's
        files = []
        digest.update(f"builtin {spec.origin}".encode())
    for name, path in files:
        digest.update(f"{name}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def sdk_versions() -> tuple[tuple[str, str], ...]:
    python = ("python", ".".join(map(str, sys.version_info[:3])))
    return (python, *((d, _version(d)) for d in DISTRIBUTIONS))


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def render_key(spec_text: bytes, stack: str) -> str:
    """A rendered, policy-checked and exported stack; `spec_text` is the stack file and the
    environment as it is rendered (with the project's defaults from Pulumi.yaml merged under it)."""
    versions = ";".join(f"{d}={v}" for d, v in sdk_versions())
    return _digest("render", FORMAT, stack, spec_text, source_digest(), versions)


def checkov_key(export_text: str, checkov_fingerprint: str, arguments: list[str]) -> str:
    """checkov's results on one export. `arguments` are the flags (the scanned directory left
    out), `checkov_fingerprint` names the installed checkov and the custom checks."""
    return _digest("checkov", FORMAT, export_text, checkov_fingerprint, "\0".join(arguments))
