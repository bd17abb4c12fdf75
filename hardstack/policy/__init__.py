"""Policy packs offline: evaluate, apply exemptions, and a harness to test policies."""

from hardstack.policy.exemptions import apply_exemptions, validate_exemptions
from hardstack.policy.runner import PolicyResult, evaluate

__all__ = ["PolicyResult", "apply_exemptions", "evaluate", "validate_exemptions"]
