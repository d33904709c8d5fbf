"""The mutation corpus: minimal edits of the REAL data (``data/``), each of which validation must catch, with the
exact finding it must report.

Most mutations are derived from the shapes (``shapes/jpmg-shapes.ttl``): for every node shape, every property shape
it uses and every constraint a real node can violate, one real focus node of the shape's target class gets the
smallest edit that breaks that constraint:

=================  ============================================================================================
constraint         edit
=================  ============================================================================================
sh:minCount        the path's values removed from the focus node (for a sequence path, its first step)
sh:maxCount        one more value, taken from another node's values of the same path
sh:datatype        the value retyped (xsd:string for a typed literal, a plain string for a language-tagged one)
sh:class, sh:node, the value replaced by a resource of another kind (a concept, or a city where concepts fit)
sh:or
sh:in              the value replaced by a concept outside the list
sh:pattern         a string that does not match; for a node shape's IRI pattern, the focus node renamed
sh:nodeKind        a literal where an IRI must be, an IRI where a literal must be
sh:uniqueLang      a second value in the same language
=================  ============================================================================================

The SHACL-SPARQL rules and the other checks of ``validate.py`` (strict parsing; vocabulary: an undeclared term, a
misspelt term of a reused vocabulary, an undescribed instance, an ill-typed literal; reasoning: disjoint classes;
functional properties) get hand-written edits (:func:`hand_written`).

An edit is made on the parsed graph of the one data file that describes the focus node, which is written back as
Turtle; the other files are copied as they are. Each mutation names the findings it must produce (check, focus node,
source shape, severity and, for a blank node, the value) and the findings it may also produce: the same focus node's
other constraints, and the cross-node rules (dates compared across tenures and delegations; OWL typing of a value)
that the edit sets off on the nodes linked to it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from jpmg import config
from jpmg.parsing import iter_turtle_files, parse_turtle
from jpmg.stores.sparql import quiet_literal_warnings

ID = config.INSTANCE_BASE
SHAPES = config.BASE_IRI + "shapes#"
JPMG = config.ONTOLOGY_NS
SKOS_CONCEPT = URIRef("http://www.w3.org/2004/02/skos/core#Concept")
SCHEMA_CITY = URIRef("https://schema.org/City")
BLANK = "_:"  # stands for "a blank node" in an expected finding
SPARQL_SHAPES = frozenset(
    SHAPES + name
    for name in (
        "TenureOrderShape",
        "TenureOverlapShape",
        "DelegationHeadTenureShape",
        "SessionAfterFoundingShape",
        "PreferredClaimPerPointShape",
        "DerivationShortcutShape",
    )
)


@dataclass(frozen=True)
class Expected:
    """A finding a mutation must produce. ``focus`` is an IRI or :data:`BLANK`; for a blank node, ``value`` (when
    given) tells it apart."""

    check: str
    focus: str | None
    shape: str | None
    severity: str = "Violation"
    value: str | None = None

    def matches(self, finding) -> bool:
        if (finding.check, finding.source_shape, finding.severity.value) != (self.check, self.shape, self.severity):
            return False
        if self.focus == BLANK:
            blank = finding.focus_node is not None and finding.focus_node.startswith("_:")
            return blank and (self.value is None or finding.value == self.value)
        return finding.focus_node == self.focus and (self.value is None or finding.value == self.value)


@dataclass
class Mutation:
    """One minimal edit of one data file, and what validation must say about it."""

    name: str
    file: str
    remove: list[tuple[Node, Node, Node]] = field(default_factory=list)
    add: list[tuple[Node, Node, Node]] = field(default_factory=list)
    rename: tuple[URIRef, URIRef] | None = None
    text_edit: tuple[str, str] | None = None  # (old, new) on the file's text, for edits below the graph (syntax)
    expected: set[Expected] = field(default_factory=set)
    near: set[str] = field(default_factory=set)  # nodes whose findings may come along: the edited node's neighbours
    far: set[str] = field(default_factory=set)  # nodes two links away, where only the cross-node date rules may fire
    values: set[str] = field(default_factory=set)  # the values the edit brings in or takes out
    core: set[str] = field(default_factory=set)  # the nodes the edit changes: the focus, the values it moves
    origin: str = ""  # the shape or check the mutation is derived from

    def _named(self, name: str, origin: str) -> Mutation:
        self.name, self.origin = name, origin
        return self

    def explains(self, finding) -> bool:
        """Whether ``finding`` is one this edit may also set off (besides its expected ones)."""
        if any(expected.matches(finding) for expected in self.expected):
            return True
        if finding.focus_node in self.near or (finding.value is not None and finding.value in self.values):
            return True
        return finding.source_shape in SPARQL_SHAPES and finding.focus_node in self.far

    def placed(self, data: Data) -> list[tuple[str, Triple, bool]]:
        """Each triple to remove (False) or add (True) with the file it goes to: a removed triple's own file; an
        added triple's subject's file, or this mutation's file for a new node."""
        placed = []
        for triple in self.remove:
            files = [name for name, graph in data.graphs.items() if triple in graph]
            assert files, f"{self.name}: {triple} is in no data file"
            placed.append((files[0], triple, False))
        for triple in self.add:
            subject = data.anchor(triple[0])
            known = isinstance(subject, URIRef) and any((subject, None, None) in g for g in data.graphs.values())
            placed.append((data.file_of(subject) if known else self.file, triple, True))
        return placed

    def files(self, data: Data) -> set[str]:
        """The data files this edit changes (a renamed IRI is renamed wherever it appears)."""
        if self.text_edit is not None:
            return {self.file}
        if self.rename is not None:
            old = self.rename[0]
            return {n for n, graph in data.graphs.items() if (old, None, None) in graph or (None, None, old) in graph}
        return {name for name, _, _ in self.placed(data)}

    def edit(self, data: Data, graphs: dict[str, Graph]) -> None:
        """Make this edit on ``graphs`` (copies of the files' graphs, by file name)."""
        if self.text_edit is not None:
            return
        for name, triple, add in self.placed(data):
            if add:
                graphs[name].add(triple)
            else:
                graphs[name].remove(triple)
        if self.rename is not None:
            old, new = self.rename
            for name in self.files(data):
                for s, p, o in list(graphs[name]):
                    if old in (s, o):
                        graphs[name].remove((s, p, o))
                        graphs[name].add((new if s == old else s, p, new if o == old else o))


def write_mutated(data: Data, mutations: list[Mutation], target: Path, *, rewrite_all: bool = False) -> Path:
    """Write the data with every mutation of ``mutations`` made into the folder ``target`` (created); return it.
    The files an edit touches are parsed and written back as Turtle (all of them with ``rewrite_all``)."""
    target.mkdir(parents=True, exist_ok=True)
    changed = set().union(*(m.files(data) for m in mutations)) if mutations else set()
    if rewrite_all:
        changed = {path.name for path in data.files}
    texts = {m.file: m.text_edit for m in mutations if m.text_edit is not None}
    graphs: dict[str, Graph] = {}
    for name in changed - set(texts):
        graph = Graph()
        for prefix, namespace in data.graphs[name].namespaces():
            graph.bind(prefix, namespace, override=True, replace=True)
        for triple in data.graphs[name]:
            graph.add(triple)
        graphs[name] = graph
    for mutation in mutations:
        mutation.edit(data, graphs)
    for path in data.files:
        if path.name in texts:
            old, new = texts[path.name]  # type: ignore[misc]
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} is not in {path.name}"
            (target / path.name).write_text(text.replace(old, new, 1), encoding="utf-8")
        elif path.name in graphs:
            (target / path.name).write_text(graphs[path.name].serialize(format="turtle"), encoding="utf-8")
        else:
            shutil.copyfile(path, target / path.name)
    return target


# -- the data, the ontology's classes, the shapes -------------------------------------------------------------------


@dataclass
class Data:
    """The real data, file by file, and what the generator asks of it."""

    folder: Path
    files: list[Path]
    graphs: dict[str, Graph]
    union: Graph
    types: dict[Node, set[URIRef]]  # every class of each node, with the ontology's superclasses
    owner: dict[Node, tuple[Node, URIRef]]  # a blank node's (subject, predicate) that points at it

    def file_of(self, node: Node) -> str:
        described = [name for name, graph in self.graphs.items() if (node, RDF.type, None) in graph]
        if not described:
            described = [name for name, graph in self.graphs.items() if (node, None, None) in graph]
        assert described, node
        return described[0]

    def instances(self, classes: set[URIRef]) -> list[Node]:
        """The nodes of any of ``classes`` (or their subclasses): IRIs first, sorted; then blank nodes by owner."""
        found = [node for node, kinds in self.types.items() if kinds & classes]
        return sorted(found, key=lambda n: (isinstance(n, BNode), str(self.owner.get(n, (n,))[0]), str(n)))

    def anchor(self, node: Node) -> Node:
        """The IRI a blank node hangs from (through as many blank nodes as it takes), or the node itself."""
        seen = set()
        while isinstance(node, BNode) and node in self.owner and node not in seen:
            seen.add(node)
            node = self.owner[node][0]
        return node


@cache
def subclass_closure() -> dict[URIRef, set[URIRef]]:
    """Each class of the ontology with all its superclasses (itself included)."""
    ontology = parse_turtle(config.ONTOLOGY_DIR / "jpmg.ttl")
    parents: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            parents.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}

    def up(cls: URIRef) -> set[URIRef]:
        if cls not in closure:
            closure[cls] = {cls}
            for parent in parents.get(cls, ()):
                closure[cls] |= up(parent)
        return closure[cls]

    for cls in list(parents):
        up(cls)
    return closure


def load_data(folder: Path = config.DATA_DIR) -> Data:
    files = iter_turtle_files([folder])
    graphs = {path.name: parse_turtle(path) for path in files}
    union = Graph()
    for graph in graphs.values():
        union += graph
    closure = subclass_closure()
    types: dict[Node, set[URIRef]] = {}
    for node, kind in union.subject_objects(RDF.type):
        types.setdefault(node, set()).update(closure.get(kind, {kind}))  # type: ignore[arg-type]
    owner = {o: (s, p) for s, p, o in union if isinstance(o, BNode)}
    return Data(folder, files, graphs, union, types, owner)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PropertyShape:
    iri: URIRef
    path: Node
    severity: str
    constraints: dict[URIRef, list[Node]]


@dataclass(frozen=True)
class NodeShape:
    iri: URIRef
    targets: frozenset[URIRef]
    pattern: str | None
    properties: tuple[PropertyShape, ...]


@cache
def shapes_graph() -> Graph:
    return parse_turtle(config.SHAPES_DIR / "jpmg-shapes.ttl")


def node_shapes() -> list[NodeShape]:
    """Every node shape with a class target, with its property shapes."""
    graph = shapes_graph()
    found = []
    for shape in sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str):
        targets = frozenset(o for o in graph.objects(shape, SH.targetClass) if isinstance(o, URIRef))
        if not targets:
            continue
        pattern = graph.value(shape, SH.pattern)
        properties = []
        for prop in sorted(graph.objects(shape, SH.property), key=str):
            constraints: dict[URIRef, list[Node]] = {}
            for p, o in graph.predicate_objects(prop):
                if p not in (RDF.type, SH.path, SH.severity, SH.message):
                    constraints.setdefault(p, []).append(o)  # type: ignore[arg-type]
            severity = str(graph.value(prop, SH.severity)).rsplit("#", 1)[-1]
            properties.append(PropertyShape(prop, graph.value(prop, SH.path), severity, constraints))  # type: ignore[arg-type]
        found.append(NodeShape(shape, targets, str(pattern) if pattern else None, tuple(properties)))  # type: ignore[arg-type]
    return found


# -- paths ---------------------------------------------------------------------------------------------------------

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Edge:
    """One way a path leads from a focus node to a value: the path's first triple, its last triple (whose object,
    or subject for an inverse step, is the value), and the value."""

    first: Triple
    last: Triple
    value: Node
    inverse: bool  # the last step is an inverse one: the value is the last triple's subject


def path_edges(data: Data, node: Node, path: Node) -> list[Edge]:
    """Every edge of a SHACL path (a predicate, an inverse, an alternative or a sequence of them) from ``node``."""
    graph, shapes = data.union, shapes_graph()
    if isinstance(path, URIRef):
        return [Edge((node, path, o), (node, path, o), o, False) for o in sorted(graph.objects(node, path), key=str)]
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        assert isinstance(inverse, URIRef), "an inverse of a complex path"
        return [
            Edge((s, inverse, node), (s, inverse, node), s, True)
            for s in sorted(graph.subjects(inverse, node), key=str)
        ]
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return [edge for member in Collection(shapes, alternatives) for edge in path_edges(data, node, member)]
    steps = list(Collection(shapes, path))
    found = path_edges(data, node, steps[0])
    for step in steps[1:]:
        found = [
            Edge(edge.first, later.last, later.value, later.inverse)
            for edge in found
            for later in path_edges(data, edge.value, step)
        ]
    return found


def first_predicate(path: Node) -> tuple[URIRef, bool]:
    """The predicate of a path's first step, and whether that step is inverse (for adding a value)."""
    shapes = shapes_graph()
    if isinstance(path, URIRef):
        return path, False
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return inverse, True  # type: ignore[return-value]
    alternatives = shapes.value(path, SH.alternativePath)
    members = list(Collection(shapes, alternatives if alternatives is not None else path))
    return first_predicate(members[0])


def is_simple(path: Node) -> bool:
    """A single predicate, or an inverse one, or alternatives of those: one step from the focus to the value."""
    shapes = shapes_graph()
    if isinstance(path, URIRef):
        return True
    if shapes.value(path, SH.inversePath) is not None:
        return isinstance(shapes.value(path, SH.inversePath), URIRef)
    alternatives = shapes.value(path, SH.alternativePath)
    return alternatives is not None and all(is_simple(member) for member in Collection(shapes, alternatives))


def replaced(edge: Edge, value: Node) -> tuple[Triple, Triple]:
    """The edge's last triple, and the same triple leading to ``value`` instead."""
    s, p, o = edge.last
    return edge.last, ((value, p, o) if edge.inverse else (s, p, value))


# -- deriving mutations from the shapes -----------------------------------------------------------------------------


def _other_kind(data: Data, avoid: set[URIRef]) -> URIRef:
    """A described resource of a kind that none of ``avoid`` (or their subclasses) is: a concept, or a city; the
    least linked-to and least used so far, so that edits stay apart."""
    closure = subclass_closure()
    for candidate_class in (SKOS_CONCEPT, SCHEMA_CITY):
        if candidate_class in avoid or any(candidate_class in closure.get(a, {a}) for a in avoid):
            continue
        candidates = [
            node
            for node in data.instances({candidate_class})
            if isinstance(node, URIRef) and not data.types.get(node, set()) & avoid and str(node).startswith(ID)
        ]
        if candidates:
            chosen = min(candidates, key=lambda n: (_USES.get(n, 0), len(set(data.union.subjects(None, n))), str(n)))
            _USES[chosen] = _USES.get(chosen, 0) + 1
            return chosen
    raise AssertionError(f"no resource of another kind than {avoid}")


def _retyped(value: Literal, datatype: URIRef) -> Literal:
    """``value`` with another datatype than ``datatype`` asks for."""
    if datatype == RDF.langString:
        return Literal(str(value))
    if datatype == XSD.string:
        return Literal(str(value), lang="en")
    return Literal(str(value))  # a plain xsd:string


def _wrong_literal(datatype: URIRef) -> Literal:
    if datatype == RDF.langString:
        return Literal("mutation value")
    if datatype == XSD.string:
        return Literal("mutation value", lang="en")
    return Literal("mutation value")


_USES: dict[Node, int] = {}


_USES: dict[Node, int] = {}


def _focus_for(data: Data, shape: NodeShape, prop: PropertyShape, needs_value: bool) -> tuple[Node, list[Edge]] | None:
    """A real focus node of the shape's targets (with a value on the path when ``needs_value``): the one used least
    so far by other mutations, so that the corpus edits many nodes and its edits can be validated together."""
    best = None
    for node in data.instances(set(shape.targets)):
        found = path_edges(data, node, prop.path)
        if needs_value and not found:
            continue
        if isinstance(node, BNode) and data.anchor(node) == node:
            continue  # a blank node nobody points at: nothing to name it by
        uses = _USES.get(data.anchor(node), 0)
        if best is None or uses < best[0]:
            best = (uses, node, found)
            if uses == 0:
                break
    if best is None:
        return None
    _USES[data.anchor(best[1])] = best[0] + 1
    return best[1], best[2]


def _clone(data: Data, node: BNode) -> tuple[BNode, list[Triple]]:
    """A copy of a blank node and everything under it, with fresh blank nodes."""
    fresh = BNode()
    triples: list[Triple] = []
    for _, p, o in data.union.triples((node, None, None)):
        if isinstance(o, BNode):
            child, below = _clone(data, o)
            triples += [(fresh, p, child), *below]
        else:
            triples.append((fresh, p, o))
    return fresh, triples


def _another_literal(value: Literal) -> Literal:
    """A different literal of the same datatype (or language)."""
    text = str(value)
    if value.language:
        return Literal(f"{text} (another)", lang=value.language)
    datatype = value.datatype
    if datatype == XSD.boolean:
        return Literal("false" if text == "true" else "true", datatype=datatype)
    if datatype in (XSD.date, XSD.gYear, XSD.gYearMonth) and text[:4].isdigit():
        return Literal(("1999" if text[:4] != "1999" else "1998") + text[4:], datatype=datatype)
    try:
        return Literal(str(Decimal(text) + 1), datatype=datatype)
    except InvalidOperation:
        return Literal(text + " (another)", datatype=datatype)


def _another_value(data: Data, prop: PropertyShape, edges: list[Edge]) -> tuple[Node, list[Triple]]:
    """A value to add beside the focus node's values on the path: of the same kind as one of them (the same classes,
    the same datatype), so that only the count is wrong. Returns the value and the triples that describe it (for a
    cloned blank node)."""
    have = {edge.value for edge in edges}
    if edges:
        value = edges[0].value
        if isinstance(value, Literal):
            return _another_literal(value), []
        if isinstance(value, BNode):
            return _clone(data, value)
        kinds = data.types.get(value, set())
        same = [
            n for n in data.instances(kinds) if n not in have and isinstance(n, URIRef) and data.types.get(n) == kinds
        ]
        if same:
            return same[0], []
    predicate, _ = first_predicate(prop.path)
    others = sorted(
        {o for o in data.union.objects(None, predicate) if o not in have and not isinstance(o, BNode)}, key=str
    )
    if others:
        return others[0], []
    datatype = next(iter(prop.constraints.get(SH.datatype, [])), None)
    if datatype == XSD.boolean:
        return Literal("true", datatype=XSD.boolean), []
    classes = {c for c in prop.constraints.get(SH["class"], []) if isinstance(c, URIRef)}
    candidates = [n for n in data.instances(classes) if isinstance(n, URIRef) and n not in have]
    assert candidates, f"no value to add for {prop.iri}"
    return candidates[0], []


def _expected(node: Node, prop: PropertyShape, value: Node | None = None, check: str = "shacl") -> Expected:
    if isinstance(node, BNode):
        return Expected(check, BLANK, str(prop.iri), prop.severity, None if value is None else str(value))
    return Expected(check, str(node), str(prop.iri), prop.severity)


def neighbours(data: Data, nodes: set[Node]) -> set[Node]:
    """``nodes`` (as the IRIs they hang from), and the IRIs they link to or are linked from."""
    anchors = {data.anchor(n) for n in nodes}
    found = set(anchors)
    for anchor in anchors:
        for _, _, o in data.union.triples((anchor, None, None)):
            found.add(data.anchor(o) if isinstance(o, BNode) else o)
        for s, _, _ in data.union.triples((None, None, anchor)):
            found.add(data.anchor(s))
    return {n for n in found if isinstance(n, URIRef)}


def derived(data: Data) -> Iterator[Mutation]:
    """One mutation per (node shape, property shape, constraint) that a real node can violate."""
    closure = subclass_closure()
    _USES.clear()
    for shape in node_shapes():
        local = shape.iri.rsplit("#", 1)[-1]
        if shape.pattern:
            yield from _pattern_mutation(data, shape, local)
        for prop in shape.properties:
            prop_name = prop.iri.rsplit("#", 1)[-1]
            for constraint, objects in prop.constraints.items():
                kind = constraint.rsplit("#", 1)[-1]
                name = f"{local}/{prop_name}/{kind}"
                mutation = _property_mutation(data, shape, prop, kind, objects, name, closure)
                if mutation is not None:
                    mutation.origin = f"{shape.iri} {prop.iri} sh:{kind}"
                    yield mutation


def _listed() -> set[Node]:
    """The values some sh:in lists: renaming one would break every node that uses it."""
    graph = shapes_graph()
    return {item for lst in graph.objects(None, SH["in"]) for item in Collection(graph, lst)}


def _pattern_mutation(data: Data, shape: NodeShape, local: str) -> Iterator[Mutation]:
    listed = _listed()
    for node in data.instances(set(shape.targets)):
        if not isinstance(node, URIRef) or node in listed:
            continue
        wrong = URIRef(ID + "misfiled/" + str(node).rsplit("/", 1)[-1])
        kinds = data.types[node]
        expected = {
            Expected("shacl", str(wrong), str(other.iri))
            for other in node_shapes()
            if other.pattern and other.targets & kinds
        }
        # the publisher shape's alternative (a pattern or an organization) applies to schema:Organization
        publisher = URIRef("https://schema.org/Organization")
        if publisher in kinds and not kinds & {URIRef("http://www.w3.org/ns/org#Organization")}:
            expected.add(Expected("shacl", str(wrong), SHAPES + "PublisherShape"))
        yield Mutation(
            f"{local}/pattern",
            data.file_of(node),
            rename=(node, wrong),
            expected=expected,
            near={str(wrong)} | {str(n) for n in neighbours(data, {node})},
            core={str(node), str(wrong)},
            origin=f"{shape.iri} sh:pattern",
        )
        return


def _property_mutation(
    data: Data,
    shape: NodeShape,
    prop: PropertyShape,
    kind: str,
    objects: list[Node],
    name: str,
    closure: dict[URIRef, set[URIRef]],
) -> Mutation | None:
    if kind == "minCount":
        if int(objects[0]) < 1:
            return None
        picked = _focus_for(data, shape, prop, True)
        if picked is None:
            return None
        node, edges = picked
        removed = sorted({edge.first for edge in edges}, key=str)
        return _mutation(data, name, node, remove=removed, expected={_expected(node, prop)})
    if kind == "maxCount":
        limit = int(objects[0])
        picked = _focus_for(data, shape, prop, limit > 0)
        if picked is None:
            return None
        node, edges = picked
        predicate, inverse = first_predicate(prop.path)
        added: list[Triple] = []
        for _ in range(limit + 1 - len(edges)):
            value, described = _another_value(data, prop, edges)
            added += [(value, predicate, node) if inverse else (node, predicate, value), *described]
            edges = [*edges, Edge(added[0], added[0], value, inverse)]
        return _mutation(data, name, node, add=added, expected={_expected(node, prop)})
    if kind == "datatype":
        datatype = objects[0]
        picked = _focus_for(data, shape, prop, True) or _focus_for(data, shape, prop, False)
        if picked is None:
            return None
        node, edges = picked
        if not is_simple(prop.path):
            return None
        if edges:
            old = edges[0].value
            new = _retyped(old, datatype) if isinstance(old, Literal) else _wrong_literal(datatype)  # type: ignore[arg-type]
            before, after = replaced(edges[0], new)
            return _mutation(data, name, node, remove=[before], add=[after], expected={_expected(node, prop, new)})
        predicate, _ = first_predicate(prop.path)
        new = _wrong_literal(datatype)  # type: ignore[arg-type]
        return _mutation(data, name, node, add=[(node, predicate, new)], expected={_expected(node, prop, new)})
    if kind in ("class", "node", "or", "in"):
        picked = _focus_for(data, shape, prop, True) or _focus_for(data, shape, prop, False)
        if picked is None:
            return None
        node, edges = picked
        if kind == "node" and objects[0] == URIRef(SHAPES + "DateAtPrecisionShape"):
            if not edges:
                return None
            new: Node = Literal("2001-02-03")  # a date written as a plain string: no precision datatype
        elif kind == "in":
            allowed = set(Collection(shapes_graph(), objects[0]))
            new = next(c for c in data.instances({SKOS_CONCEPT}) if c not in allowed and isinstance(c, URIRef))
        else:
            avoid = set(objects) if kind == "class" else {URIRef("http://www.w3.org/ns/org#Organization")}
            new = _other_kind(data, {a for a in avoid if isinstance(a, URIRef)})
        if edges:
            before, after = replaced(edges[0], new)
            return _mutation(data, name, node, remove=[before], add=[after], expected={_expected(node, prop, new)})
        if not is_simple(prop.path):
            return None
        predicate, inverse = first_predicate(prop.path)
        after = (new, predicate, node) if inverse else (node, predicate, new)
        return _mutation(data, name, node, add=[after], expected={_expected(node, prop, new)})
    if kind == "pattern":
        picked = _focus_for(data, shape, prop, True)
        if picked is None:
            return None
        node, edges = picked
        new = Literal("mutation-1")
        before, after = replaced(edges[0], new)
        return _mutation(data, name, node, remove=[before], add=[after], expected={_expected(node, prop, new)})
    if kind == "nodeKind":
        picked = _focus_for(data, shape, prop, True)
        if picked is None:
            return None
        node, edges = picked
        old = edges[0].value
        new = Literal(str(old)) if objects[0] == SH.IRI else data.anchor(node)
        before, after = replaced(edges[0], new)
        return _mutation(data, name, node, remove=[before], add=[after], expected={_expected(node, prop, new)})
    if kind == "uniqueLang":
        picked = _focus_for(data, shape, prop, True)
        if picked is None:
            return None
        node, edges = picked
        old = edges[0].value
        new = Literal(f"{old} (another name)", lang=getattr(old, "language", None) or "en")
        s, p, _o = edges[0].last
        return _mutation(data, name, node, add=[(s, p, new)], expected={_expected(node, prop)})
    return None


def _mutation(
    data: Data,
    name: str,
    node: Node,
    *,
    remove: list | None = None,
    add: list | None = None,
    expected: set[Expected],
) -> Mutation:
    remove, add = list(remove or []), list(add or [])
    touched = {node} | {o for _, _, o in remove if not isinstance(o, Literal)}
    brought = {o for _, _, o in add if isinstance(o, URIRef)}
    # A finding expected on another node (the other tenure of an overlap) depends on that node as well: an edit of
    # it in the same group could hide the finding, so it counts as touched for the grouping.
    expected_nodes = {URIRef(e.focus) for e in expected if e.focus and e.focus != BLANK}
    expected_nodes |= {URIRef(e.value) for e in expected if e.value and e.value.startswith("https://w3id.org/jpmg/id/")}
    near = neighbours(data, touched) | brought | expected_nodes
    far = neighbours(data, near - brought)
    return Mutation(
        name,
        data.file_of(data.anchor(node)),
        remove=remove,
        add=add,
        expected=expected,
        near={str(n) for n in near},
        far={str(n) for n in far},
        values={str(o) for _, _, o in remove + add},
        core={str(data.anchor(n)) for n in touched | brought | expected_nodes},
    )


JPMG_NS = URIRef(JPMG)
TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")


def _j(local: str) -> URIRef:
    return URIRef(JPMG + local)


def _instant_value(data: Data, interval: Node, end: str) -> tuple[Node, Node, Literal] | None:
    """(instant, predicate, literal) of an interval's beginning or end, at whatever precision it is given."""
    instant = data.union.value(interval, URIRef(TIME + end))
    if instant is None:
        return None
    for predicate in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear"):
        value = data.union.value(instant, URIRef(TIME + predicate))
        if isinstance(value, Literal):
            return instant, URIRef(TIME + predicate), value
    return None


def _least_used(candidates: list[Node]) -> Node:
    """The candidate other mutations edit least (ties: the first), so that edits stay apart."""
    return min(candidates, key=lambda n: _USES.get(n, 0))


def _tenures(data: Data) -> list[URIRef]:
    return [n for n in data.instances({_j("Tenure")}) if isinstance(n, URIRef)]


def hand_written(data: Data) -> Iterator[Mutation]:
    """Edits for what the shapes' constraints do not derive: the SHACL-SPARQL rules, and the checks of validate.py
    other than SHACL. Each picks its real node by what the rule needs, not by name, so the data can grow."""
    union = data.union
    rdf_type = RDF.type

    # (a) a tenure that ends before it begins: its end moved to 1900, at its own precision
    for tenure in _tenures(data):
        interval = union.value(tenure, URIRef(ORG + "memberDuring"))
        begin = _instant_value(data, interval, "hasBeginning") if interval else None
        end = _instant_value(data, interval, "hasEnd") if interval else None
        if begin and end and not union.value(tenure, _j("acting")):
            instant, predicate, old = end
            new = Literal("1900" + str(old)[4:], datatype=old.datatype)
            yield _mutation(
                data,
                "sparql/TenureOrder/ends-before-it-begins",
                tenure,
                remove=[(instant, predicate, old)],
                add=[(instant, predicate, new)],
                expected={Expected("shacl", str(tenure), SHAPES + "TenureOrderShape")},
            )._named("sparql/TenureOrder/ends-before-it-begins", SHAPES + "TenureOrderShape")
            break

    # (b) two people in one post at once: the earlier holder's end moved past the later one's beginning
    done = False
    for earlier in _tenures(data):
        if done:
            break
        post, member = union.value(earlier, _j("post")), union.value(earlier, URIRef(ORG + "member"))
        interval = union.value(earlier, URIRef(ORG + "memberDuring"))
        begin = _instant_value(data, interval, "hasBeginning") if interval else None
        end = _instant_value(data, interval, "hasEnd") if interval else None
        if not (begin and end) or union.value(earlier, _j("acting")):
            continue
        for later in _tenures(data):
            if later == earlier or union.value(later, _j("post")) != post:
                continue
            if union.value(later, URIRef(ORG + "member")) == member or union.value(later, _j("acting")):
                continue
            later_interval = union.value(later, URIRef(ORG + "memberDuring"))
            later_begin = _instant_value(data, later_interval, "hasBeginning") if later_interval else None
            if later_begin is None or str(later_begin[2])[:4] <= str(begin[2])[:4]:
                continue
            instant, predicate, old = end
            new = Literal("2099", datatype=XSD.gYear)
            yield _mutation(
                data,
                "sparql/TenureOverlap/two-holders-at-once",
                earlier,
                remove=[(instant, predicate, old)],
                add=[(instant, URIRef(TIME + "inXSDgYear"), new)],
                expected={
                    Expected("shacl", str(earlier), SHAPES + "TenureOverlapShape", value=str(later)),
                    Expected("shacl", str(later), SHAPES + "TenureOverlapShape", value=str(earlier)),
                },
            )._named("sparql/TenureOverlap/two-holders-at-once", SHAPES + "TenureOverlapShape")
            done = True
            break

    # (c) a delegation's head who did not hold the post they led it in: the head's post replaced by another post
    #     that person never held
    for delegation in data.instances({_j("Delegation")}):
        head, post = union.value(delegation, _j("head")), union.value(delegation, _j("headPost"))
        session = union.value(delegation, _j("atSession"))
        if head is None or post is None or session is None or union.value(session, _j("date")) is None:
            continue
        held = {union.value(t, _j("post")) for t in union.subjects(URIRef(ORG + "member"), head)}
        other = next(p for p in data.instances({URIRef(ORG + "Post")}) if p not in held and isinstance(p, URIRef))
        yield _mutation(
            data,
            "sparql/DelegationHeadTenure/head-never-held-the-post",
            delegation,
            remove=[(delegation, _j("headPost"), post)],
            add=[(delegation, _j("headPost"), other)],
            expected={Expected("shacl", str(delegation), SHAPES + "DelegationHeadTenureShape", value=str(other))},
        )._named("sparql/DelegationHeadTenure/head-never-held-the-post", SHAPES + "DelegationHeadTenureShape")
        break

    # (d) a session dated before its forum was founded
    founded = {union.value(e, URIRef(ORG + "resultingOrganization")) for e in data.instances({_j("FoundingEvent")})}
    for session in data.instances({_j("Session")}):
        forum, date = union.value(session, _j("sessionOf")), union.value(session, _j("date"))
        if forum in founded and isinstance(date, Literal) and not str(date).startswith("--"):
            new = Literal("1950" + str(date)[4:], datatype=date.datatype)
            yield _mutation(
                data,
                "sparql/SessionAfterFounding/session-before-the-founding",
                session,
                remove=[(session, _j("date"), date)],
                add=[(session, _j("date"), new)],
                expected={Expected("shacl", str(session), SHAPES + "SessionAfterFoundingShape", value=str(new))},
            )._named("sparql/SessionAfterFounding/session-before-the-founding", SHAPES + "SessionAfterFoundingShape")
            break

    # (e) a conflict that prefers two claims on one point
    for conflict in data.instances({_j("SourceConflict")}):
        claims = sorted(union.objects(conflict, _j("hasClaim")), key=str)
        preferred = set(union.objects(conflict, _j("preferredClaim")))
        point = {c: (union.value(c, _j("about")), union.value(c, _j("claimedProperty"))) for c in claims}
        pair = next(
            ((a, b) for a in claims for b in claims if str(a) < str(b) and point[a] == point[b] and a in preferred),
            None,
        ) or next(((a, b) for a in claims for b in claims if str(a) < str(b) and point[a] == point[b]), None)
        if pair is None:
            continue
        added = [(conflict, _j("preferredClaim"), c) for c in pair if c not in preferred]
        yield _mutation(
            data,
            "sparql/PreferredClaimPerPoint/two-preferred-claims",
            conflict,
            add=added,
            expected={Expected("shacl", str(conflict), SHAPES + "PreferredClaimPerPointShape", value=str(pair[1]))},
        )._named("sparql/PreferredClaimPerPoint/two-preferred-claims", SHAPES + "PreferredClaimPerPointShape")
        break

    # (f) a qualified derivation whose source is missing from the prov:wasDerivedFrom shortcut (a warning)
    shortcut = URIRef(PROV + "wasDerivedFrom")
    for node in sorted(set(union.subjects(URIRef(PROV + "qualifiedDerivation"), None)), key=str):
        sources = set(union.objects(node, shortcut))
        if isinstance(node, URIRef) and len(sources) >= 2:
            source = sorted(sources, key=str)[0]
            yield _mutation(
                data,
                "sparql/DerivationShortcut/source-missing-from-the-shortcut",
                node,
                remove=[(node, shortcut, source)],
                expected={
                    Expected("shacl", str(node), SHAPES + "DerivationShortcutShape", "Warning", value=str(source))
                },
            )._named("sparql/DerivationShortcut/source-missing-from-the-shortcut", SHAPES + "DerivationShortcutShape")
            break

    sessions = [n for n in data.instances({_j("Session")}) if isinstance(n, URIRef)]
    people = [n for n in data.instances({URIRef("http://xmlns.com/foaf/0.1/Person")}) if isinstance(n, URIRef)]

    # vocabulary: a jpmg: term the ontology does not declare
    yield _mutation(
        data,
        "vocabulary/undeclared-term",
        sessions[1],
        add=[(sessions[1], _j("chairedBy"), people[0])],
        expected={Expected("vocabulary", JPMG + "chairedBy", None)},
    )._named("vocabulary/undeclared-term", "vocabulary: undeclared jpmg: term")

    # vocabulary: a misspelt term of a reused vocabulary (foaf:name written foaf:nmae); the name is then missing
    person = _least_used([p for p in people if union.value(p, FOAF_NAME) is not None])
    name = union.value(person, FOAF_NAME)
    misspelt = URIRef("http://xmlns.com/foaf/0.1/nmae")
    yield _mutation(
        data,
        "vocabulary/misspelt-reused-term",
        person,
        remove=[(person, FOAF_NAME, name)],
        add=[(person, misspelt, name)],
        expected={
            Expected("vocabulary", str(misspelt), None),
            Expected("shacl", str(person), SHAPES + "Person-name"),
        },
    )._named("vocabulary/misspelt-reused-term", "vocabulary: term of a reused vocabulary")

    # vocabulary: an instance used as a value but described nowhere (a misspelt IRI)
    delegation = next(
        d
        for d in data.instances({_j("Delegation")})
        if isinstance(d, URIRef) and _USES.get(d, 0) <= 1 and union.value(d, _j("side")) is not None
    )
    side = union.value(delegation, _j("side"))
    nowhere = URIRef(ID + "org/atlantis")
    yield _mutation(
        data,
        "vocabulary/undescribed-instance",
        delegation,
        remove=[(delegation, _j("side"), side)],
        add=[(delegation, _j("side"), nowhere)],
        expected={
            Expected("vocabulary", str(nowhere), None),
            Expected("shacl", str(delegation), SHAPES + "Delegation-side"),
        },
    )._named("vocabulary/undescribed-instance", "vocabulary: described instances")

    # vocabulary: an ill-typed literal ("1983-13-45"^^xsd:date); SHACL's date shape refuses it too
    session = next(s for s in reversed(sessions) if isinstance(union.value(s, _j("date")), Literal))
    date = union.value(session, _j("date"))
    with quiet_literal_warnings():  # an ill-typed literal is the point here
        bad = Literal("1983-13-45", datatype=XSD.date)
    yield _mutation(
        data,
        "vocabulary/ill-typed-literal",
        session,
        remove=[(session, _j("date"), date)],
        add=[(session, _j("date"), bad)],
        expected={
            Expected("vocabulary", str(session), None),
            Expected("shacl", str(session), SHAPES + "date"),
        },
    )._named("vocabulary/ill-typed-literal", "vocabulary: well-typed literals")

    # reasoning: a resource in two disjoint classes (a session that is also a tenure)
    session = sessions[2]
    yield _mutation(
        data,
        "reasoning/disjoint-classes",
        session,
        add=[(session, rdf_type, _j("Tenure"))],
        expected={Expected("reasoning", str(session), None)},
    )._named("reasoning/disjoint-classes", "reasoning: owl:AllDisjointClasses")

    # reasoning: a functional property with two values (two ordinals). OWL 2 RL's prp-fp only makes the two literals
    # the same (no inconsistency owlrl reports); the SHACL maxCount of the property is what catches it.
    session = _least_used([s for s in sessions if union.value(s, _j("ordinal")) is not None])
    ordinal = union.value(session, _j("ordinal"))
    another = Literal(str(int(str(ordinal)) + 1000), datatype=ordinal.datatype)
    yield _mutation(
        data,
        "reasoning/functional-property-two-values",
        session,
        add=[(session, _j("ordinal"), another)],
        expected={Expected("shacl", str(session), SHAPES + "Session-ordinal")},
    )._named("reasoning/functional-property-two-values", "reasoning: owl:FunctionalProperty jpmg:ordinal")


def batches(mutations: list[Mutation], size: int = 25) -> list[list[Mutation]]:
    """The mutations in groups that can be validated together: in a group, no edit touches a node next to another's
    edit, no two expect a finding on a blank node of the same shape, and a text edit (which replaces its file) is
    alone in its file. Validation is then run once per group, and each mutation's findings are told apart."""

    def blank_shapes(mutation: Mutation) -> set[tuple[str | None, str | None]]:
        return {(e.shape, e.value) for e in mutation.expected if e.focus == BLANK}

    groups: list[list[Mutation]] = []
    for mutation in mutations:
        for group in groups:
            if len(group) >= size:
                continue
            if any(
                mutation.core & other.near
                or other.core & mutation.near
                or blank_shapes(mutation) & blank_shapes(other)
                or ((mutation.text_edit or other.text_edit) and mutation.file == other.file)
                for other in group
            ):
                continue
            group.append(mutation)
            break
        else:
            groups.append([mutation])
    return groups
