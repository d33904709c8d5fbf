"""`jpmg serve`: the SPARQL endpoint, its limits, and the guards of the file server."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph as ox
import pytest
from publishtools import get, request
from servetools import start_server, stop_server

from jpmg.dataset import load_dataset
from jpmg.engine import OxigraphEngine
from jpmg.publish.endpoint import Limits, uses_service
from jpmg.publish.negotiation import negotiate, parse_accept
from jpmg.queries import canonical_rows, list_queries

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def sparql_get(url: str, query: str, accept: str | None = None):
    return get(url, "/sparql?" + urlencode({"query": query}), accept)


def test_select_in_every_results_format(server_url: str) -> None:
    answer = sparql_get(server_url, COUNT, "application/sparql-results+json")
    assert answer.status == 200 and answer.media_type == "application/sparql-results+json"
    assert json.loads(answer.body)["results"]["bindings"][0]["n"]["value"] == "8529"
    for accept, fmt in (
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ):
        answer = sparql_get(server_url, COUNT, accept)
        assert answer.status == 200 and answer.media_type == accept
        rows = list(ox.parse_query_results(answer.body, format=fmt))
        assert rows[0]["n"].value == "8529"
    answer = sparql_get(server_url, COUNT, "text/csv")
    assert answer.media_type == "text/csv"
    assert list(csv.reader(io.StringIO(answer.body.decode()))) == [["n"], ["8529"]]
    assert sparql_get(server_url, COUNT, "*/*").media_type == "application/sparql-results+json"
    assert sparql_get(server_url, COUNT, "image/png").status == 406


def test_post_forms_and_named_graphs(server_url: str) -> None:
    form = urlencode(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/jpmg/graph/shapes> { ?s ?p ?o } }"}
    )
    answer = request(
        server_url,
        "POST",
        "/sparql",
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        form.encode(),
    )
    assert answer.status == 200
    assert int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]) == len(load_dataset().shapes.graph)
    answer = request(
        server_url,
        "POST",
        "/sparql",
        {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        b"ASK { ?s a <http://rdfs.org/ns/void#Dataset> }",
    )
    assert answer.status == 400 or answer.body.strip().lower() in (b"true", b"false")
    answer = request(
        server_url,
        "POST",
        "/sparql",
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        b"ASK { GRAPH <https://w3id.org/jpmg/graph/description> { ?s a <http://rdfs.org/ns/void#Dataset> } }",
    )
    assert json.loads(answer.body)["boolean"] is True


def test_construct_and_describe_give_rdf(server_url: str) -> None:
    query = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5"
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ):
        answer = sparql_get(server_url, query, accept)
        assert answer.status == 200 and answer.media_type == accept
        from rdflib import Graph

        assert len(Graph().parse(data=answer.body, format=fmt)) == 5
    answer = sparql_get(server_url, "DESCRIBE <https://w3id.org/jpmg/id/session/jpmg-48>", "text/turtle")
    assert answer.status == 200 and b"48th JPMG session" in answer.body


def test_updates_and_service_are_refused(server_url: str) -> None:
    assert get(server_url, "/sparql?" + urlencode({"update": "DROP ALL"})).status == 403
    answer = request(server_url, "POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"DROP ALL")
    assert answer.status == 403
    assert sparql_get(server_url, "INSERT DATA { <a:b> <a:c> <a:d> }").status == 400
    assert sparql_get(server_url, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }").status == 400
    assert sparql_get(server_url, "SELECT * WHERE { SERVICE SILENT <http://x/> { ?s ?p ?o } }").status == 400
    assert sparql_get(server_url, "SELECT ?service WHERE { ?service ?p 'service' } LIMIT 1").status == 200
    assert sparql_get(server_url, "SELEKT nothing").status == 400
    assert get(server_url, "/sparql", "application/sparql-results+json").status == 400
    assert sparql_get(server_url, COUNT).status == 200  # still alive and unchanged


def test_service_detection() -> None:
    assert uses_service("SELECT * { service <x:y> { ?s ?p ?o } }")
    assert not uses_service("SELECT ?service { ?service <x:SERVICE> 'SERVICE' } # SERVICE")
    assert not uses_service("PREFIX ex: <x:> SELECT * { ?s ex:service ?o }")


def test_the_competency_queries_answer_as_on_the_embedded_engine(server_url: str) -> None:
    kg = load_dataset()
    engine = OxigraphEngine(kg.data_with_ontology())
    for query in list_queries():
        answer = sparql_get(server_url, query.text, "application/sparql-results+json")
        assert answer.status == 200, query.name
        expected = canonical_rows(query, engine.select(query.text))
        document = json.loads(answer.body)
        parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
        from jpmg.engine import QueryResult
        from jpmg.terms import to_rdflib

        variables = [v.value for v in parsed.variables]
        rows = [tuple(None if s[v] is None else to_rdflib(s[v]) for v in variables) for s in parsed]
        got = canonical_rows(query, QueryResult(variables, rows))
        assert sorted(got) == sorted(expected), query.name
        assert document["head"]["vars"] == variables


def test_timeout_and_result_cap(site: Path) -> None:
    server, thread = start_server(site, Limits(timeout=1.0, max_rows=7, workers=1))
    try:
        url = server.url
        capped = sparql_get(url, "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json")
        assert capped.status == 200 and len(json.loads(capped.body)["results"]["bindings"]) == 7
        assert capped.headers["jpmg-results-truncated"].startswith("true")
        slow = sparql_get(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
        assert slow.status == 503 and b"stopped" in slow.body
        again = sparql_get(url, "ASK { ?s ?p ?o }", "application/sparql-results+json")
        assert again.status == 200 and json.loads(again.body)["boolean"] is True
    finally:
        stop_server(server, thread)


def test_the_query_page(server_url: str) -> None:
    page = get(server_url, "/sparql?example=jpmg-sessions", "text/html")
    assert page.status == 200 and page.media_type == "text/html"
    assert b"Which JPMG sessions are recorded" in page.body and b"<textarea" in page.body
    ran = sparql_get(server_url, "SELECT ?s WHERE { ?s a <https://w3id.org/jpmg/ontology#Session> }", "text/html")
    assert ran.status == 200 and ran.body.count(b"<tr>") == 23 and b'href="/id/session/jpmg-48"' in ran.body
    bad = sparql_get(server_url, "SELEKT", "text/html")
    assert bad.status == 400 and b'class="error"' in bad.body


def raw(url: str, data: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_paths_cannot_leave_the_site(server_url: str) -> None:
    for path in (
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/id/..%2f..%2f..%2fetc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/.jpmg-site",
        "/.htaccess",
        "/server/../../x",
        "/%00",
    ):
        answer = raw(server_url, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        status = int(answer.split(b" ", 2)[1])
        assert status in (400, 404), (path, status)
        assert b"root:" not in answer
    assert get(server_url, "/.well-known/void").media_type == "text/turtle"
    assert get(server_url, "/style.css").media_type == "text/css"
    assert get(server_url, "/dumps/jpmg.nt.gz").media_type == "application/gzip"


def test_hostile_headers(server_url: str) -> None:
    assert get(server_url, "/id/session/jpmg-48", "text/turtle, " * 1000).status == 431
    for accept in (";;;,,,", "text/turtle;q=2", "/", "*/turtle", "text/turtle;q=" + "9" * 100, "\x7f"):
        assert get(server_url, "/id/session/jpmg-48", accept).status in (303, 406), accept
    huge = raw(server_url, b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
    assert huge.split(b" ", 2)[1] in (b"431", b"400")
    body = request(
        server_url, "POST", "/sparql", {"Content-Type": "application/sparql-query", "Content-Length": "99999999"}, b""
    )
    assert body.status == 413
    assert request(server_url, "PUT", "/index.html", {}, b"x").status == 405
    assert request(server_url, "POST", "/index.html", {"Content-Type": "text/plain"}, b"x").status == 405


def test_accept_parsing() -> None:
    offers = ["text/html", "text/turtle", "application/ld+json"]
    assert negotiate(None, offers) == "text/html"
    assert negotiate("", offers) == "text/html"
    assert negotiate("text/turtle;q=0.9, application/ld+json", offers) == "application/ld+json"
    assert negotiate("text/*;q=0.5, text/turtle;q=0", offers) == "text/html"
    assert negotiate("*/*;q=0.1, text/turtle", offers) == "text/turtle"
    assert negotiate("image/*", offers) is None
    assert negotiate("text/turtle;q=abc", offers) == "text/html"  # the bad part is ignored: nothing left, so */*
    assert len(parse_accept(",".join(["a/b"] * 500))) == 64


@pytest.mark.parametrize("path", ["/", "/index.html", "/browse.html", "/id/org/jpmg.html", "/dataset.html"])
def test_pages_are_served(server_url: str, path: str) -> None:
    answer = get(server_url, quote(path))
    assert answer.status == 200 and answer.media_type == "text/html"
