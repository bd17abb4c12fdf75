"""Cross-field rules of the `kubernetes` section: each node pool's TEE must be one the cloud's
Kubernetes service runs (hardstack.spec.kubernetes.offer), then, like a VM, one its machine type,
region, zones and provisioning model run (the VM catalog's checks, reused)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hardstack.spec.kubernetes.models import minor
from hardstack.spec.kubernetes.offer import (
    GKE_CONFIDENTIAL_GPU_MINOR,
    OFFERS,
    POD_SANDBOXING,
    SRC_AKS_POD_SANDBOXING,
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


def pool_names(view: SpecView) -> set[str]:
    return {p.name for _, p in view.node_pools}


def kind_of(cloud: str, confidential: str | None) -> str:
    """The TEE a node pool runs once the service's default is applied."""
    return confidential or OFFERS[cloud].default

