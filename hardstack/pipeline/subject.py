"""A graph to judge that no spec describes: a Pulumi program's, a `pulumi stack export`'s or a
`pulumi preview --json`'s (hardstack.sources turns each into a Graph).

It is judged as a spec stack is: the packs of its compliance frameworks, checkov on its export,
its exemptions applied through the same gates. A program declares those in its stack config, as
a spec does (same schema, hardstack.spec.models.Exemption):

    config:
      hardstack:compliance: [hipaa]
      hardstack:exemptions:
        - rule: aws-kms-rotation
          resource: legacy-key
          reason: ...
          expires: 2027-06-30
          approved_by: secops@example.com

A state export or a preview carries no such config: the command line names the frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from hardstack.render.graph import Graph
from hardstack.spec.errors import SpecIssue
from hardstack.spec.loader import line_of
from hardstack.spec.models import Exemption, Framework

COMPLIANCE_KEY, EXEMPTIONS_KEY = "hardstack:compliance", "hardstack:exemptions"
Kind = Literal["program", "state", "preview"]


@dataclass
class Subject:
    kind: Kind
    file: Path  # findings point here: the program's stack config, or the state or preview file
    stack: str
    graph: Graph | None  # None: it could not be read or run (`error` says why)
    error: str | None = None
    issues: list[SpecIssue] = field(default_factory=list)  # its compliance or exemptions are invalid
    region: str = ""
    compliance: list[str] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    node: Any = None  # the ruamel mapping of the stack config, for the lines of its exemptions
    # What an exemption names for the stack as a whole (findings on no resource): the stack's
    # own name; resources are named as in the graph.
    name: str = ""

    urn_lines: dict[str, int] = field(default_factory=dict)  # where a state or preview file names each URN

    def line_of_urn(self, urn: str | None) -> int:
        return self.urn_lines.get(urn or "", 0)

    def line_of(self, path: tuple[str | int, ...]) -> int:
        """The line of a spec-shaped path; only exemptions have one in a stack config."""
        if self.node is None or path[:1] != ("exemptions",):
            return 0
        return line_of(self.node, (EXEMPTIONS_KEY, *path[1:]))


def urn_lines(text: str) -> dict[str, int]:
    """The first line on which each `"urn": "..."` of a JSON file stands: where a finding on that
    resource points (both files are pretty-printed by the Pulumi CLI, one property a line)."""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith('"urn": "'):
            found.setdefault(stripped[len('"urn": "'):].rstrip(",").rstrip('"'), number)
    return found


_FRAMEWORKS: TypeAdapter[list[Framework]] = TypeAdapter(list[Framework])
_EXEMPTIONS: TypeAdapter[list[Exemption]] = TypeAdapter(list[Exemption])


def declared(config: dict[str, Any], node: Any, file: Path) -> tuple[list[str], list[Exemption], list[SpecIssue]]:
    """The compliance frameworks and exemptions a program's stack config declares, or the
    problems with them, each at its file and line."""
    issues: list[SpecIssue] = []
    compliance: list[str] = []
    exemptions: list[Exemption] = []
    for key, adapter in ((COMPLIANCE_KEY, _FRAMEWORKS), (EXEMPTIONS_KEY, _EXEMPTIONS)):
        if key not in config:
            continue
        try:
            value = adapter.validate_python(config[key])
        except ValidationError as exc:
            for error in exc.errors():
                where = tuple(error["loc"])
                issues.append(SpecIssue(file, line_of(node, (key, *where)) if node is not None else 0,
                                        ".".join(str(p) for p in (key, *where)), error["msg"]))
            continue
        if key == COMPLIANCE_KEY:
            compliance = [str(f) for f in value]
        else:
            exemptions = list(value)
    return compliance, exemptions, issues
