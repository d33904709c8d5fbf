"""``jpmg serve``: the knowledge graph as live linked data on this machine (127.0.0.1 only).

- Every IRI of the dataset and of the ontology, ``BASE + path``, is answered at ``http://127.0.0.1:PORT/ + path``
  with content negotiation: ``303 See Other`` to the representation that ``Accept`` prefers among HTML, Turtle,
  JSON-LD, N-Triples and RDF/XML (weights honoured, ties to HTML, so browsers get pages), with ``Vary: Accept``;
  ``406`` when it accepts none of them.
- ``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint (:mod:`jpmg.publish.endpoint`); asked for HTML (a browser),
  it is a query page offering the competency queries, which shows the results as a table.
- Everything else is a file of the built site (``jpmg publish``), looked up strictly inside the site's folder.

The server uses the standard library's :class:`~http.server.ThreadingHTTPServer`; requests are bounded (request line,
header size and count, body size, socket timeout, concurrent connections), paths are confined to the site, and
nothing but 127.0.0.1 is bound. Whatever a request holds, the answer is an HTTP status with a plain message: 400 for
what does not parse, 404 for what is not there, 405 for methods other than GET, HEAD, POST and OPTIONS, 411/413 for
bodies without a length or too long, 414/431 for request lines and headers too long, 503 when the server is busy or
a query runs out of time or memory. No request reaches a traceback, and none changes what the next one gets.
"""

from __future__ import annotations

import contextlib
import errno
import json
import mimetypes
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from jpmg import __version__, config
from jpmg.publish.endpoint import Answer, Limits, QueryService, check_graph_iris, error, uses_service
from jpmg.publish.formats import MEDIA_TYPES
from jpmg.publish.model import document_path
from jpmg.publish.negotiation import MAX_ACCEPT_LENGTH, negotiate

HOST = "127.0.0.1"
MAX_BODY = 1_000_000
#: The longest request target (path and query string) answered; longer ones get 414.
MAX_TARGET = 16_384
#: Connections served at once; more are answered 503 at once and closed.
MAX_CONNECTIONS = 256
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
#: Forms of a document in the order of preference when the client's weights tie (HTML first: browsers).
NEGOTIATED = ("html", "ttl", "jsonld", "nt", "rdf")
#: Media types the server also accepts as asking for a form.
ALIASES = {"application/xhtml+xml": "html", "application/x-turtle": "ttl", "application/json": "jsonld"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".gz": "application/gzip",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".md": "text/markdown; charset=utf-8",
    ".conf": "text/plain; charset=utf-8",
}
SPARQL_HTML_OFFERS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/json",
    "application/xml",
    "text/html",
)


def choose_form(accept: str | None) -> str | None:
    """The extension of the form ``accept`` prefers among the negotiated ones, or None (406)."""
    offers = [MEDIA_TYPES[ext] for ext in NEGOTIATED] + list(ALIASES)
    chosen = negotiate(accept, offers)
    if chosen is None:
        return None
    return ALIASES.get(chosen) or next(ext for ext in NEGOTIATED if MEDIA_TYPES[ext] == chosen)


def printable(text: str) -> str:
    """``text`` with control characters escaped, for the log: a request cannot write escape sequences to a terminal."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 45\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n\r\nThe server is busy: too many open connections.\n"
)


class SiteServer(ThreadingHTTPServer):
    """The HTTP server with the site's folder and the SPARQL service."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog: 50 clients connecting at once must not wait for SYN retries

    def __init__(
        self,
        port: int,
        site: Path,
        service: QueryService | None,
        quiet: bool = False,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.site = Path(site).resolve()
        self.service = service
        self.quiet = quiet
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request, client_address) -> None:
        """One line in the log instead of the standard library's traceback (a client that went away, mostly)."""
        kind, value = sys.exc_info()[:2]
        if not self.quiet and kind is not None:
            sys.stderr.write(printable(f"{client_address[0]} - connection error: {kind.__name__}: {value}") + "\n")


class Handler(BaseHTTPRequestHandler):
    """One request: a document IRI, the SPARQL endpoint, or a file of the site."""

    server: SiteServer
    server_version = f"jpmg/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = 30
    # The headers and the body go out in two writes; with Nagle's algorithm on, the second waits for the client's
    # delayed ACK, and every keep-alive request took 40 ms (measured by benchmarks/load_serve.py: 230 requests/s).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            sys.stderr.write(printable(f"{self.address_string()} - {format % args}") + "\n")

    # ---- the request's frame: every way a request can go wrong ends in one plain answer ------------------------

    def handle_one_request(self) -> None:
        self._responded = False
        self._body_read = False
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, OSError) as exc:
            # The client went away or stalled: nothing to answer, and nobody to answer to.
            self.close_connection = True
            if not isinstance(exc, ConnectionError | TimeoutError):
                self._internal_error(exc)
        except Exception as exc:  # a bug: say so once, without a traceback, and keep serving
            self.close_connection = True
            self._internal_error(exc)

    def _internal_error(self, exc: BaseException) -> None:
        self.log_message("internal error on %r: %s: %s", getattr(self, "requestline", ""), type(exc).__name__, exc)
        if not self._responded:
            with contextlib.suppress(OSError):
                self._send(error(500, "Internal error: the request could not be answered. It has been logged."))

    def send_response(self, code: int, message: str | None = None) -> None:
        self._responded = True
        super().send_response(code, message)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's errors (bad request line, headers too long or too many, unknown method), as plain
        text with the standard reason phrase. An unknown method gets 405 with ``Allow`` (not 501), and a request for
        HTTP/2 or later on this HTTP/1.1 socket gets 400 (not 505): no client mistake is answered as a server
        fault."""
        headers = {"Connection": "close"}
        if code == 501:
            code = 405
            message = f"The method is not allowed here: use one of {ALLOWED_METHODS}."
            headers["Allow"] = ALLOWED_METHODS
        elif code == 505:
            code = 400
            message = "Only HTTP/1.0 and HTTP/1.1 are spoken here."
        self.close_connection = True
        if len(getattr(self, "requestline", "").split()) >= 3:
            self.request_version = "HTTP/1.0"  # the client named a version it cannot have: answer with a status line
        text = message or self.responses.get(code, ("Error",))[0]
        answer = error(code, printable(text))
        answer.headers.update(headers)
        self._send(answer)

    # ---- answering -------------------------------------------------------------------------------------------------

    def _body_pending(self) -> bool:
        """Whether the request has a body that no one read (it must not be taken for the next request)."""
        headers = getattr(self, "headers", None)
        if headers is None or self._body_read:
            return False
        return headers.get("Transfer-Encoding") is not None or headers.get("Content-Length", "0").strip() not in (
            "",
            "0",
        )

    def _send(self, answer: Answer, head_only: bool = False) -> None:
        if self._body_pending():
            self.close_connection = True
            answer.headers.setdefault("Connection", "close")
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only and self.command != "HEAD":
            self.wfile.write(answer.body)

    def _target(self):
        """The request target split into its parts, or None once a 400/414 has been sent."""
        if len(self.path) > MAX_TARGET:
            self._send(error(414, f"The request target is longer than {MAX_TARGET:,} characters."))
            return None
        try:
            return urlsplit(self.path)
        except ValueError:
            self._send(error(400, "The request target is not a valid URL path."))
            return None

    def _accept(self) -> str | None:
        return self.headers.get("Accept")

    def _refused_long_accept(self) -> bool:
        """Answer 431 to an Accept header too long to negotiate (a guard against header-parsing cost); say whether."""
        accept = self._accept()
        if accept is None or len(accept) <= MAX_ACCEPT_LENGTH:
            return False
        self._send(error(431, f"The Accept header is longer than {MAX_ACCEPT_LENGTH} characters."))
        return True

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self._refused_long_accept():
            return
        parts = self._target()
        if parts is None:
            return
        if parts.path == "/sparql":
            self._sparql(parse_qs(parts.query, keep_blank_values=True), None)
            return
        self._static_or_document(parts.path)

    def do_POST(self) -> None:
        if self._refused_long_accept():
            return
        parts = self._target()
        if parts is None:
            return
        if parts.path != "/sparql":
            answer = error(405, "Only /sparql accepts POST.")
            answer.headers["Allow"] = "GET, HEAD, OPTIONS"
            self._send(answer)
            return
        if self.headers.get("Transfer-Encoding") is not None:
            self._send(error(411, "Send the query with a Content-Length (chunked bodies are not accepted)."))
            return
        try:
            length = int(self.headers.get("Content-Length", "0").strip() or "0")
        except ValueError:
            self._send(error(400, "Content-Length is not a number."))
            return
        if length < 0 or length > MAX_BODY:
            self._send(error(413, f"The request body is larger than {MAX_BODY:,} bytes."))
            return
        body = self.rfile.read(length)
        self._body_read = True
        if len(body) < length:
            self.close_connection = True
            self._send(error(400, "The request body is shorter than its Content-Length."))
            return
        content_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        params = parse_qs(parts.query, keep_blank_values=True)
        if content_type == "application/sparql-update":
            self._send(error(403, "This endpoint is read-only: SPARQL Update is refused."))
            return
        if content_type == "application/x-www-form-urlencoded":
            for name, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
            self._sparql(params, None)
        elif content_type == "application/sparql-query":
            self._sparql(params, body.decode("utf-8", "replace"))
        else:
            self._send(error(415, "POST a query as application/x-www-form-urlencoded or application/sparql-query."))

    def do_OPTIONS(self) -> None:
        if self._body_pending():
            self.close_connection = True
        self.send_response(204)
        self.send_header("Allow", ALLOWED_METHODS)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", ALLOWED_METHODS)
        self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        self.send_header("Content-Length", "0")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _read_only(self) -> None:
        answer = error(405, "This server is read-only.")
        answer.headers["Allow"] = ALLOWED_METHODS
        self._send(answer)

    do_PUT = do_DELETE = do_PATCH = _read_only

    # ---- documents and files -----------------------------------------------------------------------------------

    def _static_or_document(self, raw_path: str) -> None:
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:
            path = None  # %-escapes that are not UTF-8 name nothing of ours
        if path is None or "\x00" in path or "\\" in path or not path.startswith("/"):
            self._send(error(400, "Malformed path."))
            return
        segments = [s for s in path.split("/") if s]
        if any(s == ".." for s in segments):
            self._send(error(400, "Paths may not go up ('..')."))
            return
        if any(len(s.encode("utf-8")) > 255 for s in segments):
            self._not_found()  # no file name is that long: nothing of ours lives there
            return
        relative = "/".join(segments)
        try:
            # an IRI of the dataset: negotiate
            document = document_path(config.BASE_IRI + relative) if relative else None
            if document is not None:
                if not (self.server.site / f"{document}.html").is_file():
                    self._not_found()
                    return
                self._negotiate(document)
                return
            if any(s.startswith(".") and s != ".well-known" for s in segments):
                self._not_found()
                return
            target = (self.server.site / posixpath.normpath(relative or ".")).resolve()
            if target != self.server.site and self.server.site not in target.parents:
                self._not_found()  # a symlink that leads out of the site, or a path that does
                return
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                self._not_found()
                return
            data = target.read_bytes()
        except RuntimeError:  # a symlink loop (Path.resolve says so with RuntimeError before Python 3.13)
            self._not_found()
            return
        except OSError as exc:
            if exc.errno in (errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EACCES, errno.EISDIR):
                self._not_found()
                return
            raise
        if relative == ".well-known/void":
            content_type = "text/turtle; charset=utf-8"
        else:
            content_type = (
                CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or ("application/octet-stream")
            )
        self._send(Answer(200, content_type, data))

    def _negotiate(self, document: str) -> None:
        form = choose_form(self._accept())
        vary = {"Vary": "Accept"}
        if form is None:
            listing = "\n".join(f"  {MEDIA_TYPES[ext]}: /{document}.{ext}" for ext in NEGOTIATED)
            answer = error(406, f"None of the types in Accept can be given. Available:\n{listing}")
            answer.headers.update(vary)
            self._send(answer)
            return
        location = f"/{quote(document)}.{form}"
        body = f"See {location}\n".encode()
        self._send(Answer(303, "text/plain; charset=utf-8", body, {**vary, "Location": location}))

    def _not_found(self) -> None:
        page = self.server.site / "404.html"
        try:
            html = page.read_bytes() if choose_form(self._accept()) == "html" and page.is_file() else None
        except OSError:
            html = None
        if html is not None:
            self._send(Answer(404, "text/html; charset=utf-8", html))
        else:
            self._send(error(404, "Not found: nothing of the JPMG knowledge graph lives here."))

    # ---- SPARQL ----------------------------------------------------------------------------------------------------

    def _sparql(self, params: dict[str, list[str]], direct_query: str | None) -> None:
        if "update" in params:
            self._send(error(403, "This endpoint is read-only: SPARQL Update is refused."))
            return
        queries = params.get("query", [])
        if direct_query is not None:
            queries = [direct_query]
        wants_html = negotiate(self._accept(), SPARQL_HTML_OFFERS) == "text/html"
        if len(queries) > 1:
            self._send(error(400, "Give one query, not several."))
            return
        if not queries or not queries[0].strip():
            if wants_html:
                self._send_page(self._example_text(params), None, None, params)
            else:
                self._send(error(400, "No query: send query=... (GET or POST), or POST application/sparql-query."))
            return
        query = queries[0]
        if uses_service(query):
            refusal = error(400, "SERVICE is refused: this endpoint does not call other servers.")
            if wants_html:
                self._send_page(query, None, refusal.body.decode().strip(), params, status=400)
            else:
                self._send(refusal)
            return
        service = self.server.service
        if service is None:
            self._send(error(503, "This server has no SPARQL endpoint."))
            return
        default_graphs = params.get("default-graph-uri") or None
        named_graphs = params.get("named-graph-uri") or None
        problem = check_graph_iris(default_graphs, "default-graph-uri") or check_graph_iris(
            named_graphs, "named-graph-uri"
        )
        if problem:
            refusal = error(400, problem)
            if wants_html:
                self._send_page(query, None, problem, params, status=400)
            else:
                self._send(refusal)
            return
        if wants_html:
            answer = service.run(query, "application/sparql-results+json, text/turtle", default_graphs, named_graphs)
            if answer.status != 200:
                self._send_page(
                    query, None, answer.body.decode("utf-8", "replace").strip(), params, status=answer.status
                )
                return
            self._send_page(
                query, self._table(answer), None, params, truncated="JPMG-Results-Truncated" in answer.headers
            )
            return
        answer = service.run(query, self._accept(), default_graphs, named_graphs)
        answer.headers.setdefault("Vary", "Accept")
        self._send(answer)

    def _example_text(self, params: dict[str, list[str]]) -> str:
        from jpmg.queries import QueryError, get_query

        name = (params.get("example") or [""])[0]
        if not name:
            return (
                "SELECT ?session ?date ?label\nWHERE {\n  ?session a <https://w3id.org/jpmg/ontology#Session> ;\n"
                "    <https://w3id.org/jpmg/ontology#date> ?date ;\n"
                "    <http://www.w3.org/2000/01/rdf-schema#label> ?label .\n}\nORDER BY ?date\n"
            )
        try:
            return get_query(name).text
        except QueryError:
            return ""

    @staticmethod
    def _table(answer: Answer) -> dict:
        if answer.content_type.startswith("application/sparql-results+json"):
            document = json.loads(answer.body)
            if "boolean" in document:
                return {"kind": "ask", "boolean": document["boolean"]}
            variables = document["head"]["vars"]
            rows = []
            for binding in document["results"]["bindings"]:
                row = []
                for var in variables:
                    cell = binding.get(var)
                    if cell is None:
                        row.append(("", None))
                    elif cell["type"] == "uri":
                        iri = cell["value"]
                        href = "/" + iri[len(config.BASE_IRI) :] if iri.startswith(config.BASE_IRI) else iri
                        text = iri[len(config.INSTANCE_BASE) :] if iri.startswith(config.INSTANCE_BASE) else iri
                        row.append((text, href))
                    else:
                        row.append((cell["value"], None))
                rows.append(row)
            return {
                "kind": "select",
                "variables": variables,
                "rows": rows,
                "truncated": "JPMG-Results-Truncated" in answer.headers,
            }
        text = answer.body.decode("utf-8", "replace")
        return {
            "kind": "graph",
            "text": text,
            "count": sum(1 for line in text.splitlines() if line.strip()),
            "truncated": "JPMG-Results-Truncated" in answer.headers,
        }

    def _send_page(
        self, query: str, result: dict | None, message: str | None, params, status: int = 200, truncated: bool = False
    ) -> None:
        from jpmg.publish.html import render_sparql_page
        from jpmg.queries import list_queries

        if result is not None and truncated:
            result["truncated"] = True
        service = self.server.service
        limits = service.limits if service is not None else Limits()
        body = render_sparql_page(
            list_queries(),
            query,
            result,
            message,
            (params.get("example") or [None])[0],
            {"timeout": f"{limits.timeout:g}", "max_rows": limits.max_rows},
        )
        self._send(Answer(status, "text/html; charset=utf-8", body, {"Vary": "Accept"}))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def make_server(site: Path, port: int = 0, limits: Limits | None = None, quiet: bool = False) -> SiteServer:
    """A server for the built ``site`` on 127.0.0.1:``port`` (0: any free port), with its SPARQL workers."""
    site = Path(site)
    if not (site / "index.html").is_file() or not (site / "dumps" / "jpmg.nq").is_file():
        raise FileNotFoundError(f"{site} is not a site built by `jpmg publish` (no index.html or dumps/jpmg.nq)")
    service = QueryService(site, limits)
    try:
        problem = service.start_problem()
        if problem is not None:
            from jpmg.publish.site import PublishError

            raise PublishError(
                f"the SPARQL endpoint cannot load the site's dataset ({site / 'dumps' / 'jpmg.nq'}): {problem}; "
                f"rebuild the site with `jpmg publish -o {site}`"
            )
        return SiteServer(port, site, service, quiet=quiet)
    except BaseException:
        service.close()
        raise


def serve(port: int = 8000, site: Path | None = None, limits: Limits | None = None, quiet: bool = False) -> int:
    """Build the site (unless ``site`` is given), serve it until interrupted; return an exit code."""
    from jpmg.publish.site import build_site

    temporary = None
    try:
        if site is None:
            temporary = Path(tempfile.mkdtemp(prefix="jpmg-serve-"))
            site = temporary / "site"
            print("Building the site ...", flush=True)
            report = build_site(site)
            print(f"Built {report.pages:,} pages and {report.files:,} files in {report.seconds:.1f} s.", flush=True)
        elif not (Path(site) / "index.html").is_file():
            print(f"Building the site into {site} ...", flush=True)
            build_site(Path(site))
        server = make_server(Path(site), port, limits, quiet)
        print(
            f"Serving the JPMG knowledge graph at {server.url} (only on this machine). Open it in a browser;",
            flush=True,
        )
        print(f"SPARQL endpoint: {server.url}sparql. Press Ctrl-C to stop.", flush=True)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("Stopped.", flush=True)
        finally:
            server.server_close()
            if server.service is not None:
                server.service.close()
        return 0
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
