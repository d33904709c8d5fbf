"""The read-only SPARQL 1.1 Protocol endpoint of ``jpmg serve``.

Queries run in worker processes, each holding the dataset in a pyoxigraph :class:`~pyoxigraph.Store` (loaded from
the site's N-Quads dump and dataset description): a query that runs past :attr:`Limits.timeout` seconds is
stopped by ending its process (a thread could not be stopped) and a fresh worker takes its place, and so is one
that needs more memory than :attr:`Limits.max_memory_mb` (the worker's address space is capped). Results are cut
at :attr:`Limits.max_rows` rows (or triples) or :attr:`Limits.max_bytes` bytes of values, and say so in the
``JPMG-Results-Truncated`` response header.

Refused before anything runs: updates (``update=`` or ``application/sparql-update``: 403), queries that do not parse
(400), and ``SERVICE`` clauses (400: the endpoint never calls other servers). pyoxigraph *would* call the server a
``SERVICE`` clause names, and no text check can follow its parser exactly, so the text check is only the first
guard: each worker process also leaves the network at start (a network namespace of its own, with no interface up),
and where the system does not allow that, it refuses every query that holds the letters ``SERVICE`` anywhere.
The default graph is the union of the data and the ontology, as for the competency queries; ``GRAPH`` reaches every
named graph (ontology, shapes, data, description). ``default-graph-uri`` and ``named-graph-uri`` are honoured.

Results by ``Accept``: SELECT and ASK in SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle,
N-Triples, RDF/XML or JSON-LD. Serialization is pyoxigraph's (``QueryResultsFormat``, ``RdfFormat``).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from jpmg import config
from jpmg.publish.description import DESCRIPTION_GRAPH_IRI
from jpmg.publish.negotiation import negotiate

#: Result media types for SELECT and ASK, in the server's order of preference.
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
#: RDF media types for CONSTRUCT and DESCRIBE, in the server's order of preference.
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
DEFAULT_GRAPHS = (config.GRAPH_BASE + "data", config.GRAPH_BASE + "ontology")


@dataclass(frozen=True)
class Limits:
    """How long a query may run, how much it may return, how much memory it may use, how many run at once."""

    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    #: The values of one result (literals' texts, IRIs) are cut after this many bytes.
    max_bytes: int = 16_000_000
    #: The address space of one worker process, in MiB (0: no limit).
    max_memory_mb: int = 2048

    def problems(self) -> list[str]:
        """What is wrong with these limits, as command-line advice (empty when they can be used)."""
        found = []
        if not self.timeout > 0 or self.timeout > 86_400:
            found.append(f"--timeout must be between 0 and 86400 seconds, not {self.timeout:g}")
        if self.max_rows < 1:
            found.append(f"--max-rows must be at least 1, not {self.max_rows}")
        if self.workers < 1:
            found.append(f"the number of query workers must be at least 1, not {self.workers}")
        if self.max_bytes < 1:
            found.append(f"the result size limit must be at least 1 byte, not {self.max_bytes}")
        if self.max_memory_mb < 0 or 0 < self.max_memory_mb < 256:
            found.append(f"--max-memory must be 0 (no limit) or at least 256 MiB, not {self.max_memory_mb}")
        return found


@dataclass
class Answer:
    """An HTTP answer: status, content type, body, extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


# ----------------------------------------------------------------------------------------------------------------
# Checks before running
# ----------------------------------------------------------------------------------------------------------------

# The lexemes inside which the word SERVICE is not a keyword, matched in ONE left-to-right pass (so that a '#' in a
# string, or a quote in a comment, is read as the query's parser reads it): an escaped character of a prefixed name
# (ex:a\'b, ex:a\#b), long and short strings, IRIs, comments. Whether a quote may stand in an IRI is where a lexer
# and pyoxigraph's parser can disagree (``?a<'x>'`` is a comparison to the parser), so both readings are tried.
_STRING_AND_COMMENT = (
    r"\\."
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)
_LEXINGS = (
    re.compile(_STRING_AND_COMMENT + r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n\r]*", re.DOTALL),
    re.compile(_STRING_AND_COMMENT + r"|<[^<>\"'{}|^`\\\x00-\x20]*>|#[^\n\r]*", re.DOTALL),
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:.-])", re.IGNORECASE | re.ASCII)
_ANY_SERVICE = re.compile(r"service", re.IGNORECASE | re.ASCII)


def uses_service(query: str) -> bool:
    """Whether the query has a SERVICE clause (ignoring strings, IRIs, comments, variables and prefixed names).

    A text check cannot follow pyoxigraph's parser in every corner, so it errs towards refusing, and it is only the
    first guard: the worker processes cannot reach the network anyway (see the module's documentation).
    """
    return any(_SERVICE.search(lexing.sub(" ", query)) for lexing in _LEXINGS)


def mentions_service(query: str) -> bool:
    """Whether the letters SERVICE appear anywhere in the query (the check of a worker that has the network)."""
    return bool(_ANY_SERVICE.search(query))


def check_graph_iris(iris: list[str] | None, parameter: str) -> str | None:
    """Why a ``default-graph-uri`` or ``named-graph-uri`` value is not an absolute IRI, or None when all are."""
    for iri in iris or []:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            return f"{parameter}={iri[:200]!r} is not an absolute IRI: {exc}"
        if ":" not in iri:
            return f"{parameter}={iri[:200]!r} is not an absolute IRI"
    return None


# ----------------------------------------------------------------------------------------------------------------
# The worker process
# ----------------------------------------------------------------------------------------------------------------


def _term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        encoded["datatype"] = term.datatype.value
    return encoded


def _term_size(term: object) -> int:
    """About how many bytes a term adds to a result (its text; a quoted triple's parts)."""
    if isinstance(term, ox.Triple):
        return sum(_term_size(t) for t in (term.subject, term.predicate, term.object))
    return len(getattr(term, "value", "")) + 8


def execute(
    store: ox.Store,
    query: str,
    accept: str | None,
    max_rows: int,
    deadline: float,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    max_bytes: int = Limits.max_bytes,
) -> tuple[int, str, bytes, dict[str, str]]:
    """Run one query on ``store`` and serialize its results as ``accept`` asks: (status, type, body, headers)."""
    limits = (max_rows, max_bytes, deadline)
    problem = check_graph_iris(default_graphs, "default-graph-uri") or check_graph_iris(named_graphs, "named-graph-uri")
    if problem:
        return 400, "text/plain; charset=utf-8", f"{problem}\n".encode(), {}
    options: dict[str, object] = {
        "default_graph": [ox.NamedNode(g) for g in (default_graphs or DEFAULT_GRAPHS)],
    }
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(query, **options)
    except SyntaxError as exc:
        return 400, "text/plain; charset=utf-8", f"The query does not parse: {exc}\n".encode(), {}
    except (ValueError, OSError, RuntimeError) as exc:
        return 400, "text/plain; charset=utf-8", f"The query failed: {exc}\n".encode(), {}
    headers: dict[str, str] = {}
    try:
        if isinstance(result, ox.QueryBoolean):
            media = negotiate(accept, list(RESULT_TYPES))
            if media is None:
                return 406, "text/plain; charset=utf-8", _not_acceptable(RESULT_TYPES), {}
            body = result.serialize(format=RESULT_TYPES[media])
            return 200, _with_charset(media), body, headers
        if isinstance(result, ox.QuerySolutions):
            media = negotiate(accept, list(RESULT_TYPES))
            if media is None:
                return 406, "text/plain; charset=utf-8", _not_acceptable(RESULT_TYPES), {}
            variables = [v.value for v in result.variables]
            rows = ({var: _term_json(s[var]) for var in variables if s[var] is not None} for s in result)
            bindings = _capped(
                rows, lambda row: sum(len(cell["value"]) + 16 for cell in row.values()), "rows", limits, headers
            )
            if bindings is None:
                return 503, "text/plain; charset=utf-8", b"The query ran out of time.\n", {}
            document = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode("utf-8")
            fmt = RESULT_TYPES[media]
            if fmt == ox.QueryResultsFormat.JSON:
                body = document
            else:
                body = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)
            return 200, _with_charset(media), body, headers
        media = negotiate(accept, list(GRAPH_TYPES))
        if media is None:
            return 406, "text/plain; charset=utf-8", _not_acceptable(GRAPH_TYPES), {}
        triples = _capped(result, _term_size, "triples", limits, headers)
        if triples is None:
            return 503, "text/plain; charset=utf-8", b"The query ran out of time.\n", {}
        from jpmg.publish.formats import PREFIXES

        body = ox.serialize(triples, format=GRAPH_TYPES[media], prefixes=PREFIXES) or b""
        return 200, _with_charset(media), body, headers
    except (OSError, RuntimeError, ValueError) as exc:
        return 400, "text/plain; charset=utf-8", f"The query failed: {exc}\n".encode(), {}


def _capped(
    items: Iterable, size_of: Callable[..., int], unit: str, limits: tuple[int, int, float], headers: dict
) -> list | None:
    """The items up to ``limits`` (rows, bytes as counted by ``size_of``, monotonic deadline); a cut is noted in the
    ``JPMG-Results-Truncated`` header; None when the deadline passed."""
    max_rows, max_bytes, deadline = limits
    kept: list = []
    size = 0
    for item in items:
        if len(kept) >= max_rows:
            headers["JPMG-Results-Truncated"] = f"true; at {max_rows} {unit}"
            break
        if size > max_bytes:
            headers["JPMG-Results-Truncated"] = f"true; at {len(kept)} {unit}, {max_bytes} bytes"
            break
        if time.monotonic() > deadline:
            return None
        size += size_of(item)
        kept.append(item)
    return kept


def _with_charset(media: str) -> str:
    return media + ("; charset=utf-8" if media.startswith("text/") or media.endswith("json") else "")


def _not_acceptable(offers: dict) -> bytes:
    return ("None of the types in Accept can be given. Available: " + ", ".join(offers) + "\n").encode()


def load_store(site: Path) -> ox.Store:
    """The dataset's named graphs (from the site's N-Quads dump) and its description, in an in-memory store."""
    store = ox.Store()
    store.load(path=str(site / "dumps" / "jpmg.nq"), format=ox.RdfFormat.N_QUADS)
    description = site / "dataset.nt"
    if description.is_file():
        store.load(
            path=str(description), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(DESCRIPTION_GRAPH_IRI))
        )
    return store


def _read_exactly(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError("the other side closed the pipe")
        data += chunk
    return data


def _write_frame(stream, *parts: bytes) -> None:
    for part in parts:
        stream.write(struct.pack(">I", len(part)) + part)
    stream.flush()


def _read_frame(stream) -> bytes:
    (size,) = struct.unpack(">I", _read_exactly(stream, 4))
    return _read_exactly(stream, size)


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def leave_network() -> bool:
    """Move this process into a network namespace of its own, with no interface up: it can reach no host, not even
    127.0.0.1. Needs Linux and either root or unprivileged user namespaces; returns whether it worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) == 0:
            return True
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            return False
        # Map our own ids into the new user namespace, so that files keep their owner as seen from here.
        with contextlib.suppress(OSError):
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        return True
    except (OSError, AttributeError):
        return False


def cap_memory(megabytes: int) -> None:
    """Cap this process's address space: an allocation past it ends the process, which the server reports."""
    if megabytes <= 0:
        return
    import resource

    limit = megabytes * 2**20
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_main(site: str, max_rows: int, timeout: float, max_bytes: int, max_memory_mb: int) -> None:
    """A worker process: load the store, then answer framed requests on stdin with framed answers on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops its workers
    isolated = leave_network()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        store = load_store(Path(site))
    except (OSError, SyntaxError, ValueError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        _write_frame(stdout, b"error " + message[:1000].encode("utf-8", "replace"))
        return
    cap_memory(max_memory_mb)
    _write_frame(stdout, b"ready")
    while True:
        try:
            request = json.loads(_read_frame(stdin))
        except EOFError:
            return
        deadline = time.monotonic() + timeout
        try:
            if not isolated and mentions_service(request["query"]):
                # Without a network namespace nothing else stops pyoxigraph from calling another server.
                status, content_type, body, headers = (
                    400,
                    "text/plain; charset=utf-8",
                    b"SERVICE is refused: this endpoint does not call other servers (and on this system it refuses "
                    b"every query that holds the word SERVICE, even in a string or a name).\n",
                    {},
                )
            else:
                status, content_type, body, headers = execute(
                    store,
                    request["query"],
                    request["accept"],
                    max_rows,
                    deadline,
                    request["default"],
                    request["named"],
                    max_bytes,
                )
        except MemoryError:
            status, content_type, body, headers = (
                503,
                "text/plain; charset=utf-8",
                b"The query needed more memory than the endpoint allows and was stopped.\n",
                {},
            )
        except Exception as exc:  # a worker must answer, whatever went wrong
            status, content_type, body, headers = (
                500,
                "text/plain; charset=utf-8",
                f"Internal error: {type(exc).__name__}\n".encode(),
                {},
            )
        head = json.dumps({"status": status, "content_type": content_type, "headers": headers}).encode()
        _write_frame(stdout, head, body)


class _Worker:
    """One worker process (``python -m jpmg.publish.endpoint``), talking through its stdin and stdout."""

    def __init__(self, site: Path, limits: Limits) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jpmg.publish.endpoint",
                str(site),
                str(limits.max_rows),
                str(limits.timeout),
                str(limits.max_bytes),
                str(limits.max_memory_mb),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
        self.ready = False
        self.failure: str | None = None

    def readable(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return bool(ready)

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.failure is None and self.readable(timeout):
            try:
                frame = _read_frame(self.process.stdout)
            except EOFError:
                frame = b"error the worker process ended while loading the dataset"
            self.ready = frame == b"ready"
            if not self.ready:
                self.failure = frame.removeprefix(b"error ").decode("utf-8", "replace")
        return self.ready

    def ask(self, request: dict, timeout: float) -> Answer | None:
        """Send one request; the answer, or None when none came within ``timeout`` seconds."""
        _write_frame(self.process.stdin, json.dumps(request).encode("utf-8"))
        if not self.readable(timeout):
            return None
        head = json.loads(_read_frame(self.process.stdout))
        body = _read_frame(self.process.stdout)
        return Answer(head["status"], head["content_type"], body, head["headers"])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()

    def stop(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class QueryService:
    """A pool of worker processes that answer SPARQL queries within the limits."""

    def __init__(self, site: Path, limits: Limits | None = None) -> None:
        self.site = Path(site)
        self.limits = limits or Limits()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self.limits.workers):
            self._add()

    def start_problem(self, timeout: float = 120.0) -> str | None:
        """Wait until the first worker has loaded the dataset; why it could not, or None when it did."""
        with self._lock:
            worker = self._all[0] if self._all else None
        if worker is None:
            return "no query worker was started"
        if worker.wait_ready(timeout):
            return None
        return worker.failure or f"the query worker did not load the dataset within {timeout:g} s"

    def _add(self) -> None:
        worker = _Worker(self.site, self.limits)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        worker.kill()
        if not self._closed:
            self._add()

    def run(
        self,
        query: str,
        accept: str | None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Answer:
        """Answer one query (already checked: not an update, no SERVICE)."""
        try:
            worker = self._idle.get(timeout=self.limits.timeout)
        except queue.Empty:
            return error(503, "Every query worker is busy; try again shortly.")
        if not worker.wait_ready(60):
            self._retire(worker)
            return error(503, "The query worker did not start.")
        request = {"query": query, "accept": accept, "default": default_graphs, "named": named_graphs}
        try:
            answer = worker.ask(request, self.limits.timeout + 1)
        except (EOFError, OSError, ValueError):
            # The worker died under the query: the commonest cause is the memory cap (an allocation past it ends
            # the process); a fresh worker takes its place.
            self._retire(worker)
            cap = f" ({self.limits.max_memory_mb:,} MiB)" if self.limits.max_memory_mb else ""
            return error(
                503,
                f"The query was stopped: it needed more memory than the endpoint allows{cap}, or it ended the query "
                "worker. Ask for less (LIMIT, fewer joins) and try again.",
            )
        if answer is None:
            self._retire(worker)
            return error(503, f"The query ran for more than {self.limits.timeout:g} seconds and was stopped.")
        self._idle.put(worker)
        return answer

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


if __name__ == "__main__":
    worker_main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
