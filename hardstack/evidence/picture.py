"""The README's picture: the environment diagram of one example stack, rendered offline.

`make picture` (python -m hardstack.evidence.picture OUT.svg [STACK FILE]) writes it. The SVG
carries the digest of the Graphviz source it was drawn from, so a test can tell whether the
committed picture still shows what the example renders to, whatever Graphviz version drew it.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from hardstack.evidence.diagram import dot_source, svg
from hardstack.evidence.inventory import inventory
from hardstack.evidence.model import Inventory

EXAMPLE = Path("stacks/Pulumi.aws-prod-eu.yaml")
MARK = re.compile(r"<!-- hardstack diagram source sha256:([0-9a-f]{64}) -->")


def example_inventory(spec: Path = EXAMPLE) -> Inventory:
    from hardstack.render.engine import render
    from hardstack.spec import load

    loaded = load(spec)
    return inventory(render(loaded).graph, region=loaded.environment.region)


def source_digest(held: Inventory) -> str:
    return hashlib.sha256(dot_source(held).encode()).hexdigest()


def picture(held: Inventory) -> str:
    return f"<!-- hardstack diagram source sha256:{source_digest(held)} -->\n{svg(held)}"


def drawn_from(svg_text: str) -> str | None:
    """The digest of the Graphviz source a picture was drawn from, if it says."""
    found = MARK.search(svg_text)
    return found.group(1) if found else None


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print("usage: python -m hardstack.evidence.picture OUT.svg [STACK FILE]", file=sys.stderr)
        return 2
    out = Path(argv[0])
    spec = Path(argv[1]) if len(argv) > 1 else EXAMPLE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(picture(example_inventory(spec)), encoding="utf-8")
    print(f"{out}: the diagram of {spec}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
