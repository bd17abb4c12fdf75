"""GCP naming limits hold for the longest names the spec allows, so deployments never fail on
a name that rendered fine offline."""

from __future__ import annotations

import re

from hardstack.components.gcp.names import bucket_name, psc_name, resource_name, service_account_id
from hardstack.render import Graph

LONG = "a" * 29 + "z"  # the spec allows names of up to 30 characters
PROJECT = "p" * 29 + "1"  # and project ids of up to 30


def test_fitted_names_respect_gcp_limits() -> None:
    assert re.fullmatch(r"[a-z][-a-z0-9]{0,61}[a-z0-9]", resource_name(LONG, LONG, "peers-out"))
    assert len(bucket_name(PROJECT, LONG, LONG)) <= 63
    assert 6 <= len(service_account_id(LONG, LONG)) <= 30
    assert len(service_account_id("ab", "cd")) >= 6
    assert re.fullmatch(r"[a-z][a-z0-9]{0,19}", psc_name("apis", LONG, "-net"))


def test_fitting_keeps_distinct_names_distinct() -> None:
    assert service_account_id(LONG, "trainer-one") != service_account_id(LONG, "trainer-two")
    assert bucket_name(PROJECT, LONG, "datasets") != bucket_name(PROJECT, LONG, "datasets2")


def test_longest_spec_names_render_within_limits(gcp_variant, q) -> None:
    workload = {"name": "w" * 29 + "x", "machine_type": "c3-standard-8", "confidential": "tdx", "count": 2}
    graph: Graph = gcp_variant(name="n" * 29 + "y", account=PROJECT, workloads=[workload])
    (account,) = q.outside_containment(graph.of_type("gcp:serviceaccount/account:Account"))
    # Every account id, the responder's included, fits.
    assert all(6 <= len(a.inputs["accountId"]) <= 30 for a in graph.of_type("gcp:serviceaccount/account:Account"))
    assert 6 <= len(account.inputs["accountId"]) <= 30
    assert all(len(b.inputs["name"]) <= 63 for b in graph.of_type(q.BUCKET))
    named = [r for r in graph if r.custom and r.type.startswith("gcp:compute/") and "name" in r.inputs]
    assert named and all(len(r.inputs["name"]) <= 63 for r in named)
    (psc,) = graph.of_type("gcp:compute/globalForwardingRule:GlobalForwardingRule")
    assert re.fullmatch(r"[a-z][a-z0-9]{0,19}", psc.inputs["name"])
