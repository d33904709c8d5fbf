"""The embedded SPARQL engines that run the competency queries: pyoxigraph by default, rdflib as the reference.

pyoxigraph implements SPARQL 1.1 completely and fast, in memory; rdflib's engine is pure Python, slower, and has
known gaps (aggregates over unbound values, ordering on errors). Both take the same query text and parameter
bindings and return the same :class:`QueryResult`, so the project can prove they agree (tests/test_queries.py).
Parameters are bound as RDF terms (pyoxigraph's ``substitutions``, rdflib's ``initBindings``), never pasted into
the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery

from jpmg.terms import graph_to_quads, to_oxigraph, to_rdflib

ENGINES = ("oxigraph", "rdflib")


class QueryEngineError(Exception):
    """The engine could not run the query; the message says why."""


@dataclass
class QueryResult:
    """Variables in the query's order and rows of RDF terms (None for an unbound value)."""

    variables: list[str]
    rows: list[tuple[URIRef | Literal | BNode | None, ...]]


Bindings = Mapping[Variable, URIRef | Literal]


class QueryEngine(Protocol):
    """Something that answers a SELECT query over the knowledge graph."""

    name: str

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult: ...


class OxigraphEngine:
    """pyoxigraph's in-memory store holding the graph in its default graph."""

    name = "oxigraph"

    def __init__(self, graph: Graph) -> None:
        self.store = ox.Store()
        self.store.extend(graph_to_quads(graph))

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        substitutions = {ox.Variable(str(var)): to_oxigraph(term) for var, term in (bindings or {}).items()}
        try:
            solutions = self.store.query(query, substitutions=substitutions)
        except SyntaxError as error:
            raise QueryEngineError(f"the query does not parse: {error}") from None
        except (OSError, RuntimeError) as error:
            raise QueryEngineError(f"the query failed: {error}") from None
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryEngineError("only SELECT queries are competency queries")
        variables = [v.value for v in solutions.variables]
        rows = [tuple(None if s[v] is None else to_rdflib(s[v]) for v in variables) for s in solutions]
        return QueryResult(variables, rows)


class RdflibEngine:
    """rdflib's own SPARQL engine over the rdflib graph (the reference the fast engine is compared with)."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def select(self, query: str, bindings: Bindings | None = None) -> QueryResult:
        try:
            result = self.graph.query(prepareQuery(query), initBindings=dict(bindings or {}))
            variables = [str(v) for v in result.vars or []]
            rows = [tuple(row) for row in result]
        except Exception as error:  # rdflib raises many types from deep inside its evaluator
            raise QueryEngineError(f"rdflib could not evaluate the query: {type(error).__name__}: {error}") from None
        return QueryResult(variables, rows)


def make_engine(graph: Graph, name: str = "oxigraph") -> QueryEngine:
    """An engine by name over ``graph``."""
    if name == "oxigraph":
        return OxigraphEngine(graph)
    if name == "rdflib":
        return RdflibEngine(graph)
    raise QueryEngineError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
