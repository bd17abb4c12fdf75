"""`hardstack new`: scaffold a complete, commented, valid stack file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from hardstack.cli.files import DEFAULT_STACKS_DIR, write_atomically
from hardstack.cli.prompts import ACCOUNT as ACCOUNT_PATH
from hardstack.cli.prompts import (
    ALERT_EMAIL,
    CLOUD,
    CLOUDS,
    COMPLIANCE,
    EXAMPLE_REGION,
    FRAMEWORKS,
    MACHINE,
    NAME_PATTERN,
    NAME_RULE,
    OWNER,
    REGION,
    TEE,
    Draft,
    ask_cloud,
    ask_name,
    ask_rest,
    missing_options,
)
from hardstack.exit_codes import EXIT_STATUS
from hardstack.scaffold import KeyPath, dotted_key, parse_document, parse_value, resolve_key, with_modeline
from hardstack.spec import SpecError, catalog, loads
from hardstack.spec.defaults import ProjectDefaults, project_defaults
from hardstack.spec.loader import read_yaml

__all__ = ["CLOUDS", "EXAMPLE_REGION", "FRAMEWORKS", "new"]


def _interactive() -> bool:
    return sys.stdin.isatty()


def _frameworks(given: tuple[str, ...]) -> list[str] | None:
    if not given:
        return None
    if "none" in given and len(given) > 1:
        raise click.BadParameter("'none' cannot be combined with a framework", param_hint="--compliance")
    return [] if given == ("none",) else list(dict.fromkeys(given))


def _overrides(pairs: tuple[str, ...]) -> list[tuple[KeyPath, Any]]:
    out = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{pair}' is not KEY=VALUE (e.g. network.cidr=10.40.0.0/16)",
                                     param_hint="-c/--config")
        try:
            path, info = resolve_key(key.strip())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="-c/--config") from None
        if path == ("name",):
            raise click.BadParameter("the name is the NAME argument, not -c name=", param_hint="-c/--config")
        out.append((path, parse_value(raw, info, item=isinstance(path[-1], int))))
    return out


def _defaults(target: Path) -> ProjectDefaults | None:
    """The organisation defaults of the project the new stack joins (its Pulumi.yaml)."""
    try:
        return project_defaults(target)
    except SpecError as exc:
        raise click.UsageError("the project's organisation defaults are invalid: "
                               + "; ".join(issue.format() for issue in exc.issues)) from None


def _read_template(source: Path) -> tuple[Path, str]:
    """A template's stack file and text: the file, or the one Pulumi.*.yaml in a directory."""
    if source.is_dir():
        found = sorted({*source.glob("Pulumi.*.yaml"), *source.glob("Pulumi.*.yml")})
        if len(found) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise click.BadParameter(f"{source} must hold exactly one Pulumi.*.yaml stack file; it holds {names}",
                                     param_hint="--from")
        source = found[0]
    try:
        read_yaml(source, "a stack template")  # the loader's input limits: size, NULs, UTF-8, aliases
        text = source.read_text(encoding="utf-8")
        parse_document(text)
    except SpecError as exc:
        raise click.BadParameter(f"{source}: {exc.issues[0].message}", param_hint="--from") from None
    except ValueError as exc:
        raise click.BadParameter(f"{source} is not a stack template: {exc}", param_hint="--from") from None
    return source, text


@click.command(epilog=EXIT_STATUS)
@click.argument("name", required=False)
@click.option("--cloud", type=click.Choice(CLOUDS), help="Target cloud.")
@click.option("--region", help="Cloud region, e.g. eu-west-1, europe-west4, westeurope.")
@click.option("--compliance", multiple=True, type=click.Choice((*FRAMEWORKS, "none")),
              help="Compliance framework; repeat for several; 'none' for none.")
@click.option("--account", help="AWS account id, GCP project id or Azure subscription id.")
@click.option("--owner", help="Owning team (written into every resource's tags).")
@click.option("--alert-email", help="Where security alerts go.")
@click.option("--tee", type=click.Choice(("tdx", "sev-snp")),
              help="Confidential-computing kind of the workload [default: the cloud's].")
@click.option("--machine-type", help="The workload's machine type [default: one that runs the TEE in the region].")
@click.option("-c", "--config", "config", multiple=True, metavar="KEY=VALUE",
              help="Set any spec field by dotted path (value as YAML), e.g. -c network.cidr=10.40.0.0/16; "
                   "repeatable.")
@click.option("--from", "template", type=click.Path(exists=True, path_type=Path),
              help="Start from a team's stack file (or a directory holding one Pulumi.*.yaml), comments kept.")
@click.option("--yes", "-y", "--no-input", "no_input", is_flag=True,
              help="Never prompt: values without a safe default must come from options or -c.")
@click.option("--dir", "stacks_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_STACKS_DIR, show_default=True, help="Stack directory.")
@click.option("--force", is_flag=True, help="Overwrite an existing stack file.")
def new(name: str | None, cloud: str | None, region: str | None, compliance: tuple[str, ...],
        account: str | None, owner: str | None, alert_email: str | None, tee: str | None,
        machine_type: str | None, config: tuple[str, ...], template: Path | None, no_input: bool,
        stacks_dir: Path, force: bool) -> None:
    """Write stacks/Pulumi.NAME.yaml: a complete, commented spec that validates.

    In a terminal, every value without a safe default that no option gives is prompted for:
    cloud, compliance, TEE and region (choices from the catalog of where confidential compute
    runs), machine type, account, owner and alert email. Each answer is checked by the spec's own
    rules and asked again with the reason. With --yes/--no-input nothing is prompted and a missing
    value is a usage error naming its option. Without a terminal (and without --yes) only --cloud
    and --region are required; account, owner and alert email get placeholders to edit.
    The file starts with a yaml-language-server modeline pointing at hardstack.stack.schema.json;
    it is validated before it is written, and an existing file is never overwritten unless
    --force is given.

    \b
    Examples:
      hardstack new prod-eu --cloud aws --region eu-west-1 --compliance gdpr --compliance hipaa
      hardstack new                                  # in a terminal: prompts for everything
      hardstack new research --yes --cloud gcp --region europe-west4 --compliance none \\
          --account ml-research-4711 --owner ml-research --alert-email secops@example.org
      hardstack new eu-2 --from stacks/Pulumi.prod-eu.yaml --region eu-west-1 -c keys.rotation_days=30
      hardstack new lab -c network.cidr=10.40.0.0/16 -c 'workloads[0].count=2'
    """
    interactive = not no_input and _interactive()
    if name is None:
        if not interactive:
            raise click.UsageError("NAME is required (the stack name, e.g. prod-eu)")
        name = ask_name()
    if re.fullmatch(NAME_PATTERN, name) is None:
        raise click.BadParameter(NAME_RULE, param_hint="NAME")
    target = stacks_dir / f"Pulumi.{name}.yaml"
    source, text = _read_template(template) if template is not None else (None, None)
    draft = Draft(name, target, template_text=text, defaults=_defaults(target))
    given = {CLOUD: cloud, REGION: region, ACCOUNT_PATH: account, OWNER: owner, COMPLIANCE: _frameworks(compliance),
             ALERT_EMAIL: alert_email, TEE: tee, MACHINE: machine_type}
    draft.values.update({path: value for path, value in given.items() if value is not None})
    for path, value in _overrides(config):
        if given.get(path) is not None and given[path] != value:
            raise click.BadParameter(f"-c {dotted_key(path)}={value} contradicts its option",
                                     param_hint="-c/--config")
        draft.values[path] = value
    if source is None and CLOUD in draft.values and draft.values[CLOUD] not in CLOUDS:
        raise click.BadParameter(f"cloud must be one of {', '.join(CLOUDS)}", param_hint="-c cloud")
    if interactive:
        ask_cloud(draft)
        ask_rest(draft, fresh=source is None)
    else:
        # Piped without --yes: as before prompting, only cloud and region are needed and the rest
        # are the scaffold's placeholders (scripts and CI rely on it); --yes asks for everything.
        missing = missing_options(draft, None if no_input else (CLOUD, REGION))
        if missing:
            why = ("with --yes/--no-input nothing is prompted" if no_input
                   else "there is no terminal to prompt in")
            raise click.UsageError(f"missing {', '.join(missing)}: {why}; give them as options or -c KEY=VALUE")
    text = with_modeline(draft.document().dump(), target)
    for key in draft.dropped:
        click.echo(f"  left out the template's {key}: secrets are per stack "
                   "(set them again with `pulumi config set --secret`)", err=True)
    try:
        loaded = loads(text, target, defaults=draft.defaults)
    except SpecError as exc:
        click.secho(f"✗ not written: these values give an invalid spec for {target}:", fg="red", err=True)
        for issue in exc.issues:
            click.echo(f"  {issue.field}: {issue.message}", err=True)
        raise SystemExit(1) from None
    if target.exists() and not force:
        click.secho(f"✗ {target} exists; left unchanged (use --force to overwrite it)", fg="red", err=True)
        raise SystemExit(2)
    write_atomically(target, text)
    env = loaded.environment
    kinds = ", ".join(catalog.kinds_offered(env.cloud))
    click.secho(f"✓ wrote {target}" + (f" from {source}" if source is not None else ""), fg="green")
    click.echo(f"  confidential computing on {env.cloud}: {kinds}; edit workloads to fit, then run:")
    click.echo(f"  hardstack validate {target} && hardstack plan {target}")
