"""Cross-field rules of the spec: what one field means depends on another.

Each rule reads a `SpecView`, which holds whichever parts of the spec validated on their own,
so a broken field elsewhere does not hide these problems: users see every mistake in one run.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from hardstack.spec import catalog, names
from hardstack.spec.kubernetes.rules import admin_problems, kubernetes_problems, pool_names
from hardstack.spec.placement import aws_runtime_agent, placement, provisioning
from hardstack.spec.platforms.rules import platform_problems
from hardstack.spec.response import SECURITY_PROVIDER_LOOKUP, azure_alert_delivery, response_problems
from hardstack.spec.view import Path, Problem, SpecView

DEFAULT_HORIZON_DAYS = 366
APPROVAL_FRAMEWORKS = ("gdpr", "hipaa")


def horizon_days() -> int:
    """How far ahead an exemption may expire: a year unless HARDSTACK_EXEMPTION_HORIZON_DAYS says."""
    value = os.environ.get("HARDSTACK_EXEMPTION_HORIZON_DAYS", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_HORIZON_DAYS


ACCOUNT_FORMATS: dict[str, tuple[str, str]] = {
    "aws": (r"[0-9]{12}", "a 12-digit AWS account id such as 123456789012"),
    "gcp": (r"[a-z][a-z0-9-]{4,28}[a-z0-9]", "a GCP project id such as ml-prod-eu-4711"),
    "azure": (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "an Azure subscription id (a lower-case GUID)",
    ),
}


def _account(view: SpecView) -> Iterable[Problem]:
    if view.cloud is None or view.account is None:
        return
    pattern, wanted = ACCOUNT_FORMATS[view.cloud]
    if re.fullmatch(pattern, view.account) is None:
        yield Problem(("account",), f"'{view.account}' is not valid for {view.cloud}: use {wanted}")
    elif view.cloud == "gcp" and "google" in view.account:
        # https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
        yield Problem(("account",), f"'{view.account}' cannot be a GCP project id: project ids may not "
                      "contain 'google'")


def _region(view: SpecView) -> Iterable[Problem]:
    if view.cloud is None or view.region is None:
        return
    known = catalog.KNOWN_REGIONS[view.cloud]
    if view.region not in known:
        close = difflib.get_close_matches(view.region, sorted(known), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(sorted(known))}"
        yield Problem(("region",), f"'{view.region}' is not a {view.cloud} region hardstack knows; {hint}")


def _gdpr_residency(view: SpecView) -> Iterable[Problem]:
    if view.cloud is None or view.region is None or "gdpr" not in (view.compliance or []):
        return
    eu = catalog.EU_EEA_REGIONS[view.cloud]
    if view.region in eu or view.region not in catalog.KNOWN_REGIONS[view.cloud]:
        return
    if view.exempted(catalog.RULE_GDPR_TRANSFER, view.name):
        return
    yield Problem(
        ("region",),
        f"GDPR stack in '{view.region}', outside the EU/EEA: pick an EU/EEA region "
        f"({', '.join(sorted(eu)[:4])}, ...) or record the chapter V transfer basis as an "
        f"exemption {{rule: {catalog.RULE_GDPR_TRANSFER}, resource: {view.name}, reason: ...}}"
        f"{view.lapsed(catalog.RULE_GDPR_TRANSFER, view.name)}",
    )


def _hipaa_rotation(view: SpecView) -> Iterable[Problem]:
    if view.keys is None or "hipaa" not in (view.compliance or []):
        return
    if view.keys.rotation_days > 90:
        yield Problem(
            ("keys", "rotation_days"),
            f"HIPAA stacks rotate keys at least every 90 days; {view.keys.rotation_days} is too long",
        )


def _cloud_rotation(view: SpecView) -> Iterable[Problem]:
    if view.keys is None:
        return
    if view.cloud == "azure" and view.keys.rotation_days < 7:
        yield Problem(
            ("keys", "rotation_days"),
            f"Azure Key Vault rotates at least 7 days after a key is created; {view.keys.rotation_days} is below 7",
        )
    confidential = any((w.confidential or catalog.DEFAULT_KIND["azure"]) != "none" for _, w in view.workloads)
    if view.cloud == "azure" and confidential and 7 <= view.keys.rotation_days < 28:
        # The confidential disk key is rotated offline and expires rotation_days after creation;
        # a Key Vault rotation policy's expiry is at least 28 days
        # (https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation).
        yield Problem(
            ("keys", "rotation_days"),
            f"confidential Azure VMs' disk key expires rotation_days after creation and Key Vault's shortest "
            f"expiry is 28 days; {view.keys.rotation_days} is below 28",
        )
    if view.cloud != "aws":
        return
    if view.keys.rotation_days < 90:
        yield Problem(
            ("keys", "rotation_days"),
            f"AWS KMS rotates every 90 to 2560 days; {view.keys.rotation_days} is below 90",
        )


def _hipaa_log_retention(view: SpecView) -> Iterable[Problem]:
    if view.logging is None or "hipaa" not in (view.compliance or []):
        return
    if view.logging.retention_days < 2190:
        yield Problem(
            ("logging", "retention_days"),
            f"HIPAA keeps audit records six years: use at least 2190 days, not {view.logging.retention_days}",
        )


def _confidential(view: SpecView) -> Iterable[Problem]:
    if view.cloud is not None:
        items = [(("workloads", index), w) for index, w in view.workloads]
        yield from confidential_problems(view, items, catalog.DEFAULT_KIND[view.cloud])


def confidential_problems(view: SpecView, items: list[tuple[Path, Any]], default: str) -> Iterable[Problem]:
    """The TEE of each machine (a VM workload or a Kubernetes node pool, at its path) must be one the
    cloud and the machine type offer; `default` is the kind when the item names none."""
    cloud = view.cloud
    if cloud is None:
        return
    offered = catalog.kinds_offered(cloud)
    for at, w in items:
        kind = w.confidential or default
        if kind == "none":
            if not view.exempted(catalog.RULE_CONFIDENTIAL, w.name):
                yield Problem(
                    (*at, "confidential"),
                    f"'none' turns confidential computing off: add an exemption {{rule: "
                    f"{catalog.RULE_CONFIDENTIAL}, resource: {w.name}, reason: ..., expires: ...}}"
                    f"{view.lapsed(catalog.RULE_CONFIDENTIAL, w.name)}",
                )
            continue
        if kind not in offered:
            yield Problem(
                (*at, "confidential"),
                f"{cloud} offers no {kind}; it offers {', '.join(offered)} "
                f"(for example {catalog.examples(cloud, offered[0])})",
            )
            continue
        if w.gpu is not None:
            yield from _confidential_gpu(cloud, kind, w, at)
            continue
        family = catalog.family_of(cloud, w.machine_type)
        if family is None or family.kind != kind:
            yield Problem(
                (*at, "machine_type"),
                f"'{w.machine_type}' cannot run {kind} on {cloud}; types that can: "
                f"{catalog.examples(cloud, kind)}",
            )


def _confidential_gpu(cloud: str, kind: str, w: Any, at: Path) -> Iterable[Problem]:
    assert w.gpu is not None
    gpu_families = [f for f in catalog.families(cloud) if f.gpu is not None]
    if not gpu_families:
        yield Problem(
            (*at, "gpu"),
            f"{cloud} offers no confidential GPU: set confidential: none and add an exemption "
            f"{{rule: {catalog.RULE_CONFIDENTIAL}, resource: {w.name}, reason: ...}}",
        )
        return
    fitting = [f for f in gpu_families if f.kind == kind]
    if not fitting:
        other = ", ".join(f"{f.example} ({f.kind}, {f.gpu})" for f in gpu_families)
        yield Problem(
            (*at, "confidential"),
            f"{cloud} has no {kind} GPU size; its confidential GPU sizes are {other}",
        )
        return
    family = catalog.family_of(cloud, w.machine_type)
    if family is None or family not in fitting:
        sizes = ", ".join(f.example for f in fitting)
        yield Problem(
            (*at, "machine_type"),
            f"'{w.machine_type}' is not a confidential GPU type; with {kind} use {sizes}",
        )
        return
    if w.gpu.kind != family.gpu or w.gpu.count != family.gpu_count:
        yield Problem(
            (*at, "gpu"),
            f"{family.example} carries {family.gpu_count} x {family.gpu} under {kind}; "
            f"{w.gpu.count} x {w.gpu.kind} is not offered confidentially",
        )


def _derived_names(view: SpecView) -> Iterable[Problem]:
    """Every physical name the blueprint derives from the spec must be one the cloud accepts."""
    if view.cloud is None or view.name is None or view.account is None:
        return
    buckets = [(i, b.name) for i, b in enumerate(view.data.buckets)] if view.data is not None else []
    workloads = [(i, w.name) for i, w in view.workloads]
    charged_to_name: set[tuple[str, str]] = set()
    for name, rule, path in names.derived_names(view.cloud, view.name, view.account, buckets, workloads):
        why = rule.broken(name)
        if why is None or (path != ("name",) and (rule.what, why) in charged_to_name):
            continue  # a cause already reported at the environment's name is not repeated per item
        if path == ("name",):
            charged_to_name.add((rule.what, why))
        yield Problem(path, f"gives the {rule.what} '{name}', which {why} (source: {rule.source}); "
                      "choose another name")


def _project_number(view: SpecView) -> Iterable[Problem]:
    if view.cloud is not None and view.cloud != "gcp" and view.project_number is not None:
        yield Problem(("project_number",), f"project_number is a GCP setting; remove it for {view.cloud}")


def _azure_ssh(view: SpecView) -> Iterable[Problem]:
    if view.cloud != "azure":
        return
    for index, w in view.workloads:
        if w.ssh_public_key is None:
            yield Problem(
                ("workloads", index, "ssh_public_key"),
                "Azure VMs need an admin SSH public key (password login is always off): "
                "add ssh_public_key: 'ssh-ed25519 AAAA... you@example.com'",
            )


def _azure_tenant(view: SpecView) -> Iterable[Problem]:
    if view.cloud is None:
        return
    if view.cloud != "azure":
        if view.azure_given:
            yield Problem(("azure",), f"the azure block is an Azure setting; remove it for {view.cloud}")
        return
    confidential = [w for _, w in view.workloads if (w.confidential or catalog.DEFAULT_KIND["azure"]) != "none"]
    if not confidential:
        return
    if not view.azure_given:
        yield Problem(
            ("azure",),
            "Azure confidential VMs need the tenant's Confidential VM Orchestrator, which releases the disk "
            "key: add azure: {tenant_id: ..., cvm_orchestrator_object_id: ...} (the object id is printed by "
            "az ad sp show --id bf7b6499-ff71-4aa2-97a4-f372087be7f0 --query id -o tsv)"
            + (f", and, for containment, security_provider_object_id (printed by {SECURITY_PROVIDER_LOOKUP})"
               if view.monitoring is not None and view.monitoring.threat_detection else ""),
        )
    elif view.azure is not None and view.azure.cvm_orchestrator_object_id is None:
        yield Problem(
            ("azure", "cvm_orchestrator_object_id"),
            "Azure confidential VMs need the tenant's Confidential VM Orchestrator, which releases the disk key: "
            "add cvm_orchestrator_object_id (printed by az ad sp show --id bf7b6499-ff71-4aa2-97a4-f372087be7f0 "
            "--query id -o tsv)",
        )
    if view.region is not None and view.region in catalog.KNOWN_REGIONS["azure"] \
            and view.region not in catalog.AZURE_ATTESTATION:
        yield Problem(
            ("region",),
            f"{view.region} has no shared Azure Attestation provider hardstack knows, which confidential OS "
            f"disk keys are released through; use one of: {', '.join(sorted(catalog.AZURE_ATTESTATION))}",
        )


def _exemption_terms(view: SpecView) -> Iterable[Problem]:
    """Exemptions are reviewed at least yearly, and under GDPR/HIPAA someone answers for each."""
    horizon = horizon_days()
    latest = view.today + dt.timedelta(days=horizon)
    approval = sorted(set(view.compliance or []) & set(APPROVAL_FRAMEWORKS))
    for index, e in view.exemptions:
        if e.expires > latest:
            yield Problem(("exemptions", index, "expires"), f"{e.expires.isoformat()} is more than {horizon} days "
                          f"ahead: exemptions are reviewed at least that often; expire it by {latest.isoformat()} "
                          "(the horizon is HARDSTACK_EXEMPTION_HORIZON_DAYS)")
        if approval and e.approved_by is None:
            yield Problem(("exemptions", index, "approved_by"), f"under {' and '.join(approval)} every exemption "
                          "names who approved it: add approved_by: <person or role mailbox>")


def _exemption_targets(view: SpecView) -> Iterable[Problem]:
    names = {w.name for _, w in view.workloads} | pool_names(view)
    for index, e in view.exemptions:
        if e.rule == catalog.RULE_CONFIDENTIAL and names and e.resource not in names:
            yield Problem(
                ("exemptions", index, "resource"),
                f"no workload or node pool named '{e.resource}'; there are: {', '.join(sorted(names))}",
            )
        if e.rule == catalog.RULE_GDPR_TRANSFER and view.name and e.resource != view.name:
            yield Problem(
                ("exemptions", index, "resource"),
                f"a GDPR transfer exemption names the environment '{view.name}', not '{e.resource}'",
            )


RULES: tuple[Callable[[SpecView], Iterable[Problem]], ...] = (
    _account, _region, _gdpr_residency, _hipaa_rotation, _cloud_rotation,
    _hipaa_log_retention, _confidential, provisioning, placement, aws_runtime_agent, _azure_ssh,
    _azure_tenant, _project_number, _derived_names, _exemption_terms, _exemption_targets, response_problems,
    azure_alert_delivery, platform_problems, kubernetes_problems, admin_problems,
)


def cross_field_problems(view: SpecView) -> list[Problem]:
    return [p for rule in RULES for p in rule(view)]
