"""What goes wrong reading a graph from a file hardstack did not write."""

from __future__ import annotations

from pathlib import Path


class SourceError(ValueError):
    """A file that cannot become a Graph: the message names the file, the problem and the fix."""

    def __init__(self, path: Path | str, problem: str, fix: str = "") -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{path}: {problem}" + (f" {fix}" if fix else ""))


class SourceWarning(UserWarning):
    """Read anyway, but the graph is less than the file's author may think (blinded secrets, missing resources).

    Issued with `warnings.warn`, so a caller that wants them as a list uses `warnings.catch_warnings(record=True)`
    and one that does not still sees them on stderr.
    """
