"""A user's own Pulumi Python program, loaded from its project files and rendered under the mocks."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from pulumi.runtime import config as pulumi_config

from hardstack.policy.runner import evaluate
from hardstack.render import Graph, RenderError, engine
from hardstack.rules.packs import packs_for
from hardstack.sources.errors import SourceError
from hardstack.sources.program import (
    SECRET_PLACEHOLDER,
    ProgramRunError,
    cli_config,
    load_program,
    program_target,
    render_user_program,
)

PROGRAMS = Path(__file__).resolve().parent / "fixtures" / "programs"


def make_program(root: Path, main: str, *, project: str = "tmp-app", runtime: str = "python",
                 stacks: dict[str, str] | None = None, files: dict[str, str] | None = None) -> Path:
    """A throwaway Pulumi project: Pulumi.yaml, __main__.py, stack files, any other files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: {project}\nruntime: {runtime}\n")
    (root / "__main__.py").write_text(textwrap.dedent(main))
    for stack, text in (stacks if stacks is not None else {"dev": "config: {}\n"}).items():
        (root / f"Pulumi.{stack}.yaml").write_text(textwrap.dedent(text))
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return root


def render_dir(root: Path, stack: str | None = None) -> Graph:
    return render_user_program(load_program(root, stack))


# --- the example programs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def insecure() -> Graph:
    return render_dir(PROGRAMS / "insecure")


@pytest.fixture(scope="module")
def fixed() -> Graph:
    return render_dir(PROGRAMS / "fixed")


@pytest.fixture(scope="module")
def stackref() -> Graph:
    return render_dir(PROGRAMS / "stackref")


def test_a_program_loads_from_its_project_files() -> None:
    program = load_program(PROGRAMS / "insecure")
    assert (program.project, program.stack) == ("insecure-app", "dev")
    assert program.main == PROGRAMS / "insecure" / "__main__.py"
    assert program.config_file == PROGRAMS / "insecure" / "Pulumi.dev.yaml"
    # Pulumi.yaml's default under the project's namespace, then the stack's own values.
    assert program.config == {"insecure-app:instanceType": "t3.micro", "aws:region": "eu-west-1",
                              "insecure-app:owner": "data-team"}


def test_the_insecure_program_renders_its_three_mistakes(insecure: Graph) -> None:
    assert (insecure.project, insecure.stack, insecure.cloud) == ("insecure-app", "dev", "aws")
    assert insecure.root == "urn:pulumi:dev::insecure-app::pulumi:pulumi:Stack::insecure-app-dev"
    assert insecure.named("data-acl").inputs["acl"] == "public-read"
    block = insecure.named("data-public-access").inputs
    assert [block[f] for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                               "restrictPublicBuckets")] == [False] * 4
    assert insecure.named("data-key").inputs["enableKeyRotation"] is False
    worker = insecure.named("worker").inputs
    assert worker["associatePublicIpAddress"] is True
    # Config read by a bare pulumi.Config(), and pulumi.get_project(), are the program's own.
    assert worker["tags"] == {"owner": "data-team", "project": "insecure-app"}
    assert worker["instanceType"] == "t3.micro"


def test_the_fixed_program_renders_private_and_encrypted(fixed: Graph) -> None:
    key_arn = fixed.named("data-encryption").inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert key_arn["sseAlgorithm"] == "aws:kms"
    assert key_arn["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
    assert all(v is True for k, v in fixed.named("data-public-access").inputs.items() if k != "bucket")
    assert fixed.named("data-key").inputs["enableKeyRotation"] is True
    worker = fixed.named("worker").inputs
    assert worker["associatePublicIpAddress"] is False
    assert worker["metadataOptions"]["httpTokens"] == "required"
    assert not fixed.of_type("aws:s3/bucketAcl:BucketAcl")


def test_policy_rules_flag_the_insecure_program_and_pass_the_fixed(insecure: Graph, fixed: Graph) -> None:
    found = {(f.resource_name, f.rule_id) for f in evaluate(insecure, packs_for([])).findings}
    assert {
        ("data", "aws-s3-encryption-configured"),
        ("data-public-access", "aws-s3-public-access-block"),
        ("data-ownership", "aws-s3-ownership-enforced"),
        ("data-key", "aws-kms-key-rotation"),
        ("worker", "aws-ec2-no-public-ip"),
        ("worker", "aws-ec2-imdsv2"),
    } <= found
    # What remains for the fixed program is account-wide (CloudTrail, GuardDuty), of no resource, and
    # the access log bucket's SSE-S3, which S3 log delivery requires: its stack config exempts both
    # (tests/test_check_program.py judges it with them).
    assert [(f.resource_name, f.rule_id) for f in evaluate(fixed, packs_for([])).findings if f.resource_urn] == [
        ("access-logs-encryption", "aws-s3-sse-customer-key")]


def test_a_stack_reference_reads_its_outputs_from_config(stackref: Graph) -> None:
    worker = stackref.named("worker").inputs
    assert worker["subnetId"] == "subnet-0abc1234"
    assert worker["tags"] == {"vpc": "vpc-0def5678", "missing": "None"}  # get_output of no output: None
    assert not stackref.of_type("pulumi:pulumi:StackReference")  # a read, not a resource to create


def test_an_answered_invoke_is_a_lookup_of_the_graph(stackref: Graph) -> None:
    [lookup] = stackref.lookups
    assert lookup.token == "aws:ssm/getParameter:getParameter"
    assert stackref.named("worker").inputs["ami"] == lookup.result["value"]


def test_a_secure_config_value_is_a_secret_placeholder(stackref: Graph) -> None:
    program = load_program(PROGRAMS / "stackref")
    assert program.config["stackref-app:dbPassword"] == SECRET_PLACEHOLDER
    assert program.secret_keys == ["stackref-app:dbPassword"]
    value = stackref.named("db-password").inputs["value"]
    # require_secret gave a secret Output: the graph keeps the SDK's secret envelope around it.
    assert value["value"] == SECRET_PLACEHOLDER and len(value) == 2


def test_a_stack_reference_without_config_has_no_outputs(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", """
        import pulumi, pulumi_aws as aws
        ref = pulumi.StackReference("acme/network/prod")
        aws.s3.Bucket("b", tags={"vpc": ref.get_output("vpcId").apply(str)})
        aws.s3.Bucket("c", tags={"vpc": ref.require_output("vpcId")})
    """)
    with pytest.raises(ProgramRunError, match="KeyError: 'vpcId'"):
        render_dir(root)
    (root / "__main__.py").write_text((root / "__main__.py").read_text().rsplit("\n", 2)[0] + "\n")
    assert render_dir(root).named("b").inputs["tags"] == {"vpc": "None"}


# --- failures ------------------------------------------------------------------------------


def test_a_crash_shows_the_programs_frames_only(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", """
        import pulumi_aws as aws
        import helpers

        aws.s3.Bucket("b")
        helpers.ratio(3, 0)
    """, files={"helpers.py": "def ratio(a, b):\n    return a / b\n"})
    with pytest.raises(ProgramRunError) as caught:
        render_dir(root)
    message = str(caught.value)
    assert isinstance(caught.value, RenderError)
    assert message.startswith("program tmp-app (stack dev) failed: ZeroDivisionError: division by zero\n")
    assert f'File "{root / "__main__.py"}", line 6, in <module>\n    helpers.ratio(3, 0)' in message
    assert f'File "{root / "helpers.py"}", line 2, in ratio\n    return a / b' in message
    assert "hardstack/" not in message and "site-packages" not in message and "runpy" not in message
    assert [f.lineno for f in caught.value.frames] == [6, 2]


def test_a_crash_in_an_apply_callback_names_its_resource(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", """
        import pulumi_aws as aws
        bucket = aws.s3.Bucket("b")
        aws.s3.Bucket("c", tags={"n": bucket.arn.apply(lambda arn: str(int(arn)))})
    """)
    # The SDK re-raises it from its RPC loop without the callback's frame: the message names the
    # resource and the original error, and says why no line of the program is shown.
    with pytest.raises(ProgramRunError, match=r"(?s)While processing resource: 'c'.*invalid literal for int") as caught:
        render_dir(root)
    assert caught.value.frames == []
    assert "keeps no frame of the program" in str(caught.value) and "hardstack/" not in str(caught.value)


def test_an_unknown_invoke_is_an_error_naming_it(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", """
        import pulumi_aws as aws
        me = aws.get_caller_identity()
        aws.s3.Bucket("b", bucket=f"data-{me.account_id}")
    """)
    with pytest.raises(ProgramRunError) as caught:
        render_dir(root)
    assert ("UnansweredLookupError: the program calls aws:index/getCallerIdentity:getCallerIdentity, which the "
            "offline renderer cannot answer; known lookups: aws:ssm/getParameter:getParameter") in str(caught.value)


def test_a_nonzero_exit_is_a_failure_and_a_zero_exit_is_not(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", """
        import sys, pulumi_aws as aws
        aws.s3.Bucket("b")
        sys.exit(3)
    """)
    with pytest.raises(ProgramRunError, match="exited with status 3"):
        render_dir(root)
    (root / "__main__.py").write_text("import sys, pulumi_aws as aws\naws.s3.Bucket('b')\nsys.exit(0)\n")
    assert [r.name for r in render_dir(root)] == ["b"]


def test_the_run_leaves_path_cwd_config_and_modules_as_they_were(tmp_path: Path) -> None:
    first = make_program(tmp_path / "one", """
        import os, pulumi_aws as aws, settings
        aws.s3.Bucket("b", tags={"cwd": os.getcwd(), "value": settings.VALUE})
    """, files={"settings.py": "VALUE = 'one'\n"})
    second = make_program(tmp_path / "two", "import settings\nraise RuntimeError(settings.VALUE)\n",
                          files={"settings.py": "VALUE = 'two'\n"})
    path, cwd, config = list(sys.path), os.getcwd(), dict(pulumi_config.CONFIG.get())
    assert render_dir(first).named("b").inputs["tags"] == {"cwd": str(first), "value": "one"}
    # The second program's settings.py, not the first one's left in sys.modules.
    with pytest.raises(ProgramRunError, match="RuntimeError: two"):
        render_dir(second)
    assert (list(sys.path), os.getcwd(), dict(pulumi_config.CONFIG.get())) == (path, cwd, config)
    assert "settings" not in sys.modules
    assert engine.PROJECT == "hardstack"  # the blueprints' renders keep their project name


# --- cloud, region, config encoding --------------------------------------------------------


def test_the_target_comes_from_config(tmp_path: Path) -> None:
    root = make_program(tmp_path / "g", "", stacks={"dev": """
        config:
          gcp:project: acme-data
          gcp:region: europe-west4
    """})
    target = program_target(load_program(root))
    assert (target.cloud, target.region, target.account) == ("gcp", "europe-west4", "acme-data")


def test_without_cloud_config_the_graph_takes_the_cloud_of_its_resources(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", "import pulumi_aws as aws\naws.kms.Key('k')\n")
    assert program_target(load_program(root)).cloud == ""
    assert render_dir(root).cloud == "aws"


def test_resources_of_no_cloud_do_not_hide_the_cloud_but_two_clouds_do(tmp_path: Path) -> None:
    other = "pulumi.CustomResource('tls:index/privateKey:PrivateKey', 'tls-key', {})\n"
    root = make_program(tmp_path / "p", "import pulumi, pulumi_aws as aws\naws.kms.Key('k')\n" + other)
    assert render_dir(root).cloud == "aws"
    both = make_program(tmp_path / "q", "import pulumi_aws as aws, pulumi_gcp as gcp\naws.kms.Key('k')\n"
                                        "gcp.storage.Bucket('b', location='EU')\n")
    assert render_dir(both).cloud == ""  # every cloud's rules apply


def test_config_reaches_the_program_as_the_cli_encodes_it(tmp_path: Path) -> None:
    assert cli_config({"p:s": "x", "p:b": True, "p:n": 3, "p:o": {"a": [1]}}) == {
        "p:s": "x", "p:b": "true", "p:n": "3", "p:o": '{"a": [1]}'}
    root = make_program(tmp_path / "p", """
        import pulumi, pulumi_aws as aws
        c = pulumi.Config()
        aws.s3.Bucket("b", tags={"on": str(c.require_bool("on")), "n": str(c.require_int("n") + 1),
                                 "first": c.require_object("net")["subnets"][0],
                                 "region": pulumi.Config("aws").require("region")})
    """, stacks={"dev": """
        config:
          tmp-app:on: true
          n: 41
          tmp-app:net:
            subnets: [a, b]
          aws:region: us-west-2
    """})
    assert render_dir(root).named("b").inputs["tags"] == {"on": "True", "n": "42", "first": "a", "region": "us-west-2"}


# --- loading: the entry point, the stack, bad input ------------------------------------------


def test_main_may_name_a_directory_or_a_file(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", "raise SystemExit('not this one')\n", files={
        "infra/__main__.py": "import pulumi_aws as aws\naws.s3.Bucket('from-dir')\n",
        "app.py": "import pulumi_aws as aws\naws.s3.Bucket('from-file')\n"})
    (root / "Pulumi.yaml").write_text("name: tmp-app\nruntime: python\nmain: infra/\n")
    assert load_program(root).main == root / "infra" / "__main__.py"
    assert [r.name for r in render_dir(root)] == ["from-dir"]
    (root / "Pulumi.yaml").write_text("name: tmp-app\nruntime: {name: python, options: {toolchain: uv}}\n"
                                      "main: app.py\n")
    assert [r.name for r in render_dir(root)] == ["from-file"]


def test_a_stack_is_chosen_by_name_or_by_being_the_only_one(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", "", stacks={"dev": "config: {tmp-app:x: d}\n", "prod": "config: {x: p}\n"})
    assert load_program(root, "prod").config == {"tmp-app:x": "p"}
    assert load_program(root, "acme/tmp-app/dev").stack == "dev"  # a fully qualified name
    with pytest.raises(SourceError, match=r"several stacks here \(dev, prod\).*--stack NAME"):
        load_program(root)
    with pytest.raises(SourceError, match=r"no Pulumi\.qa\.yaml for stack 'qa'; the stacks here are dev, prod"):
        load_program(root, "qa")
    bare = make_program(tmp_path / "bare", "", stacks={})
    with pytest.raises(SourceError, match=r"no Pulumi\.<stack>\.yaml here.*--stack NAME"):
        load_program(bare)
    assert load_program(bare, "dev").config_file is None  # a stack that never had config set


def test_no_pulumi_yaml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no Pulumi\.yaml here\. Point hardstack at the Pulumi project"):
        load_program(tmp_path)


@pytest.mark.parametrize("runtime", ["nodejs", "{name: go, options: {binary: app}}"])
def test_a_runtime_other_than_python_is_an_error(tmp_path: Path, runtime: str) -> None:
    root = make_program(tmp_path / "p", "", runtime=runtime)
    with pytest.raises(SourceError, match=r"Pulumi\.yaml: line 2: runtime '(nodejs|go)': hardstack renders Python"):
        load_program(root)


def test_a_missing_entry_point_is_an_error(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", "")
    (root / "__main__.py").unlink()
    with pytest.raises(SourceError, match=r"no __main__\.py in .*Add __main__\.py there, or set `main:`"):
        load_program(root)
    (root / "Pulumi.yaml").write_text("name: tmp-app\nruntime: python\nmain: src/app.py\n")
    with pytest.raises(SourceError, match=r"Pulumi\.yaml: line 3: main: src/app\.py: .*does not exist"):
        load_program(root)


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    root = make_program(tmp_path / "p", "", stacks={"dev": "config:\n  aws:region: [eu-west-1\n"})
    with pytest.raises(SourceError, match=r"(?s)Pulumi\.dev\.yaml: not valid YAML: .*line 3, column 1"):
        load_program(root)
