"""SPARQL 1.1 Protocol requests (queries with JSON results, updates) through SPARQLWrapper.

SPARQLWrapper builds each request (the ``query``/``update`` parameter, ``default-graph-uri``, the Accept header)
and parses the JSON results; :class:`jpmg.stores.http.HttpClient` sends it, so that queries and updates get the
same User-Agent, authentication, timeout, retries and error messages as the Graph Store Protocol uploads.
SPARQLWrapper's own authentication is not used: its Digest mode installs a process-wide urllib opener.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence

from rdflib import XSD, BNode, Literal, URIRef
from SPARQLWrapper import INSERT, JSON, POST, SELECT, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from jpmg.stores.errors import StoreError
from jpmg.stores.http import HttpClient

Term = URIRef | Literal | BNode


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through our HTTP client."""

    def __init__(self, endpoint: str, client: HttpClient, purpose: str, update_endpoint: str | None = None) -> None:
        super().__init__(endpoint, updateEndpoint=update_endpoint, returnFormat=JSON, agent=client.user_agent)
        self._client = client
        self._purpose = purpose
        self.setMethod(POST)
        self.setOnlyConneg(True)  # no format=/output= parameters: content negotiation only
        self.setTimeout(int(max(1, client.timeout)))

    def _query(self):  # type: ignore[no-untyped-def]
        request = self._createRequest()
        return self._client.open_for_sparqlwrapper(request, self._purpose), self.returnFormat


@contextlib.contextmanager
def quiet_literal_warnings() -> Iterator[None]:
    """rdflib logs a traceback for every literal it cannot read as its datatype; a store's answer can hold many
    (Virtuoso answers "P2D"^^xsd:duration as "172800.0"^^xsd:duration). The literal is kept as it came."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def term_from_json(binding: dict[str, str]) -> Term:
    """An rdflib term from one SPARQL 1.1 JSON results binding (RDF 1.1: xsd:string is a simple literal)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if binding.get("xml:lang"):
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


class SparqlClient:
    """Queries and updates at one store's endpoints."""

    def __init__(self, client: HttpClient, query_endpoint: str, update_endpoint: str | None = None) -> None:
        self.http = client
        self.query_endpoint = query_endpoint
        self.update_endpoint = update_endpoint or query_endpoint

    def select(
        self, query: str, default_graphs: Sequence[str] = (), purpose: str = "query"
    ) -> tuple[list[str], list[tuple[Term | None, ...]]]:
        """Run a SELECT query; return its variables and rows of rdflib terms (None where unbound).

        ``default_graphs`` are sent as ``default-graph-uri`` parameters: the query's default graph is then the
        merge of exactly these graphs, whatever the store's own default graph is.
        """
        wrapper = _Wrapper(self.query_endpoint, self.http, purpose)
        for graph in default_graphs:
            wrapper.addDefaultGraph(str(graph))
        wrapper.setQuery(query)
        # SPARQLWrapper guesses the request's kind from the text, and its comment stripping misses every second
        # comment line, so a query whose header says "adds" is taken for an ADD update. We know the kind.
        wrapper.queryType = SELECT
        try:
            result = wrapper.query().convert()
        except SPARQLWrapperException as error:  # pragma: no cover - our client raises first
            raise StoreError(f"the {purpose} failed: {error}") from None
        except ValueError as error:
            raise StoreError(
                f"the store's answer to the {purpose} is not SPARQL JSON results: {error}",
                "check --query-endpoint: it must be a SPARQL 1.1 query endpoint",
            ) from None
        if not isinstance(result, dict) or "head" not in result:
            raise StoreError(
                f"the store's answer to the {purpose} is not SPARQL JSON results",
                "check --query-endpoint: it must be a SPARQL 1.1 query endpoint",
            )
        variables = list(result["head"].get("vars", []))
        with quiet_literal_warnings():
            rows = [
                tuple(term_from_json(b[v]) if v in b else None for v in variables)
                for b in result.get("results", {}).get("bindings", [])
            ]
        return variables, rows

    def count(self, graph: str, purpose: str | None = None) -> int:
        """The number of triples in the named graph ``graph`` (0 when it does not exist)."""
        _, rows = self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            purpose=purpose or f"count of <{graph}>",
        )
        value = rows[0][0] if rows and rows[0] else None
        try:
            return int(str(value))
        except ValueError:
            raise StoreError(f"the store answered the count of <{graph}> with {value!r}, not a number") from None

    def update(self, text: str, purpose: str = "update") -> None:
        """Send one SPARQL 1.1 Update request (it may hold several operations separated by ';')."""
        wrapper = _Wrapper(self.update_endpoint, self.http, purpose, update_endpoint=self.update_endpoint)
        wrapper.setQuery(text)
        wrapper.queryType = INSERT  # an update request: sent as update= to the update endpoint (see select())
        wrapper.query()
