"""Competency queries on a remote SPARQL 1.1 endpoint, answered in the embedded engine's terms.

:func:`run_remote_query` sends a competency query through SPARQLWrapper (JSON results, timeout) and returns the
same :class:`jpmg.queries.QueryResult` as :func:`jpmg.queries.run_query`, so ``format_result`` prints it the same
way.

**Parameters.** The embedded engine binds parameters with rdflib's ``initBindings``; a remote endpoint has no such
thing, so the values go into the query as a ``VALUES`` block at the start of its outermost group, written from
the RDF terms' ``n3()`` (an IRI checked by :func:`jpmg.queries.parse_term`, or an escaped literal), never from the
raw user string. A literal holding a backslash is refused: SPARQL's ``\\u`` code-point escapes are processed
before parsing, so a backslash is the one character whose meaning a store could change.

**Which graphs.** The embedded engine answers over the ontology and the data together. A store's own default
graph differs from store to store (Virtuoso: the union of all graphs; Oxigraph and Fuseki: a separate, empty
graph; GraphDB: the union), so the query names its dataset through the protocol instead: ``default-graph-uri``
parameters for the project's ontology and data graphs (:data:`QUERY_GRAPHS`). The query text stays as it is, and
every store answers over the same triples.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from rdflib import XSD, BNode, Literal, URIRef, Variable
from rdflib.plugins.sparql import prepareQuery

from jpmg.dataset import GRAPH_IRIS
from jpmg.engine import QueryResult
from jpmg.queries import QueryError, bind_parameters, get_query
from jpmg.stores.sparql import SparqlClient, Term

#: The named graphs whose merge is the embedded engine's graph (KnowledgeGraph.data_with_ontology()).
QUERY_GRAPH_NAMES = ("ontology", "data")


def query_graphs() -> list[str]:
    """The graph IRIs sent as ``default-graph-uri`` with every competency query."""
    return [str(GRAPH_IRIS[name]) for name in QUERY_GRAPH_NAMES]


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


def _outer_group_start(text: str) -> int:
    """The index of the '{' opening the query's WHERE group (skipping comments, IRIs and strings)."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif char == "<":
            match = _IRIREF.match(text, i)
            i = match.end() if match else i + 1
        elif char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif char == "{":
            return i
        else:
            i += 1
    raise QueryError("the query has no WHERE group to bind parameters in")


def _value_n3(term: URIRef | Literal) -> str:
    if isinstance(term, Literal) and "\\" in str(term):
        raise QueryError(
            "a parameter value with a backslash cannot be sent to a remote endpoint safely; leave the backslash out"
        )
    return term.n3()


def inject_values(text: str, bindings: Mapping[Variable, URIRef | Literal]) -> str:
    """The query with one ``VALUES ?var { term }`` block per binding at the start of its WHERE group."""
    if not bindings:
        return text
    start = _outer_group_start(text) + 1
    block = " ".join(f"VALUES ?{var} {{ {_value_n3(term)} }}" for var, term in sorted(bindings.items()))
    bound = f"{text[:start]}\n  {block}\n{text[start:]}"
    prepareQuery(bound)  # still one well-formed query (raises otherwise)
    return bound


def run_remote_query(
    name: str,
    sparql: SparqlClient,
    bindings: Mapping[str, str] | None = None,
    default_graphs: Sequence[str] | None = None,
) -> QueryResult:
    """Run the competency query ``name`` at the remote endpoint, with its parameters bound as VALUES."""
    query = get_query(name)
    init = bind_parameters(query, bindings or {})
    text = inject_values(query.text, init)
    graphs = query_graphs() if default_graphs is None else list(default_graphs)
    variables, rows = sparql.select(text, graphs, purpose=f"query {name!r}")
    return QueryResult(variables, rows)


def answer_key(term: Term | None) -> tuple[object, ...]:
    """A term as compared across engines.

    Typed literals by value (stores rewrite lexical forms: Virtuoso answers "1.50"^^xsd:decimal as "1.5" and
    "true"^^xsd:boolean as "1"), the numbers of xsd:decimal and the types derived from it alike (Oxigraph stores
    "1"^^xsd:positiveInteger as "1"^^xsd:integer), booleans as the numbers 1 and 0 (Virtuoso answers the value of a
    boolean expression, such as ``BIND(?a = ?b AS ?same)``, as an xsd:integer), language tags in lower case,
    xsd:string as a simple literal (RDF 1.1), and every blank node alike (labels are local to each answer).
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if term.language:
        return ("lang", str(term), term.language.lower())
    if term.datatype is None or term.datatype == XSD.string:
        return ("string", str(term))
    value = term.value
    if value is not None and not term.ill_typed:
        if str(term.datatype) in _DECIMAL_FAMILY:
            return ("number", Decimal(value))
        if term.datatype == XSD.boolean:
            return ("number", Decimal(int(value)))
        return ("typed", str(term.datatype), value)
    return ("typed", str(term.datatype), str(term))


#: xsd:decimal and the datatypes derived from it, whose values are numbers of one value space.
_DECIMAL_FAMILY = frozenset(
    str(XSD[name])
    for name in (
        "decimal",
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
)

_GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?P<body>(?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)\s*AS\s*\?(?P<var>\w+)", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"""separator\s*=\s*(?:"(?P<double>(?:[^"\\]|\\.)*)"|'(?P<single>(?:[^'\\]|\\.)*)')""", re.IGNORECASE
)


def unordered_columns(query_text: str) -> dict[str, str]:
    """The variables a query computes with GROUP_CONCAT, with their separators.

    SPARQL leaves the order of GROUP_CONCAT's parts to the engine (and engines differ on whether the result keeps
    a common language tag), so these values are compared as multisets of their parts.
    """
    columns = {}
    for match in _GROUP_CONCAT.finditer(query_text):
        separator = _SEPARATOR.search(match.group("body"))
        value = " " if separator is None else (separator.group("double") or separator.group("single") or "")
        columns[match.group("var")] = value
    return columns


def _row_key(row: Sequence[Term | None], variables: Sequence[str], unordered: Mapping[str, str]) -> tuple[object, ...]:
    key: list[object] = []
    for variable, term in zip(variables, row, strict=True):
        separator = unordered.get(variable)
        if separator is not None and isinstance(term, Literal) and separator:
            key.append(("parts", tuple(sorted(str(term).split(separator)))))
        else:
            key.append(answer_key(term))
    return tuple(key)


def _show_cell(cell: object) -> str:
    if not isinstance(cell, tuple) or not cell:
        return str(cell)
    kind = cell[0]
    if kind == "unbound":
        return "(unbound)"
    if kind == "bnode":
        return "[]"
    if kind == "iri":
        return f"<{cell[1]}>"
    if kind == "lang":
        return f'"{cell[1]}"@{cell[2]}'
    if kind == "parts":
        return "{" + " | ".join(map(str, cell[1])) + "}"
    return f'"{cell[-1]}"' if kind == "string" else str(cell[-1])


def _show(row: tuple[object, ...], width: int = 200) -> str:
    text = "(" + ", ".join(_show_cell(cell) for cell in row) + ")"
    return text if len(text) <= width else text[: width - 1] + "…"


def compare_results(
    expected: QueryResult, actual: QueryResult, unordered: Mapping[str, str] | None = None
) -> list[str]:
    """The differences between two results (empty when they hold the same rows, in any order).

    ``unordered`` maps GROUP_CONCAT variables to their separators (see :func:`unordered_columns`).
    """
    if expected.variables != actual.variables:
        return [f"variables differ: expected {expected.variables}, got {actual.variables}"]
    unordered = unordered or {}
    want = Counter(_row_key(row, expected.variables, unordered) for row in expected.rows)
    got = Counter(_row_key(row, actual.variables, unordered) for row in actual.rows)
    if want == got:
        return []
    problems = [f"expected {len(expected.rows)} rows, got {len(actual.rows)}"]
    missing, unexpected = list((want - got).elements()), list((got - want).elements())
    if missing:
        problems.append(f"{len(missing)} rows missing, e.g. {_show(missing[0])}")
    if unexpected:
        problems.append(f"{len(unexpected)} rows unexpected, e.g. {_show(unexpected[0])}")
    return problems


def compare_query_results(name: str, expected: QueryResult, actual: QueryResult) -> list[str]:
    """:func:`compare_results` for the competency query ``name``, with its GROUP_CONCAT columns unordered."""
    return compare_results(expected, actual, unordered_columns(get_query(name).text))
