"""The stack file schema as an editor uses it: Red Hat's yaml-language-server (the engine of VS Code's
YAML extension), driven over LSP by tests/editor/lsp.py, judges stack files against the committed
hardstack.stack.schema.json, through the modeline `hardstack new` writes or the VS Code setting.

yaml-language-server comes from npm (`npm ci --prefix tests/editor`, pinned in
tests/editor/package.json); without it these tests fail, saying how to install it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"
SCHEMA_FILE = ROOT / "hardstack.stack.schema.json"
# What `hardstack new` puts on a stack file's first line: stacks/ is one level below the schema.
MODELINE = "# yaml-language-server: $schema=../hardstack.stack.schema.json\n"
# The README's .vscode/settings.json `yaml.schemas` (paths relative to the workspace folder).
VSCODE_SCHEMAS = {"./hardstack.stack.schema.json": "stacks/Pulumi.*.yaml"}
EXAMPLES = sorted(STACKS.glob("Pulumi.*.yaml"))
assert EXAMPLES, "no example stack files"  # never an empty parametrization that skips silently


def _load_lsp() -> ModuleType:
    # tests/editor is no package (it holds node_modules too): load the client by path.
    spec = importlib.util.spec_from_file_location("hardstack_editor_lsp", ROOT / "tests" / "editor" / "lsp.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building the class
    spec.loader.exec_module(module)
    return module


lsp = _load_lsp()


def _start(settings: dict[str, object] | None = None) -> object:
    try:
        return lsp.YamlLanguageServer(ROOT, settings)
    except lsp.ServerMissingError as exc:
        # A failure, never a skip: a missing server would otherwise pass the suite unchecked.
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def server() -> Iterator[object]:
    started = _start()
    yield started
    started.close()


_opened = iter(range(1_000_000))


def _uri(stem: str, folder: Path = STACKS) -> str:
    # The document need not exist on disk; its place decides where the modeline's relative path
    # leads and which `yaml.schemas` globs match. A fresh name per document keeps diagnostics apart.
    return (folder / f"Pulumi.{stem}-{next(_opened)}.yaml").as_uri()


def _check(server: object, text: str, stem: str = "editor-test", folder: Path = STACKS) -> list[object]:
    return server.diagnostics(_uri(stem, folder), text)


def _line_of(text: str, pattern: str) -> int:
    """0-based number of the first line matching `pattern`, as LSP counts lines."""
    for number, line in enumerate(text.splitlines()):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"no line matches {pattern!r}")


def _example(name: str = "aws-prod-eu") -> str:
    return (STACKS / f"Pulumi.{name}.yaml").read_text()


def _with_field(text: str, field: str) -> str:
    """The text with `field` added to the spec, next to its `name:`."""
    return re.sub(r"(?m)^(\s+)(name: .*)$", lambda m: f"{m[1]}{m[2]}\n{m[1]}{field}", text, count=1)


def _replace(pattern: str, replacement: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        assert count == 1, f"{pattern!r} not in the example"
        return changed
    return edit


def test_the_schema_file_is_where_the_modeline_points() -> None:
    target = (STACKS / MODELINE.split("$schema=", 1)[1].strip()).resolve()
    assert target == SCHEMA_FILE and SCHEMA_FILE.is_file()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_stack_file_gets_no_diagnostics(server, example: Path) -> None:
    text = MODELINE + example.read_text()
    assert _check(server, text) == []
    # Not vacuous: the very same file, one unknown field added, is judged and flagged.
    broken = _with_field(text, "colour: blue")
    found = _check(server, broken)
    assert [(d.line, d.message) for d in found] == [(_line_of(broken, r"^\s+colour: blue"),
                                                     "Property colour is not allowed.")]


BROKEN = {
    "unknown spec field": (lambda t: _with_field(t, "colour: blue"), r"^\s+colour: blue$",
                           r"^Property colour is not allowed\.$"),
    "wrong type": (_replace(r"^(\s+)zones: 2$", r'\1zones: "two"'), r'zones: "two"',
                   r'^Incorrect type\. Expected "integer"\.$'),
    "bad enum value": (_replace(r"^(\s+)confidential: \S+", r"\1confidential: sgx"), r"confidential: sgx",
                       r'^Value is not accepted\. Valid values: .*"tdx".*"sev-snp".*"none"'),
    "bad cloud": (_replace(r"^(\s+)cloud: aws", r"\1cloud: oracle"), r"cloud: oracle",
                  r'^Value is not accepted\. Valid values: "aws", "azure", "gcp"\.$'),
    "misspelt top-level key": (_replace(r"^config:", "secretprovider: passphrase\nconfig:"), r"^secretprovider:",
                               r"^Property secretprovider is not allowed\.$"),
    "misspelt hardstack key": (_replace(r"^(\s+)hardstack:environment:", r"\1hardstack:exemption: []\n"
                                        r"\1hardstack:environment:"), r"hardstack:exemption:",
                               r"^Property hardstack:exemption is not allowed\.$"),
}


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_a_broken_stack_file_gets_a_diagnostic_at_the_line(server, case: str) -> None:
    edit, line_pattern, message = BROKEN[case]
    text = edit(MODELINE + _example())
    found = _check(server, text)
    assert len(found) == 1, found
    (diagnostic,) = found
    assert diagnostic.line == _line_of(text, line_pattern), (diagnostic, text.splitlines()[diagnostic.line])
    assert re.search(message, diagnostic.message), diagnostic
    assert diagnostic.severity == 1  # an error, as VS Code shows it: red


PULUMI_SETTINGS = """\
secretsprovider: passphrase
encryptionsalt: v1:9JmSC8Ym5Dg=:v1:oVdf3XrZWQ6jt0Ul:wIBY0VHeGbBxHCZMqgaFCRiSd1pgyA==
encryptedkey: ""
environment:
  - acme/aws-credentials
  - acme/eu-settings
"""

PROGRAM_CHECK_CONFIG = """\
  aws:region: eu-west-1
  aws:config:profile: prod
  aws:allowedAccountIds: ["123456789012"]
  hardstack-app:dbPassword:
    secure: v1:q2vYH2hoyRpmYmrp:JkAVvmwkfYFXm2AdtNvS10dmYbZ+Jw==
  hardstack-app:tags: {team: ml, cost-centre: 42}
  hardstack:compliance: [gdpr, hipaa]
  hardstack:exemptions:
    - rule: aws-guardduty-enabled
      resource: aws-prod-eu
      reason: The organisation's security account runs GuardDuty for every member account.
      expires: 2027-11-30
      approved_by: secops@example.com
  hardstack:stackReferences:
    acme/network/prod: {vpcId: vpc-0def5678, privateSubnetIds: [subnet-1, subnet-2]}
"""


def _full_stack_file(environment: str | None = None) -> str:
    settings = PULUMI_SETTINGS if environment is None else PULUMI_SETTINGS.split("environment:")[0] + environment
    return MODELINE + settings + _example().replace("config:\n", "config:\n" + PROGRAM_CHECK_CONFIG, 1)


def test_pulumi_settings_and_other_config_keys_are_allowed(server) -> None:
    # Every documented top-level attribute, other packages' keys (secrets, the old `:config:`
    # form, structured values) and the keys `hardstack check --program` reads.
    assert _check(server, _full_stack_file()) == []
    inline = "environment:\n  imports: [acme/aws-credentials]\n  values: {pulumiConfig: {aws:region: eu-west-1}}\n"
    assert _check(server, _full_stack_file(inline)) == []


@pytest.mark.parametrize(("edit", "line_pattern", "message"), [
    (_replace(r"\[gdpr, hipaa\]", "[gdpr, sox]"), r"hardstack:compliance:", r"^Value is not accepted"),
    (_replace(r"^      expires: 2027-11-30\n", ""), r"- rule: aws-guardduty-enabled", r'^Missing property "expires"'),
    (_replace(r"\{vpcId: .*\}$", "vpc-0def5678"), r"acme/network/prod:", r'^Incorrect type\. Expected "object'),
    (_replace(r"^  - acme/eu-settings$", "  - 42"), r"^  - 42$", r'^Incorrect type\. Expected "string"'),
    (_replace(r"^  aws:region: eu-west-1$", "  region: eu-west-1"), r"^  region:", r"^Property region is not allowed"),
], ids=["compliance framework", "exemption field", "stack reference outputs", "ESC import", "key without namespace"])
def test_program_check_keys_and_pulumi_settings_are_checked(server, edit, line_pattern: str, message: str) -> None:
    text = edit(_full_stack_file())
    found = _check(server, text)
    assert found, "no diagnostic"
    assert {d.line for d in found} == {_line_of(text, line_pattern)}, found
    assert any(re.search(message, d.message) for d in found), found


def test_the_spec_only_schema_flags_a_valid_stack_file(server, tmp_path: Path) -> None:
    # Why the stack file schema exists: `hardstack schema` alone describes the spec, not the file.
    spec_schema = tmp_path / "hardstack.schema.json"
    _write_spec_schema(spec_schema)
    text = f"# yaml-language-server: $schema={spec_schema.as_uri()}\n" + _example()
    with_spec = _check(server, text)
    config_line = _line_of(text, r"^config:")
    assert any(d.line == config_line and d.message == "Property config is not allowed." for d in with_spec), with_spec
    assert _check(server, MODELINE + _example()) == []


def _write_spec_schema(out: Path) -> None:
    from click.testing import CliRunner

    from hardstack.cli import main

    result = CliRunner().invoke(main, ["schema", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_the_vscode_setting_maps_the_schema_onto_stack_files() -> None:
    # The README's .vscode/settings.json, no modeline: stacks/Pulumi.*.yaml are checked, other
    # YAML files are left alone.
    with _start({"schemas": VSCODE_SCHEMAS}) as mapped:
        assert _check(mapped, _example()) == []
        broken = _with_field(_example(), "colour: blue")
        found = _check(mapped, broken)
        assert [(d.line, d.message) for d in found] == [(_line_of(broken, r"^\s+colour: blue"),
                                                         "Property colour is not allowed.")]
        assert _check(mapped, broken, folder=ROOT / "tests" / "fixtures") == []


def test_a_missing_server_fails_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lsp, "SERVER", tmp_path / "node_modules" / "yaml-language-server" / "bin" / "absent")
    with pytest.raises(pytest.fail.Exception, match=r"not installed: run `npm ci --prefix tests/editor`"):
        _start()
