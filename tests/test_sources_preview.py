"""hardstack.sources.preview: real `pulumi preview --json` files become the graph the update would leave."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from sources_helpers import raw, without_defaults, write

from hardstack.sources.errors import SourceError, SourceWarning
from hardstack.sources.preview import read_preview

FIXTURES = Path(__file__).parent / "fixtures" / "pulumi"
CREATES = FIXTURES / "stratify-sample-preview-creates.json"
DELETES = FIXTURES / "stratify-sample-preview-deletes.json"
UPDATE = FIXTURES / "stratify-sample-preview-update.json"
ROOT = "urn:pulumi:dev::sample::pulumi:pulumi:Stack::sample-dev"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _raw(path: Path) -> dict[str, Any]:
    return raw(path)


def _write(tmp_path: Path, data: Any, name: str = "preview.json") -> Path:
    return write(tmp_path, data, name)


@pytest.mark.parametrize("path", [CREATES, DELETES, UPDATE], ids=lambda p: p.stem)
def test_every_surviving_new_state_is_in_the_graph_as_previewed(path: Path) -> None:
    steps = _raw(path)["steps"]
    kept = [s["newState"] for s in steps
            if s["op"] not in ("delete", "delete-replaced") and s["newState"]["type"] != "pulumi:pulumi:Stack"]
    graph = read_preview(path)
    assert (graph.stack, graph.project, graph.cloud, graph.root) == ("dev", "sample", "aws", ROOT)
    assert [r.urn for r in graph] == sorted(s["urn"] for s in kept)
    for new in kept:
        res = graph.by_urn(new["urn"])
        assert res is not None
        assert res.type == new["type"] and res.name == new["urn"].split("::", 3)[3]
        assert res.parent == new.get("parent", "")
        assert res.dependencies == sorted(new.get("dependencies", []))
        assert res.inputs == without_defaults(new.get("inputs", {}))


def test_a_preview_from_nothing_judges_what_would_be_created() -> None:
    graph = read_preview(CREATES)
    assert len(graph) == 15
    bucket = graph.named("docs")
    assert bucket.type == "aws:s3/bucket:Bucket" and bucket.parent == ROOT
    assert bucket.inputs == {"acl": "private", "bucket": "docs-32c8f2c", "forceDestroy": False}
    fn = graph.of_type("aws:lambda/function:Function")[0]
    # The role's ARN is not known until the role exists: the engine's unknown marker is kept, not dropped.
    assert fn.inputs["role"] == UNKNOWN
    assert fn.parent.endswith("$aws:s3:BucketEventSubscription::docsHandler")
    assert fn.dependencies == [fn.parent.replace("::docsHandler", "$aws:iam/role:Role::docsHandler")]


def test_deletes_are_left_out() -> None:
    steps = _raw(DELETES)["steps"]
    deleted = [s["urn"] for s in steps if s["op"] == "delete"]
    assert len(deleted) == 14
    graph = read_preview(DELETES)
    assert [r.name for r in graph] == ["docs"]
    assert all(graph.by_urn(urn) is None for urn in deleted)


def test_an_update_judges_the_new_inputs_not_the_old() -> None:
    step = next(s for s in _raw(UPDATE)["steps"] if s["op"] == "update")
    assert step["newState"]["inputs"] != step["oldState"]["inputs"]
    fn = read_preview(UPDATE).by_urn(step["urn"])
    assert fn is not None and fn.inputs == without_defaults(step["newState"]["inputs"])
    assert len(read_preview(UPDATE)) == 15


def test_replacements_are_judged_once_and_reads_are_not(tmp_path: Path) -> None:
    data = _raw(UPDATE)
    step = next(s for s in data["steps"] if s["op"] == "update")
    data["steps"] += [step | {"op": "replace"}, step | {"op": "create-replacement"}, step | {"op": "delete-replaced"}]
    read = next(s for s in data["steps"] if s["urn"].endswith("::docs"))
    data["steps"].append(read | {"op": "read", "urn": read["urn"] + "-read",
                                 "newState": read["newState"] | {"urn": read["urn"] + "-read"}})
    graph = read_preview(_write(tmp_path, data))
    assert len(graph) == 15 and [r.urn for r in graph].count(step["urn"]) == 1
    assert graph.by_urn(read["urn"] + "-read") is None


def test_blinded_secrets_and_unlisted_references_are_warned_about(tmp_path: Path) -> None:
    data = _raw(UPDATE)
    data["steps"] = [s for s in data["steps"] if "iam/role:Role::" not in s["urn"]]  # as without --show-sames
    next(s for s in data["steps"] if s["urn"].endswith("::docs"))["newState"]["inputs"]["bucket"] = "[secret]"
    path = _write(tmp_path, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = read_preview(path)
    assert graph.named("docs").inputs["bucket"] == "[secret]"
    messages = " | ".join(str(w.message) for w in caught if issubclass(w.category, SourceWarning))
    assert "1 secret input(s)" in messages and "::docs:bucket" in messages
    assert "not in the file" in messages and "--show-sames" in messages and str(path) in messages


def _error(path: Path) -> str:
    with pytest.raises(SourceError) as err:
        read_preview(path)
    assert str(err.value).startswith(f"{path}: ")
    return str(err.value)


def test_not_json_names_line_and_column(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, '{"steps": [\n  {"op": "create",}\n]}'))
    assert "not JSON" in message and "line 2, column 19" in message


@pytest.mark.parametrize(("data", "expected"), [
    ("[]", "expected a JSON object"),
    ({"changeSummary": {}}, "no \"steps\" list"),
    ({"steps": ["create"]}, "steps[0] is not a step object"),
    ({"steps": [{"op": "create", "urn": ROOT}]}, "has no \"newState\""),
    ({"steps": [{"op": "teleport", "urn": ROOT, "newState": {}}]}, "op 'teleport'"),
    ({"steps": []}, "has no resources"),
    ({"version": 3, "deployment": {}}, "`pulumi stack export` file"),
    ({"resourcePlans": {}, "manifest": {}}, "--save-plan"),
    ({"steps": [], "diagnostics": [{"severity": "error", "message": "error: boom\n in index.ts"}]},
     "the preview failed: error: boom in index.ts"),
], ids=["list", "no-steps", "step-string", "no-new-state", "unknown-op", "empty", "export", "plan", "failed"])
def test_wrong_shapes_say_what_is_wrong(tmp_path: Path, data: Any, expected: str) -> None:
    assert expected in _error(_write(tmp_path, data))


def test_no_supported_cloud_is_an_error(tmp_path: Path) -> None:
    data = _raw(DELETES)
    data["steps"] = [s for s in data["steps"] if s["op"] == "same" and "Stack" in s["urn"]]
    assert "no AWS (aws:), Azure (azure-native:) or Google Cloud (gcp:) resources" in _error(_write(tmp_path, data))
