"""What `hardstack new` asks for, and how each answer is checked before the next question.

An answer is checked the way the spec checks it: the draft stack file, with the answer in place,
goes through the spec's own validation, and only the problems at the fields the question is
about count (the rest of the draft is still placeholders). So a prompt cannot accept what
`hardstack validate` would refuse, and it re-asks with the spec's own reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from hardstack.scaffold import (
    STACK_SECRETS_KEYS,
    Document,
    KeyPath,
    ScaffoldArgs,
    default_machine,
    get_path,
    parse_document,
    render_stack_file,
    set_path,
)
from hardstack.spec import SpecError, SpecIssue, catalog, validate
from hardstack.spec.defaults import ProjectDefaults
from hardstack.spec.rules import ACCOUNT_FORMATS

CLOUDS = ("aws", "azure", "gcp")
FRAMEWORKS = ("gdpr", "hipaa", "nist-800-53")
EXAMPLE_REGION = {"aws": "eu-west-1", "gcp": "europe-west4", "azure": "westeurope"}
NAME_PATTERN = r"[a-z][a-z0-9-]{0,28}[a-z0-9]"  # models.Name, checked before there is a draft to validate
NAME_RULE = "use 2-30 lower-case letters, digits and '-', starting with a letter"

# The spec fields `new` sets from its options and prompts.
CLOUD: KeyPath = ("cloud",)
REGION: KeyPath = ("region",)
ACCOUNT: KeyPath = ("account",)
OWNER: KeyPath = ("owner",)
COMPLIANCE: KeyPath = ("compliance",)
ALERT_EMAIL: KeyPath = ("monitoring", "alert_email")
TEE: KeyPath = ("workloads", 0, "confidential")
MACHINE: KeyPath = ("workloads", 0, "machine_type")

# Fields without a safe default: prompted for, or (with --no-input) required, with the option
# that gives each and a hint of what fits.
REQUIRED: tuple[tuple[KeyPath, str, str], ...] = (
    (CLOUD, "--cloud", "aws, azure or gcp"),
    (COMPLIANCE, "--compliance", "gdpr, hipaa, nist-800-53 or none"),
    (REGION, "--region", ""),
    (ACCOUNT, "--account", "AWS account id, GCP project id or Azure subscription id"),
    (OWNER, "--owner", "the accountable team"),
    (ALERT_EMAIL, "--alert-email", "where security alerts go"),
)


@dataclass
class Draft:
    """The stack file being made: the values given so far over the scaffold or a template."""

    name: str
    target: Path
    values: dict[KeyPath, Any] = field(default_factory=dict)  # options, -c and answers, in that order
    template_text: str | None = None
    dropped: list[str] = field(default_factory=list)  # template keys left out (per-stack secrets)
    # The organisation defaults (Pulumi.yaml) that will reach the new stack: a value they give is
    # known, never asked for, and not written into the stack file, so it keeps following them.
    defaults: ProjectDefaults | None = None

    def known(self, path: KeyPath) -> Any:
        """The value given for `path`, else the template's, else the organisation default; None
        when none has one."""
        if path in self.values:
            return self.values[path]
        if self.template_text is not None:
            found = get_path(parse_document(self.template_text).spec, path)
            if found is not None:
                return found
        return self.default(path)

    def default(self, path: KeyPath) -> Any:
        return get_path(self.defaults.node, path) if self.defaults is not None else None

    def kind(self) -> str:
        return self.known(TEE) or catalog.DEFAULT_KIND[self.known(CLOUD)]

    def document(self, extra: dict[KeyPath, Any] | None = None) -> Document:
        values = {**self.values, **(extra or {})}
        if self.template_text is not None:
            doc = parse_document(self.template_text)
            # another stack's secrets salt would make its secure values look valid here: leave it out
            self.dropped = [key for key in STACK_SECRETS_KEYS if doc.root.pop(key, None) is not None]
        else:
            doc = parse_document(render_stack_file(self._scaffold_args(values)))
        try:
            set_path(doc.spec, ("name",), self.name)
            for path, value in values.items():
                set_path(doc.spec, path, value)
        except ValueError as exc:
            raise click.UsageError(f"-c: {exc}") from None
        if self.template_text is None and self.defaults is not None:
            _leave_to_defaults(doc.spec, self.defaults.node, set(values))
        return doc

    def _scaffold_args(self, values: dict[KeyPath, Any]) -> ScaffoldArgs:
        # The scaffold's comments follow the values; a value of the wrong type (from -c) is
        # written by set_path afterwards and refused by validation with the spec's message.
        def text(path: KeyPath) -> str | None:
            value = values.get(path)
            return value if isinstance(value, str) else None

        cloud = values[CLOUD]
        compliance = values.get(COMPLIANCE)
        return ScaffoldArgs(
            name=self.name, cloud=cloud, region=text(REGION) or EXAMPLE_REGION[cloud],
            compliance=tuple(compliance) if isinstance(compliance, list) else (),
            account=text(ACCOUNT), owner=text(OWNER) or "platform-team",
            alert_email=text(ALERT_EMAIL) or "secops@example.com",
            kind=text(TEE) if text(TEE) in catalog.kinds_offered(cloud) else None,
            machine_type=text(MACHINE),
        )

    def problems(self, extra: dict[KeyPath, Any], fields: tuple[str, ...]) -> list[SpecIssue]:
        """The spec's problems at `fields` (dotted, prefixes of nested ones) with `extra` set."""
        try:
            validate(self.document(extra).spec, self.target, stack=self.name, defaults=self.defaults)
        except SpecError as exc:
            return [i for i in exc.issues if any(_under(i.field, f) for f in fields)]
        return []


def _leave_to_defaults(spec: Any, defaults: Any, given: set[KeyPath], at: KeyPath = ()) -> None:
    """Drop from the scaffold each value an organisation default gives (and nobody gave here), so
    the default reaches the stack, now and when it changes. Mappings merge, so only their leaves go."""
    if not isinstance(defaults, dict) or not isinstance(spec, dict):
        return
    for key, value in defaults.items():
        path = (*at, key)
        if key not in spec or any(g[:len(path)] == path for g in given):
            if key in spec and isinstance(value, dict):
                _leave_to_defaults(spec[key], value, given, path)
            continue
        if isinstance(value, dict) and isinstance(spec[key], dict):
            _leave_to_defaults(spec[key], value, given, path)
            if not spec[key]:
                del spec[key]
        else:
            del spec[key]


def _under(field_name: str, prefix: str) -> bool:
    return field_name == prefix or field_name.startswith((f"{prefix}.", f"{prefix}["))


def missing_options(draft: Draft, only: tuple[KeyPath, ...] | None = None) -> list[str]:
    """The options still needed when nothing may be prompted (of `only`, if given), each with a
    hint of what fits."""
    out = []
    for path, option, hint in REQUIRED:
        if draft.known(path) is not None or (only is not None and path not in only):
            continue
        if path == REGION:
            cloud = draft.known(CLOUD)
            hint = f"e.g. {EXAMPLE_REGION[cloud]}" if cloud in EXAMPLE_REGION else "e.g. eu-west-1"
        out.append(f"{option} ({hint})")
    return out


def parse_frameworks(answer: str) -> list[str]:
    words = [w for w in re.split(r"[\s,]+", answer.strip().lower()) if w]
    return [] if words == ["none"] else words


def _checked(draft: Draft, path: KeyPath, fields: tuple[str, ...],
             convert: Callable[[str], Any] = str.strip) -> Callable[[str], Any]:
    """A click value_proc: the answer converted, or click's re-ask with the spec's reasons."""
    def proc(answer: str) -> Any:
        value = convert(answer)
        issues = draft.problems({path: value}, fields)
        if issues:
            raise click.UsageError("; ".join(f"{i.field}: {i.message}" for i in issues))
        return value
    return proc


def _ask(draft: Draft, path: KeyPath, label: str, fields: tuple[str, ...],
         convert: Callable[[str], Any] = str.strip, default: Any = None) -> None:
    if path in draft.values:
        return
    default = draft.known(path) if default is None else default
    if isinstance(default, list):
        default = ", ".join(default) or "none"
    draft.values[path] = click.prompt(label, default=default, value_proc=_checked(draft, path, fields, convert))


def ask_name() -> str:
    def proc(answer: str) -> str:
        name = answer.strip()
        if re.fullmatch(NAME_PATTERN, name) is None:
            raise click.UsageError(NAME_RULE)
        return name
    return click.prompt("Stack name", value_proc=proc)


def ask_cloud(draft: Draft) -> None:
    if CLOUD not in draft.values:
        draft.values[CLOUD] = click.prompt("Cloud", type=click.Choice(CLOUDS), default=draft.known(CLOUD))
    draft.document()  # a -c key naming a list item the draft lacks is a usage error, before any question


def ask_rest(draft: Draft, fresh: bool) -> None:
    """Prompt for every value not given yet, in an order where each answer can be checked:
    compliance narrows the regions (GDPR), the TEE narrows regions and machine types."""
    cloud = draft.values[CLOUD]
    _ask(draft, COMPLIANCE, f"Compliance frameworks ({', '.join(FRAMEWORKS)}; comma-separated, or none)",
         ("compliance",), parse_frameworks)
    if fresh and TEE not in draft.values:
        kinds = catalog.kinds_offered(cloud)
        if len(kinds) == 1:
            click.echo(f"TEE: {kinds[0]} (the only confidential-computing kind {cloud} offers)")
            draft.values[TEE] = kinds[0]
        else:
            draft.values[TEE] = click.prompt("TEE (confidential-computing kind)", type=click.Choice(kinds),
                                             default=catalog.DEFAULT_KIND[cloud])
    _ask_region(draft, fresh)
    if fresh and MACHINE not in draft.values:
        _ask_machine(draft)
    _ask(draft, ACCOUNT, f"Account, {ACCOUNT_FORMATS[cloud][1]}", ("account",))
    _ask(draft, OWNER, "Owner (accountable team, written into every resource's tags)", ("owner",))
    _ask(draft, ALERT_EMAIL, "Alert email (where security alerts go)", ("monitoring.alert_email",))


def _ask_region(draft: Draft, fresh: bool) -> None:
    if REGION in draft.values:
        return
    cloud, kind = draft.values[CLOUD], draft.kind()
    # The catalog's regions for the TEE (a template's own workloads decide instead), less those
    # any other rule refuses (GDPR residency, attestation, the GuardDuty agent).
    offered = catalog.regions_for(cloud, kind) if fresh else sorted(catalog.KNOWN_REGIONS[cloud])
    fitting = [r for r in offered if not draft.problems({REGION: r}, ("region",))]
    what = f"run {kind} on {cloud}" if fresh else "run this template's workloads"
    if fitting:
        click.echo(f"Regions that can {what}: {', '.join(fitting)}")
    else:
        click.echo(f"No region can {what} under these answers; the spec says why below.")
    default = draft.known(REGION) or (EXAMPLE_REGION[cloud] if EXAMPLE_REGION[cloud] in fitting else None)
    _ask(draft, REGION, "Region", ("region",), default=default or (fitting[0] if fitting else None))


def _ask_machine(draft: Draft) -> None:
    cloud, kind, region = draft.values[CLOUD], draft.kind(), draft.values[REGION]
    click.echo(f"Machine types that run {kind} in {region}:")
    for family in catalog.families_in(cloud, kind, region):
        note = f"  ({family.note})" if family.note else ""
        click.echo(f"  {', '.join(family.sizes)}{note}")
    _ask(draft, MACHINE, "Machine type", ("workloads[0]", "region"),
         default=default_machine(cloud, region, kind))
