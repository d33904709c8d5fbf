"""SHACL validation compiled to SPARQL: every shape's constraints evaluated once over the whole graph.

pySHACL (the reference, :mod:`jpmg.checks.shacl`) walks the focus nodes one by one and, for a SHACL-SPARQL
constraint, hands its query to rdflib once per focus node. Here each shape is compiled into a few SPARQL queries
that pyoxigraph evaluates set at a time over the store of :mod:`jpmg.checks.store`:

* the focus nodes of a shape are one sub-query (its targets, with ``sh:targetClass`` following the subclass
  hierarchy of the ontology and the data, closed once); a property shape shared by several node shapes is checked
  for all of them in one query, each row saying which node shape it is for;
* the value-type constraints of a property shape (``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
  ``sh:pattern``, ``sh:node``, ``sh:or``, ``sh:and``, ``sh:not``) become one filter over its values, which returns
  only the failing ones and which constraint each fails; ``sh:minCount``/``sh:maxCount`` one grouped count;
  ``sh:uniqueLang`` one self-join;
* a SHACL-SPARQL constraint's own query runs once with ``$this`` unbound (it is the same variable as ``?this``),
  its solutions deduplicated per focus node as pySHACL does, and kept for the shape's focus nodes; messages get
  ``{?var}``/``{$this}`` substituted as pySHACL substitutes them.

Shapes whose targets match nothing cost one cheap query and produce nothing. The results are pySHACL's: the same
focus node, path, value, source shape, severity and messages, which ``tests/test_differential.py`` proves on the
fixtures, the real data, broken copies and synthetic corpora.

What is not compiled goes to pySHACL, shape by shape (:data:`DELEGATED`): other constraint components
(``sh:closed``, ``sh:hasValue``, ``sh:equals``, ``sh:lessThan``, qualified value shapes, string lengths, value
ranges, ``sh:languageIn``, ``sh:xone``, custom components), nested shapes with property constraints or SPARQL,
SHACL-SPARQL constraints on property shapes or with pre-bound variables other than ``$this``, queries with
sub-queries, ``VALUES``, ``MINUS`` or ``SERVICE``, queries that do not start from ``$this``, queries that could
compute on literals the store keeps wrapped, patterns Python's and SPARQL's regular expressions might read
differently, implicit class targets, and SHACL-AF (rules, custom targets): with any of the last, everything goes to
pySHACL. The supported shapes are deactivated in the copy of the shapes graph pySHACL receives, so nothing is
reported twice.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox

from jpmg.checks.store import (
    BAD,
    BAD_LITERALS,
    DATA,
    ONTOLOGY,
    RDF,
    SHAPES,
    WRAPPED,
    XSD,
    LoadedStore,
    stored_literal,
    term_text,
)
from jpmg.findings import Finding, Severity

__all__ = ["DELEGATED", "ShapesModel", "run"]

CHECK = "shacl"
SH = "http://www.w3.org/ns/shacl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"

#: The SHACL constructs the fast path hands to pySHACL (shape by shape), in words, for reports and the docs.
DELEGATED = (
    "constraint components other than class, datatype, nodeKind, in, pattern, node, or, and, not, minCount, "
    "maxCount, uniqueLang and sparql (closed, hasValue, equals, disjoint, lessThan, lessThanOrEquals, "
    "qualifiedValueShape, minLength, maxLength, minInclusive, maxInclusive, minExclusive, maxExclusive, languageIn, "
    "xone, custom SPARQL-based components)",
    "nested shapes (sh:node, sh:or, sh:and, sh:not) that have property shapes or SPARQL constraints of their own",
    "SHACL-SPARQL constraints on property shapes, ASK validators, queries using $value, $PATH, $currentShape or "
    "$shapesGraph, sub-queries, VALUES, MINUS or SERVICE, queries whose first pattern does not start from $this, "
    "and queries that mention a property whose literals the store keeps wrapped (or that use a variable property "
    "while any literal is wrapped)",
    "sh:pattern regular expressions outside the syntax Python and SPARQL read alike, or with flags other than i, m, s",
    "implicit class targets (a shape that is also a class); and, for the whole shapes graph, SHACL-AF rules, "
    "custom targets, SPARQL functions and declared constraint components",
)

_SEVERITIES = {SH + "Violation": Severity.VIOLATION, SH + "Warning": Severity.WARNING, SH + "Info": Severity.INFO}
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
_VALUE_COMPONENTS = ("class", "datatype", "nodeKind", "in", "pattern", "node", "or", "and", "not")
# Predicates of the SHACL namespace a shape may carry without being a constraint we do not compile.
_HARMLESS = {
    "path",
    "severity",
    "message",
    "deactivated",
    "property",
    "sparql",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "flags",
    "declare",
    "prefixes",
    *_TARGETS,
}
_COMPILED = {
    "class",
    "datatype",
    "nodeKind",
    "in",
    "pattern",
    "node",
    "or",
    "and",
    "not",
    "minCount",
    "maxCount",
    "uniqueLang",
}
_ADVANCED = {"rule", "target", "condition", "entailment"}
_ADVANCED_TYPES = {
    "SPARQLFunction",
    "ConstraintComponent",
    "SPARQLTarget",
    "SPARQLTargetType",
    "JSTarget",
    "SPARQLRule",
    "TripleRule",
    "JSFunction",
}
# A regular expression read alike by Python's re and by SPARQL's REGEX (Oxigraph: Rust's regex crate): no
# look-around, back-references, named groups, possessive or lazy quantifiers, or escapes the two read differently.
_SAFE_REGEX = re.compile(r"(?:[^\\(?]|\\[\\.^$|?*+()\[\]{}\-/dDwWsStnr]|\((?!\?)|(?<=[^\\])\?)*")


# --- the shapes graph --------------------------------------------------------------------------------------------


class ShapesIndex:
    """The shapes graph as subject -> predicate -> objects (it is small: read once from the store)."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.out: dict[object, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.subjects_by: dict[tuple[str, object], list[object]] = defaultdict(list)
        for quad in quads:
            self.out[quad.subject][quad.predicate.value].append(quad.object)
            self.subjects_by[(quad.predicate.value, quad.object)].append(quad.subject)

    def objects(self, subject: object, predicate: str) -> list[object]:
        return self.out.get(subject, {}).get(predicate, [])

    def value(self, subject: object, predicate: str) -> object | None:
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def items(self, head: object) -> list[object]:
        """The members of an RDF list."""
        members: list[object] = []
        seen = set()
        while isinstance(head, (ox.BlankNode, ox.NamedNode)) and head not in seen and head.value != RDF_NIL:
            seen.add(head)
            first = self.value(head, RDF_FIRST)
            if first is None:
                break
            members.append(first)
            head = self.value(head, RDF_REST)
        return members


# --- paths ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathExpr:
    """A SHACL property path: its SPARQL syntax and the text pySHACL's report gives it (see shacl.path_text)."""

    sparql: str
    text: str
    node: object


def _path(index: ShapesIndex, node: object, problems: list[str]) -> PathExpr:
    if isinstance(node, ox.NamedNode):
        return PathExpr(f"<{node.value}>", node.value, node)
    if not isinstance(node, ox.BlankNode):
        problems.append(f"path {node} is not an IRI or a blank node")
        return PathExpr("<urn:x-jpmg:no-path>", str(node), node)
    if index.value(node, RDF_FIRST) is not None:
        parts = [_path(index, m, problems) for m in index.items(node)]
        return PathExpr("(" + "/".join(p.sparql for p in parts) + ")", "/".join(p.text for p in parts), node)
    alternatives = index.value(node, SH + "alternativePath")
    if alternatives is not None:
        parts = [_path(index, m, problems) for m in index.items(alternatives)]
        return PathExpr(
            "(" + "|".join(p.sparql for p in parts) + ")", "(" + "|".join(p.text for p in parts) + ")", node
        )
    for predicate, operator in (
        ("inversePath", "^"),
        ("zeroOrMorePath", "*"),
        ("oneOrMorePath", "+"),
        ("zeroOrOnePath", "?"),
    ):
        inner = index.value(node, SH + predicate)
        if inner is not None:
            part = _path(index, inner, problems)
            if operator == "^":
                return PathExpr(f"^({part.sparql})", "^" + part.text, node)
            return PathExpr(f"({part.sparql}){operator}", part.text + operator, node)
    problems.append("a blank-node path of an unknown kind")
    return PathExpr("<urn:x-jpmg:no-path>", "_:" + node.value, node)


# --- shapes ----------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class SparqlConstraint:
    node: object
    select: str
    prefixes: str
    messages: list[ox.Literal]
    problems: list[str]


@dataclass(eq=False)
class Shape:
    """One shape and what it asks, in the fast path's terms; ``problems`` name what is not compiled."""

    node: object
    path: PathExpr | None
    severity: str
    messages: list[ox.Literal]
    deactivated: bool
    targets: dict[str, list[object]]
    constraints: list[tuple[str, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return any(self.targets.values())

    def all_problems(self, seen: set | None = None) -> list[str]:
        """The shape's own problems and those of every shape it uses."""
        seen = seen if seen is not None else set()
        if id(self) in seen:
            return []
        seen.add(id(self))
        found = list(self.problems)
        for prop in self.properties:
            found += prop.all_problems(seen)
        for name, argument in self.constraints:
            for nested in _nested_shapes(name, argument):
                found += nested.all_problems(seen)
                if nested.properties or nested.sparql:
                    found.append(f"sh:{name} names a shape with property shapes or SPARQL constraints")
                if nested.path is not None:
                    found.append(f"sh:{name} names a property shape")
        for constraint in self.sparql:
            found += constraint.problems
        return found


def _nested_shapes(name: str, argument: object) -> list[Shape]:
    if name in ("node", "not"):
        return [argument]  # type: ignore[list-item]
    if name in ("or", "and"):
        return list(argument)  # type: ignore[arg-type]
    return []


class ShapesModel:
    """Every shape of the shapes graph, parsed once."""

    def __init__(self, index: ShapesIndex) -> None:
        self.index = index
        self.shapes: dict[object, Shape] = {}
        self.problems: list[str] = []  # problems that send the whole validation to pySHACL
        for subject, predicates in list(index.out.items()):
            if any(p[len(SH) :] in _ADVANCED for p in predicates if p.startswith(SH)):
                self.problems.append(f"{term_text(subject)} uses SHACL-AF (rules, custom targets or conditions)")
            for kind in predicates.get(RDF_TYPE, []):
                if (
                    isinstance(kind, ox.NamedNode)
                    and kind.value.startswith(SH)
                    and kind.value[len(SH) :] in (_ADVANCED_TYPES)
                ):
                    self.problems.append(f"{term_text(subject)} is a {kind.value}")
        candidates = set()
        for subject, predicates in index.out.items():
            types = {t.value for t in predicates.get(RDF_TYPE, []) if isinstance(t, ox.NamedNode)}
            if types & {SH + "NodeShape", SH + "PropertyShape"} or any(
                p.startswith(SH) and p[len(SH) :] in (*_TARGETS, "property", "path", "sparql", *_COMPILED)
                for p in predicates
            ):
                candidates.add(subject)
        for subject in sorted(candidates, key=term_text):
            self.shape(subject)

    def shape(self, node: object) -> Shape:
        known = self.shapes.get(node)
        if known is not None:
            return known
        index = self.index
        problems: list[str] = []
        path_node = index.value(node, SH + "path")
        severity = index.value(node, SH + "severity")
        deactivated = index.value(node, SH + "deactivated")
        shape = Shape(
            node=node,
            path=None,
            severity=severity.value if isinstance(severity, ox.NamedNode) else SH + "Violation",
            messages=[m for m in index.objects(node, SH + "message") if isinstance(m, ox.Literal)],
            deactivated=isinstance(deactivated, ox.Literal) and deactivated.value in ("true", "1"),
            targets={t: list(index.objects(node, SH + t)) for t in _TARGETS},
            problems=problems,
        )
        self.shapes[node] = shape
        if path_node is not None:
            shape.path = _path(index, path_node, problems)
        types = {t.value for t in index.objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode)}
        if types & {RDFS + "Class", OWL + "Class"}:
            problems.append("implicit class target (the shape is also a class)")
        for predicate, values in index.out.get(node, {}).items():
            if not predicate.startswith(SH):
                continue
            name = predicate[len(SH) :]
            if name in _HARMLESS:
                continue
            if name not in _COMPILED:
                problems.append(f"sh:{name}")
                continue
            if name in ("minCount", "maxCount", "datatype", "uniqueLang", "pattern") and len(values) > 1:
                problems.append(f"several sh:{name}")
                continue
            for value in values:
                self._constraint(shape, name, value, problems)
        for prop in index.objects(node, SH + "property"):
            shape.properties.append(self.shape(prop))
        for constraint in index.objects(node, SH + "sparql"):
            shape.sparql.append(self._sparql(shape, constraint))
        return shape

    def _constraint(self, shape: Shape, name: str, value: object, problems: list[str]) -> None:
        index = self.index
        if name in ("minCount", "maxCount"):
            if not isinstance(value, ox.Literal) or not value.value.strip().lstrip("+").isdigit():
                problems.append(f"sh:{name} {value}")
                return
            shape.constraints.append((name, int(value.value)))
        elif name == "uniqueLang":
            if isinstance(value, ox.Literal) and value.value in ("true", "1"):
                shape.constraints.append((name, True))
            elif not (isinstance(value, ox.Literal) and value.value in ("false", "0")):
                problems.append(f"sh:uniqueLang {value}")
        elif name in ("class", "datatype", "nodeKind"):
            if not isinstance(value, ox.NamedNode):
                problems.append(f"sh:{name} {value}")
                return
            if name == "nodeKind" and value.value[len(SH) :] not in _NODE_KINDS:
                problems.append(f"sh:nodeKind {value}")
                return
            shape.constraints.append((name, value))
        elif name == "in":
            shape.constraints.append((name, index.items(value)))
        elif name == "pattern":
            flags = index.value(shape.node, SH + "flags")
            flag_text = flags.value if isinstance(flags, ox.Literal) else ""
            if (
                not isinstance(value, ox.Literal)
                or not _SAFE_REGEX.fullmatch(value.value)
                or set(flag_text) - set("ims")
            ):
                problems.append(f"sh:pattern {value} (flags {flag_text!r})")
                return
            shape.constraints.append((name, (value.value, flag_text)))
        elif name in ("node", "not"):
            shape.constraints.append((name, self.shape(value)))
        elif name in ("or", "and"):
            shape.constraints.append((name, [self.shape(m) for m in index.items(value)]))

    def _sparql(self, shape: Shape, node: object) -> SparqlConstraint:
        index = self.index
        problems: list[str] = []
        select = index.value(node, SH + "select")
        messages = [m for m in index.objects(node, SH + "message") if isinstance(m, ox.Literal)]
        deactivated = index.value(node, SH + "deactivated")
        if isinstance(deactivated, ox.Literal) and deactivated.value in ("true", "1"):
            problems.append("a deactivated SPARQL constraint")
        if index.value(node, SH + "ask") is not None or select is None:
            problems.append("a SPARQL constraint without sh:select")
            return SparqlConstraint(node, "", "", messages, problems)
        if shape.path is not None:
            problems.append("a SPARQL constraint on a property shape")
        text = select.value
        where = text[text.upper().find("WHERE") :] if "WHERE" in text.upper() else text
        for word, reason in (
            (r"\$(value|PATH|currentShape|shapesGraph)\b", "pre-bound variables other than $this"),
            (r"(?i)\bSELECT\b", "a sub-query"),
            (r"(?i)\bVALUES\b", "VALUES"),
            (r"(?i)\bMINUS\b", "MINUS"),
            (r"(?i)\bSERVICE\b", "SERVICE"),
            (r"(?i)\bGRAPH\b", "GRAPH"),
        ):
            if re.search(word, where if reason != "pre-bound variables other than $this" else text):
                problems.append(f"a SPARQL constraint with {reason}")
        first = re.match(r"(?is)\s*WHERE\s*\{\s*([?$]\w+)", where)
        if first is None or first.group(1)[1:] != "this":
            problems.append("a SPARQL constraint whose first pattern does not start from $this")
        projection = text[: text.upper().find("WHERE")] if "WHERE" in text.upper() else ""
        if re.search(r"(?i)\(\s*(?![?$]\w+\s+AS\b)", projection):
            problems.append("a SPARQL constraint that computes projected values")
        prefixes = []
        for declarations in index.objects(node, SH + "prefixes"):
            for declaration in index.objects(declarations, SH + "declare"):
                prefix, namespace = index.value(declaration, SH + "prefix"), index.value(declaration, SH + "namespace")
                if isinstance(prefix, ox.Literal) and isinstance(namespace, ox.Literal):
                    prefixes.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return SparqlConstraint(node, text, "\n".join(sorted(set(prefixes))), messages, problems)


_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}


# --- compiling ---------------------------------------------------------------------------------------------------


def _iri(text: str) -> str:
    return f"<{text}>"


def _term(term: object) -> str:
    """A term in SPARQL syntax, literals in the form the store keeps them in."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        stored = stored_literal(term)
        text = stored.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if stored.language:
            return f'"{text}"@{stored.language}'
        return f'"{text}"^^<{stored.datatype.value}>'
    raise ValueError(f"no SPARQL form for {term!r}")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


class Compiler:
    """Turns shapes into SPARQL over the store (the data and the ontology as the default graph)."""

    def __init__(self, loaded: LoadedStore, query) -> None:
        self.loaded = loaded
        self.query = query
        self.subclasses = self._subclass_closure()

    def _subclass_closure(self) -> dict[object, set[object]]:
        """For each class, itself and every class below it by rdfs:subClassOf in the data and the ontology."""
        children: dict[object, set[object]] = defaultdict(set)
        for row in self.query(f"SELECT DISTINCT ?c ?p WHERE {{ ?c <{RDFS}subClassOf> ?p }}"):
            children[row["p"]].add(row["c"])
        closure: dict[object, set[object]] = {}

        def down(cls: object) -> set[object]:
            known = closure.get(cls)
            if known is not None:
                return known
            found = {cls}
            stack = list(children.get(cls, ()))
            while stack:  # a walk, not a recursion: cycles end at nodes already found
                child = stack.pop()
                if child not in found:
                    found.add(child)
                    stack.extend(children.get(child, ()))
            # stored only once complete: shapes are compiled on several threads, which must never see half a set
            return closure.setdefault(cls, found)

        self._down = down
        return closure

    def classes_below(self, cls: object) -> list[object]:
        return sorted(self._down(cls), key=term_text)

    # -- focus nodes --

    def focus_pattern(self, shape: Shape) -> str | None:
        """A graph pattern binding ?this to the shape's focus nodes (with duplicates), or None if it has none."""
        branches = []
        for cls in shape.targets["targetClass"]:
            classes = " ".join(_term(c) for c in self.classes_below(cls) if isinstance(c, ox.NamedNode))
            blank = [c for c in self.classes_below(cls) if isinstance(c, ox.BlankNode)]
            if blank:
                raise _Unsupported("a blank-node class in the subclass hierarchy of a target class")
            branches.append(f"{{ ?this <{RDF_TYPE}> ?targetClass . VALUES ?targetClass {{ {classes} }} }}")
        nodes = [n for n in shape.targets["targetNode"]]
        if nodes:
            if any(isinstance(n, ox.BlankNode) for n in nodes):
                raise _Unsupported("a blank-node sh:targetNode")
            branches.append("{ VALUES ?this { " + " ".join(_term(n) for n in nodes) + " } }")
        for prop in shape.targets["targetSubjectsOf"]:
            branches.append(f"{{ ?this {_term(prop)} ?targetObject }}")
        for prop in shape.targets["targetObjectsOf"]:
            branches.append(f"{{ ?targetSubject {_term(prop)} ?this }}")
        return " UNION ".join(branches) if branches else None

    # -- value conditions --

    def conforms(self, shape: Shape, v: str) -> str:
        """A SPARQL expression true when the node in ``v`` conforms to the (node-level) shape."""
        if shape.deactivated:
            return "true"
        parts = [self.condition(name, argument, v) for name, argument in shape.constraints if name in _VALUE_COMPONENTS]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def condition(self, name: str, argument: object, v: str) -> str:
        """A SPARQL expression true when the value in ``v`` meets one value-type constraint."""
        if name == "class":
            # one EXISTS per class below: Oxigraph answers a constant pattern from its index, while a variable
            # class tested with IN is matched against every typing triple
            classes = [c for c in self.classes_below(argument) if isinstance(c, ox.NamedNode)]
            if not classes:
                return "false"
            return "(" + " || ".join(f"EXISTS {{ {v} <{RDF_TYPE}> {_term(c)} }}" for c in classes) + ")"
        if name == "datatype":
            return self.datatype(argument.value, v)  # type: ignore[attr-defined]
        if name == "nodeKind":
            return _NODE_KINDS[argument.value[len(SH) :]].format(v=v)  # type: ignore[attr-defined]
        if name == "in":
            members = [m for m in argument if not isinstance(m, ox.BlankNode)]  # type: ignore[attr-defined]
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")"
        if name == "pattern":
            pattern, flags = argument  # type: ignore[misc]
            flag_argument = f", {_string(flags)}" if flags else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {_string(pattern)}{flag_argument}))"
        if name == "node":
            return self.conforms(argument, v)  # type: ignore[arg-type]
        if name == "not":
            return f"!{self.conforms(argument, v)}"  # type: ignore[arg-type]
        if name == "or":
            return "(" + " || ".join(self.conforms(s, v) for s in argument) + ")" if argument else "false"
        if name == "and":
            return "(" + " && ".join(self.conforms(s, v) for s in argument) + ")" if argument else "true"
        raise _Unsupported(f"sh:{name}")

    def datatype(self, datatype: str, v: str) -> str:
        """pySHACL's sh:datatype test: a literal of that datatype (as written) that is not ill-typed."""
        if datatype == RDFS + "Literal":
            return f"isLiteral({v})"
        if datatype == RDF + "langString":
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if datatype == RDFS + "Datatype":
            return f'(isLiteral({v}) && LANG({v}) = "" && DATATYPE({v}) != <{XSD}string>)'
        if datatype == XSD + "string":
            return f"(isLiteral({v}) && DATATYPE({v}) = <{XSD}string>)"
        test = f"(isLiteral({v}) && (DATATYPE({v}) = <{datatype}> || DATATYPE({v}) = <{WRAPPED}{datatype}>)"
        if self.loaded.has_bad_literals:
            test += f" && NOT EXISTS {{ GRAPH <{BAD_LITERALS.value}> {{ <{BAD.value}> <{BAD.value}> {v} }} }}"
        return test + ")"


class _Unsupported(Exception):
    pass


# --- evaluating ------------------------------------------------------------------------------------------------------


@dataclass
class RawResult:
    focus: object
    shape: Shape
    path: str | None
    value: object | None
    messages: list[str]


def _messages(shape: Shape) -> list[str]:
    return [m.value for m in shape.messages]


class Evaluator:
    def __init__(self, loaded: LoadedStore, model: ShapesModel) -> None:
        self.loaded = loaded
        self.model = model
        self.store = loaded.store
        self.results: list[RawResult] = []
        self._count = itertools.count(1)
        self.queries = 0
        self.compiler = Compiler(loaded, self.query)

    def query(self, text: str):
        self.queries = next(self._count)
        return self.store.query(text, default_graph=[DATA, ONTOLOGY])

    def top_level(self) -> list[Shape]:
        return [s for s in self.model.shapes.values() if s.has_targets and not s.deactivated]

    def run(self, shapes: Sequence[Shape], workers: int | None = None) -> None:
        """Evaluate the shapes; the queries are independent and run on ``workers`` threads (pyoxigraph releases the
        interpreter while it evaluates), by default one per processor, at most four."""
        # the node shapes each property shape is checked for: property shapes shared by many node shapes (a label,
        # the sources of a fact) are checked for all of them in one query per kind of constraint
        uses: dict[int, list[tuple[Shape, Shape]]] = defaultdict(list)
        tasks: list[tuple] = []
        for shape in shapes:
            if shape.path is not None:
                uses[id(shape)].append((shape, shape))
            else:
                tasks.append((self.node_constraints, shape))
                tasks.append((self.sparql_constraints, shape))
            for prop in shape.properties:
                if not prop.deactivated:
                    uses[id(prop)].append((shape, prop))
        for pairs in uses.values():
            tasks.append((self.property_constraints, pairs[0][1], [owner for owner, _ in pairs]))
        workers = workers or min(4, os.cpu_count() or 1)
        if workers <= 1:
            for task in tasks:
                task[0](*task[1:])
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(*task) for task in tasks]:
                future.result()

    # -- node shapes' own constraints: the value node is the focus node --

    def node_constraints(self, shape: Shape) -> None:
        checks = [(name, argument) for name, argument in shape.constraints if name in _VALUE_COMPONENTS]
        if not checks:
            return
        focus = self.compiler.focus_pattern(shape)
        if focus is None:
            return
        conditions = [self.compiler.condition(name, argument, "?this") for name, argument in checks]
        columns = " ".join(f"({c} AS ?ok{i})" for i, c in enumerate(conditions))
        failing = " || ".join(f"!({c})" for c in conditions)
        query = (
            f"SELECT DISTINCT ?this {columns} WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} "
            f"FILTER ({failing}) }}"
        )
        for row in self.query(query):
            for i in range(len(conditions)):
                ok = row[f"ok{i}"]
                if ok is None or ok.value != "true":
                    self.results.append(RawResult(row["this"], shape, None, row["this"], _messages(shape)))

    # -- property shapes --

    def _focus_union(self, owners: list[Shape]) -> str | None:
        branches = []
        for n, owner in enumerate(owners):
            pattern = self.compiler.focus_pattern(owner)
            if pattern is not None:
                branches.append(f"{{ {{ {pattern} }} BIND({n} AS ?ns) }}")
        if not branches:
            return None
        return "{ SELECT DISTINCT ?ns ?this WHERE { " + " UNION ".join(branches) + " } }"

    def property_constraints(self, prop: Shape, owners: list[Shape]) -> None:
        focus = self._focus_union(owners)
        if focus is None or prop.path is None:
            return
        path = prop.path.sparql
        messages = _messages(prop)
        checks = [(name, argument) for name, argument in prop.constraints if name in _VALUE_COMPONENTS]
        if checks:
            conditions = [self.compiler.condition(name, argument, "?v") for name, argument in checks]
            columns = " ".join(f"({c} AS ?ok{i})" for i, c in enumerate(conditions))
            failing = " || ".join(f"!({c})" for c in conditions)
            query = f"SELECT DISTINCT ?ns ?this ?v {columns} WHERE {{ {focus} ?this {path} ?v . FILTER ({failing}) }}"
            for row in self.query(query):
                for i in range(len(conditions)):
                    ok = row[f"ok{i}"]
                    if ok is None or ok.value != "true":
                        self.results.append(RawResult(row["this"], prop, prop.path.text, row["v"], messages))
        counts = dict((name, argument) for name, argument in prop.constraints if name in ("minCount", "maxCount"))
        if counts:
            low, high = counts.get("minCount"), counts.get("maxCount")
            if low == 1 and high is None:
                # OPTIONAL and !BOUND rather than FILTER NOT EXISTS: Oxigraph re-evaluates a NOT EXISTS over a path
                # of several steps for every focus node without its binding, which grows with the square of the data
                query = f"SELECT ?ns ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} FILTER (!BOUND(?v)) }}"
                for row in self.query(query):
                    self.results.append(RawResult(row["this"], prop, prop.path.text, None, messages))
            elif (low or 0) > 0 or high is not None:
                having = []
                if low:
                    having.append(f"?n < {low}")
                if high is not None:
                    having.append(f"?n > {high}")
                optional = f"OPTIONAL {{ ?this {path} ?v }}" if low else f"?this {path} ?v ."
                query = (
                    f"SELECT ?ns ?this ?n WHERE {{ {{ SELECT ?ns ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} "
                    f"{optional} }} GROUP BY ?ns ?this }} FILTER ({' || '.join(having)}) }}"
                )
                for row in self.query(query):
                    n = int(row["n"].value)
                    if low is not None and n < low:
                        self.results.append(RawResult(row["this"], prop, prop.path.text, None, messages))
                    if high is not None and n > high:
                        self.results.append(RawResult(row["this"], prop, prop.path.text, None, messages))
        if any(name == "uniqueLang" for name, _ in prop.constraints):
            query = (
                f"SELECT DISTINCT ?ns ?this ?lang WHERE {{ {focus} ?this {path} ?v1 . ?this {path} ?v2 . "
                f'FILTER (isLiteral(?v1) && LANG(?v1) != "" && !sameTerm(?v1, ?v2) && isLiteral(?v2) '
                f"&& LCASE(LANG(?v1)) = LCASE(LANG(?v2))) BIND (LCASE(LANG(?v1)) AS ?lang) }}"
            )
            for row in self.query(query):
                self.results.append(RawResult(row["this"], prop, prop.path.text, None, messages))

    # -- SHACL-SPARQL --

    def solutions(self, constraint: SparqlConstraint) -> tuple[list[str], list[dict[str, object]]]:
        """The constraint query's solutions (projected variables, rows), set at a time.

        Oxigraph evaluates ``FILTER NOT EXISTS { B }`` by re-reading B for every row, without the row's bindings
        when B has several patterns, which grows with the square of the data. A top-level one is rewritten into
        an anti-join with the same meaning (the filter substitutes each row into B, and B's solutions that agree
        with the row are exactly those of B joined to it):

        * B made of triple patterns only becomes ``OPTIONAL { B BIND(true AS ?m) } FILTER(!BOUND(?m))``;
        * any other B (filters, BIND, OPTIONAL inside) is joined into the group in a second query, and the rows
          that extend are taken away from the rows of the query without B, compared on all of the group's
          variables.

        Other queries run as they are.
        """
        split = _split_not_exists(constraint.select)
        if split is None:
            solutions = self.store.query(f"{constraint.prefixes}\n{constraint.select}", default_graph=[DATA, ONTOLOGY])
            self.queries = next(self._count)
            variables = [v.value for v in solutions.variables]
            return variables, [{v: row[v] for v in variables} for row in solutions]
        prologue, projection, group, filters = split
        complex_filters = []
        for n, inner in enumerate(filters):
            if re.search(r"(?i)\b(FILTER|BIND|OPTIONAL|VALUES|UNION|EXISTS)\b|\{", _strip_literals(inner)):
                complex_filters.append(inner)
            else:
                group += f"\nOPTIONAL {{ {inner} BIND(true AS ?jpmg_absent_{n}) }} FILTER (!BOUND(?jpmg_absent_{n}))"
        variables = [alias for _, alias in projection]
        if not complex_filters:
            items = " ".join(
                f"?{source}" if source == alias else f"(?{source} AS ?{alias})" for source, alias in projection
            )
            self.queries = next(self._count)
            solutions = self.store.query(
                f"{constraint.prefixes}\n{prologue}\nSELECT {items} WHERE {{ {group} }}", default_graph=[DATA, ONTOLOGY]
            )
            return variables, [{v: row[v] for v in variables} for row in solutions]
        names = sorted(set(re.findall(r"[?$](\w+)", _strip_literals(group))))
        head = f"{constraint.prefixes}\n{prologue}\nSELECT DISTINCT {' '.join('?' + n for n in names)} WHERE"

        def rows(body: str) -> list[tuple]:
            self.queries = next(self._count)
            return [
                tuple(row[n] for n in names)
                for row in self.store.query(f"{head} {{ {body} }}", default_graph=[DATA, ONTOLOGY])
            ]

        outer = rows(group)
        for inner in complex_filters:
            if not outer:
                break
            supported = set(rows(f"{group}\n{inner}"))
            outer = [row for row in outer if row not in supported]
        kept = [dict(zip(names, row, strict=True)) for row in outer]
        return variables, [{alias: row.get(source) for source, alias in projection} for row in kept]

    def sparql_constraints(self, shape: Shape) -> None:
        focus_set: set | None = None
        for constraint in shape.sparql:
            variables, solutions = self.solutions(constraint)
            seen: set = set()
            for row in solutions:
                values = tuple(row[v] for v in variables)
                this = row["this"] if "this" in variables else None
                if this is None or values in seen:
                    continue
                seen.add(values)
                if focus_set is None:
                    pattern = self.compiler.focus_pattern(shape)
                    focus_set = (
                        set()
                        if pattern is None
                        else {r["this"] for r in self.query(f"SELECT DISTINCT ?this WHERE {{ {pattern} }}")}
                    )
                if this not in focus_set:
                    continue
                bound = {v: row[v] for v in variables if row[v] is not None}
                value = bound.get("value", this)
                texts = {_substitute(m.value, variables, bound, this, value) for m in shape.messages}
                texts |= {_substitute(m.value, variables, bound, this, value) for m in constraint.messages}
                self.results.append(RawResult(this, shape, None, value, sorted(texts)))


def _strip_literals(text: str) -> str:
    """The text with strings, IRIs and comments blanked out, so that only the query's own syntax remains."""
    return _LEXICAL.sub(lambda m: " " * len(m.group(0)), text)


_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^\s<>\"{}|^`\\]*>|#[^\n]*"
)


def _split_not_exists(select: str) -> tuple[str, list[tuple[str, str]], str, list[str]] | None:
    """(prologue, projection as (variable, alias) pairs, the WHERE group without its top-level FILTER NOT EXISTS
    blocks, their inner groups) for a query with such blocks, or None."""
    blank = _strip_literals(select)
    match = re.search(r"(?is)\bSELECT\b(.*?)\bWHERE\s*\{", blank)
    if match is None:
        return None
    prologue = select[: match.start()]
    items = match.group(1).strip()
    if items.upper().startswith(("DISTINCT", "REDUCED")):
        items = items.split(None, 1)[1] if " " in items else ""
    projection = []
    for part in re.finditer(r"\(\s*[?$](\w+)\s+AS\s+[?$](\w+)\s*\)|[?$](\w+)", items):
        if part.group(3):
            projection.append((part.group(3), part.group(3)))
        else:
            projection.append((part.group(1), part.group(2)))
    if not projection or "*" in items:
        return None
    start = match.end()  # just after the WHERE's opening brace
    depth, position, end = 1, start, None
    while position < len(blank):
        char = blank[position]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                end = position
                break
        position += 1
    if end is None or blank[end + 1 :].strip():
        return None  # solution modifiers after the group: run the query as it is
    group_blank, group = blank[start:end], select[start:end]
    kept, inners, cursor = [], [], 0
    depth = 0
    position = 0
    while position < len(group_blank):
        char = group_blank[position]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            filter_match = re.compile(r"(?i)FILTER\s+NOT\s+EXISTS\s*\{").match(group_blank, position)
            if filter_match:
                inner_start = filter_match.end()
                level, scan = 1, inner_start
                while scan < len(group_blank) and level:
                    if group_blank[scan] == "{":
                        level += 1
                    elif group_blank[scan] == "}":
                        level -= 1
                    scan += 1
                inner = group[inner_start : scan - 1]
                if re.search(r"(?i)\bEXISTS\b|\bSELECT\b|\bGRAPH\b|\bMINUS\b", _strip_literals(inner)):
                    return None
                kept.append(group[cursor:position])
                inners.append(inner)
                cursor = position = scan
                continue
        position += 1
    if not inners:
        return None
    kept.append(group[cursor:])
    return prologue, projection, "".join(kept), inners


def _substitute(message: str, variables: list[str], bound: dict, this: object, value: object) -> str:
    """pySHACL's substitution of {?var} and {$var} in a SPARQL constraint's message (re.sub, in its order)."""
    fdict = {v: bound[v] for v in variables if v in bound and v not in ("this", "path", "value")}
    fdict["this"] = this
    if "path" in bound:
        fdict["path"] = bound["path"]
    fdict["value"] = value
    for var, val in fdict.items():
        message = re.sub(f"{{[?$]{var}}}", _python_str(val), message)
    return message


def _python_str(term: object) -> str:
    """str() of the rdflib term pySHACL would hold: an IRI or a blank node's label, or a literal's text."""
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term.value
    return str(term)


# --- the whole check ---------------------------------------------------------------------------------------------


def _to_finding(result: RawResult) -> Finding:
    return Finding(
        CHECK,
        _SEVERITIES.get(result.shape.severity, Severity.VIOLATION),
        " ".join(sorted(result.messages)) or "The value does not conform to its shape.",
        focus_node=term_text(result.focus),
        path=result.path,
        value=None if result.value is None else term_text(result.value),
        source_shape=term_text(result.shape.node),
    )


def _wrapped_conflict(constraint: SparqlConstraint, loaded: LoadedStore) -> str | None:
    """Why the constraint's query might compute on a literal the store keeps wrapped, or None."""
    if not loaded.wrapped_predicates:
        return None
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]*)>", constraint.prefixes))
    prefixes.update(re.findall(r"(?i)PREFIX\s+(\w*):\s*<([^>]*)>", constraint.select))
    mentioned = set(re.findall(r"<([^>\s]*)>", constraint.select))
    for prefix, local in re.findall(r"(?<![\w?$])([A-Za-z][\w-]*)?:([A-Za-z_][\w.-]*)", constraint.select):
        if prefix in prefixes:
            mentioned.add(prefixes[prefix] + local)
    hit = sorted(mentioned & loaded.wrapped_predicates)
    if hit:
        return f"its query mentions {hit[0]}, whose literals the store keeps wrapped"
    where = constraint.select[constraint.select.upper().find("WHERE") :]
    if re.search(r"[?$]\w+\s+[?$]\w+\s+[?$<\"\w]", where):
        return "its query may use a variable as a property while some literals are kept wrapped"
    return None


@dataclass
class FastShaclOutcome:
    findings: list[Finding]
    compiled: int
    delegated: list[tuple[str, list[str]]]
    queries: int


def run(loaded: LoadedStore, locate=None) -> FastShaclOutcome:
    """Validate the store's data (with the ontology) against its shapes; locate findings with ``locate``."""
    model = ShapesModel(ShapesIndex(loaded.store.quads_for_pattern(None, None, None, SHAPES)))
    evaluator = Evaluator(loaded, model)
    top = evaluator.top_level()
    delegated: dict[object, list[str]] = {}
    if model.problems:
        delegated = {s.node: list(model.problems) for s in top}
    else:
        for shape in top:
            problems = shape.all_problems()
            for constraint in shape.sparql:
                conflict = _wrapped_conflict(constraint, loaded)
                if conflict:
                    problems.append(conflict)
            try:
                evaluator.compiler.focus_pattern(shape)
            except _Unsupported as error:
                problems.append(str(error))
            if problems:
                delegated[shape.node] = problems
        # a supported shape that a delegated one uses (sh:node, sh:property, ...) is evaluated by pySHACL too, so it
        # cannot be deactivated there; then pySHACL alone reports it
        if delegated:
            referenced = _referenced_shapes(model)
            for shape in top:
                if shape.node not in delegated and shape.node in referenced:
                    delegated[shape.node] = ["used by a shape pySHACL evaluates"]
    compiled = [s for s in top if s.node not in delegated]
    try:
        evaluator.run(compiled)
    except _Unsupported as error:  # pragma: no cover - focus patterns were tried above
        raise RuntimeError(f"unexpected unsupported construct: {error}") from None
    findings = [_to_finding(r) for r in evaluator.results]
    if delegated:
        findings += _reference(loaded, model, compiled)
    if locate is not None and findings:
        findings = locate(findings)
    findings.sort(
        key=lambda f: (
            f.severity.value,
            f.source_shape or "",
            f.focus_node or "",
            f.path or "",
            f.value or "",
            f.message,
        )
    )
    return FastShaclOutcome(
        findings,
        len(compiled),
        sorted((term_text(node), problems) for node, problems in delegated.items()),
        evaluator.queries,
    )


def _referenced_shapes(model: ShapesModel) -> set[object]:
    referenced: set[object] = set()
    for shape in model.shapes.values():
        for prop in shape.properties:
            referenced.add(prop.node)
        for name, argument in shape.constraints:
            for nested in _nested_shapes(name, argument):
                referenced.add(nested.node)
    return referenced


def _reference(loaded: LoadedStore, model: ShapesModel, compiled: list[Shape]) -> list[Finding]:
    """pySHACL on the files, with the shapes the fast path evaluated deactivated."""
    from dataclasses import replace

    from rdflib import Literal, URIRef
    from rdflib.namespace import SH as RSH
    from rdflib.namespace import XSD as RXSD

    from jpmg.checks import shacl
    from jpmg.checks.compare import graph_blank_key, store_blank_node
    from jpmg.dataset import read_files

    ontology = read_files(loaded.files["ontology"]).graph
    shapes = read_files(loaded.files["shapes"]).graph
    files = read_files(loaded.data_files)
    data = files.graph
    data += ontology
    for shape in compiled:
        if isinstance(shape.node, ox.NamedNode):
            shapes.set((URIRef(shape.node.value), RSH.deactivated, Literal(True, datatype=RXSD.boolean)))
        else:
            raise _Unsupported("a blank-node shape evaluated by the fast path next to pySHACL")
    findings = shacl.findings_from_report(shacl.validate_graph(data, shapes), files.files)
    # pySHACL's blank nodes are those of its own parse: name them by the store's, found by where they hang
    keys = graph_blank_key(data + shapes)
    renamed: dict[str, str] = {}

    def rename(text: str | None) -> str | None:
        if text is None or not text.startswith("_:"):
            return text
        if text not in renamed:
            node = store_blank_node(loaded.store, keys(text))
            renamed[text] = "_:" + node.value if node is not None else text
        return renamed[text]

    return [
        replace(f, focus_node=rename(f.focus_node), value=rename(f.value), source_shape=rename(f.source_shape))
        for f in findings
    ]


def describe_delegation(outcome: FastShaclOutcome) -> str:
    if not outcome.delegated:
        return f"{outcome.compiled} shapes compiled to {outcome.queries} SPARQL queries"
    return (
        f"{outcome.compiled} shapes compiled to {outcome.queries} SPARQL queries; "
        f"{len(outcome.delegated)} evaluated by pySHACL"
    )
