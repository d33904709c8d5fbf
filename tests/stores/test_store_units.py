"""The store tools' parts without a server: endpoints, credentials, chunks, parameter binding, comparisons."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib import namespace as ns

from jpmg.engine import QueryResult
from jpmg.stores import StoreError
from jpmg.stores.credentials import Credentials, resolve_credentials
from jpmg.stores.endpoints import resolve_endpoints
from jpmg.stores.http import USER_AGENT, HttpClient
from jpmg.stores.loader import chunk_triples, to_ntriples
from jpmg.stores.progress import ProgressBar
from jpmg.stores.remote_query import answer_key, compare_results, inject_values, unordered_columns

EX = "http://example.org/"


# -- endpoints ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "query", "update", "gsp"),
    [
        ("oxigraph", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store"),
        ("virtuoso", "http://h:7878/sparql", "http://h:7878/sparql-auth", "http://h:7878/sparql-graph-crud-auth"),
        ("fuseki", "http://h:7878/query", "http://h:7878/update", "http://h:7878/data"),
        ("generic", "http://h:7878/", "http://h:7878/", None),
    ],
)
def test_each_kind_has_its_usual_endpoints(kind: str, query: str, update: str, gsp: str | None) -> None:
    endpoints = resolve_endpoints("http://h:7878/", kind)
    assert (endpoints.query, endpoints.update, endpoints.gsp) == (query, update, gsp)


def test_overrides_and_gsp_none() -> None:
    endpoints = resolve_endpoints("http://h", "oxigraph", query="https://q/sparql", gsp="none")
    assert endpoints.query == "https://q/sparql" and endpoints.update == "http://h/update" and endpoints.gsp is None
    assert resolve_endpoints("http://h", "oxigraph").graph_url("https://w3id.org/jpmg/graph/data") == (
        "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fjpmg%2Fgraph%2Fdata"
    )


@pytest.mark.parametrize("url", ["ftp://h/", "h:7878", "http://user:secret@h/"])
def test_bad_urls_are_refused_without_echoing_credentials(url: str) -> None:
    with pytest.raises(StoreError) as failure:
        resolve_endpoints(url, "oxigraph")
    assert "secret" not in str(failure.value)


# -- credentials -------------------------------------------------------------------------------------------------


def test_password_from_the_environment_and_masked() -> None:
    credentials = resolve_credentials("http://h", None, {"JPMG_STORE_USER": "u", "JPMG_STORE_PASSWORD": "pw-123"})
    assert credentials == Credentials("u", "pw-123", credentials.source)
    assert "pw-123" not in repr(credentials) and "pw-123" not in str(credentials)
    assert "pw-123" not in repr(HttpClient(credentials))


def test_password_from_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example login loader password from-netrc\n")
    os.chmod(netrc, 0o600)
    env = {"NETRC": str(netrc)}
    found = resolve_credentials("https://store.example:8890/sparql", None, env)
    assert found is not None and (found.user, found.password) == ("loader", "from-netrc")
    assert "netrc" in found.source
    assert resolve_credentials("https://elsewhere.example/", None, env) is None
    with pytest.raises(StoreError, match="no password for user 'someone-else'"):
        resolve_credentials("https://store.example/", "someone-else", env)


def test_a_broken_netrc_is_reported_without_its_content(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine h login u password\n")  # the password token is missing its value
    os.chmod(netrc, 0o600)
    try:
        resolve_credentials("http://h/", None, {"NETRC": str(netrc)})
    except StoreError as error:
        assert "line" in str(error)


def test_password_without_user_is_an_error() -> None:
    with pytest.raises(StoreError, match="no user"):
        resolve_credentials("http://h", None, {"JPMG_STORE_PASSWORD": "x", "NETRC": "/nonexistent"})


def test_anonymous_without_anything() -> None:
    assert resolve_credentials("http://h", None, {"NETRC": "/nonexistent"}) is None


def test_user_agent_names_the_project() -> None:
    assert USER_AGENT.startswith("jpmg/") and "https://w3id.org/jpmg/" in USER_AGENT


# -- chunks ------------------------------------------------------------------------------------------------------


def _graph_with_groups() -> Graph:
    graph = Graph()
    for i in range(50):
        graph.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(i)))
    for i in range(10):  # a chain of three blank nodes hanging off one subject: one group of four triples
        a, b, c = BNode(), BNode(), BNode()
        graph.add((URIRef(f"{EX}t{i}"), URIRef(f"{EX}q"), a))
        graph.add((a, URIRef(f"{EX}next"), b))
        graph.add((b, URIRef(f"{EX}next"), c))
        graph.add((c, URIRef(f"{EX}value"), Literal(f"v{i}", lang="en")))
    return graph


def test_chunks_keep_blank_node_groups_whole() -> None:
    graph = _graph_with_groups()
    chunks = chunk_triples(graph, 7)
    assert sum(len(chunk) for chunk in chunks) == len(graph)
    assert all(len(chunk) <= 7 for chunk in chunks)
    for chunk in chunks:
        nodes_here = {t for triple in chunk for t in triple if isinstance(t, BNode)}
        for triple in graph:
            if any(t in nodes_here for t in triple if isinstance(t, BNode)):
                assert triple in chunk


def test_a_group_bigger_than_a_chunk_is_a_chunk_of_its_own() -> None:
    graph = Graph()
    node = BNode()
    for i in range(10):
        graph.add((node, URIRef(f"{EX}p{i}"), Literal(i)))
    assert [len(chunk) for chunk in chunk_triples(graph, 3)] == [10]


def test_chunks_serialize_to_n_triples_with_their_blank_nodes() -> None:
    graph = _graph_with_groups()
    for chunk in chunk_triples(graph, 7):
        parsed = Graph().parse(data=to_ntriples(chunk).decode(), format="nt")
        assert len(parsed) == len(chunk)


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(StoreError):
        chunk_triples(Graph(), 0)


# -- parameters as VALUES ----------------------------------------------------------------------------------------

QUERY = """# Question: what? { not this brace }
PREFIX ex: <http://example.org/#>
SELECT ?name (CONCAT("{", STR(?name)) AS ?label) WHERE {
  ?post ex:label ?name . ?x ex:holds ?post .
}"""


def test_values_go_at_the_start_of_the_where_group() -> None:
    bound = inject_values(QUERY, {Variable("post"): URIRef("https://w3id.org/jpmg/id/post/p")})
    assert "WHERE {\n  VALUES ?post { <https://w3id.org/jpmg/id/post/p> }" in bound


def test_literal_values_are_escaped_and_backslashes_refused() -> None:
    from jpmg.queries import QueryError

    bound = inject_values(QUERY, {Variable("post"): Literal('a "quoted" } DROP ALL {')})
    assert 'VALUES ?post { "a \\"quoted\\" } DROP ALL {" }' in bound
    with pytest.raises(QueryError, match="backslash"):
        inject_values(QUERY, {Variable("post"): Literal("x\\u0022")})


# -- comparing answers -------------------------------------------------------------------------------------------


def test_values_compare_by_value_across_stores() -> None:
    assert answer_key(Literal("1.50", datatype=ns.XSD.decimal)) == answer_key(Literal("1.5", datatype=ns.XSD.decimal))
    assert answer_key(Literal("1", datatype=ns.XSD.positiveInteger)) == answer_key(
        Literal("1", datatype=ns.XSD.integer)
    )
    assert answer_key(Literal("true", datatype=ns.XSD.boolean)) == answer_key(Literal("1", datatype=ns.XSD.integer))
    assert answer_key(Literal("x", datatype=ns.XSD.string)) == answer_key(Literal("x"))
    assert answer_key(Literal("x", lang="de-CH")) == answer_key(Literal("x", lang="de-ch"))
    assert answer_key(Literal("x", lang="en")) != answer_key(Literal("x"))
    assert answer_key(URIRef(EX)) != answer_key(Literal(EX))


def test_group_concat_parts_in_any_order() -> None:
    text = 'SELECT ?a (GROUP_CONCAT(DISTINCT ?b; separator="; ") AS ?bs) (GROUP_CONCAT(?c) AS ?cs) WHERE {}'
    assert unordered_columns(text) == {"bs": "; ", "cs": " "}
    one = QueryResult(["a", "bs"], [(Literal("x"), Literal("p; q"))])
    two = QueryResult(["a", "bs"], [(Literal("x"), Literal("q; p", lang="en"))])
    assert compare_results(one, two, {"bs": "; "}) == []
    assert compare_results(one, two) != []


def test_differences_are_reported_briefly() -> None:
    one = QueryResult(["a"], [(Literal("x"),), (Literal("y"),)])
    two = QueryResult(["a"], [(Literal("x"),), (Literal("z"),)])
    problems = compare_results(one, two)
    assert problems[0] == "expected 2 rows, got 2"
    assert "missing" in problems[1] and '"y"' in problems[1] and '"z"' in problems[2]


# -- progress ----------------------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    stream = _Terminal()
    bar = ProgressBar(1000, enabled=True, stream=stream)
    for _ in range(10):
        bar.advance(100)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r[") and text.endswith("\n") and text.count("\n") == 1
    assert "100.0% 1,000/1,000 triples" in text


def test_progress_bar_disabled_writes_nothing() -> None:
    stream = _Terminal()
    bar = ProgressBar(10, enabled=False, stream=stream)
    bar.advance(10)
    bar.close()
    assert stream.getvalue() == ""
