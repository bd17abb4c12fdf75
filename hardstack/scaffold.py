"""The commented stack file `hardstack new` writes: complete, valid, and explained line by line."""

from __future__ import annotations

import difflib
import io
import os
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from hardstack.scaffold_sections import kubernetes_comment, platform_comment
from hardstack.spec import CONFIG_KEY, catalog
from hardstack.spec.models import Environment
from hardstack.spec.response import SEVERITY_SCALES

DEFAULT_MACHINE: dict[str, str] = {
    "aws": "m6a.2xlarge",
    "gcp": "c3-standard-8",
    "azure": "Standard_DC4es_v5",
}
PLACEHOLDER_ACCOUNT: dict[str, str] = {
    "aws": "123456789012",
    "gcp": "my-ml-project-1234",
    "azure": "00000000-0000-4000-8000-000000000000",
}
ACCOUNT_MEANING: dict[str, str] = {
    "aws": "AWS account id: the only account this stack may deploy to",
    "gcp": "GCP project id the environment lives in",
    "azure": "Azure subscription id the environment lives in",
}


@dataclass(frozen=True)
class ScaffoldArgs:
    name: str
    cloud: str
    region: str
    compliance: tuple[str, ...] = ()
    account: str | None = None
    owner: str = "platform-team"
    alert_email: str = "secops@example.com"
    kind: str | None = None  # the TEE: None is the cloud's default (catalog.DEFAULT_KIND)
    machine_type: str | None = None  # None: default_machine


def default_machine(cloud: str, region: str, kind: str | None = None) -> str:
    """The cloud's default confidential type if it runs `kind` in the region, else the first type
    that does; a region that runs none keeps a type of the kind (validation then names the
    regions that fit)."""
    kind = kind or catalog.DEFAULT_KIND[cloud]
    preferred = DEFAULT_MACHINE[cloud]
    family = catalog.family_of(cloud, preferred)
    if family is not None and family.kind == kind and family.offered_in(region):
        return preferred
    fitting = catalog.families_in(cloud, kind, region)
    if fitting:
        return fitting[0].example
    if family is not None and family.kind == kind:
        return preferred
    return next((f.example for f in catalog.families(cloud, kind) if f.gpu is None), preferred)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_stack_file(args: ScaffoldArgs) -> str:
    kind = args.kind or catalog.DEFAULT_KIND[args.cloud]
    machine = args.machine_type or default_machine(args.cloud, args.region, kind)
    account = args.account or PLACEHOLDER_ACCOUNT[args.cloud]
    hipaa = "hipaa" in args.compliance
    log_days = 2190 if hipaa else 400
    offered = [f for f in catalog.families(args.cloud) if f.offered_in(args.region)]
    alternatives = ", ".join(f"{f.example} ({f.kind})" for f in offered) or "none in this region"
    compliance = ", ".join(args.compliance)
    azure = (
        "    azure:   # the subscription's tenant; its Confidential VM Orchestrator releases confidential disk keys\n"
        "      tenant_id: 00000000-0000-4000-8000-000000000000            # replace: az account show --query tenantId\n"
        "      cvm_orchestrator_object_id: 00000000-0000-4000-8000-000000000000"
        "   # replace: az ad sp show --id bf7b6499-ff71-4aa2-97a4-f372087be7f0 --query id -o tsv\n"
        "      security_provider_object_id: 00000000-0000-4000-8000-000000000000"
        "   # replace: az ad sp show --id 8edd93e1-2103-40b4-bd70-6e34e586362d --query id -o tsv"
        " (Defender's sender, for containment)\n"
        "      cosmos_db_object_id: 00000000-0000-4000-8000-000000000000"
        "   # replace: az ad sp show --id a232010e-820c-4083-83bb-3ace5fc29d0b --query id -o tsv"
        " (for an Azure ML workspace: platform notebooks or endpoints)\n"
        if args.cloud == "azure" else ""
    )
    gcp_placement = (
        "\n        # zones: [..]        # gcp: zones offering the type (default: the catalog's zones of the region)"
        "\n        # provisioning: standard   # gcp: standard | spot | flex-start (with max_run_hours)"
        if args.cloud == "gcp" else ""
    )
    ssh = (
        "\n        # Azure VMs take SSH keys only (password login is off): put your public key here.\n"
        "        ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIReplaceWithYourOwnPublicKey000000000 admin"
        if args.cloud == "azure" else ""
    )
    severities = " | ".join(SEVERITY_SCALES[args.cloud])
    platform = platform_comment(args.cloud, account, args.region) + kubernetes_comment(args.cloud, args.region)
    return f"""\
# hardstack environment '{args.name}' on {args.cloud.upper()} ({args.region}).
# Written by `hardstack new`. Check it with `hardstack validate`, render it offline with
# `hardstack plan`, deploy it with `pulumi up -s {args.name}`.
# Every field is documented in `hardstack schema`.
config:
  hardstack:environment:
    name: {args.name}
    cloud: {args.cloud}
    region: {args.region}
    account: {_quote(account)}   # {ACCOUNT_MEANING[args.cloud]}
    owner: {_quote(args.owner)}   # accountable team, written into every resource's tags
    data_classification: confidential   # public | internal | confidential | restricted
    compliance: [{compliance}]   # any of: gdpr, hipaa, nist-800-53
    network:
      cidr: 10.20.0.0/16   # private range, /16 to /22
      egress: none         # none (APIs via private endpoints only) | nat | proxy
      zones: 2             # availability zones, 2 or 3
    keys:
      rotation_days: 90    # customer-managed keys rotate this often (HIPAA: at most 90)
      protection: hsm      # hsm | software
      deletion_window_days: 30
    workloads:
      # confidential: tdx | sev-snp | none ('none' needs an exemption with a reason).
      # Confidential machine types on {args.cloud}: {alternatives}
      - name: trainer
        machine_type: {machine}
        confidential: {kind}
        count: 1
        disk_gb: 100
        role: training      # training | inference{gcp_placement}{ssh}
    data:
      buckets:
        - {{name: datasets, purpose: datasets}}
        - {{name: models, purpose: models}}   # model artifacts are write-once (locked)
      retention_days: 365    # days non-current object versions are kept
      model_lock_days: 30    # days each model artifact version cannot be changed
    logging:
      retention_days: {log_days}   # audit log retention in days{' (HIPAA: six years)' if hipaa else ''}
{azure}{platform}    monitoring:
      threat_detection: true
      alert_email: {_quote(args.alert_email)}
      # Automated containment of a workload that threat detection reports. mode isolate moves
      # it into a quarantine network, revokes its identity's access, snapshots its disks and
      # notifies; mode notify only reports. Left out, restricted data isolates, other data notifies.
      response:
        # mode: isolate
        min_severity: high   # {severities}
        dry_run: false       # with isolate: report what would be done, change nothing
    # Exemptions record a decided exception: rule id, resource, reason, expiry date.
    exemptions: []
"""


# --- the written document: modeline, spec keys, overrides -----------------------------------------
# `hardstack schema --stack-file` writes this schema at the project root; editors that speak the
# YAML language server then check and complete stack files as they are typed.
SCHEMA_FILE = "hardstack.stack.schema.json"
MODELINE = "# yaml-language-server:"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
# Per-stack secrets state: copied into another stack it would share (or break) that stack's secrets.
STACK_SECRETS_KEYS = ("encryptionsalt", "encryptedkey", "secretsprovider")

KeyPath = tuple[str | int, ...]


def project_root(stack_dir: Path) -> Path:
    """Pulumi's project: the stack directory or its parent holding Pulumi.yaml; else the current one."""
    here = stack_dir.resolve()
    for directory in (here, here.parent):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    return Path.cwd().resolve()


def modeline(target: Path) -> str:
    where = target.parent.resolve()
    schema = os.path.relpath(project_root(target.parent) / SCHEMA_FILE, where)
    return f"{MODELINE} $schema={Path(schema).as_posix()}"


def with_modeline(text: str, target: Path) -> str:
    """`text` with our modeline as its first line, in place of any it had (a template's)."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(MODELINE):
        lines.pop(0)
    return modeline(target) + "\n" + "".join(lines)


@dataclass
class Document:
    """A stack file as ruamel round-trip nodes, with the indentation it was written in, so that
    what is dumped again keeps its comments and layout."""

    root: CommentedMap
    yaml: YAML

    @property
    def spec(self) -> CommentedMap:
        return self.root["config"][CONFIG_KEY]

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.root, out)
        return out.getvalue()


def parse_document(text: str) -> Document:
    """Parse a stack file's text; ValueError when it holds no spec mapping."""
    _, indent, offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long comment or value onto a second line
    yaml.indent(mapping=2, sequence=indent or 4, offset=offset if offset is not None else 2)
    root = yaml.load(io.StringIO(text))
    config = root.get("config") if isinstance(root, CommentedMap) else None
    if not isinstance(config, CommentedMap) or not isinstance(config.get(CONFIG_KEY), CommentedMap):
        raise ValueError(f"it holds no '{CONFIG_KEY}' mapping under 'config:'")
    return Document(root, yaml)


def get_path(node: Any, path: KeyPath) -> Any:
    for part in path:
        found = part < len(node) if isinstance(node, list) and isinstance(part, int) else (
            isinstance(node, dict) and part in node)
        if not found:
            return None
        node = node[part]
    return node


def _node(value: Any) -> Any:
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()  # as the scaffold writes them: compliance: [gdpr, hipaa]
        return seq
    if isinstance(value, dict):
        return CommentedMap((k, _node(v)) for k, v in value.items())
    return value


def set_path(spec: CommentedMap, path: KeyPath, value: Any) -> None:
    """Set the value at `path`, creating missing mappings; ValueError for a missing list item.
    An unchanged value is left as written (its quoting too)."""
    node: Any = spec
    for at, part in enumerate(path[:-1]):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                have = len(node) if isinstance(node, list) else 0
                raise ValueError(f"{dotted_key(path[:at])} has {have} item(s); there is no [{part}]")
            node = node[part]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = CommentedMap()
            node = node[part]
    last = path[-1]
    if isinstance(last, int) and (not isinstance(node, list) or last >= len(node)):
        raise ValueError(f"{dotted_key(path[:-1])} has no item [{last}]")
    if get_path(node, (last,)) != value or (isinstance(last, str) and last not in node):
        node[last] = _node(value)


def dotted_key(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[0-9]+\])*)")


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the model inside `annotation`, whether it is a list of them)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = typing.get_origin(annotation)
    for arg in typing.get_args(annotation):
        model, in_list = _model_in(arg)
        if model is not None:
            return model, in_list or origin is list
    return None, origin is list


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    return origin in (typing.Union, types.UnionType) and any(_is_list(a) for a in typing.get_args(annotation))


def _is_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_str(typing.get_args(annotation)[0])
    return origin in (typing.Union, types.UnionType) and any(_is_str(a) for a in typing.get_args(annotation))


def spec_keys(model: type[BaseModel] = Environment, prefix: str = "") -> list[str]:
    """Every key -c accepts, list items written [N]: name, network.cidr, workloads[N].count..."""
    keys: list[str] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        keys.append(key)
        sub, in_list = _model_in(info.annotation)
        if sub is not None:
            keys += spec_keys(sub, f"{key}[N]." if in_list else f"{key}.")
    return keys


def resolve_key(key: str) -> tuple[KeyPath, FieldInfo]:
    """The path and field of a -c key; ValueError naming the nearest valid keys."""
    path: list[str | int] = []
    for segment in key.split("."):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise ValueError(f"'{key}' is not a key: write dotted field names, list items as [0] "
                             "(e.g. network.cidr, workloads[0].machine_type)")
        path.append(match.group(1))
        path += [int(i) for i in re.findall(r"[0-9]+", match.group(2))]
    model: type[BaseModel] | None = Environment
    info: FieldInfo | None = None
    in_list = False
    for at, part in enumerate(path):
        where = dotted_key(tuple(path[:at]))
        if isinstance(part, int):
            if not in_list:
                raise ValueError(f"'{where}' in '{key}' is not a list")
            in_list = False
            continue
        if in_list and model is not None:
            raise ValueError(f"'{where}' in '{key}' is a list: name an item, e.g. {where}[0].{part}")
        fields = model.model_fields if model is not None else {}
        if part not in fields:
            close = difflib.get_close_matches(re.sub(r"\[[0-9]+\]", "[N]", key), spec_keys(), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(close)}? " if close else ""
            valid = ", ".join(fields) if fields else "none (it is a value)"
            raise ValueError(f"unknown key '{key}'; {hint}valid keys {'under ' + where if where else 'at the top'}: "
                             f"{valid}")
        info = fields[part]
        model, in_list = _model_in(info.annotation)
        in_list = in_list or (model is None and _is_list(info.annotation))
    assert info is not None
    return tuple(path), info


def parse_value(raw: str, info: FieldInfo, item: bool = False) -> Any:
    """A -c value as YAML; text fields keep the text as typed (an account id of digits stays a
    string), and a list field takes 'a,b' for [a, b] (`item`: the value is one of its items)."""
    try:
        value = YAML(typ="safe").load(raw)
    except YAMLError:
        value = raw
    if _is_str(info.annotation) and value is not None and not isinstance(value, str):
        value = raw
    if _is_list(info.annotation) and not item and isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    return value
