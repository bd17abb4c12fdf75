"""Where a rule's documentation lives, for SARIF `helpUri` and `informationUri`.

hardstack has no documentation site: its documentation is the repository (README.md, each
rule's definition with its title, severity, controls and remediation). Links point into the
repository at one revision, so they never drift from the code that produced the report:

- `HARDSTACK_DOCS_URL` if set: a URL prefix of the repository at a revision, for example
  https://github.com/acme/hardstack/blob/v0.1.0;
- in GitHub Actions, when hardstack runs from the checked-out repository (this project's own
  workflow): $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA;
- otherwise the local source tree as a file: URI (what an editor's SARIF viewer opens).

Policy rules link to their definition (`policy-packs/hardstack_rules/<cloud>/<concern>.py#L<n>`),
hardstack's custom checkov checks to `hardstack/checkov/custom_checks/`, checkov's own checks to
checkov's policy index for the framework (https://www.checkov.io/5.Policy%20Index/<framework>.html;
checkov publishes no page per check), spec and exemption problems to the README's sections.
"""

from __future__ import annotations

import inspect
import os
from functools import cache
from pathlib import Path

import hardstack
from hardstack.rules import REGISTRY

ROOT = Path(hardstack.__file__).resolve().parents[1]
CHECKOV_INDEX = "https://www.checkov.io/5.Policy%20Index/{framework}.html"
README_ANCHORS = {"spec": "the-spec", "exemptions": "exemptions", "commands": "commands",
                  "policies": "policy-packs", "checkov": "checkov-an-independent-judge", "ci": "in-ci"}


def _in_workspace() -> bool:
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace:
        return False
    try:
        ROOT.relative_to(Path(workspace).resolve())
    except ValueError:
        return False
    return True


def docs_base() -> str | None:
    """URL prefix of hardstack's repository at the revision that runs (see the module doc)."""
    configured = os.environ.get("HARDSTACK_DOCS_URL", "").strip().rstrip("/")
    if configured:
        return configured
    server, repo, sha = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if os.environ.get("GITHUB_ACTIONS") == "true" and server and repo and sha and _in_workspace():
        return f"{server.rstrip('/')}/{repo}/blob/{sha}"
    if (ROOT / "README.md").is_file():
        return ROOT.as_uri()
    return None


def readme(section: str) -> str | None:
    base = docs_base()
    return f"{base}/README.md#{README_ANCHORS[section]}" if base else None


def information_uri() -> str | None:
    base = docs_base()
    return f"{base}/README.md" if base else None


@cache
def _rule_source(rule_id: str) -> tuple[str, int] | None:
    rule = REGISTRY.get(rule_id)
    fn = (rule.check or rule.stack_check) if rule else None
    if fn is None:
        return None
    try:
        path = Path(inspect.getsourcefile(fn) or "").resolve()
        line = inspect.getsourcelines(fn)[1]
        return path.relative_to(ROOT).as_posix(), line
    except (OSError, TypeError, ValueError):
        return None


def policy_rule(rule_id: str) -> str | None:
    """The rule's definition (decorator with id, severity, controls, remediation), else the README."""
    base, source = docs_base(), _rule_source(rule_id)
    if base and source:
        return f"{base}/{source[0]}#L{source[1]}"
    return readme("policies")


def checkov_check(check_id: str, framework: str, guideline: str = "") -> str:
    if guideline.startswith(("https://", "http://")):
        return guideline
    if check_id.startswith("HS_"):
        base = docs_base()
        if base:
            return f"{base}/hardstack/checkov/custom_checks/"
    return CHECKOV_INDEX.format(framework=framework)
