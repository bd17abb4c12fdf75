"""Where confidential compute runs: the region, zones, sizes and provisioning models a spec asks
for must be ones the cloud offers (hardstack.spec.catalog, each fact with its source), and the
GuardDuty runtime agent needs a region with a known artifact bucket."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hardstack.spec import catalog
from hardstack.spec.errors import dotted
from hardstack.spec.view import Path, Problem, SpecView


def _workloads(view: SpecView) -> list[tuple[Path, Any]]:
    return [(("workloads", index), w) for index, w in view.workloads]


def provisioning(view: SpecView) -> Iterable[Problem]:
    yield from provisioning_problems(view, _workloads(view), "workloads")


def provisioning_problems(view: SpecView, items: list[tuple[Path, Any]], what: str) -> Iterable[Problem]:
    """Zones and provisioning models of machines (VM workloads or node pools, `what` in messages)."""
    if view.cloud is None:
        return
    for at, w in items:
        if view.cloud != "gcp" and w.zones is not None:
            yield Problem((*at, "zones"), f"zones is a gcp setting; on {view.cloud} {what} spread over "
                          "the network's zones (network.zones): remove it")
        if view.cloud != "gcp" and w.provisioning != "standard":
            yield Problem((*at, "provisioning"), f"hardstack runs {view.cloud} {what} on standard capacity only; "
                          f"remove provisioning: {w.provisioning}")
        if w.provisioning == "flex-start" and w.max_run_hours is None:
            yield Problem((*at, "max_run_hours"), "flex-start instances are deleted after their run time: "
                          "set max_run_hours (1-168)")
        if w.provisioning != "flex-start" and w.max_run_hours is not None:
            yield Problem((*at, "max_run_hours"), f"max_run_hours goes with provisioning: flex-start, not "
                          f"{w.provisioning}: remove it")


def placement(view: SpecView) -> Iterable[Problem]:
    if view.cloud is not None:
        yield from placement_problems(view, _workloads(view), catalog.DEFAULT_KIND[view.cloud])


def placement_problems(view: SpecView, items: list[tuple[Path, Any]], default: str) -> Iterable[Problem]:
    """A machine type runs confidentially only in some places and provisioning models: the catalog
    lists them per family with their source, and a spec asking for anything else is refused."""
    cloud, region = view.cloud, view.region
    if cloud is None:
        return
    known = region is not None and region in catalog.KNOWN_REGIONS[cloud]
    for at, w in items:
        for j, zone in enumerate(w.zones or []):
            if known and not zone.startswith(f"{region}-"):
                yield Problem((*at, "zones", j), f"{zone} is not a zone of region {region}")
        kind = w.confidential or default
        family = catalog.family_of(cloud, w.machine_type)
        if kind == "none" or family is None or family.kind != kind:
            continue  # no confidential placement to check; _confidential reports wrong types
        what = f"confidential {w.machine_type} ({kind}{', ' + family.note if family.note else ''})"
        if w.provisioning not in family.provisioning:
            models = " or ".join(family.provisioning)
            yield Problem((*at, "provisioning"), f"{what} runs only with provisioning {models}, not "
                          f"{w.provisioning}: set provisioning: {family.provisioning[0]} (source: {family.source})")
        if not known:
            continue  # _region reports an unknown region
        assert region is not None
        if not family.offered_in(region):
            yield Problem(("region",), f"{region} cannot run {dotted(at)} {what}; {cloud} offers it in "
                          f"{catalog.regions_offering(family)} (source: {family.source})")
            continue
        offered = family.zones_in(region)
        for j, zone in enumerate(w.zones or []):
            if offered and zone.startswith(f"{region}-") and zone not in offered:
                yield Problem((*at, "zones", j), f"{zone} cannot run {what}; zones of {region} that can: "
                              f"{', '.join(offered)} (source: {family.source})")


def aws_runtime_agent(view: SpecView) -> Iterable[Problem]:
    if view.cloud != "aws" or view.region is None or not view.workloads or view.monitoring is None:
        return
    if not view.monitoring.threat_detection or view.region not in catalog.KNOWN_REGIONS["aws"]:
        return
    if view.region not in catalog.GUARDDUTY_AGENT_ACCOUNTS:
        yield Problem(("region",), f"GuardDuty's runtime agent is installed from AWS's regional artifact bucket, "
                      f"published for {', '.join(sorted(catalog.GUARDDUTY_AGENT_ACCOUNTS))} "
                      f"(source: {catalog.SRC_GUARDDUTY_AGENT}); {view.region} has none hardstack knows: "
                      "pick one of those regions")
