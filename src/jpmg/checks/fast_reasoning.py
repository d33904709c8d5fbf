"""OWL 2 RL consistency over the store: owlrl's inconsistency rules that this ontology's axioms can fire, in SPARQL.

owlrl (the reference, :mod:`jpmg.checks.reasoning`) computes the whole OWL 2 RL closure of the ontology and the
data in Python, triple by triple, and records an inconsistency when a rule meets one. Of its rules, the axioms of
``ontology/jpmg.ttl`` (classes and their hierarchy, two ``owl:AllDisjointClasses``, domains and ranges,
sub-properties, functional datatype properties, one datatype union) can make only one kind of inconsistency fire:
**cax-dw/cax-adc**, a resource (or a literal) that belongs to two disjoint classes. Membership follows from the
closure rules **cax-sco** and **cax-eqc** (subclasses, equivalent classes), **prp-dom**, **prp-rng** and
**prp-spo1** (domains and ranges, of the property or of a property above it), **eq-rep** over ``owl:sameAs``
(the members of a sameAs-clique share their classes) and owlrl's datatype typing of literals (a literal is in its
datatype and the datatypes above it, and owlrl declares the OWL 2 RL datatypes it sees used disjoint as OWL says).
``prp-fp`` (a functional property's two values are the same) fires only ``owl:sameAs`` between literals here,
which owlrl does not report, and ``cls-nothing2`` needs ``owl:Nothing``.

So: the classes each disjoint pair names are closed once downwards (classes below, properties whose domain or range
is below), one query per class gives its members, and each pair's common members are the findings, with the very
messages owlrl writes. Anything beyond that fragment in the ontology or the data (restrictions, intersections,
inverse, transitive, symmetric or inverse-functional properties, property chains, keys, ``owl:Nothing``,
``owl:differentFrom``, ``owl:sameAs`` on literals or on classes and properties, a functional property with two
values one of which is a resource, datatype restrictions) sends the step to owlrl; ``tests/test_differential.py``
proves the two agree on the fixtures, the real data, broken copies and synthetic corpora.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from jpmg.checks.locating import Locator
from jpmg.checks.store import DATA, ONTOLOGY, OWL_RL_DATATYPES, LoadedStore
from jpmg.findings import Finding

CHECK = "reasoning"
REASONER = (
    "owlrl's OWL 2 RL inconsistency rules (cax-dw, cax-adc over cax-sco, cax-eqc, prp-dom, prp-rng, "
    "prp-spo1, eq-rep), as SPARQL over pyoxigraph"
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = RDF + "type"

# owlrl's datatype subsumptions (owlrl.AxiomaticTriples), copied so that the fast path does not import owlrl;
# tests/test_fast_validation.py checks they are still owlrl's. Its datatype list is OWL_RL_DATATYPES of .store.
_X = XSD
DATATYPE_SUBSUMPTIONS: dict[str, tuple[str, ...]] = {
    _X + k: tuple(_X + n for n in v.split())
    for k, v in {
        "dateTimeStamp": "dateTime",
        "integer": "decimal",
        "long": "integer decimal",
        "int": "long integer decimal",
        "short": "int long integer decimal",
        "byte": "short int long integer decimal",
        "nonNegativeInteger": "integer decimal",
        "positiveInteger": "nonNegativeInteger integer decimal",
        "unsignedLong": "nonNegativeInteger integer decimal",
        "unsignedInt": "unsignedLong nonNegativeInteger integer decimal",
        "unsignedShort": "unsignedInt unsignedLong nonNegativeInteger integer decimal",
        "unsignedByte": "unsignedShort unsignedInt unsignedLong nonNegativeInteger integer decimal",
        "nonPositiveInteger": "integer decimal",
        "negativeInteger": "nonPositiveInteger integer decimal",
        "normalizedString": "string",
        "token": "normalizedString string",
        "language": "token normalizedString string",
        "Name": "token normalizedString string",
        "NCName": "Name token normalizedString string",
        "NMTOKEN": "Name token normalizedString string",
    }.items()
}
_TOPS = ("anyURI", "base64Binary", "boolean", "dateTime", "decimal", "double", "float", "hexBinary", "string")
_LAST = (RDF + "PlainLiteral", RDF + "XMLLiteral")
DATATYPE_DISJOINTNESS: tuple[tuple[str, str], ...] = tuple(
    [(_X + a, _X + b) for i, a in enumerate(_TOPS) for b in _TOPS[i + 1 :] if not (a == "string" and b == "string")]
    + [(_X + a, last) for a in _TOPS if a != "string" for last in _LAST]
    + [(_X + "string", RDF + "XMLLiteral")]
)

# What sends the step to owlrl: properties and classes of OWL whose rules this module does not implement.
_UNSUPPORTED_PROPERTIES = [
    OWL + n
    for n in [
        "inverseOf",
        "propertyChainAxiom",
        "equivalentProperty",
        "propertyDisjointWith",
        "hasKey",
        "someValuesFrom",
        "allValuesFrom",
        "hasValue",
        "onProperty",
        "maxCardinality",
        "maxQualifiedCardinality",
        "cardinality",
        "minCardinality",
        "qualifiedCardinality",
        "intersectionOf",
        "complementOf",
        "oneOf",
        "differentFrom",
        "distinctMembers",
        "sourceIndividual",
        "assertionProperty",
        "targetIndividual",
        "targetValue",
        "withRestrictions",
        "onDatatype",
        "onClass",
        "onProperties",
        "datatypeComplementOf",
    ]
]
_UNSUPPORTED_TYPES = [
    OWL + n
    for n in [
        "TransitiveProperty",
        "SymmetricProperty",
        "AsymmetricProperty",
        "IrreflexiveProperty",
        "InverseFunctionalProperty",
        "AllDifferent",
        "AllDisjointProperties",
        "Restriction",
        "NegativePropertyAssertion",
        "ReflexiveProperty",
    ]
]


def _values(terms) -> str:
    return " ".join(f"<{t}>" for t in terms)


class Reasoner:
    def __init__(self, loaded: LoadedStore) -> None:
        self.loaded = loaded
        self.store = loaded.store

    def query(self, text: str):
        return self.store.query(text, default_graph=[DATA, ONTOLOGY])

    def pairs(self, predicate: str) -> list[tuple[object, object]]:
        return [(r["s"], r["o"]) for r in self.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{predicate}> ?o }}")]

    # -- what is outside the fragment --

    def unsupported(self) -> list[str]:
        reasons = []
        rows = self.query(
            "SELECT DISTINCT ?why WHERE { "
            f"{{ ?s ?p ?o VALUES ?p {{ {_values(_UNSUPPORTED_PROPERTIES)} }} BIND(?p AS ?why) }} UNION "
            f"{{ ?s <{RDF_TYPE}> ?t VALUES ?t {{ {_values(_UNSUPPORTED_TYPES)} }} BIND(?t AS ?why) }} UNION "
            f"{{ {{ ?s ?p <{OWL}Nothing> }} UNION {{ <{OWL}Nothing> ?p ?o }} BIND(<{OWL}Nothing> AS ?why) }} "
            "} LIMIT 5"
        )
        reasons += [f"the graph uses {r['why'].value}" for r in rows]
        # sameAs between individuals only
        for s, o in self.pairs(OWL + "sameAs"):
            if isinstance(s, ox.Literal) or isinstance(o, ox.Literal):
                reasons.append("owl:sameAs with a literal")
            elif self._schema_term(s) or self._schema_term(o):
                reasons.append(f"owl:sameAs on a class or property ({s.value} = {o.value})")
        # class axioms must name classes; the one blank-node class allowed is a datatype union
        for predicate in (RDFS + "subClassOf", OWL + "disjointWith", RDFS + "domain", RDFS + "range"):
            for s, o in self.pairs(predicate):
                if isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode):
                    reasons.append(f"{predicate} on a class expression")
        for s, o in self.pairs(OWL + "equivalentClass"):
            for side in (s, o):
                if isinstance(side, ox.BlankNode) and not self._datatype_union(side):
                    reasons.append("owl:equivalentClass with a class expression")
        for s, _ in self.pairs(OWL + "unionOf"):
            if not self._datatype_union(s):
                reasons.append("owl:unionOf of classes")
        # prp-fp between resources would make them the same: owlrl's eq-rep, which this module leaves to owlrl
        for row in self.query(
            f"SELECT ?p WHERE {{ ?p <{RDF_TYPE}> <{OWL}FunctionalProperty> . ?x ?p ?a , ?b "
            "FILTER (!sameTerm(?a, ?b) && !isLiteral(?a)) } LIMIT 1"
        ):
            reasons.append(f"two values of the functional property {row['p'].value}, one a resource")
        return sorted(set(reasons))

    def _schema_term(self, term: object) -> bool:
        """Whether a resource is used as a class or a property anywhere."""
        if isinstance(term, ox.NamedNode) and next(iter(self.store.quads_for_pattern(None, term, None, None)), None):
            return True
        for predicate in (
            RDF_TYPE,
            RDFS + "subClassOf",
            RDFS + "subPropertyOf",
            RDFS + "domain",
            RDFS + "range",
            OWL + "equivalentClass",
        ):
            node = ox.NamedNode(predicate)
            if next(iter(self.store.quads_for_pattern(None, node, term, None)), None) is not None:
                return True
            if predicate != RDF_TYPE and next(iter(self.store.quads_for_pattern(term, node, None, None)), None):
                return True
        return False

    def _datatype_union(self, node: object) -> bool:
        heads = [q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(OWL + "unionOf"), None, None)]
        kinds = [k for head in heads for k in _list(self, head)]
        return bool(kinds) and all(isinstance(k, ox.NamedNode) and k.value.startswith(XSD) for k in kinds)

    # -- the fragment --

    def findings(self) -> list[str]:
        """owlrl's messages for the store's data and ontology (no location yet), sorted and without duplicates."""
        supers: dict[object, set[object]] = defaultdict(set)
        for child, parent in self.pairs(RDFS + "subClassOf"):
            supers[child].add(parent)
        for a, b in self.pairs(OWL + "equivalentClass"):
            if isinstance(a, ox.NamedNode) and isinstance(b, ox.NamedNode):
                supers[a].add(b)
                supers[b].add(a)
        up_property: dict[object, set[object]] = defaultdict(set)
        for child, parent in self.pairs(RDFS + "subPropertyOf"):
            up_property[child].add(parent)
        domains, ranges = self.pairs(RDFS + "domain"), self.pairs(RDFS + "range")

        def closure(start: object, edges: dict[object, set[object]]) -> set[object]:
            found, stack = {start}, [start]
            while stack:
                for parent in edges.get(stack.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        stack.append(parent)
            return found

        # disjoint pairs, in the order owlrl writes them
        pairs: list[tuple[object, object]] = []
        for row in self.query(f"SELECT ?x WHERE {{ ?x <{RDF_TYPE}> <{OWL}AllDisjointClasses> }}"):
            for members in self.store.quads_for_pattern(row["x"], ox.NamedNode(OWL + "members"), None, None):
                classes = _list(self, members.object)
                pairs += [(classes[i], classes[j]) for i in range(len(classes) - 1) for j in range(i + 1, len(classes))]
        pairs += self.pairs(OWL + "disjointWith")
        used = self.used_datatypes()
        pairs += [(ox.NamedNode(a), ox.NamedNode(b)) for a, b in DATATYPE_DISJOINTNESS if a in used and b in used]
        if not pairs:
            return []
        # the classes below each class named by a pair, and the properties whose domain or range is below it
        all_classes = set(supers) | {p for ps in supers.values() for p in ps}
        all_classes |= {c for _, c in domains} | {c for _, c in ranges} | {c for pair in pairs for c in pair}
        above = {c: closure(c, supers) for c in all_classes}
        properties = set(up_property) | {p for p, _ in domains} | {p for p, _ in ranges}
        properties |= {p for ps in up_property.values() for p in ps}
        prop_above = {p: closure(p, up_property) for p in properties}
        named = sorted({c for pair in pairs for c in pair}, key=lambda c: c.value)
        patterns = {cls: self.membership(cls, above, prop_above, domains, ranges) for cls in named}
        clique = _cliques(self.pairs(OWL + "sameAs"))
        messages = []
        if clique:
            # sameAs cliques share their classes (eq-rep): every member's classes are needed
            members = {
                cls: {row["x"] for row in self.query(f"SELECT DISTINCT ?x WHERE {{ {patterns[cls]} }}")}
                for cls in named
            }
            for a, b in pairs:
                common = {clique.get(x, x) for x in members[a]} & {clique.get(x, x) for x in members[b]}
                for rep in common:
                    for x in _clique_members(clique, rep):
                        messages.append(_message(a, b, x))
        else:
            # one pass: the resources in two or more of the named classes, with their classes
            union = " UNION ".join(f"{{ {patterns[cls]} BIND({_term(cls)} AS ?cls) }}" for cls in named)
            query = (
                'SELECT ?x (GROUP_CONCAT(STR(?cls); separator=" ") AS ?classes) WHERE { '
                f"{{ SELECT DISTINCT ?x ?cls WHERE {{ {union} }} }} }} GROUP BY ?x HAVING (COUNT(?cls) > 1)"
            )
            for row in self.query(query):
                classes = set(row["classes"].value.split(" "))
                for a, b in pairs:
                    if a.value in classes and b.value in classes:
                        messages.append(_message(a, b, row["x"]))
        # literals are also in their own datatype and those above it (owlrl's implicit typing), which the pattern
        # above leaves out because it would read every triple; they were collected while parsing
        own: dict[object, set[str]] = defaultdict(set)
        for datatype, literals in self.loaded.typed_literals.items():
            classes = {datatype, *DATATYPE_SUBSUMPTIONS.get(datatype, ())} & {c.value for c in named}
            for literal in literals if classes else ():
                own[literal] |= classes
        if own:
            ranged = [
                f"{{ {self.membership(cls, above, prop_above, domains, ranges, only_ranges=True)} "
                f"BIND({_term(cls)} AS ?cls) }}"
                for cls in named
            ]
            by_range: dict[object, set[str]] = defaultdict(set)
            for row in self.query(f"SELECT DISTINCT ?x ?cls WHERE {{ {' UNION '.join(ranged)} FILTER isLiteral(?x) }}"):
                by_range[row["x"]].add(row["cls"].value)
            for literal, classes in own.items():
                classes = classes | by_range.get(literal, set())
                for a, b in pairs:
                    if a.value in classes and b.value in classes:
                        messages.append(_message(a, b, literal))
        return sorted(set(messages))

    def membership(self, cls, above, prop_above, domains, ranges, only_ranges: bool = False) -> str:
        """A pattern binding ?x to what owlrl would type with ``cls``: explicit types below it, and the subjects
        and objects of properties whose domain or range is below it (only the objects, with ``only_ranges``).
        Literals in their own datatype are left to the caller (see :meth:`findings`)."""
        classes = {c for c, ups in above.items() if cls in ups and isinstance(c, ox.NamedNode)} | {cls}
        datatype = cls.value if isinstance(cls, ox.NamedNode) else None
        # explicit rdf:type of a datatype below in owlrl's datatype hierarchy (its _handle_subsumptions)
        classes |= {ox.NamedNode(d) for d, ups in DATATYPE_SUBSUMPTIONS.items() if datatype in ups}
        by_domain = {
            p for p, ups in prop_above.items() if any(q in ups and cls in above.get(c, {c}) for q, c in domains)
        }
        by_range = {p for p, ups in prop_above.items() if any(q in ups and cls in above.get(c, {c}) for q, c in ranges)}
        branches = []
        if not only_ranges:
            branches.append(f"{{ ?x <{RDF_TYPE}> ?t VALUES ?t {{ {_values(c.value for c in classes)} }} }}")
            if by_domain:
                branches.append(f"{{ ?x ?p ?y VALUES ?p {{ {_values(p.value for p in by_domain)} }} }}")
        if by_range:
            branches.append(f"{{ ?y ?p ?x VALUES ?p {{ {_values(p.value for p in by_range)} }} }}")
        return " UNION ".join(branches) if branches else "{ VALUES ?x { } }"

    def used_datatypes(self) -> set[str]:
        """owlrl's "used datatypes": those of the typed literals, with the ones above them, and explicit ones."""
        used: set[str] = set()
        for datatype in self.loaded.literal_datatypes:  # noted while parsing
            if datatype in OWL_RL_DATATYPES and datatype not in (XSD + "string", RDF + "langString"):
                used.add(datatype)
                used.update(DATATYPE_SUBSUMPTIONS.get(datatype, ()))
        kinds = _values(OWL_RL_DATATYPES)
        for row in self.query(f"SELECT DISTINCT ?t WHERE {{ ?s <{RDF_TYPE}> ?t VALUES ?t {{ {kinds} }} }}"):
            used.add(row["t"].value)
            used.update(DATATYPE_SUBSUMPTIONS.get(row["t"].value, ()))
        return used


def _term(node: ox.NamedNode) -> str:
    return f"<{node.value}>"


def _message(a: ox.NamedNode, b: ox.NamedNode, individual: object) -> str:
    return f"Disjoint classes {a.value} and {b.value} have a common individual {_show(individual)}"


def _list(reasoner: Reasoner, head: object) -> list[object]:
    members, seen = [], set()
    while isinstance(head, (ox.BlankNode, ox.NamedNode)) and head not in seen and head.value != RDF + "nil":
        seen.add(head)
        first = next(iter(reasoner.store.quads_for_pattern(head, ox.NamedNode(RDF + "first"), None, None)), None)
        rest = next(iter(reasoner.store.quads_for_pattern(head, ox.NamedNode(RDF + "rest"), None, None)), None)
        if first is None:
            break
        members.append(first.object)
        head = rest.object if rest is not None else None
    return members


def _cliques(pairs: list[tuple[object, object]]) -> dict[object, object]:
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
        parent.setdefault(a, a)
        parent.setdefault(b, b)
    return {x: find(x) for x in parent}


def _clique_members(clique: dict[object, object], rep: object) -> list[object]:
    members = [x for x, r in clique.items() if r == rep]
    return members or [rep]


def _show(term: object) -> str:
    """How owlrl's message shows an individual: an IRI, a blank node's label, or a literal's text."""
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)


def run(loaded: LoadedStore, locator: Locator) -> tuple[str, list[Finding]]:
    """(note, findings) of the OWL 2 RL consistency step; owlrl itself when the graph leaves the fragment."""
    reasoner = Reasoner(loaded)
    reasons = reasoner.unsupported()
    if reasons:
        from jpmg.checks import reasoning
        from jpmg.dataset import read_files

        ontology = read_files(loaded.files["ontology"])
        data = read_files(loaded.data_files)
        return (
            f"reasoner: {reasoning.REASONER} (the graph leaves the compiled fragment: {reasons[0]})",
            reasoning.run(ontology.graph, data.graph, data.files),
        )
    from jpmg.checks.reasoning import inconsistency

    findings = [inconsistency(message) for message in reasoner.findings()]
    return f"reasoner: {REASONER}", locator.locate(findings) if findings else findings


__all__ = ["DATATYPE_DISJOINTNESS", "DATATYPE_SUBSUMPTIONS", "OWL_RL_DATATYPES", "REASONER", "run"]
