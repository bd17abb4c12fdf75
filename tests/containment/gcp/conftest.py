"""Fixtures of the GCP responder tests: Google's clients on faked transports (gcp_containment_fakes.py)."""

from gcp_containment_fakes import fake_iam, gcp_world

__all__ = ["fake_iam", "gcp_world"]
