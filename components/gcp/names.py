"""GCP naming limits, in one place, so no component discovers them at deploy time.

Names that are too long are cut and given a short hash of the full name, so two long names
that share a prefix still differ, and the same input always gives the same name.
"""

from __future__ import annotations

import hashlib
import re

# Bucket names are checked at validation against Cloud Storage's rules: one derivation for both.
from hardstack.spec.names import fit_name
from hardstack.spec.names import gcp_bucket_name as bucket_name

__all__ = ["bucket_name", "psc_name", "resource_name", "service_account_id"]


def resource_name(*parts: str) -> str:
    """Compute, KMS and logging names: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters."""
    return fit_name("-".join(parts), 63)


def service_account_id(*parts: str) -> str:
    """Service account ids: 6-30 characters, lower-case letters, digits and '-'."""
    name = fit_name("-".join(parts), 30)
    return name if len(name) >= 6 else f"{name}-sa-wl"[:30]


def psc_name(*parts: str) -> str:
    """PSC forwarding rules for Google APIs: a letter, then letters and digits, 1-20 characters."""
    name = re.sub(r"[^a-z0-9]", "", "".join(parts).lower())
    name = name if name[:1].isalpha() else f"p{name}"
    if len(name) > 20:
        name = name[:14] + hashlib.sha256(name.encode()).hexdigest()[:6]
    return name
