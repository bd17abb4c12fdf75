"""Policy packs offline: evaluate, apply exemptions, and a harness to test policies.

Exemptions import nothing of Pulumi; the evaluator (`evaluate`, `PolicyResult`) loads
pulumi_policy on first use, so a check answered from the cache never pays for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hardstack.policy.exemptions import apply_exemptions, validate_exemptions
from hardstack.policy.result import PolicyResult

if TYPE_CHECKING:
    from hardstack.policy.runner import evaluate

_RUNNER = ("evaluate",)


def __getattr__(name: str) -> Any:
    if name in _RUNNER:
        return getattr(importlib.import_module("hardstack.policy.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PolicyResult", "apply_exemptions", "evaluate", "validate_exemptions"]
