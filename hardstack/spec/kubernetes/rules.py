"""Cross-field rules of the `kubernetes` section: each node pool's TEE must be one the cloud's
Kubernetes service runs (hardstack.spec.kubernetes.offer), then, like a VM, one its machine type,
region, zones and provisioning model run (the VM catalog's checks, reused)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hardstack.spec.kubernetes.models import minor
from hardstack.spec.kubernetes.offer import (
    GKE_CONFIDENTIAL_GPU_MINOR,
    GKE_NO_ADMINS,
    OFFERS,
    POD_SANDBOXING,
    SRC_AKS_POD_SANDBOXING,
    SRC_GKE_ACCESS,
    SRC_GKE_CONFIDENTIAL_GPU,
)
from hardstack.spec.placement import placement_problems, provisioning_problems
from hardstack.spec.view import Path, Problem, SpecView

AT = ("kubernetes", "node_pools")


def kubernetes_problems(view: SpecView) -> Iterable[Problem]:
    # Imported here: rules.py imports this module for its RULES table.
    from hardstack.spec.rules import confidential_problems

    cloud = view.cloud
    if not view.node_pools or cloud is None:
        return
    offer = OFFERS[cloud]
    checked: list[tuple[Path, Any]] = []
    for index, pool in view.node_pools:
        at = (*AT, index)
        kind = pool.confidential or offer.default
        if kind == "pod-sandboxing":
            alternative = (f"for confidential nodes use {' or '.join(offer.kinds)} on {offer.service}"
                           if offer.kinds else f"{offer.service} has no confidential nodes")
            where = "" if cloud == "azure" else f"; it is an AKS feature, and {offer.service} does not have it"
            yield Problem((*at, "confidential"), f"{POD_SANDBOXING} (source: {SRC_AKS_POD_SANDBOXING}){where}: "
                          f"{alternative}")
            continue
        if kind in offer.refusals:
            refusal = offer.refusals[kind].format(pool=pool.name)
            yield Problem((*at, "confidential"), f"{refusal} (source: {offer.source})")
            continue
        checked.append((at, pool))
        version = view.kubernetes_version
        if kind != "none" and pool.gpu is not None and cloud == "gcp" and version is not None \
                and minor(version) < GKE_CONFIDENTIAL_GPU_MINOR:
            wanted = ".".join(map(str, GKE_CONFIDENTIAL_GPU_MINOR))
            yield Problem(("kubernetes", "version"), f"confidential GPU nodes ({AT[1]}[{index}]) need GKE "
                          f"1.32.2-gke.1297000 or later: set version: '{wanted}' or newer (source: "
                          f"{SRC_GKE_CONFIDENTIAL_GPU})")
    # From here a pool is a VM: the same checks of machine type, GPU, region, zones and provisioning.
    yield from confidential_problems(view, checked, offer.default)
    yield from provisioning_problems(view, checked, "node pools")
    yield from placement_problems(view, checked, offer.default)


def admin_problems(view: SpecView) -> Iterable[Problem]:
    """Who administers the cluster: the form each service takes, and on AKS that someone can at all."""
    if not view.kubernetes_given or view.cloud is None or view.kubernetes_admins is None:
        return
    at = ("kubernetes", "admins")
    admin = OFFERS[view.cloud].admin
    if admin is None:
        if view.kubernetes_admins:
            yield Problem(at, f"{GKE_NO_ADMINS} (source: {SRC_GKE_ACCESS})")
        return
    if not view.kubernetes_admins:
        if admin.required:
            yield Problem(at, f"{OFFERS[view.cloud].service} needs admins: {admin.note} (source: {admin.source})")
        return
    for index, value in enumerate(view.kubernetes_admins):
        why = next((w for pattern, w in admin.refused if re.fullmatch(pattern, value)), None)
        if why is None and re.fullmatch(admin.pattern, value) is None:
            why = f"it is not {admin.kind}: {admin.note}"
        if why is not None:
            yield Problem((*at, index), f"'{value}': {why} (source: {admin.source})")


def pool_names(view: SpecView) -> set[str]:
    return {p.name for _, p in view.node_pools}


def kind_of(cloud: str, confidential: str | None) -> str:
    """The TEE a node pool runs once the service's default is applied."""
    return confidential or OFFERS[cloud].default

