"""The work of a check on each stack (render, policies, export), where it runs (this process or
spawned workers) and how it is reused from the cache."""
