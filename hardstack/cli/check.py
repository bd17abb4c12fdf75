"""`hardstack check`: the pull-request gate over every stack."""

from __future__ import annotations

from pathlib import Path

import click

from hardstack.cache import Store
from hardstack.check import default_workers, reuse_summary, run_check
from hardstack.cli.files import stack_files, write_atomically
from hardstack.exit_codes import EXIT_STATUS
from hardstack.pipeline.subjects import collect
from hardstack.report import EXTENSIONS, FILE_NAMES, FORMATS
from hardstack.report.gates import Gates, Matcher, Verdict, split_values


def _formats(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    picked = tuple(dict.fromkeys(v.lower() for v in split_values(values)))
    unknown = [v for v in picked if v not in FORMATS]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: choose from {', '.join(FORMATS)}")
    return picked


def _matcher(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Matcher:
    matcher = Matcher.parse(values)
    unknown = matcher.unknown_ids()
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)}: no policy rule, alias, checkov check id (CKV_*, CKV2_*, HS_*), framework "
            "(hipaa, gdpr, nist-800-53) or severity (LOW, MEDIUM, HIGH, CRITICAL); `hardstack policies list` "
            "shows the rule ids", param=param)
    return matcher


GATE = {"multiple": True, "callback": _matcher, "metavar": "SEVERITY|ID|FRAMEWORK"}


@click.command(epilog=EXIT_STATUS)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "formats", multiple=True, callback=_formats, metavar="FORMAT",
              help=f"{', '.join(FORMATS)}; repeat or comma-separate for several (with --output-dir). "
                   "Default: text, or what --output's extension says (.sarif .json .xml .md .txt).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the one --format here instead of standard output ('-': standard output).")
@click.option("--output-dir", "--output-file-path", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write every --format into this directory: hardstack.txt, hardstack.json, hardstack.sarif, "
                   "hardstack.junit.xml, hardstack.md.")
@click.option("--soft-fail", is_flag=True, help="Exit 0 whatever the findings (not on invalid input or errors).")
@click.option("--hard-fail-on", **GATE, help="Failures that block: at or above a severity, or named.")
@click.option("--soft-fail-on", **GATE, help="Failures that do not block: at or below a severity, or named.")
@click.option("-c", "--check", "checks", **GATE, help="Report only these: named, or at or above a severity.")
@click.option("--skip-check", **GATE, help="Leave these out: named, or at or below a severity.")
@click.option("--compact", is_flag=True, help="Text: one line per finding; exempted ones without their reason.")
@click.option("--no-checkov", is_flag=True, help="Skip checkov (policy packs only); for quick local runs.")
@click.option("--strict", is_flag=True,
              help="An exemption that covers no failure (stale) is invalid input (exit 1), not a warning.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Render in N worker processes (default: one per CPU core; 1 renders in this process).")
@click.option("--no-cache", is_flag=True,
              help="Render and scan every stack afresh, neither reading nor writing the cache.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Also write the evidence (as `hardstack report` does), judged through these gates.")
@click.option("--program", "programs", multiple=True, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Judge this Pulumi Python program (its Pulumi.yaml, entry point and stack config), run "
                   "offline under the mocks; repeatable.")
@click.option("--stack", "program_stack", metavar="NAME",
              help="With --program: the stack whose Pulumi.NAME.yaml config to use (default: the only one).")
@click.option("--state", "states", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Judge a deployed stack: the JSON of `pulumi stack export --show-secrets`; repeatable.")
@click.option("--preview", "previews", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Judge what an update would deploy: the JSON of `pulumi preview --json`; repeatable.")
@click.option("--compliance", "frameworks", multiple=True, type=click.Choice(["hipaa", "gdpr", "nist-800-53"]),
              help="With --state/--preview: the frameworks whose packs apply (the baseline always does).")
def check(paths: tuple[Path, ...], formats: tuple[str, ...], output: Path | None, output_dir: Path | None,
          soft_fail: bool, hard_fail_on: Matcher, soft_fail_on: Matcher, checks: Matcher, skip_check: Matcher,
          compact: bool, no_checkov: bool, strict: bool, workers: int | None, no_cache: bool,
          report_dir: Path | None, programs: tuple[Path, ...], program_stack: str | None,
          states: tuple[Path, ...], previews: tuple[Path, ...], frameworks: tuple[str, ...]) -> None:
    """Validate, render, run the policy packs and checkov on stacks (default: every stack).

    checkov runs once over all stacks, offline, from its isolated environment (.checkov-venv),
    starting while the stacks render in parallel worker processes.
    Exemptions in each spec (rule or checkov id, resource, reason, expiry) turn failures into
    reported exemptions; expired ones count as failures; one naming a check the installed
    checkov does not have is invalid input; one that covers no failure is reported as stale
    (invalid input with --strict).

    \b
    Reports: one --format goes to standard output (progress and the human summary then go to
    standard error), or to --output FILE; several go to --output-dir DIR.

    \b
    Cache: a stack whose spec, hardstack's source and SDK versions are unchanged is not
    rendered again, and an unchanged export is not scanned again (keyed by its content, the
    installed checkov and the custom checks); the check says what it reused. It lives in
    $HARDSTACK_CACHE_DIR, else $XDG_CACHE_HOME/hardstack, else ~/.cache/hardstack;
    --no-cache bypasses it; deleting the directory is always safe.

    \b
    Gates, as in checkov (values repeat or comma-separate; ids take wildcards; a framework
    name selects the rules mapped to it): a failure blocks unless --soft-fail, --soft-fail-on
    or --hard-fail-on say otherwise. Advisories block only when --hard-fail-on names their id.
    checkov reports no severity offline: its failures count as medium.

    \b
    Examples:
      hardstack check
      hardstack check --format json | python -m json.tool
      hardstack check --format sarif -o results.sarif
      hardstack check --format text,sarif,junit,markdown --output-dir out/
      hardstack check --soft-fail                         # report everything, block nothing
      hardstack check --hard-fail-on HIGH                 # only high and critical block
      hardstack check --soft-fail-on MEDIUM               # low and medium never block
      hardstack check --soft-fail --hard-fail-on CKV_AWS_144,aws-kms-*
      hardstack check --check hipaa                       # HIPAA-mapped rules only
      hardstack check --skip-check LOW --skip-check CKV2_AWS_*
      hardstack check --compact --no-checkov              # policies only, one line each
      hardstack check --no-cache --workers 1              # everything afresh, in-process
      hardstack check --report-dir evidence/              # and the HTML, Markdown and BOM evidence
      hardstack check --program ../infra --stack prod      # any Pulumi Python program, offline
      hardstack check --state prod.json --compliance hipaa # pulumi stack export --show-secrets > prod.json
      hardstack check --preview preview.json               # pulumi preview --json > preview.json

    \b
    Programs, state exports and previews are judged like spec stacks, with the same rules,
    checkov and gates; findings name the resources' URNs. A program declares its frameworks and
    exemptions in its stack config (hardstack:compliance, hardstack:exemptions: the spec's
    schema). Under the mocks, invokes get the answers `hardstack plan` documents, StackReference
    outputs come from hardstack:stackReferences in the stack config, and secret config values
    are the text [secret].
    """
    if output is not None and str(output) == "-":
        output = None
    if output is not None and output_dir is not None:
        raise click.UsageError("--output FILE and --output-dir DIR exclude each other: pick one")
    formats = formats or ((EXTENSIONS.get(output.suffix.lower(), "text"),) if output is not None else ("text",))
    if len(formats) > 1 and output_dir is None:
        where = f"--output {output}" if output is not None else "standard output"
        raise click.UsageError(f"{where} takes one format, not {', '.join(formats)}: "
                               "use --output-dir DIR for several (one file per format)")
    gates = Gates(soft_fail=soft_fail, hard_fail_on=hard_fail_on, soft_fail_on=soft_fail_on,
                  check=checks, skip_check=skip_check)
    if program_stack is not None and not programs:
        raise click.UsageError("--stack NAME goes with --program DIR")
    if frameworks and not (states or previews):
        raise click.UsageError("--compliance goes with --state or --preview (a spec or a program's stack config "
                               "declares its own frameworks)")
    given = bool(programs or states or previews)
    files = stack_files(paths) if paths or not given else []
    progress = lambda line: click.echo(line, err=True)  # noqa: E731
    subjects = collect(programs, program_stack, states, previews, frameworks, progress) if given else []
    click.echo(f"checking {len(files) + len(subjects)} stack(s) ...", err=True)
    cache = None if no_cache else Store()
    report = run_check(files, progress=progress, with_checkov=not no_checkov, strict=strict,
                       workers=workers or default_workers(), cache=cache, subjects=subjects)
    if cache is not None:
        click.echo(reuse_summary(report, cache), err=True)
        if cache.misses:  # new entries were written: drop the ones nobody used for a month
            cache.prune()
    verdict = Verdict(report, gates=gates, compact=compact)
    to_stdout = formats[0] if output is None and output_dir is None else None
    if to_stdout != "text":  # the human summary: on standard output unless a machine format has it
        click.echo(FORMATS["text"](verdict), nl=False, err=to_stdout is not None)
    if to_stdout is not None:
        click.echo(FORMATS[to_stdout](verdict), nl=False)
    if output is not None:
        write_atomically(output, FORMATS[formats[0]](verdict))
        click.echo(f"{formats[0]} report written to {output}", err=True)
    if output_dir is not None:
        for fmt in formats:
            write_atomically(output_dir / FILE_NAMES[fmt], FORMATS[fmt](verdict))
            click.echo(f"{fmt} report written to {output_dir / FILE_NAMES[fmt]}", err=True)
    if report_dir is not None:
        from hardstack.cli.report import write_evidence  # the diagram and BOM libraries only when asked

        write_evidence(verdict, report_dir)
    raise SystemExit(verdict.exit_code)
