"""The competency queries: find them, bind their parameters safely, run them, and tabulate the answers.

Each query is a ``.rq`` file in ``queries/`` whose header comment states the question in plain English
(``# Question: ...``) and, where it takes a value, the variable to bind (``# Parameter: ?post - ...``); a
parameter variable is always projected by the SELECT, as SPARQL's substitution (SEP-0007) requires.
Values are bound as RDF terms through ``initBindings``, never pasted into the query text, so no input can change
what a query means.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import BNode, Literal, URIRef, Variable

from jpmg import config
from jpmg.engine import QueryEngine, QueryEngineError, QueryResult

OUTPUT_FORMATS = ("table", "csv", "json")


class QueryError(Exception):
    """A query that does not exist, or a parameter that cannot be bound; the message says how to fix it."""


@dataclass(frozen=True)
class CompetencyQuery:
    """One ``.rq`` file: its name, the question it answers, its parameters and its text."""

    name: str
    path: Path
    question: str
    parameters: tuple[tuple[str, str], ...]
    text: str


_GROUP_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*\"([^\"]*)\"\s*\)\s+AS\s+\?(\w+)", re.IGNORECASE
)
_QUESTION = re.compile(r"^#\s*Question:\s*(.+)$", re.MULTILINE)
_PARAMETER = re.compile(r"^#\s*Parameter:\s*\?(\w+)\s*(?:-\s*(.*))?$", re.MULTILINE)


def read_query(path: Path) -> CompetencyQuery:
    """Read one query file and its header."""
    text = path.read_text(encoding="utf-8")
    question = _QUESTION.search(text)
    if question is None:
        raise QueryError(f"{path}: the query has no '# Question: ...' header line; add one that states its question.")
    parameters = tuple((m.group(1), (m.group(2) or "").strip()) for m in _PARAMETER.finditer(text))
    return CompetencyQuery(path.stem, path, question.group(1).strip(), parameters, text)


def list_queries(folder: Path = config.QUERIES_DIR) -> list[CompetencyQuery]:
    """Every competency query, sorted by name."""
    return [read_query(path) for path in sorted(folder.glob("*.rq"))]


def get_query(name: str, folder: Path = config.QUERIES_DIR) -> CompetencyQuery:
    """The query called ``name`` (file name without ``.rq``)."""
    path = folder / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name) or not path.is_file():
        known = ", ".join(q.name for q in list_queries(folder))
        raise QueryError(f"no query named {name!r}; run 'jpmg query' to list them. Known: {known}")
    return read_query(path)


def parse_term(value: str) -> URIRef | Literal:
    """A parameter value as an RDF term.

    ``<https://...>`` is an IRI; ``kind/slug`` (like ``post/imod-director-general``) is an instance of this dataset;
    anything else is a plain literal. A value that looks like an IRI but is malformed is refused.
    """
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if not re.fullmatch(r"[^\s<>\"{}|\\^`]+", iri) or ":" not in iri:
            raise QueryError(f"{value} is not a valid IRI: write it as <https://...> without spaces.")
        return URIRef(iri)
    if re.fullmatch(r"[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*", value):
        return URIRef(config.INSTANCE_BASE + value)
    return Literal(value)


def bind_parameters(query: CompetencyQuery, values: Mapping[str, str]) -> dict[Variable, URIRef | Literal]:
    """Check every given value against the query's declared parameters and make RDF terms of them."""
    declared = {name for name, _ in query.parameters}
    unknown = sorted(set(values) - declared)
    if unknown:
        accepted = ", ".join(f"?{name}" for name in sorted(declared)) or "none"
        raise QueryError(
            f"query {query.name!r} has no parameter {', '.join('?' + u for u in unknown)}; it accepts: {accepted}"
        )
    return {Variable(name): parse_term(value) for name, value in values.items()}


def run_query(name: str, engine: QueryEngine, bindings: Mapping[str, str] | None = None) -> QueryResult:
    """Run the competency query ``name`` on ``engine`` with its parameters bound."""
    query = get_query(name)
    init = bind_parameters(query, bindings or {})
    try:
        return engine.select(query.text, init)
    except QueryEngineError as error:
        raise QueryError(f"query {name!r} failed on the {engine.name} engine: {error}") from None


def list_columns(query: CompetencyQuery) -> dict[str, str]:
    """The variables the query computes with GROUP_CONCAT, with their separators.

    SPARQL leaves the order of GROUP_CONCAT's parts to the engine, so comparing answers (across engines, or with
    an expected answer) must treat such a value as a set of parts: :func:`canonical_rows` does.
    """
    return {name: separator for separator, name in _GROUP_CONCAT.findall(query.text)}


def canonical_value(term: URIRef | Literal | BNode | None, separator: str | None = None) -> str:
    """A value in a form every engine agrees on: numbers by value, lists with their parts sorted."""
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype is not None:
        value = term.toPython()
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return format(Decimal(str(value)).normalize(), "f")  # "2.0" and "2" are one number
    text = _cell(term)
    if separator:
        return separator.join(sorted(part for part in text.split(separator)))
    return text


def canonical_rows(query: CompetencyQuery, result: QueryResult) -> list[tuple[str, ...]]:
    """The rows as strings, in the engine's order, with list values and numbers in canonical form."""
    separators = list_columns(query)
    return [
        tuple(canonical_value(term, separators.get(var)) for var, term in zip(result.variables, row, strict=True))
        for row in result.rows
    ]


def _cell(term: URIRef | Literal | BNode | None) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(config.INSTANCE_BASE):
        return text[len(config.INSTANCE_BASE) :]
    return text


def format_result(result: QueryResult, fmt: str) -> str:
    """The result as an aligned text table, CSV, or SPARQL 1.1 JSON results."""
    if fmt == "json":
        return json.dumps(_sparql_json(result), indent=2)
    cells = [[_cell(term) for term in row] for row in result.rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(cells)
        return buffer.getvalue().rstrip("\n")
    widths = [max([len(v), *(len(row[i]) for row in cells)]) for i, v in enumerate(result.variables)]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines)


def _sparql_json(result: QueryResult) -> dict[str, object]:
    def term_json(term: URIRef | Literal | BNode) -> dict[str, str]:
        if isinstance(term, URIRef):
            return {"type": "uri", "value": str(term)}
        if isinstance(term, BNode):
            return {"type": "bnode", "value": str(term)}
        encoded: dict[str, str] = {"type": "literal", "value": str(term)}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype:
            encoded["datatype"] = str(term.datatype)
        return encoded

    bindings = [
        {var: term_json(term) for var, term in zip(result.variables, row, strict=True) if term is not None}
        for row in result.rows
    ]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def describe(queries: Sequence[CompetencyQuery]) -> str:
    """A listing of the queries with their questions and parameters."""
    lines = []
    for query in queries:
        lines.append(f"{query.name}\n    {query.question}")
        for name, help_text in query.parameters:
            lines.append(f"    parameter ?{name}: {help_text}")
    return "\n".join(lines)
