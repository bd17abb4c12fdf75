"""Rules that apply to every cloud; importing this package registers them."""

from ..common import advisories, residency  # noqa: F401 imported for registration
