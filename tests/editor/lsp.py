"""A tiny Language Server Protocol client for Red Hat's yaml-language-server, over stdio.

Just enough of LSP 3.17 to get what an editor would show: `initialize`, the `yaml` settings,
`textDocument/didOpen` and the `textDocument/publishDiagnostics` that follow. Messages are JSON-RPC
2.0 framed by a `Content-Length` header. The server is the one `npm ci --prefix tests/editor`
installs (version pinned in tests/editor/package.json), run by node.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
SERVER = HERE / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
INSTALL_HINT = ("yaml-language-server is not installed: run `npm ci --prefix tests/editor` (node 20 and npm "
                "needed; `make setup` does it), then run the tests again")


class ServerMissingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Diagnostic:
    line: int  # 0-based, as LSP counts
    character: int
    message: str
    severity: int  # 1 error, 2 warning, 3 information, 4 hint
    source: str

    @classmethod
    def from_lsp(cls, raw: dict[str, Any]) -> Diagnostic:
        start = raw["range"]["start"]
        return cls(start["line"], start["character"], raw["message"], raw.get("severity", 1), raw.get("source", ""))


def _write(stream: IO[bytes], message: dict[str, Any]) -> None:
    body = json.dumps(message).encode()
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def _read(stream: IO[bytes]) -> dict[str, Any] | None:
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None  # the server exited
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if length is None:
        raise RuntimeError("LSP message without Content-Length")
    return json.loads(stream.read(length))


class YamlLanguageServer:
    """One running server. Use as a context manager; `diagnostics(uri, text)` opens a document."""

    def __init__(self, root: Path, settings: dict[str, Any] | None = None, timeout: float = 30.0) -> None:
        node = shutil.which("node")
        if node is None or not SERVER.is_file():
            raise ServerMissingError(INSTALL_HINT if node else "node is not on PATH; " + INSTALL_HINT)
        self.root = root
        self.timeout = timeout
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._diagnostics: dict[str, list[list[dict[str, Any]]]] = {}
        self._next_id = 0
        self._version = 0
        self._process = subprocess.Popen([node, str(SERVER), "--stdio"], cwd=root, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stderr: list[bytes] = []
        self._replies: dict[int, dict[str, Any]] = {}
        self._sections: dict[str, Any] = {}
        # Reader threads: the server writes whenever it likes (logs, diagnostics, requests), and a
        # full pipe would stall it.
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.request("initialize", {
            "processId": None,
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": {"textDocument": {"publishDiagnostics": {}}, "workspace": {"configuration": True}},
        })
        self.notify("initialized", {})
        self.configure(settings or {})

    # --- JSON-RPC ------------------------------------------------------------------------------

    def _pump(self) -> None:
        assert self._process.stdout is not None
        while (message := _read(self._process.stdout)) is not None:
            self._messages.put(message)
        self._messages.put(None)

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        _write(self._process.stdin, {"jsonrpc": "2.0", **message})

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        wanted = self._next_id
        self._send({"id": wanted, "method": method, "params": params})
        self._wait(lambda: wanted in self._replies, f"{method} reply")
        reply = self._replies.pop(wanted)
        if "error" in reply:
            raise RuntimeError(f"{method} failed: {reply['error']}")
        return reply.get("result")

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "textDocument/publishDiagnostics":
            params = message["params"]
            self._diagnostics.setdefault(params["uri"], []).append(params["diagnostics"])
        elif method is None and "id" in message:
            self._replies[message["id"]] = message
        elif method == "workspace/configuration":
            # The server pulls its settings by section (`yaml`, `http`, `[yaml]`, `editor`) when told
            # they changed: the notification's own payload is not read.
            items = message["params"]["items"]
            self._send({"id": message["id"], "result": [self._sections.get(i.get("section"), {}) for i in items]})
        elif "id" in message:
            # Requests from the server (registerCapability, workDoneProgress/create, ...): an empty
            # success, as a client without those features would answer.
            self._send({"id": message["id"], "result": None})

    def _wait(self, done: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} from yaml-language-server in {self.timeout}s; stderr: {self.stderr}")
            try:
                message = self._messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise RuntimeError(f"yaml-language-server exited; stderr: {self.stderr}")
            self._handle(message)
            if done():
                return

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")[-2000:]

    # --- what an editor does ------------------------------------------------------------------------

    def configure(self, yaml_settings: dict[str, Any]) -> None:
        # schemaStore off: its catalogue is fetched from the internet and would map schemas of its
        # own onto YAML files; only the schemas a test names may apply.
        settings = {"validate": True, "hover": False, "completion": False, "schemaStore": {"enable": False},
                    **yaml_settings}
        self._sections["yaml"] = settings
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": settings}})

    def diagnostics(self, uri: str, text: str) -> list[Diagnostic]:
        """Open a document and return the diagnostics the server publishes for it."""
        self._version += 1
        before = len(self._diagnostics.get(uri, []))
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": self._version, "text": text}})
        try:
            self._wait(lambda: len(self._diagnostics.get(uri, [])) > before, f"diagnostics for {uri}")
        finally:
            self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return [Diagnostic.from_lsp(d) for d in self._diagnostics[uri][-1]]

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self._process.wait(timeout=5)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> YamlLanguageServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
