"""Run a CrossGuard policy pack the way the Pulumi engine does, without the Pulumi CLI or a cloud.

`hardstack check` calls rule functions in-process; this starts the pack's real process and talks
to it over gRPC, so what `pulumi preview --policy-pack DIR` would do to a rendered stack can be
tested here (hardstack's packs, or your own: any pack directory, any rendered Graph).

How the engine drives a Python pack (pulumi/pulumi 1b59498, pulumi-policy 1.21):
- process: the Python language host runs `python -u -m pulumi.policy <engine address> <pack dir>`
  in the pack directory (sdk/python/cmd/pulumi-language-python/main.go, RunPlugin), after a
  proxy took the engine's ConfigureStack and put PULUMI_CONFIG (the stack's config as JSON),
  PULUMI_STACK, PULUMI_PROJECT, PULUMI_ORGANIZATION and PULUMI_DRY_RUN in its environment
  (same place; sdk/policy_proxy.go answers Handshake itself and forwards ConfigureStack). The
  pack prints its port on stdout. pulumi.policy never dials the engine address: the driver
  passes a listening socket and reports whether anything connected (`engine_contacted`).
- calls (pkg/resource/plugin/analyzer_plugin.go, pkg/engine/update.go, pkg/resource/deploy/
  step_generator.go): ConfigureStack (stack, project, organization, dry_run, config: key ->
  string, objects as JSON); GetAnalyzerInfo; Configure with, for every policy, its level and
  properties reconciled from schema defaults < the pack's initial config < --policy-pack-config
  (pkg/resource/analyzer/config.go ReconcilePolicyPackConfig); per resource as it registers,
  Remediate then Analyze (inputs as a Struct, options with the parent URN, the provider); at the
  end AnalyzeStack (every resource with parent, dependencies and property dependencies).
The driver sends inputs to AnalyzeStack too (the engine sends outputs; on a rendered graph the
inputs are the known outputs) and registers the root stack resource first, as programs do.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi.runtime.proto import analyzer_pb2_grpc

from hardstack.policy.adapter import to_struct
from hardstack.render import Graph, Resource

LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory", proto.DISABLED: "disabled",
          proto.REMEDIATE: "remediate"}
CODES = {v: k for k, v in LEVELS.items()}
ROOT_STACK = "pulumi:pulumi:Stack"


class PackError(RuntimeError):
    """The pack failed as `pulumi preview` would report it: it did not start, or a call failed."""


@dataclass(frozen=True)
class Diagnostic:
    pack: str
    policy: str
    level: str  # advisory | mandatory | ...
    urn: str  # the resource it is filed under; "" for the stack as a whole
    message: str  # what the policy reported (the SDK prefixes the policy's description; removed)


@dataclass
class Verdict:
    pack: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # policy -> level sent in Configure
    seconds: float = 0.0

    def at(self, level: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == level]


class _ConfigLoader(yaml.SafeLoader):
    """YAML as the Pulumi CLI reads stack files (Go yaml.v3 into interface{}): dates stay text."""


_ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def config_value(value: Any) -> str:
    """A config value as the engine hands it on: text as is, objects and lists as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def stack_config(file: Path) -> dict[str, str]:
    """The config map the engine sends in ConfigureStack (and as PULUMI_CONFIG) for a stack file."""
    doc = yaml.load(file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    return {key: config_value(value) for key, value in (doc.get("config") or {}).items()}


def registration_order(graph: Graph) -> list[Resource]:
    """The root stack, then every resource after its parent, provider and dependencies (a
    program registers a resource once what it needs has registered), else in graph order."""
    project, stack = graph.project, graph.stack
    root = Resource(urn=graph.root or f"urn:pulumi:{stack}::{project}::{ROOT_STACK}::{project}-{stack}",
                    type=ROOT_STACK, name=f"{project}-{stack}", parent="", inputs={}, custom=False)
    pending = [r for r in graph if r.urn != root.urn]
    done, order = {root.urn}, [root]
    urns = {r.urn for r in pending}
    while pending:
        ready = [r for r in pending
                 if all(u in done or u not in urns for u in (r.parent, r.provider_urn, *r.dependencies) if u)]
        if not ready:  # a cycle cannot register; keep going in graph order
            ready = pending[:1]
        for res in ready:
            done.add(res.urn)
            order.append(res)
        pending = [r for r in pending if r.urn not in done]
    return order


def _options(res: Resource) -> proto.AnalyzerResourceOptions:
    return proto.AnalyzerResourceOptions(
        protect=res.protect, ignoreChanges=list(res.ignoreChanges), parent=res.parent,
        customTimeouts=proto.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _provider(res: Resource, by_urn: Mapping[str, Resource]) -> proto.AnalyzerProviderResource | None:
    provider = by_urn.get(res.provider_urn) if res.provider else None
    if provider is None:
        return None
    return proto.AnalyzerProviderResource(urn=provider.urn, type=provider.type, name=provider.name,
                                          properties=to_struct(provider.inputs))


def reconcile(info: proto.AnalyzerInfo, given: Mapping[str, Mapping[str, Any]] | None = None,
              ) -> dict[str, tuple[str, dict[str, Any]]]:
    """policy -> (level, properties) as the CLI's ReconcilePolicyPackConfig builds them: each
    policy's level and schema defaults, then the pack's initial config, then `given` (what
    --policy-pack-config would pass). An initial-config entry always sets a level: protobuf's
    default, advisory, when the pack named none."""
    result: dict[str, tuple[str, dict[str, Any]]] = {}
    for p in info.policies:
        schema = json_format.MessageToDict(p.configSchema.properties) if info.supportsConfig else {}
        result[p.name] = (LEVELS[p.enforcementLevel], {k: v["default"] for k, v in schema.items() if "default" in v})
    layers = [{k: {"enforcementLevel": LEVELS[v.enforcementLevel], **json_format.MessageToDict(v.properties)}
               for k, v in info.initialConfig.items()}, dict(given or {})]
    for layer in layers:
        everything = layer.get("all", {}).get("enforcementLevel")
        if everything:
            result = {k: (everything, props) for k, (_, props) in result.items()}
        for name, entry in layer.items():
            level, props = result.get(name, ("", {}))
            props = {**props, **{k: v for k, v in entry.items() if k != "enforcementLevel"}}
            result[name] = (entry.get("enforcementLevel") or level, props)
    return result


class PackProcess:
    """One running pack. Loopback only; every call has a deadline; `close` always ends it."""

    def __init__(self, pack_dir: Path, *, python: str | None = None, env_config: Mapping[str, str] | None = None,
                 stack: str = "", project: str = "", dry_run: bool = True, timeout: float = 60.0) -> None:
        self.pack_dir, self.timeout = Path(pack_dir).resolve(), timeout
        self._engine = socket.create_server(("127.0.0.1", 0))  # the engine address the pack is given
        # The CLI's environment, plus what the language host sets (only values that are set).
        added = {"PULUMI_ORGANIZATION": "organization", "PULUMI_PROJECT": project, "PULUMI_STACK": stack,
                 "PULUMI_DRY_RUN": "true" if dry_run else "false",
                 "PULUMI_CONFIG": json.dumps(dict(env_config)) if env_config is not None else ""}
        env = {k: v for k, v in os.environ.items() if k not in added}
        env.update({k: v for k, v in added.items() if v})
        engine = f"127.0.0.1:{self._engine.getsockname()[1]}"
        started = time.perf_counter()
        try:
            self._proc = subprocess.Popen(
                [python or sys.executable, "-u", "-m", "pulumi.policy", engine, str(self.pack_dir)],
                cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError:
            self._engine.close()
            raise
        self._stderr: list[bytes] = []
        self._drains = [threading.Thread(target=self._drain, args=(self._proc.stderr, self._stderr), daemon=True)]
        self._drains[0].start()
        try:
            port = self._read_port()
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except BaseException:
            self.close()
            raise
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self.start_seconds = time.perf_counter() - started

    @staticmethod
    def _drain(stream: Any, into: list[bytes]) -> None:
        for line in iter(stream.readline, b""):
            into.append(line)

    def _read_port(self) -> int:
        selector, line, deadline = selectors.DefaultSelector(), b"", time.monotonic() + self.timeout
        selector.register(self._proc.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            if time.monotonic() > deadline or not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                raise PackError(f"{self.pack_dir.name}: no port within {self.timeout:.0f} s\n{self.stderr}")
            chunk = os.read(self._proc.stdout.fileno(), 1)
            if not chunk:
                raise PackError(f"{self.pack_dir.name} exited ({self._proc.wait()}) before serving:\n{self.stderr}")
            line += chunk
        selector.close()
        self._drains.append(threading.Thread(target=self._drain, args=(self._proc.stdout, []), daemon=True))
        self._drains[-1].start()
        return int(line.strip())

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    @property
    def engine_contacted(self) -> bool:
        """Whether the pack ever connected to the engine address it was given."""
        self._engine.setblocking(False)
        try:
            self._engine.accept()[0].close()
        except BlockingIOError:
            return False
        return True

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            raise PackError(f"{method} failed: {exc.code().name}: {exc.details()}\n{self.stderr}") from None

    def run(self, graph: Graph, config: Mapping[str, str], *, dry_run: bool = True,
            policy_config: Mapping[str, Mapping[str, Any]] | None = None) -> Verdict:
        """One `pulumi preview` (dry_run) or `pulumi up` of `graph` with stack config `config`."""
        started = time.perf_counter()
        self._call("ConfigureStack", proto.AnalyzerStackConfigureRequest(
            stack=graph.stack, project=graph.project, organization="organization", dry_run=dry_run,
            config=dict(config)))
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        reconciled = reconcile(info, policy_config)
        if info.supportsConfig:  # else the CLI configures nothing (and refuses --policy-pack-config)
            self._call("Configure", proto.ConfigureAnalyzerRequest(policyConfig={
                name: proto.PolicyConfig(enforcementLevel=CODES[level], properties=to_struct(props))
                for name, (level, props) in reconciled.items()}))
        verdict = Verdict(pack=info.name, levels={k: level for k, (level, _) in reconciled.items()})
        order = registration_order(graph)
        by_urn = {r.urn: r for r in order}
        for res in order:
            request = proto.AnalyzeRequest(urn=res.urn, type=res.type, name=res.name,
                                           properties=to_struct(res.inputs), options=_options(res),
                                           provider=_provider(res, by_urn))
            self._call("Remediate", request)
            self._collect(verdict, self._call("Analyze", request), res.urn)
        self._collect(verdict, self._call("AnalyzeStack", proto.AnalyzeStackRequest(resources=[
            proto.AnalyzerResource(
                urn=r.urn, type=r.type, name=r.name, properties=to_struct(r.inputs), options=_options(r),
                provider=_provider(r, by_urn), parent=r.parent, dependencies=list(r.dependencies),
                propertyDependencies={k: proto.AnalyzerPropertyDependencies(urns=v)
                                      for k, v in r.propertyDependencies.items() if v})
            for r in order])), "")
        verdict.seconds = time.perf_counter() - started
        return verdict

    @staticmethod
    def _collect(verdict: Verdict, response: proto.AnalyzeResponse, analyzed: str) -> None:
        # A resource policy's diagnostic names no URN: the engine files it under the analyzed resource.
        for d in response.diagnostics:
            message = d.message.removeprefix(d.description + "\n") if d.description else d.message
            verdict.diagnostics.append(Diagnostic(pack=d.policyPackName, policy=d.policyName,
                                                  level=LEVELS[d.enforcementLevel], urn=d.urn or analyzed,
                                                  message=message))

    def close(self) -> None:
        channel = getattr(self, "_channel", None)
        if channel is not None:
            channel.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
        for drain in self._drains:
            drain.join(timeout=5)
        for stream in (self._proc.stdout, self._proc.stderr):
            stream.close()
        self._engine.close()

    def __enter__(self) -> PackProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
