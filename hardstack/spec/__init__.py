"""The environment spec: models, cross-field rules, and the stack-file loader."""

from hardstack.spec.errors import SpecError, SpecIssue
from hardstack.spec.loader import CONFIG_KEY, LoadedSpec, load, loads, validate
from hardstack.spec.models import Environment

__all__ = [
    "CONFIG_KEY", "Environment", "LoadedSpec", "SpecError", "SpecIssue", "load", "loads", "validate",
]
