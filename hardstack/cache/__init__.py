"""What a check can reuse from an earlier one: rendered stacks and checkov's verdicts.

Entries are keyed by everything that decides them (keys.py), so an entry is either exactly
what a fresh run would produce or never found; store.py keeps them as JSON files.
"""

from hardstack.cache.keys import checkov_key, render_key
from hardstack.cache.store import Store, default_directory

__all__ = ["Store", "checkov_key", "default_directory", "render_key"]
