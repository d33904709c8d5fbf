"""Real SPARQL servers for the tests: Oxigraph and Virtuoso, on 127.0.0.1 only, on free ports, with private data
folders, stopped by their process id; and a small authenticating, fault-injecting proxy to put in front of them.

Nothing here listens on anything but the loopback interface, and every server is started as a child process whose
pid the test keeps, so that stopping it never touches another process.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _wait_until(
    ready: Callable[[], bool], seconds: float, what: str, process: subprocess.Popen | None, log: Path | None
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting:\n{tail}")
        if ready():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} was not ready within {seconds:g} s:\n{tail}")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Server:
    """A server process we started: how to reach it and how to stop it (by pid)."""

    name: str
    kind: str
    port: int
    folder: Path
    command: list[str]
    ready_url: str
    startup_seconds: float
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        try:
            _wait_until(lambda: _http_ok(self.ready_url), self.startup_seconds, self.name, self.process, self.log)
        except BaseException:
            self.kill()  # a server that did not come up is not left running
            raise

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would, and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server politely (SIGTERM), then by force if it does not exit."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def checkpoint(self) -> None:
        """Make everything the server acknowledged survive a kill (see :meth:`VirtuosoServer.checkpoint`). Oxigraph
        needs nothing: each of its transactions is in its write-ahead log when it is acknowledged."""


# -- Oxigraph ----------------------------------------------------------------------------------------------------


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary that the PyPI package ``oxigraph`` installs beside the Python interpreter."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    return shutil.which("oxigraph")


def oxigraph_server(folder: Path) -> Server:
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("the oxigraph server binary is missing: pip install oxigraph")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [binary, "serve", "--location", str(folder / "db"), "--bind", f"{LOOPBACK}:{port}"]
    return Server(
        "Oxigraph",
        "oxigraph",
        port,
        folder,
        command,
        f"http://{LOOPBACK}:{port}/query?query=ASK%7B%7D",
        startup_seconds=20,
    )


# -- Virtuoso ----------------------------------------------------------------------------------------------------

VIRTUOSO_USER = "jpmg"


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None when it can."""
    if shutil.which("virtuoso-t") is None:
        return "virtuoso-t is not installed (run: bash scripts/install-virtuoso.sh, as root)"
    if isql_binary() is None:
        return "Virtuoso's isql (isql-vt) is not installed (run: bash scripts/install-virtuoso.sh, as root)"
    return None


def isql_binary() -> str | None:
    """Virtuoso's interactive SQL client: Debian calls it isql-vt (plain isql is unixODBC's)."""
    for name in ("isql-vt", "isql-v"):
        if shutil.which(name):
            return shutil.which(name)
    return None


VIRTUOSO_INI = """\
; A private Virtuoso for the tests: both listeners on 127.0.0.1, every file in one temporary folder.
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort          = {loopback}:{sql_port}
DisableUnixSocket   = 1
DisableTcpSocket    = 0
CheckpointInterval  = 60
CaseMode            = 2
DirsAllowed         = ., {folder}
NumberOfBuffers     = 20000
MaxDirtyBuffers     = 12000
MaxClientConnections = 20

[HTTPServer]
ServerPort           = {loopback}:{http_port}
ServerRoot           = {folder}/www
ServerThreads        = 10
MaxClientConnections = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[SPARQL]
; The default (10,000) silently truncates answers.
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
"""


@dataclass
class VirtuosoServer(Server):
    sql_port: int = 0
    dba_password: str = field(default="dba", repr=False)
    user: str = VIRTUOSO_USER
    password: str = field(default="", repr=False)

    def isql(self, statements: str) -> str:
        """Run SQL statements as dba; raise with Virtuoso's message when one fails."""
        binary = isql_binary()
        assert binary is not None
        result = subprocess.run(
            [binary, f"{LOOPBACK}:{self.sql_port}", "dba", self.dba_password, f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 or "*** Error" in output:
            errors = [line for line in output.splitlines() if "Error" in line]
            raise RuntimeError(f"isql failed: {' '.join(errors)[:500] or output[-500:]}")
        return output

    def checkpoint(self) -> None:
        """Write Virtuoso's state into its database file (``checkpoint;``), emptying its transaction log.

        What a SIGKILL leaves is the last checkpoint plus the roll-forward of the transaction log, and Virtuoso
        7.2.5 does not replay its log faithfully: after a SPARQL Update that copies or moves some thousands of
        triples onto graphs that already hold some of them (the loader's swap, or its restore, when the project is
        loaded over a version of it), the graphs come back without those common triples (1,400 to 2,400 of the
        8,025 of the data graph, and part of every other graph in the same request), although the store had
        acknowledged the update and answered every triple. A test that kills the server must therefore checkpoint
        the state it compares with first; checkpoints come on their own only every ``CheckpointInterval`` (60
        minutes) and at each start."""
        self.isql("checkpoint;")

    def first_start(self) -> None:
        """Start a fresh database; change the default dba password; create the writer user."""
        self.start()
        new_dba = "dba" + secrets.token_hex(12)  # letters and digits: SET PASSWORD takes a bare word
        self.isql(f"SET PASSWORD dba {new_dba};")
        self.dba_password = new_dba
        self.password = "jpmg" + secrets.token_hex(12)
        self.isql(
            f"DB.DBA.USER_CREATE('{self.user}', '{self.password}'); "
            f'GRANT SPARQL_UPDATE TO "{self.user}"; '
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{self.user}', 7);"
        )
        # Into the database file at once: Virtuoso fails to roll the password change forward from its transaction
        # log ("set_user_struct needs a string"), so after a kill before any checkpoint dba's password would be
        # 'dba' again and every later isql call would fail.
        self.checkpoint()


def virtuoso_server(folder: Path) -> VirtuosoServer:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "www").mkdir(exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, loopback=LOOPBACK, sql_port=sql_port, http_port=http_port))
    binary = shutil.which("virtuoso-t")
    assert binary is not None
    command = [binary, "-f", "+configfile", str(ini)]
    return VirtuosoServer(
        "Virtuoso",
        "virtuoso",
        http_port,
        folder,
        command,
        f"http://{LOOPBACK}:{http_port}/sparql?query=ASK%7B%7D",
        startup_seconds=90,
        sql_port=sql_port,
    )


# -- a proxy that authenticates, counts and injects faults -------------------------------------------------------


@dataclass
class Request:
    """One request the proxy received: method, path, and the SPARQL text of a form or SPARQL body (else '')."""

    method: str
    path: str
    body: bytes
    sparql: str


@dataclass
class Rule:
    """A fault the proxy injects into the requests ``matches`` picks, ``times`` times (a retry is a request too).

    ``action``: an HTTP status to answer with; 'reset' (the connection closed without an answer, after half the
    request body was read); 'kill' (the upstream server killed by ``ProxyState.kill``, then the connection reset,
    as every later one while the server is down); 'timeout' (the request forwarded, then no answer for ``hang``
    seconds: the store did the work, the client never hears of it)."""

    matches: Callable[[Request, ProxyState], bool]
    action: object
    times: int = 1
    hang: float = 10.0
    fired: int = 0


@dataclass
class ProxyState:
    """What the proxy does and saw. ``faults`` is consumed one item per request: 'ok', an HTTP status to answer
    with (e.g. 503, 413), or 'reset' to close the connection without an answer. ``rules`` inject faults into chosen
    requests (see :class:`Rule`); they are checked before ``faults``."""

    upstream: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    faults: list[object] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    kill: Callable[[], None] | None = None
    requests: list[tuple[str, str]] = field(default_factory=list)
    seen: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    upstream_down: bool = False


class _ProxyHandler(BaseHTTPRequestHandler):
    state: ProxyState
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.close_connection = True
        self.connection.close()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        state = self.state
        with state.lock:
            rules = [rule for rule in state.rules if rule.fired < rule.times]
        if rules and length and any(rule.action == "reset" for rule in rules):
            # read half the body first: a reset in the middle of the upload; the rest is read only if no rule fires
            half = self.rfile.read(length // 2)
            body = half + self.rfile.read(length - len(half))
        else:
            body = self.rfile.read(length) if length else None
        sparql = ""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and content_type == "application/x-www-form-urlencoded":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            sparql = (form.get("update") or form.get("query") or [""])[0]
        elif body and content_type.startswith("application/sparql"):
            sparql = body.decode("utf-8", "replace")
        elif "query=" in self.path:
            sparql = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("query", [""])[0]
        received = Request(self.command, self.path, body or b"", sparql)
        with state.lock:
            state.requests.append((self.command, self.path))
            rule = next((r for r in state.rules if r.fired < r.times and r.matches(received, state)), None)
            if rule is not None:
                rule.fired += 1
            state.seen.append(received)
            fault = state.faults.pop(0) if state.faults and rule is None else "ok"
        if state.user is not None:
            expected = "Basic " + base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._answer(401, b"authentication required", {"WWW-Authenticate": 'Basic realm="jpmg-test"'})
                return
        if rule is not None:
            if rule.action == "kill":
                assert state.kill is not None, "a kill rule needs ProxyState.kill"
                state.kill()
                state.upstream_down = True
                self._reset()
                return
            if rule.action == "reset":
                self._reset()
                return
            if isinstance(rule.action, int):
                self._answer(rule.action, f"injected HTTP {rule.action}".encode())
                return
            assert rule.action == "timeout", rule.action
            self._forward(body, answer=False)
            time.sleep(rule.hang)
            self._reset()
            return
        if fault == "reset":
            self._reset()
            return
        if isinstance(fault, int):
            self._answer(fault, f"injected HTTP {fault}".encode())
            return
        self._forward(body)

    def _forward(self, body: bytes | None, answer: bool = True) -> None:
        state = self.state
        # Without credentials of its own the proxy passes the client's on (and the store's challenges back), so that
        # a store with Digest authentication (Virtuoso) works through it.
        dropped = ("host", "content-length", "connection") + (("authorization",) if state.user is not None else ())
        headers = {key: value for key, value in self.headers.items() if key.lower() not in dropped}
        request = urllib.request.Request(state.upstream + self.path, data=body, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                status, data, reply_headers = reply.status, reply.read(), reply.headers
        except urllib.error.HTTPError as error:
            status, data, reply_headers = error.code, error.read() or b"", error.headers
        except (urllib.error.URLError, OSError):
            # the upstream is down: the client sees what it would see of a dead server behind a dead link
            self._reset()
            return
        if answer:
            passed = {"Content-Type": reply_headers.get("Content-Type", "")}
            if reply_headers.get("WWW-Authenticate") and state.user is None:
                passed["WWW-Authenticate"] = reply_headers["WWW-Authenticate"]
            self._answer(status, data, passed)

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            if value:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle


@contextlib.contextmanager
def proxy(upstream: str, user: str | None = None, password: str | None = None):
    """A proxy on 127.0.0.1 in front of ``upstream``; yields (its URL, its state)."""
    state = ProxyState(upstream, user, password)
    handler = type("Handler", (_ProxyHandler,), {"state": state})
    server = ThreadingHTTPServer((LOOPBACK, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# -- synthetic data ----------------------------------------------------------------------------------------------


def synthetic_graph(triples: int):
    """Exactly ``triples`` distinct synthetic triples: IRIs, plain, language-tagged and typed literals, and
    blank-node groups of three triples (a node with two properties) so that chunking must keep groups whole."""
    from rdflib import XSD, BNode, Graph, Literal, URIRef

    base = "https://w3id.org/jpmg/id/synthetic/"
    predicates = [URIRef(f"{base}p{k}") for k in range(6)]
    graph = Graph()
    i = 0
    while len(graph) < triples:
        subject = URIRef(f"{base}s{i // 6}")
        k = i % 6
        left = triples - len(graph)
        if k == 5 and left >= 3:
            node = BNode()
            graph.add((subject, predicates[5], node))
            graph.add((node, predicates[0], Literal(f"part {i}", lang="en")))
            graph.add((node, predicates[1], Literal(i, datatype=XSD.integer)))
        else:
            value = [
                Literal(f"value {i}"),
                Literal(f"valeur {i}", lang="fr"),
                Literal(i, datatype=XSD.integer),
                Literal(f"{1900 + i % 120:04d}-01-{1 + i % 28:02d}", datatype=XSD.date),
                URIRef(f"{base}s{(i * 7) % max(1, triples // 6)}"),
                Literal(f"value {i}"),
            ][k]
            graph.add((subject, predicates[k], value))
        i += 1
    return graph
