"""The fast path's graph: every file parsed strictly by pyoxigraph straight into one pyoxigraph store.

No rdflib graph is built for the data. The parts keep their roles as graphs of the store: the data in the default
graph, the ontology, the shapes and (when validating user data without the project's) the project's data as
reference each in a named graph (:data:`jpmg.dataset.GRAPH_IRIS`). Each file is parsed with fresh blank-node
labels, so that two files that both say ``_:b1`` (or both open a ``[ ]``) do not merge their nodes.

Two things the store would otherwise change are kept, because validation must see what was written:

* **Literals.** Oxigraph stores the values of literals it understands, not their text: ``"2.0"^^xsd:decimal``
  comes back as ``"2"``, ``"48"^^xsd:positiveInteger`` as ``"48"^^xsd:integer``. SHACL's ``sh:datatype`` and the
  report's values need the written text and datatype, so a literal the store would rewrite is stored with its
  datatype wrapped (:func:`wrap_datatype`): the same text, under a datatype the store does not interpret. Queries
  that compare datatypes accept both forms; :attr:`LoadedStore.wrapped_predicates` tells which properties carry
  wrapped literals, so that SHACL-SPARQL constraints that might compute on them go to the reference engine.
* **Ill-typed literals** (``"1983-13-45"^^xsd:date``). pyoxigraph keeps their text (and stores them as opaque
  literals); whether one is ill-typed is decided here exactly as rdflib decides it, since the reference engines
  (pySHACL, the vocabulary check on rdflib graphs) follow rdflib. They are collected while parsing, with the file
  they come from, for the vocabulary check and for SHACL's ``sh:datatype``.

Errors are the strict parser's (:class:`jpmg.parsing.RdfInputError`, one ``path:line:column`` line).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from jpmg import config
from jpmg.parsing import RdfInputError, binary_error, decode, from_syntax_error, nul_position, read_bytes

__all__ = [
    "DATA",
    "ONTOLOGY",
    "REFERENCE",
    "SHAPES",
    "LoadedStore",
    "load_store",
    "term_text",
    "unwrap",
    "wrap_datatype",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"
#: Prefix of the datatype IRIs under which literals are stored whose text the store would rewrite.
WRAPPED = "urn:x-jpmg-lexical:"

# Graph names of the parts (the data is the default graph).
DATA = ox.DefaultGraph()
ONTOLOGY = ox.NamedNode(config.GRAPH_BASE + "ontology")
SHAPES = ox.NamedNode(config.GRAPH_BASE + "shapes")
REFERENCE = ox.NamedNode(config.GRAPH_BASE + "reference")
#: Where the literals that do not match their datatype (for SHACL's sh:datatype) are listed, one triple each.
BAD_LITERALS = ox.NamedNode("urn:x-jpmg:bad-literals")
BAD = ox.NamedNode("urn:x-jpmg:bad")


# --- literals: which ones the store keeps as written --------------------------------------------------------------

# Which literals Oxigraph stores unchanged: its canonical forms, and texts it cannot read as a value (kept as they
# are). A literal of another XSD datatype, or of these in another form, is wrapped. tests/test_fast_validation.py
# checks these rules against the store with random texts.
_DATES = {XSD + "date", XSD + "gYear", XSD + "gYearMonth", XSD + "gMonthDay"}
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_CANONICAL = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    XSD + "decimal": re.compile(r"(0|-?[1-9][0-9]{0,17})(\.[0-9]{0,17}[1-9])?|-0\.[0-9]{0,17}[1-9]"),
}
# owlrl's datatype list (owlrl.XsdDatatypes), copied so that the fast path does not import owlrl;
# tests/test_fast_validation.py checks it is still owlrl's.
OWL_RL_DATATYPES = frozenset(
    {
        XSD + name
        for name in [
            "integer",
            "decimal",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "negativeInteger",
            "positiveInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "float",
            "double",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTimeStamp",
            "dateTime",
            "time",
            "date",
        ]
    }
    | {"http://www.w3.org/2000/01/rdf-schema#Literal"}
    | {RDF + name for name in ("XMLLiteral", "HTML", "langString", "PlainLiteral")}
)
# The ones owlrl types literals with: all but the strings, which rdflib gives no datatype.
_OWL_RL_TYPED = OWL_RL_DATATYPES - {XSD + "string", RDF + "langString"}
_NEGATIVE_ZERO_YEAR = re.compile(r"-0+(?![0-9])")


def kept_as_written(datatype: str, lexical: str) -> bool:
    """Whether the store gives back a literal of this XSD datatype with this text unchanged."""
    if datatype in _DATES:
        # time zones are rewritten ("+00:00" becomes "Z"), and so is year minus zero; everything else is kept
        return ":" not in lexical and not _NEGATIVE_ZERO_YEAR.match(lexical)
    if datatype == XSD + "boolean":
        return lexical not in ("1", "0")
    canonical = _CANONICAL.get(datatype)
    if canonical is not None:
        return bool(canonical.fullmatch(lexical)) or not _NUMBER.fullmatch(lexical)
    return False


def wrap_datatype(datatype: str) -> str:
    """The datatype IRI under which a literal of ``datatype`` is stored when the store would rewrite it."""
    return WRAPPED + datatype


def unwrap(datatype: str) -> str:
    """The written datatype of a stored literal's datatype IRI."""
    return datatype[len(WRAPPED) :] if datatype.startswith(WRAPPED) else datatype


def stored_literal(literal: ox.Literal) -> ox.Literal:
    """The literal as the store keeps it as written: itself, or with its datatype wrapped."""
    datatype = literal.datatype.value
    if datatype in (XSD_STRING, RDF_LANGSTRING) or not datatype.startswith(XSD):
        return literal
    if kept_as_written(datatype, literal.value):
        return literal
    return ox.Literal(literal.value, datatype=ox.NamedNode(WRAPPED + datatype))


def term_text(term: object) -> str:
    """A term as :class:`jpmg.findings.Finding` shows it: the IRI, ``_:`` and a blank node's label, or the text."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


# --- ill-typed literals, decided as rdflib decides them ------------------------------------------------------------

_FAST_VALID = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
}
# Datatypes rdflib maps to no Python value (or to the text itself): their literals are never ill-typed for it.
_UNCHECKED = {XSD + n for n in ("gYear", "gYearMonth", "gMonthDay", "gDay", "gMonth", "string", "anyURI")}
# pySHACL's sh:datatype also asks for a value of the right Python type for these (see its
# DatatypeConstraintComponent._assert_actual_datatype).
_PYSHACL_TYPES = {
    XSD + "string": (str, bytes),
    XSD + "integer": (int,),
    XSD + "float": (float,),
    XSD + "decimal": (Decimal,),
    XSD + "boolean": (bool,),
    XSD + "date": (datetime.date,),
    XSD + "time": (datetime.time,),
    XSD + "dateTime": (datetime.datetime,),
}


def _fast_verdict(lexical: str, datatype: str) -> bool | None:
    """True when the literal is certainly well typed for rdflib and pySHACL; None when rdflib must say."""
    if datatype in _UNCHECKED:
        return True
    if datatype == XSD + "date":
        if len(lexical) == 10 and lexical[4] == "-" and lexical[7] == "-" and lexical[:4].isdigit():
            try:
                datetime.date(int(lexical[:4]), int(lexical[5:7]), int(lexical[8:10]))
            except ValueError:
                return None
            return (lexical[5:7].isdigit() and lexical[8:10].isdigit()) or None
        return None
    if datatype == XSD + "positiveInteger":
        return True if lexical.isdigit() and lexical.isascii() and int(lexical) > 0 else None
    pattern = _FAST_VALID.get(datatype)
    if pattern is not None and pattern.fullmatch(lexical):
        if datatype == XSD + "decimal":
            try:
                Decimal(lexical)
            except InvalidOperation:
                return None
        return True
    return None


def _rdflib_verdict(lexical: str, datatype: str) -> tuple[bool, bool]:
    """(ill-typed for rdflib, matches sh:datatype for pySHACL), from rdflib itself."""
    import logging

    from rdflib import Literal, URIRef

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib warns, with a traceback, about every ill-typed literal
    try:
        literal = Literal(lexical, datatype=URIRef(datatype), normalize=False)
    finally:
        logger.setLevel(level)
    ill_typed = literal.ill_typed is True
    types = _PYSHACL_TYPES.get(datatype)
    matches = not ill_typed and (types is None or isinstance(literal.value, types))
    return ill_typed, matches


class LiteralChecker:
    """Decides, once per distinct (text, datatype), whether a literal is ill-typed and whether it matches its type."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], tuple[bool, bool]] = {}

    def __call__(self, lexical: str, datatype: str) -> tuple[bool, bool]:
        key = (lexical, datatype)
        verdict = self.cache.get(key)
        if verdict is None:
            verdict = (False, True) if _fast_verdict(lexical, datatype) else _rdflib_verdict(lexical, datatype)
            self.cache[key] = verdict
        return verdict


# --- loading ---------------------------------------------------------------------------------------------------------


@dataclass
class IllTyped:
    """A literal whose text is not valid for its datatype, with the triple and the file it is in."""

    subject: object
    predicate: ox.NamedNode
    literal: ox.Literal
    file: Path


@dataclass
class LoadedStore:
    """The store and what loading it found out: files per part, triple counts, odd literals."""

    store: ox.Store
    files: dict[str, list[Path]] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)
    #: Literals of the data whose text does not fit their datatype (for the vocabulary check).
    ill_typed: list[IllTyped] = field(default_factory=list)
    #: Whether any literal (data or ontology) fails pySHACL's sh:datatype test for its own datatype.
    has_bad_literals: bool = False
    #: Properties under which some literal is stored with a wrapped datatype.
    wrapped_predicates: set[str] = field(default_factory=set)
    #: The literals of the data and the ontology, as stored, per OWL 2 RL datatype (for the consistency check).
    typed_literals: dict[str, set[ox.Literal]] = field(default_factory=dict)
    #: The datatypes of the literals of the data and the ontology (as written).
    literal_datatypes: set[str] = field(default_factory=set)
    #: Data files' declared prefixes, for locating (file -> {prefix: namespace}).
    prefixes: dict[Path, dict[str, str]] = field(default_factory=dict)

    @property
    def data_files(self) -> list[Path]:
        return self.files.get("data", []) + self.files.get("project", [])

    def graph_of(self, part: str) -> ox.NamedNode | ox.DefaultGraph:
        return {"data": DATA, "ontology": ONTOLOGY, "shapes": SHAPES, "reference": REFERENCE}[part]

    def count(self, graph: ox.NamedNode | ox.DefaultGraph) -> int:
        if isinstance(graph, ox.DefaultGraph):
            query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        else:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)


def _quads(
    parser: Iterable[ox.Quad],
    graph: ox.NamedNode | ox.DefaultGraph,
    path: Path,
    loaded: LoadedStore,
    checker: LiteralChecker,
    data: bool,
    text: str,
) -> Iterator[ox.Quad]:
    """The parsed quads, in the part's graph, with literals stored as written and odd literals noted."""
    literal_type = ox.Literal
    triple_type = ox.Triple
    in_default = isinstance(graph, ox.DefaultGraph)
    owl_rl = graph not in (SHAPES, REFERENCE)  # owlrl sees the ontology and the data
    plain: dict[ox.NamedNode, bool] = {}  # datatype -> whether its literals need no check (strings)
    bad: list[ox.Literal] = []
    for quad in parser:
        o = quad.object
        kind = type(o)
        if kind is literal_type:
            datatype = o.datatype
            is_plain = plain.get(datatype)
            if is_plain is None:
                is_plain = plain[datatype] = datatype.value in (XSD_STRING, RDF_LANGSTRING)
                if graph != SHAPES and graph != REFERENCE:
                    loaded.literal_datatypes.add(datatype.value)
            if is_plain:
                if o.language and getattr(o, "direction", None) is not None:
                    raise _rdf12(
                        path,
                        text,
                        "RDF 1.2 directional language tags (@en--ltr) are not supported",
                        "use a plain language tag such as @en",
                    )
            else:
                ill_typed, matches = checker(o.value, datatype.value)
                if owl_rl and datatype.value in _OWL_RL_TYPED:
                    loaded.typed_literals.setdefault(datatype.value, set()).add(stored_literal(o))
                if ill_typed and data:
                    loaded.ill_typed.append(IllTyped(quad.subject, quad.predicate, o, path))
                if not matches:
                    bad.append(o)
                stored = stored_literal(o)
                if stored is not o:
                    if graph != SHAPES:
                        loaded.wrapped_predicates.add(quad.predicate.value)
                    yield ox.Quad(quad.subject, quad.predicate, stored, graph)
                    continue
        elif kind is triple_type or type(quad.subject) is triple_type:
            raise _rdf12(
                path,
                text,
                "RDF 1.2 triple terms (<< >>, {| |}, ~) are not supported",
                "write RDF 1.1 Turtle, e.g. describe the statement with rdf:Statement reification",
            )
        yield quad if in_default else ox.Quad(quad.subject, quad.predicate, o, graph)
    for literal in bad:
        loaded.has_bad_literals = True
        yield ox.Quad(BAD, BAD, stored_literal(literal), BAD_LITERALS)


def _rdf12(path: Path, text: str, problem: str, hint: str) -> RdfInputError:
    from jpmg.parsing import _locate_rdf12

    line, column = _locate_rdf12(text) or (None, None)
    return RdfInputError(str(path), problem, hint, line, column)


_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def load_file(loaded: LoadedStore, path: Path, part: str, checker: LiteralChecker) -> None:
    """Parse one Turtle file strictly into the store, in the graph of ``part``."""
    name = str(path)
    text = decode(read_bytes(path), name)
    base_iri = path.absolute().as_uri()
    try:
        parser = ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=base_iri, rename_blank_nodes=True)
    except ValueError as error:
        raise RdfInputError(name, str(error), "give an absolute base IRI such as 'http://example.org/'") from None
    graph = {"data": DATA, "project": DATA, "ontology": ONTOLOGY, "shapes": SHAPES, "reference": REFERENCE}[part]
    try:
        loaded.store.extend(_quads(parser, graph, path, loaded, checker, part in ("data", "project"), text))
    except SyntaxError as error:
        problem = from_syntax_error(error, name)
        nul = nul_position(text)
        if nul is not None and problem.line is not None and nul <= (problem.line, problem.column or 1):
            raise binary_error(name, *nul) from None
        raise problem from None
    loaded.files.setdefault(part, []).append(path)
    if part in ("data", "project"):
        loaded.prefixes[path] = {prefix or "": namespace for prefix, namespace in _PREFIX_LINE.findall(text)}


def load_store(
    data_paths: Sequence[Path] | None = None,
    *,
    with_project_data: bool = False,
    reference: bool | None = None,
    ontology_paths: Sequence[Path] | None = None,
    shapes_paths: Sequence[Path] | None = None,
) -> LoadedStore:
    """The project's ontology and shapes and the data (the project's, or ``data_paths``) in one store.

    ``reference`` (default: when user data is validated without the project's data) also loads the project's data
    into the reference graph, whose typed resources count as described for the vocabulary check.
    ``ontology_paths`` and ``shapes_paths`` replace the project's ontology and shapes (for tests and experiments).
    Raises :class:`jpmg.parsing.RdfInputError` like :func:`jpmg.dataset.read_files`.
    """
    from jpmg.parsing import iter_turtle_files

    loaded = LoadedStore(ox.Store())
    checker = LiteralChecker()
    parts: list[tuple[str, list[Path]]] = [
        ("ontology", list(ontology_paths) if ontology_paths else [config.ONTOLOGY_DIR]),
        ("shapes", list(shapes_paths) if shapes_paths else [config.SHAPES_DIR]),
        ("data", list(data_paths) if data_paths else [config.DATA_DIR]),
    ]
    if data_paths and with_project_data:
        parts.append(("project", [config.DATA_DIR]))
    if reference is None:
        reference = bool(data_paths) and not with_project_data
    if reference:
        parts.append(("reference", [config.DATA_DIR]))
    for part, paths in parts:
        files = iter_turtle_files(paths)
        if not files:
            where = ", ".join(str(p) for p in paths)
            raise RdfInputError(where, "no Turtle files here", "name .ttl files, or folders that contain them")
        for path in files:
            load_file(loaded, path, part, checker)
    for part in ("ontology", "shapes", "data", "reference"):
        if part in loaded.files or (part == "data"):
            loaded.triples[part] = loaded.count(loaded.graph_of(part))
    return loaded
