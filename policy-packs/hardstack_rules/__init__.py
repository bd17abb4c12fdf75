"""hardstack's CrossGuard rules: one function per rule, with ids, severities, control mappings
and remediation. Importing this package registers every rule; nothing here builds a PolicyPack.

    from . import rules
    [r.id for r in rules(cloud="aws", framework="hipaa")]
"""

from __future__ import annotations

from . import aws, azure, common, gcp  # noqa: F401 imported for registration
from .rule import REGISTRY, Rule


def rules(cloud: str | None = None, framework: str | None = None) -> list[Rule]:
    """Every registered rule, optionally only one cloud's (plus cloud-independent ones) or one
    framework's; sorted by id."""
    picked = [
        r for r in REGISTRY.values()
        if (cloud is None or r.cloud in (cloud, "any")) and (framework is None or framework in r.controls)
    ]
    return sorted(picked, key=lambda r: r.id)


__all__ = ["REGISTRY", "Rule", "rules"]
