"""One verdict everywhere: the packs run as the Pulumi engine runs them (their real processes,
over gRPC, with the engine's call order, property encoding and stack config;
hardstack/policy/engine_driver.py) judge every example stack, and weakened copies, exactly as
`hardstack check` does: the same findings at the same levels, the same exemptions.

One process per pack serves the whole module (ConfigureStack tells it each new stack)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hardstack.check import CheckReport, StackReport, run_check
from hardstack.findings import Finding
from hardstack.policy import adapter, apply_exemptions, evaluate
from hardstack.policy.engine_driver import PackProcess, Verdict, config_value, registration_order, stack_config
from hardstack.policy.exemptions import ancestry
from hardstack.render import Graph
from hardstack.rules.exemptions import Exemption, describe
from hardstack.rules.gate import CONFIG_KEY, EXEMPTIONS_POLICY, Gate
from hardstack.rules.packs import PACKS, packs_for
from hardstack.spec.models import Exemption as SpecExemption

ROOT = Path(__file__).resolve().parents[1]
STACK_FILES = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))
Key = tuple[str, str, str, str]  # rule, resource URN ("" for the stack), level or "exempted", message


@pytest.fixture(scope="module")
def check() -> CheckReport:
    return run_check(STACK_FILES, with_checkov=False)


@pytest.fixture(scope="module")
def packs() -> Iterator[dict[str, PackProcess]]:
    running: dict[str, PackProcess] = {}
    try:
        for name in PACKS:
            running[name] = PackProcess(ROOT / "policy-packs" / name, project="hardstack")
        yield running
    finally:
        for process in running.values():
            process.close()


def stack_report(check: CheckReport, stack: str) -> StackReport:
    return next(s for s in check.stacks if s.stack == stack)


def drive(packs: dict[str, PackProcess], report: StackReport, graph: Graph | None = None,
          config: dict[str, str] | None = None) -> dict[str, Verdict]:
    """Every pack the spec calls for, run on the stack (each pack is its own process: in parallel)."""
    assert report.loaded is not None and report.graph is not None
    names = [p.name for p in packs_for(report.loaded.environment.compliance)]
    config = config if config is not None else stack_config(report.file)
    with ThreadPoolExecutor(len(names)) as pool:
        runs = {n: pool.submit(packs[n].run, graph or report.graph, config) for n in names}
        return {n: run.result() for n, run in runs.items()}


def engine_keys(verdicts: dict[str, Verdict]) -> set[Key]:
    keys = set()
    for verdict in verdicts.values():
        for d in verdict.diagnostics:
            if d.policy == EXEMPTIONS_POLICY:
                keys.add((d.message.split(" ", 1)[0], d.urn, "exempted", d.message))
            else:
                keys.add((d.policy, d.urn, d.level, d.message))
    return keys


def check_keys(findings: list[Finding]) -> set[Key]:
    keys = set()
    for f in findings:
        assert f.source == "policy"
        if f.status == "exempted":
            assert f.exemption is not None
            e = Exemption(f.exemption["rule"], f.exemption["resource"], f.exemption["reason"],
                          dt.date.fromisoformat(f.exemption["expires"]), f.exemption["approved_by"])
            keys.add((f.rule_id, f.resource_urn or "", "exempted",
                      f"{f.rule_id} ({f.severity}): {f.message}; {describe(e)}"))
        elif f.status == "failed":
            keys.add((f.rule_id, f.resource_urn or "", f.enforcement, f.message))
    return keys


@pytest.fixture(scope="module")
def examples(check: CheckReport, packs: dict[str, PackProcess]) -> dict[str, dict[str, Verdict]]:
    return {report.stack: drive(packs, report) for report in check.stacks}


@pytest.mark.parametrize("file", STACK_FILES, ids=lambda f: f.name)
def test_every_example_passes_every_pack_under_the_engine_as_under_check(
        file: Path, check: CheckReport, examples: dict[str, dict[str, Verdict]]) -> None:
    report = next(s for s in check.stacks if s.file == file)
    verdicts = examples[report.stack]
    assert report.loaded is not None and not report.issues and report.failed == []
    assert set(verdicts) == {p.name for p in packs_for(report.loaded.environment.compliance)}
    assert [d for v in verdicts.values() for d in v.at("mandatory")] == []
    assert engine_keys(verdicts) == check_keys(report.findings)


def test_the_examples_exemptions_show_under_the_engine(examples: dict[str, dict[str, Verdict]]) -> None:
    shown = {(stack, k[0], k[1].rsplit("::", 1)[-1]) for stack, verdicts in examples.items()
             for k in engine_keys(verdicts) if k[2] == "exempted"}
    assert shown == {
        *((stack, "aws-s3-sse-customer-key", f"{stack}-access-logs-encryption")
          for stack in ("aws-prod-eu", "aws-ai-eu", "aws-k8s-eu")),
        *((stack, rule, f"{stack}-logs-account")
          for stack in ("azure-prod-eu", "azure-gpu-eu", "azure-ai-eu", "azure-k8s-eu")
          for rule in ("azure-private-endpoints", "azure-storage-public-network-disabled")),
        # EKS documents no confidential nodes: the pool's launch template carries the exemption.
        ("aws-k8s-eu", "aws-ec2-confidential-computing", "aws-k8s-eu-general-lt"),
        # AKS KMS pins one key version, so the etcd key is rotated by hand (with a reminder).
        ("azure-k8s-eu", "azure-key-rotation", "azure-k8s-eu-kms-key"),
        ("azure-k8s-eu", "internet-egress-advisory", "azure-k8s-eu-net-nat"),
        # Azure containment: the responder's resource-group scope (snapshots are created there).
        *((stack, "azure-role-resource-scope", f"{stack}-containment-responder")
          for stack in ("azure-prod-eu", "azure-gpu-eu")),
    }
    messages = [d.message for v in examples["aws-prod-eu"].values() for d in v.diagnostics]
    assert all("exempted until 2027-11-30, approved by" in m for m in messages)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_the_engine_applies_the_levels_hardstack_check_uses(name: str,
                                                            examples: dict[str, dict[str, Verdict]]) -> None:
    levels = examples["aws-prod-eu"][name].levels
    pack = PACKS[name]
    assert levels == {**{r.id: pack.enforcement(r) for r in pack.rules()}, EXEMPTIONS_POLICY: "advisory"}


def test_packs_never_dial_the_engine(packs: dict[str, PackProcess],
                                     examples: dict[str, dict[str, Verdict]]) -> None:
    assert examples and not any(p.engine_contacted for p in packs.values())


@pytest.mark.parametrize("file", STACK_FILES, ids=lambda f: f.name)
def test_rules_judge_the_examples_through_proxies_as_through_plain_values(
        file: Path, check: CheckReport, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule blinded by the engine's proxies (an isinstance(x, dict) that is now False) would
    be blind at both gates alike: judged with plain values the verdict must not change."""
    report = next(s for s in check.stacks if s.file == file)
    assert report.graph is not None and report.loaded is not None
    monkeypatch.setattr(adapter, "engine_props", lambda props: copy.deepcopy(dict(props)))
    monkeypatch.setattr(adapter, "engine_config", lambda config: copy.deepcopy(dict(config)))
    env = report.loaded.environment
    plain = apply_exemptions(evaluate(report.graph, packs_for(env.compliance)).findings, env, report.graph)
    assert check_keys(plain) == check_keys(report.findings)


@pytest.mark.parametrize("file", STACK_FILES, ids=lambda f: f.name)
def test_the_gate_names_resources_as_check_does(file: Path, check: CheckReport) -> None:
    """Analyze sees a parent URN only: learned in registration order, the names it matches are
    the resource and every component above it, as `hardstack check` reads them from the graph."""
    report = next(s for s in check.stacks if s.file == file)
    assert report.graph is not None
    gate = Gate(env_spec=lambda: None)
    for res in registration_order(report.graph):
        gate.see(res.urn, res.name, res.parent)
        if res.urn in {r.urn for r in report.graph}:
            finding = Finding("policy", "r", "t", "high", "mandatory", report.stack, "m", resource_urn=res.urn)
            assert gate.ancestry(res.urn, res.name, res.parent) == ancestry(finding.resource_urn, report.graph)


# --- weakened copies --------------------------------------------------------------------------

def edited_stack(tmp_path: Path, file: Path, edit: Any) -> Path:
    yaml = YAML(typ="rt")
    doc = yaml.load(file.read_text())
    edit(doc["config"][CONFIG_KEY]["exemptions"])
    copy_path = tmp_path / file.name
    with copy_path.open("w") as out:
        yaml.dump(doc, out)
    return copy_path


def without(rule: str, resource: str) -> Any:
    def edit(exemptions: list) -> None:
        exemptions[:] = [e for e in exemptions if (e["rule"], e["resource"]) != (rule, resource)]
    return edit


def expired(rule: str, resource: str, on: dt.date) -> Any:
    def edit(exemptions: list) -> None:
        for e in exemptions:
            if (e["rule"], e["resource"]) == (rule, resource):
                e["expires"] = on
    return edit


def blocking(keys: set[Key]) -> set[tuple[str, str, str]]:
    return {(rule, urn.rsplit("::", 1)[-1], message) for rule, urn, level, message in keys if level == "mandatory"}


def test_dropping_an_exemption_fails_the_rule_at_both_gates(tmp_path: Path, packs: dict[str, PackProcess]) -> None:
    file = edited_stack(tmp_path, ROOT / "stacks" / "Pulumi.aws-prod-eu.yaml",
                        without("aws-s3-sse-customer-key", "access-logs"))
    (report,) = run_check([file], with_checkov=False).stacks
    engine = engine_keys(drive(packs, report))
    assert engine == check_keys(report.findings)
    assert blocking(engine) == {("aws-s3-sse-customer-key", "aws-prod-eu-access-logs-encryption",
                                 "encrypts with AES256, not a KMS key")}


def test_an_expired_exemption_fails_again_with_its_date_at_both_gates(tmp_path: Path,
                                                                       packs: dict[str, PackProcess]) -> None:
    lapsed = dt.date.today() - dt.timedelta(days=1)
    file = edited_stack(tmp_path, ROOT / "stacks" / "Pulumi.azure-prod-eu.yaml",
                        expired("azure-storage-public-network-disabled", "logs", lapsed))
    (report,) = run_check([file], with_checkov=False).stacks
    engine = engine_keys(drive(packs, report))
    assert engine == check_keys(report.findings)
    assert blocking(engine) == {("azure-storage-public-network-disabled", "azure-prod-eu-logs-account",
                                 f"public network access is Enabled (its exemption expired on {lapsed})")}


def test_a_public_storage_account_fails_at_both_gates(check: CheckReport, packs: dict[str, PackProcess]) -> None:
    report = stack_report(check, "azure-gpu-eu")
    assert report.graph is not None and report.loaded is not None
    graph = copy.deepcopy(report.graph)
    account = next(r for r in graph if r.type == "azure-native:storage:StorageAccount"
                   and not r.name.endswith("-logs-account"))
    account.inputs["publicNetworkAccess"] = "Enabled"
    env = report.loaded.environment
    offline = apply_exemptions(evaluate(graph, packs_for(env.compliance)).findings, env, graph)
    engine = engine_keys(drive(packs, report, graph))
    assert engine == check_keys(offline)
    assert ("azure-storage-public-network-disabled", account.name,
            "public network access is Enabled") in blocking(engine)


def test_an_exemption_on_a_component_two_levels_up_holds_at_both_gates(
        check: CheckReport, packs: dict[str, PackProcess]) -> None:
    """The audit bucket's encryption resource sits under its SecureBucket under the AuditTrail
    component `audit`: only the learned lineage lets Analyze match an exemption naming `audit`."""
    report = stack_report(check, "aws-prod-eu")
    assert report.graph is not None and report.loaded is not None
    graph = copy.deepcopy(report.graph)
    sse = next(r for r in graph if r.name == "aws-prod-eu-audit-audit-encryption")
    sse.inputs["rules"] = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
    grant = {"rule": "aws-s3-sse-customer-key", "resource": "audit", "expires": "2027-06-30",
             "reason": "the audit bucket moves to the organization's log archive account next quarter",
             "approved_by": "dpo@example.com"}
    spec = json.loads(stack_config(report.file)[CONFIG_KEY])
    env = report.loaded.environment
    judged = evaluate(graph, packs_for(env.compliance)).findings
    for exemptions in ([], [grant]):
        config = {**stack_config(report.file),
                  CONFIG_KEY: config_value({**spec, "exemptions": [*spec["exemptions"], *exemptions]})}
        env_now = env.model_copy(update={"exemptions": [*env.exemptions, *(SpecExemption(**e) for e in exemptions)]})
        offline = apply_exemptions(copy.deepcopy(judged), env_now, graph)
        engine = engine_keys(drive(packs, report, graph, config))
        assert engine == check_keys(offline)
        failing = {(rule, name) for rule, name, _ in blocking(engine)}
        expected = set() if exemptions else {("aws-s3-sse-customer-key", sse.name)}
        assert failing & {("aws-s3-sse-customer-key", sse.name)} == expected


# --- what tells a pack its stack ---------------------------------------------------------------

def test_a_pack_told_nothing_blocks_the_exempted_finding(check: CheckReport,
                                                         packs: dict[str, PackProcess]) -> None:
    """The failure of issue 11: without the stack's config the pack cannot honour the exemption."""
    report = stack_report(check, "aws-prod-eu")
    assert report.graph is not None
    verdict = packs["baseline"].run(report.graph, {})
    assert {(d.policy, d.level) for d in verdict.diagnostics} == {("aws-s3-sse-customer-key", "mandatory")}


def test_pulumi_config_alone_tells_a_pack_its_stack(check: CheckReport) -> None:
    """What the Python language host gives the pack process: PULUMI_CONFIG, read through
    pulumi.Config, when the ConfigureStack request carries no config."""
    report = stack_report(check, "aws-prod-eu")
    assert report.graph is not None
    with PackProcess(ROOT / "policy-packs" / "baseline", project="hardstack", stack=report.stack,
                     env_config=stack_config(report.file)) as process:
        verdict = process.run(report.graph, {})
    assert verdict.at("mandatory") == []
    assert [d.policy for d in verdict.diagnostics] == [EXEMPTIONS_POLICY]
