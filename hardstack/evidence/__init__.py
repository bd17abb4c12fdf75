"""Evidence people look at: the environment's inventory and diagram, an HTML and a Markdown
report, and a CycloneDX bill of materials, all from a rendered graph and its check verdict."""
