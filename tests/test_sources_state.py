"""hardstack.sources.state: `pulumi stack export` files, real ones from public repositories, become Graphs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from sources_helpers import raw, without_defaults, write

from hardstack.sources.errors import SourceError, SourceWarning
from hardstack.sources.state import SECRET_PLACEHOLDER, read_state

FIXTURES = Path(__file__).parent / "fixtures" / "pulumi"
BUCKET = FIXTURES / "pulumi-aws-bucket-stack.json"
SECRET_VERSION = FIXTURES / "pulumi-aws-secretversion-stack.json"
SAMPLE = FIXTURES / "stratify-sample-export.json"
SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"


def _raw(path: Path) -> dict[str, Any]:
    return raw(path)


def _write(tmp_path: Path, data: Any, name: str = "export.json") -> Path:
    return write(tmp_path, data, name)


@pytest.mark.parametrize("path", [BUCKET, SECRET_VERSION, SAMPLE], ids=lambda p: p.stem)
def test_every_recorded_resource_but_the_stack_is_in_the_graph_as_recorded(path: Path) -> None:
    raw = [r for r in _raw(path)["deployment"]["resources"] if r["type"] != "pulumi:pulumi:Stack"]
    graph = read_state(path)
    assert [r.urn for r in graph] == sorted(r["urn"] for r in raw)
    for item in raw:
        res = graph.by_urn(item["urn"])
        assert res is not None
        assert res.type == item["type"]
        assert res.name == item["urn"].split("::", 3)[3]
        assert res.parent == item.get("parent", "")
        assert res.dependencies == sorted(item.get("dependencies", []))
        assert res.provider == item.get("provider", "")
        assert res.custom == item["custom"]
        assert res.inputs == without_defaults(item.get("inputs", {}))


def test_the_bucket_export_pins_stack_project_cloud_root_and_inputs() -> None:
    graph = read_state(BUCKET)
    assert (graph.stack, graph.project, graph.cloud) == ("test", "test", "aws")
    assert graph.root == "urn:pulumi:test::test::pulumi:pulumi:Stack::test-test"
    bucket = graph.named("tested-resource")
    assert bucket.type == "aws:s3/bucket:Bucket"
    # camelCase names as Pulumi stores them; the bridge's __defaults bookkeeping is gone.
    assert bucket.inputs == {"acl": "private", "bucket": "testbucket-test", "forceDestroy": False}
    assert bucket.provider_urn == "urn:pulumi:test::test::pulumi:providers:aws::provider"
    # A null property dependency list (the engine's "depends on nothing") is dropped, as the renderer does.
    assert bucket.propertyDependencies == {}
    assert graph.named("provider").is_provider


def test_the_sample_export_keeps_components_and_dependencies() -> None:
    graph = read_state(SAMPLE)
    assert (graph.stack, graph.project, graph.cloud) == ("dev", "sample", "aws")
    assert graph.root == "urn:pulumi:dev::sample::pulumi:pulumi:Stack::sample-dev"
    assert len(graph) == 16
    sub = "urn:pulumi:dev::sample::aws:s3/bucket:Bucket$aws:s3:BucketEventSubscription::docsHandler"
    component = graph.by_urn(sub)
    assert component is not None and not component.custom and component.type == "aws:s3:BucketEventSubscription"
    fn = graph.by_urn(sub.replace("::docsHandler", "$aws:lambda/function:Function::docsHandler"))
    assert fn is not None
    assert fn.type == "aws:lambda/function:Function" and fn.name == "docsHandler" and fn.parent == sub
    assert fn.dependencies == [sub.replace("::docsHandler", "$aws:iam/role:Role::docsHandler")]
    notification = graph.of_type("aws:s3/bucketNotification:BucketNotification")[0]
    assert notification.propertyDependencies["bucket"] == ["urn:pulumi:dev::sample::aws:s3/bucket:Bucket::docs"]
    assert graph.named("docs").inputs == {"acl": "private", "bucket": "docs-4936161", "forceDestroy": False}


def test_secrets_encrypted_only_in_outputs_do_not_stop_the_read() -> None:
    graph = read_state(SECRET_VERSION)
    version = graph.named("mySecretVersion")
    assert version.inputs["secretString"] == "MySecretVersionValue"
    assert version.dependencies == ["urn:pulumi:test::secretversion::aws:secretsmanager/secret:Secret::mySecret"]
    assert version.propertyDependencies == {"secretId": version.dependencies}


def _with_secret(envelope: dict[str, str], tmp_path: Path) -> Path:
    data = _raw(BUCKET)
    bucket = data["deployment"]["resources"][2]
    bucket["inputs"]["tags"] = {"team": {SIG: SECRET, **envelope}}
    bucket["inputs"]["bucket"] = {SIG: SECRET, **envelope}
    return _write(tmp_path, data)


def test_plaintext_secrets_unwrap_to_their_values(tmp_path: Path) -> None:
    # --show-secrets writes the value as JSON text: a string is quoted, an object is an object.
    path = _with_secret({"plaintext": json.dumps({"name": "ml", "list": [1, "two"]})}, tmp_path)
    bucket = read_state(path).named("tested-resource")
    assert bucket.inputs["bucket"] == {"name": "ml", "list": [1, "two"]}
    assert bucket.inputs["tags"] == {"team": {"name": "ml", "list": [1, "two"]}}
    path = _with_secret({"plaintext": '"testbucket-test"'}, tmp_path)
    assert read_state(path).named("tested-resource").inputs["bucket"] == "testbucket-test"


def test_encrypted_input_secrets_are_an_error_that_says_to_show_secrets(tmp_path: Path) -> None:
    path = _with_secret({"ciphertext": "v1:s1FE2LsAjp/zlcsQ:BXTDAGZN80Se"}, tmp_path)
    with pytest.raises(SourceError) as err:
        read_state(path)
    assert str(path) in str(err.value)
    assert "encrypted" in str(err.value) and "pulumi stack export --show-secrets" in str(err.value)
    assert "tested-resource" in str(err.value)


def test_encrypted_input_secrets_can_be_judged_as_a_placeholder_with_a_warning(tmp_path: Path) -> None:
    path = _with_secret({"ciphertext": "v1:s1FE2LsAjp/zlcsQ:BXTDAGZN80Se"}, tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = read_state(path, redact_encrypted=True)
    bucket = graph.named("tested-resource")
    assert bucket.inputs["bucket"] == SECRET_PLACEHOLDER == "[secret]"
    assert bucket.inputs["tags"] == {"team": SECRET_PLACEHOLDER}
    messages = [str(w.message) for w in caught if issubclass(w.category, SourceWarning)]
    assert len(messages) == 1 and "2 encrypted secret input(s)" in messages[0] and str(path) in messages[0]


def test_resources_pending_deletion_or_external_are_not_judged(tmp_path: Path) -> None:
    data = _raw(SAMPLE)
    resources = data["deployment"]["resources"]
    docs = next(r for r in resources if r["urn"].endswith("::docs"))
    resources.append(docs | {"delete": True, "urn": docs["urn"] + "-old"})
    resources.append(docs | {"external": True, "urn": docs["urn"] + "-read"})
    graph = read_state(_write(tmp_path, data))
    assert len(graph) == 16
    assert graph.by_urn(docs["urn"] + "-old") is None and graph.by_urn(docs["urn"] + "-read") is None


def test_version_4_exports_are_read(tmp_path: Path) -> None:
    data = _raw(BUCKET) | {"version": 4, "features": ["refreshBeforeUpdate"]}
    assert read_state(_write(tmp_path, data)).named("tested-resource").type == "aws:s3/bucket:Bucket"


def _error(path: Path) -> str:
    with pytest.raises(SourceError) as err:
        read_state(path)
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith(f"{path}: ")
    return str(err.value)


def test_not_json_names_line_and_column(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, '{\n  "version": 3,\n  "deployment": {\n'))
    assert "not JSON" in message and "line 4, column 1" in message


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "absent.json")


@pytest.mark.parametrize(("data", "expected"), [
    ([1, 2], "expected a JSON object, found a list"),
    ({"deployment": {"resources": []}}, "no deployment \"version\""),
    ({"version": 3}, "\"deployment\" is missing"),
    ({"version": 3, "deployment": {"resources": {"urn": "x"}}}, "not a list"),
    ({"version": 3, "deployment": {"resources": ["x"]}}, "resources[0] is a string"),
    ({"version": 3, "deployment": {"resources": [{"urn": "arn:aws:s3:::b", "type": "aws:s3/bucket:Bucket"}]}},
     "has no valid URN"),
    ({"version": 3, "deployment": {"resources": []}}, "has no resources"),
    ({"version": 3, "checkpoint": {"latest": {}}}, "backend checkpoint"),
    ({"steps": [], "changeSummary": {}}, "`pulumi preview --json` output"),
], ids=["list", "no-version", "no-deployment", "resources-object", "resource-string", "bad-urn", "empty",
        "checkpoint", "preview"])
def test_wrong_shapes_say_what_is_wrong(tmp_path: Path, data: Any, expected: str) -> None:
    assert expected in _error(_write(tmp_path, data))


@pytest.mark.parametrize(("version", "fix"), [(1, "current Pulumi CLI"), (2, "current Pulumi CLI"),
                                              (5, "Upgrade hardstack")])
def test_unsupported_versions_say_which_and_how_to_fix(tmp_path: Path, version: int, fix: str) -> None:
    message = _error(_write(tmp_path, _raw(BUCKET) | {"version": version}))
    assert f"deployment version {version} is not supported" in message and fix in message


def test_no_supported_cloud_names_what_was_found(tmp_path: Path) -> None:
    data = _raw(BUCKET)
    for res in data["deployment"]["resources"]:
        for key in ("urn", "type", "provider", "parent"):
            if key in res:
                res[key] = res[key].replace("aws:s3/bucket:Bucket", "random:index/randomPet:RandomPet")
    message = _error(_write(tmp_path, data))
    assert "no AWS (aws:), Azure (azure-native:) or Google Cloud (gcp:) resources" in message
    assert "random" in message


def test_resources_from_two_stacks_are_refused(tmp_path: Path) -> None:
    data = _raw(BUCKET)
    data["deployment"]["resources"][2]["urn"] = data["deployment"]["resources"][2]["urn"].replace(
        "urn:pulumi:test::", "urn:pulumi:prod::")
    assert "more than one stack" in _error(_write(tmp_path, data))
