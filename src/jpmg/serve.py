"""``jpmg serve``: the knowledge graph as live linked data on this machine (127.0.0.1 only).

- Every IRI of the dataset and of the ontology, ``BASE + path``, is answered at ``http://127.0.0.1:PORT/ + path``
  with content negotiation: ``303 See Other`` to the representation that ``Accept`` prefers among HTML, Turtle,
  JSON-LD, N-Triples and RDF/XML (weights honoured, ties to HTML, so browsers get pages), with ``Vary: Accept``;
  ``406`` when it accepts none of them.
- ``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint (:mod:`jpmg.publish.endpoint`); asked for HTML (a browser),
  it is a query page offering the competency queries, which shows the results as a table.
- Everything else is a file of the built site (``jpmg publish``), looked up strictly inside the site's folder.

The server uses the standard library's :class:`~http.server.ThreadingHTTPServer`; requests are bounded (header size,
body size, socket timeout), paths are confined to the site, and nothing but 127.0.0.1 is bound.
"""

from __future__ import annotations

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
from jpmg.publish.endpoint import Answer, Limits, QueryService, error, uses_service
from jpmg.publish.formats import MEDIA_TYPES
from jpmg.publish.model import document_path
from jpmg.publish.negotiation import MAX_ACCEPT_LENGTH, negotiate

HOST = "127.0.0.1"
MAX_BODY = 1_000_000
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


class SiteServer(ThreadingHTTPServer):
    """The HTTP server with the site's folder and the SPARQL service."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, site: Path, service: QueryService | None, quiet: bool = False) -> None:
        self.site = Path(site).resolve()
        self.service = service
        self.quiet = quiet
        super().__init__((HOST, port), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"


class Handler(BaseHTTPRequestHandler):
    """One request: a document IRI, the SPARQL endpoint, or a file of the site."""

    server: SiteServer
    server_version = f"jpmg/{__version__}"
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # ---- answering -------------------------------------------------------------------------------------------------

    def _send(self, answer: Answer, head_only: bool = False) -> None:
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

    def _accept(self) -> str | None:
        return self.headers.get("Accept")

    def _too_long_accept(self) -> bool:
        accept = self._accept()
        return accept is not None and len(accept) > MAX_ACCEPT_LENGTH

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self._too_long_accept():
            self._send(error(431, f"The Accept header is longer than {MAX_ACCEPT_LENGTH} characters."))
            return
        parts = urlsplit(self.path)
        if parts.path == "/sparql":
            self._sparql(parse_qs(parts.query, keep_blank_values=True), None)
            return
        self._static_or_document(parts.path)

    def do_POST(self) -> None:
        if self._too_long_accept():
            self._send(error(431, f"The Accept header is longer than {MAX_ACCEPT_LENGTH} characters."))
            return
        parts = urlsplit(self.path)
        if parts.path != "/sparql":
            self._send(error(405, "Only /sparql accepts POST."), head_only=False)
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._send(error(400, "Content-Length is not a number."))
            return
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send(error(413, f"The request body is larger than {MAX_BODY:,} bytes."))
            return
        body = self.rfile.read(length)
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
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _read_only(self) -> None:
        self._send(error(405, "This server is read-only."))

    do_PUT = do_DELETE = do_PATCH = _read_only

    # ---- documents and files -----------------------------------------------------------------------------------

    def _static_or_document(self, raw_path: str) -> None:
        path = unquote(raw_path)
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            self._send(error(400, "Malformed path."))
            return
        segments = [s for s in path.split("/") if s]
        if any(s == ".." for s in segments):
            self._send(error(400, "Paths may not go up ('..')."))
            return
        relative = "/".join(segments)
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
            self._not_found()
            return
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            self._not_found()
            return
        if relative == ".well-known/void":
            content_type = "text/turtle; charset=utf-8"
        else:
            content_type = (
                CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or ("application/octet-stream")
            )
        self._send(Answer(200, content_type, target.read_bytes()))

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
        if choose_form(self._accept()) == "html" and page.is_file():
            self._send(Answer(404, "text/html; charset=utf-8", page.read_bytes()))
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
