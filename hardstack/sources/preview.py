"""A Graph from `pulumi preview --json`: the resources the stack would hold after the update.

The file is a PreviewDigest ({"config", "steps", "diagnostics", "duration", "changeSummary"}) of PreviewSteps
({"op", "urn", "provider", "oldState", "newState", "diffReasons", "replaceReasons", "detailedDiff"}) whose
states are apitype.ResourceV3, the shape of a state export's resources
(pkg/display/json.go, https://github.com/pulumi/pulumi/blob/master/pkg/display/json.go; written by
ShowPreviewDigest in https://github.com/pulumi/pulumi/blob/master/pkg/backend/display/json.go; ops:
https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step.go; the command:
https://www.pulumi.com/docs/iac/cli/commands/pulumi_preview/).

Two things the CLI does that shape what can be judged:
- it writes every secret as "[secret]", whatever flags are given, so secret inputs are judged as that string;
- it leaves out resources that would not change unless run with --show-sames, so a preview of an existing
  stack lists only what changes (a SourceWarning says so when references point at resources not listed).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from hardstack.render.graph import Graph
from hardstack.sources.errors import SourceError, SourceWarning
from hardstack.sources.state import SECRET_PLACEHOLDER, assemble, load_json

# Steps whose newState is a resource the stack holds and manages after the update.
JUDGED = frozenset({"create", "same", "update", "replace", "create-replacement", "import", "import-replacement"})
# Steps that leave nothing managed behind: deletions and discards, reads of resources the stack does not manage
# (`.get`), a refresh's view of the old state, and engine bookkeeping. Unknown ops are an error rather than
# silently judged or dropped.
IGNORED = frozenset({"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace",
                     "read", "read-replacement", "refresh", "diff", "extend-parameterize"})
_FIX = "Give the output of `pulumi preview --json --show-sames`."


def read_preview(path: Path) -> Graph:
    """The Graph of the resources that would exist after the update `pulumi preview --json` describes."""
    data = load_json(path)
    if not isinstance(data, dict):
        raise SourceError(path, f"expected a JSON object, found {type(data).__name__}.", _FIX)
    if "deployment" in data and "steps" not in data:
        raise SourceError(path, "this is a `pulumi stack export` file, not a preview.",
                          "Read it as a state export (hardstack.sources.state.read_state).")
    if "resourcePlans" in data:
        raise SourceError(path, "this is an update plan (`pulumi preview --save-plan`), not `--json` output.", _FIX)
    _fail_on_errors(path, data.get("diagnostics"))
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise SourceError(path, "no \"steps\" list: not `pulumi preview --json` output.", _FIX)

    # One state per URN: with --show-replacement-steps a replace is listed again as create-replacement.
    states: dict[str, dict[str, Any]] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise SourceError(path, f"steps[{i}] is not a step object with an \"op\".", _FIX)
        op = step["op"]
        if op in IGNORED:
            continue
        if op not in JUDGED:
            raise SourceError(path, f"steps[{i}] has op {op!r}, which hardstack does not know.",
                              "Upgrade hardstack, or report the op so it can be classified.")
        new = step.get("newState")
        if not isinstance(new, dict):
            raise SourceError(path, f"steps[{i}] ({op} {step.get('urn')}) has no \"newState\" object.", _FIX)
        states[new.get("urn") or step.get("urn")] = new | {"urn": new.get("urn") or step.get("urn")}

    graph = assemble(path, list(states.values()), redact_encrypted=False, what="preview",
                     missing_fix="Preview with --show-sames to list unchanged resources too.")
    blinded = [f"{r.urn}:{key}" for r in graph for key in _secret_paths(r.inputs)]
    if blinded:
        warnings.warn(SourceWarning(
            f"{path}: {len(blinded)} secret input(s) that `pulumi preview --json` always blinds are judged as "
            f"{SECRET_PLACEHOLDER!r} (first: {blinded[0]}). Judge a state export (`pulumi stack export "
            "--show-secrets`) to see their values."), stacklevel=2)
    return graph


def _fail_on_errors(path: Path, diagnostics: Any) -> None:
    # A preview that failed lists only the steps before the failure: judging it would pass what was never seen.
    for diag in diagnostics or []:
        if isinstance(diag, dict) and diag.get("severity") == "error":
            message = " ".join(str(diag.get("message") or "").split())
            raise SourceError(path, f"the preview failed: {message[:300]}",
                              "Fix the program and run `pulumi preview --json` again.")


def _secret_paths(value: Any, prefix: str = "") -> list[str]:
    if value == SECRET_PLACEHOLDER:
        return [prefix]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _secret_paths(v, f"{prefix}.{k}" if prefix else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _secret_paths(v, f"{prefix}[{i}]")]
    return []
