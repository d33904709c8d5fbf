"""Synthetic data in the project's own ontology, shaped like the real graph, for benchmarks and differential tests.

``jpmg synth --triples N --seed S [--violations RATE] -o FILE`` writes about N triples of partner states, their
ministries, bureaus and armed forces, posts and who held them when (tenures with OWL-Time intervals at mixed
precisions, acting holders, tenures known only from dated mentions), bilateral forums with co-chair seats,
cadences, foundings, suspensions and resumptions, agreements and their signings, sessions with delegations whose
heads hold the head post on the session's date, topics, sources and publishers, source conflicts with claims, and a
qualified derivation for every fact, in the proportions of the real data (about 8,000 triples per partner state).

The output conforms to the shapes with no result at all (not even a note) when RATE is 0. With ``--violations
RATE`` the generator breaks, for every kind of defect it knows (at least one of each, about RATE of the eligible
resources), one resource in a way whose SHACL results it can state exactly, and writes them to
``FILE.expected.json``: a JSON list of ``{"kind", "focus", "shape", "severity", "path", "value"}`` in the terms of
:class:`jpmg.findings.Finding`. The 137 kinds (:data:`KINDS`) break every node shape (its IRI pattern and the
constraints of its property shapes), every property shape and every SHACL-SPARQL constraint; a defect never
touches the vocabulary or the OWL 2 RL consistency check (a wrong value that a range axiom would type into a class
disjoint with its own comes from a pool of resources kept apart for it), and two defects never meet, so the whole
validation report equals the list. Blank nodes (derivations, intervals, instants) are named by where they hang,
``_:OWNER|PREDICATE/PREDICATE`` (see :mod:`jpmg.checks.compare`), because their labels change with every parse.
The smallest corpus that holds one resource of every kind is about 1,500 triples; every kind fits from about
10,000.

The output is deterministic for a seed (the same bytes every run), streamed (entities are planned as small records
and each is written as soon as it is built, so 1e6 triples never sit in memory as triples), N-Triples for ``.nt``
files and Turtle otherwise, and written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from jpmg import config
from jpmg.atomic import atomic_output

__all__ = ["KINDS", "SynthResult", "generate", "register"]

ID = config.INSTANCE_BASE
SHP = config.BASE_IRI + "shapes#"

_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "jpmg": config.ONTOLOGY_NS,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
}


def _full(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return _NS[prefix] + local


def _t(curie: str) -> str:
    """A term of a known vocabulary in N-Triples form."""
    return f"<{_full(curie)}>"


A = _t("rdf:type")
XSD_DATE, XSD_GYM, XSD_GY, XSD_GMD = (_full(f"xsd:{n}") for n in ("date", "gYearMonth", "gYear", "gMonthDay"))
_PRECISION_DATATYPE = {"D": XSD_DATE, "M": XSD_GYM, "Y": XSD_GY, "MD": XSD_GMD}
_INSTANT_PROPERTY = {"D": _t("time:inXSDDate"), "M": _t("time:inXSDgYearMonth"), "Y": _t("time:inXSDgYear")}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def en(text: str) -> str:
    return f'"{_escape(text)}"@en'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{_escape(lexical)}"^^<{datatype}>'


def inst(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


def _bare(term: str) -> str:
    """The text a finding shows for a term written in N-Triples form: the IRI, or the literal's lexical form."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        end = term.rindex('"')
        return term[1:end].replace('\\"', '"').replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
    return term


# --- dates at a precision ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A true calendar day and the precision a source gives it at: D(ay), M(onth), Y(ear) or MD (day, no year)."""

    day: dt.date
    precision: str

    @property
    def lexical(self) -> str:
        d = self.day
        if self.precision == "D":
            return d.isoformat()
        if self.precision == "M":
            return f"{d.year:04d}-{d.month:02d}"
        if self.precision == "Y":
            return f"{d.year:04d}"
        return f"--{d.month:02d}-{d.day:02d}"

    @property
    def term(self) -> str:
        return typed(self.lexical, _PRECISION_DATATYPE[self.precision])

    def coarser(self) -> When | None:
        """The same day at the next coarser precision (a day gives its month, a month its year), or None."""
        return {"D": When(self.day, "M"), "M": When(self.day, "Y")}.get(self.precision)


# --- nodes -------------------------------------------------------------------------------------------------------


class Node:
    """One subject and its (predicate, object) pairs; an object is a term in N-Triples form or a nested blank node."""

    __slots__ = ("po", "s")

    def __init__(self, subject: str | None = None) -> None:
        self.s = subject
        self.po: list[tuple[str, str | Node]] = []

    def add(self, predicate: str, obj: str | Node) -> Node:
        self.po.append((predicate, obj))
        return self

    def values(self, predicate: str) -> list[str | Node]:
        return [o for p, o in self.po if p == predicate]

    def drop(self, predicate: str, obj: str | Node | None = None) -> None:
        self.po = [(p, o) for p, o in self.po if not (p == predicate and (obj is None or o is obj or o == obj))]

    def replace(self, predicate: str, obj: str | Node) -> None:
        self.drop(predicate)
        self.add(predicate, obj)


# --- writers -----------------------------------------------------------------------------------------------------


class _NTriplesWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.triples = 0
        self.blank = 0

    def header(self) -> None:
        pass

    def comment(self, text: str) -> None:
        pass

    def write(self, node: Node) -> None:
        lines: list[str] = []
        self._lines(node, node.s or self._label(), lines)
        self.triples += len(lines)
        self.out.write("\n".join(lines))
        self.out.write("\n")

    def _label(self) -> str:
        self.blank += 1
        return f"_:b{self.blank}"

    def _lines(self, node: Node, subject: str, lines: list[str]) -> None:
        for p, o in node.po:
            if isinstance(o, Node):
                label = self._label()
                lines.append(f"{subject} {p} {label} .")
                self._lines(o, label, lines)
            else:
                lines.append(f"{subject} {p} {o} .")


class _TurtleWriter(_NTriplesWriter):
    """Turtle with the project's prefixes, @base for instances, one block a subject and [ ] for blank nodes."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self.compact = {f"<{ns}": f"{prefix}:" for prefix, ns in _NS.items()}

    def header(self) -> None:
        for prefix, ns in _NS.items():
            self.out.write(f"@prefix {prefix}: <{ns}> .\n")
        self.out.write(f"@base <{ID}> .\n\n")

    def comment(self, text: str) -> None:
        self.out.write(f"# {text}\n\n")

    def _term(self, term: str) -> str:
        if term.startswith("<"):
            if term.startswith(f"<{ID}"):
                return "<" + term[len(ID) + 1 :]
            ns, sep, local = term[1:-1].rpartition("#") if "#" in term else term[1:-1].rpartition("/")
            compact = self.compact.get("<" + ns + sep)
            if compact and local and all(c.isalnum() or c in "_-" for c in local) and local[0].isalpha():
                return compact + local
            return term
        if "^^<" in term:
            lexical, _, datatype = term.rpartition("^^")
            return f"{lexical}^^{self._term(datatype)}"
        return term

    def write(self, node: Node) -> None:
        text = self._block(node, 0)
        self.out.write(f"{self._term(node.s) if node.s else '[]'}{text} .\n\n")

    def _block(self, node: Node, depth: int) -> str:
        indent = "    " * (depth + 1)
        groups: dict[str, list[str | Node]] = {}
        for p, o in node.po:
            groups.setdefault(p, []).append(o)
            self.triples += 1
        parts = []
        for p, objects in groups.items():
            rendered = []
            for o in objects:
                if isinstance(o, Node):
                    rendered.append("[" + self._block(o, depth + 1) + "\n" + indent + "]")
                else:
                    rendered.append(self._term(o))
            predicate = "a" if p == A else self._term(p)
            parts.append(f"{indent}{predicate} " + " , ".join(rendered))
        return "\n" + " ;\n".join(parts)


# --- the plan: small records of what will be written -----------------------------------------------------------


@dataclass(eq=False)
class Rec:
    """One planned resource: its IRI, kind of thing, label, the defect planned for it, and free attributes."""

    iri: str
    group: str
    label: str
    defect: str | None = None
    attrs: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["attrs"][name]
        except KeyError:
            raise AttributeError(name) from None


_FIRST = [
    "Avi",
    "Dana",
    "Eitan",
    "Galit",
    "Noa",
    "Yossi",
    "Ruth",
    "Amos",
    "Tamar",
    "Uri",
    "Michal",
    "Ehud",
    "Yael",
    "Ron",
    "Sarah",
    "John",
    "Mary",
    "James",
    "Linda",
    "Robert",
    "Susan",
    "David",
    "Karen",
    "Paul",
    "Nancy",
    "Mark",
    "Laura",
    "Peter",
    "Anne",
    "Daniel",
    "Helen",
    "Thomas",
    "Julia",
    "Henry",
    "Clara",
    "Victor",
    "Irene",
]
_LAST = [
    "Cohen",
    "Levi",
    "Mizrahi",
    "Peretz",
    "Biton",
    "Dahan",
    "Avraham",
    "Friedman",
    "Shapiro",
    "Katz",
    "Smith",
    "Johnson",
    "Miller",
    "Davis",
    "Wilson",
    "Moore",
    "Taylor",
    "Anderson",
    "Jackson",
    "White",
    "Harris",
    "Martin",
    "Thompson",
    "Garcia",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Carter",
    "Mitchell",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
]
_WORDS = [
    "security",
    "cooperation",
    "defense",
    "missile",
    "regional",
    "policy",
    "strategic",
    "dialogue",
    "planning",
    "assistance",
    "exercise",
    "intelligence",
    "technology",
    "procurement",
    "maritime",
    "cyber",
    "air",
    "naval",
    "border",
    "export",
    "counterterrorism",
    "logistics",
    "research",
    "energy",
    "economic",
    "diplomatic",
    "training",
    "readiness",
    "deterrence",
    "stability",
    "coordination",
    "review",
]
_SYLLABLES = [
    "ka",
    "lo",
    "ri",
    "ma",
    "sen",
    "tu",
    "vel",
    "dor",
    "an",
    "bel",
    "ti",
    "ra",
    "no",
    "sha",
    "mi",
    "ze",
    "pol",
    "gar",
    "is",
    "ten",
]
_BODY_KINDS = (
    "ministry of defense",
    "ministry of foreign affairs",
    "national security council",
    "ministry of finance",
    "prime minister's office",
    "ministry of energy",
    "ministry of intelligence",
    "ministry of economy",
)
_POST_KINDS = (
    "director general",
    "deputy director general",
    "minister",
    "head of policy",
    "chief of staff",
    "senior adviser",
)
_AGREEMENT_CLASSES = (
    "MemorandumOfUnderstanding",
    "MemorandumOfAgreement",
    "JointStatement",
    "JointDeclaration",
    "ExchangeOfLetters",
    "AnnouncedAgreement",
)
_SOURCE_CLASSES = ("NewsArticle", "WebPage", "Book")
_MODES = ("OfflineEventAttendanceMode", "MixedEventAttendanceMode", "OnlineEventAttendanceMode")
_CONFIDENCE = ("high", "medium", "low")
_LAST_DAY = dt.date(2025, 6, 30)


def _slug(text: str) -> str:
    out = []
    for char in text.lower():
        out.append(char if char.isascii() and char.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


# --- defects ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of defect: the group of resources it applies to, who is eligible, and what it changes."""

    name: str
    group: str
    mutate: Callable  # (synth, rec, node) -> list of expected results
    eligible: Callable[[Rec], bool] = lambda rec: True
    rename: str | None = None  # the IRI's kind is replaced by this one at plan time (IRI pattern defects)


def _expect(rec_or_focus, shape: str, severity: str = "Violation", path: str | None = None, value=None) -> dict:
    focus = rec_or_focus.iri if isinstance(rec_or_focus, Rec) else rec_or_focus
    return {
        "focus": _bare(focus),
        "shape": SHP + shape,
        "severity": severity,
        "path": path,
        "value": None if value is None else _bare(value),
    }


def _p(curie: str) -> str:
    return _full(curie)


def _alt(*curies: str) -> str:
    return "(" + "|".join(c if c.startswith("^") else _p(c) for c in curies) + ")"


KINDS: dict[str, Kind] = {}


def _kind(name: str, group: str, eligible: Callable[[Rec], bool] | None = None, rename: str | None = None):
    def register_kind(mutate: Callable) -> Callable:
        KINDS[name] = Kind(name, group, mutate, eligible or (lambda rec: True), rename)
        return mutate

    return register_kind


# IRI patterns: a resource whose IRI names the wrong kind (planned, so that every reference uses the same IRI).
_PATTERN_SHAPES = {
    "agreement": "AgreementShape",
    "cadence": "CadenceShape",
    "city": "CityShape",
    "claim": "ClaimShape",
    "topic": "ConceptShape",
    "cooperation": "CooperationEventShape",
    "delegation": "DelegationShape",
    "designation": "DesignationShape",
    "founding": "FoundingEventShape",
    "law": "LegislationShape",
    "body": "OrganizationShape",
    "person": "PersonShape",
    "post": "PostShape",
    "resumption": "ResumptionEventShape",
    "session": "SessionShape",
    "signing": "SigningShape",
    "source": "SourceShape",
    "conflict": "SourceConflictShape",
    "suspension": "SuspensionEventShape",
    "tenure": "TenureShape",
    "publisher": "PublisherShape",
}
for _group, _shape in _PATTERN_SHAPES.items():

    def _pattern_defect(synth, rec, node, _shape=_shape):
        return [_expect(rec, _shape, value=rec.iri)]

    _eligible = (lambda rec: not rec.attrs.get("fixed")) if _group in ("body", "topic") else None
    KINDS[f"{_group}-iri-wrong-kind"] = Kind(
        f"{_group}-iri-wrong-kind", _group, _pattern_defect, _eligible or (lambda rec: True), rename="misc"
    )


# -- shared property shapes, broken on persons, posts and sessions --


@_kind("label-missing", "person")
def _(synth, rec, node):
    node.drop(_t("rdfs:label"))
    return [_expect(rec, "label", path=_p("rdfs:label"))]


@_kind("label-without-language", "post")
def _(synth, rec, node):
    node.replace(_t("rdfs:label"), plain(rec.label))
    return [_expect(rec, "label", path=_p("rdfs:label"), value=plain(rec.label))]


@_kind("label-two-in-one-language", "person")
def _(synth, rec, node):
    node.add(_t("rdfs:label"), en(rec.label + " (also)"))
    return [_expect(rec, "label", path=_p("rdfs:label")), _expect(rec, "label", path=_p("rdfs:label"))]


@_kind("alt-label-without-language", "post")
def _(synth, rec, node):
    value = plain(rec.label.upper())
    node.add(_t("skos:altLabel"), value)
    return [_expect(rec, "altLabel", "Warning", _p("skos:altLabel"), value)]


@_kind("date-not-at-precision", "session", lambda rec: rec.date is not None)
def _(synth, rec, node):
    value = plain(rec.date.lexical)  # same text, so the date cross-checks see the same string
    node.replace(_t("jpmg:date"), value)
    return [_expect(rec, "date", path=_p("jpmg:date"), value=value)]


@_kind("date-two-values", "session", lambda rec: rec.date is not None and rec.date.coarser() is not None)
def _(synth, rec, node):
    node.add(_t("jpmg:date"), rec.date.coarser().term)  # the same day, coarser: no date check can tell
    return [_expect(rec, "date", path=_p("jpmg:date"))]


@_kind("end-date-malformed", "session", lambda rec: rec.date is not None and rec.date.precision == "D")
def _(synth, rec, node):
    value = plain((rec.date.day + dt.timedelta(days=1)).isoformat())
    node.replace(_t("jpmg:endDate"), value)
    return [_expect(rec, "endDate", path=_p("jpmg:endDate"), value=value)]


@_kind("location-not-a-place", "session")
def _(synth, rec, node):
    value = rec.forum.iri
    node.replace(_t("schema:location"), value)
    return [_expect(rec, "location", path=_p("schema:location"), value=value)]


@_kind("at-location-not-a-place", "founding")
def _(synth, rec, node):
    value = rec.forum.iri
    node.replace(_t("prov:atLocation"), value)
    return [_expect(rec, "atLocation", path=_p("prov:atLocation"), value=value)]


# -- sources of facts (SourcedShape, DerivationShape, DerivationShortcutShape) --


def _derivations(node: Node) -> list[Node]:
    return [o for o in node.values(_t("prov:qualifiedDerivation")) if isinstance(o, Node)]


@_kind("fact-without-was-derived-from", "person")
def _(synth, rec, node):
    node.drop(_t("prov:wasDerivedFrom"))
    sources = []
    for derivation in _derivations(node):
        for source in derivation.values(_t("prov:entity")):
            if source not in sources:
                sources.append(source)
    expected = [_expect(rec, "wasDerivedFrom", path=_p("prov:wasDerivedFrom"))]
    expected += [_expect(rec, "DerivationShortcutShape", "Warning", value=s) for s in sources]
    return expected


@_kind("fact-without-qualified-derivation", "post")
def _(synth, rec, node):
    node.drop(_t("prov:qualifiedDerivation"))
    return [_expect(rec, "derivationSource", path=f"{_p('prov:qualifiedDerivation')}/{_p('prov:entity')}")]


@_kind("fact-derived-from-non-source", "tenure")
def _(synth, rec, node):
    value = rec.person.iri
    node.add(_t("prov:wasDerivedFrom"), value)
    return [_expect(rec, "wasDerivedFrom", path=_p("prov:wasDerivedFrom"), value=value)]


@_kind("derivation-untyped", "post")
def _(synth, rec, node):
    derivation = _derivations(node)[0]
    derivation.drop(A)
    key = f"_:{_bare(rec.iri)}|{_p('prov:qualifiedDerivation')}"
    return [_expect(rec, "qualifiedDerivation", path=_p("prov:qualifiedDerivation"), value=key)]


def _second_derivation(synth, node: Node) -> None:
    """Give the node a second derivation, so that breaking one leaves the fact sourced."""
    if len(_derivations(node)) < 2:
        source = synth.pick_source()
        node.add(_t("prov:qualifiedDerivation"), synth.derivation(source))
        if source not in node.values(_t("prov:wasDerivedFrom")):
            node.add(_t("prov:wasDerivedFrom"), source)


def _derivation_key(rec: Rec) -> str:
    return f"_:{_bare(rec.iri)}|{_p('prov:qualifiedDerivation')}"


@_kind("derivation-without-entity", "person")
def _(synth, rec, node):
    _second_derivation(synth, node)
    _derivations(node)[0].drop(_t("prov:entity"))
    return [_expect(_derivation_key(rec), "Derivation-entity", path=_p("prov:entity"))]


@_kind("derivation-confidence-unknown", "post")
def _(synth, rec, node):
    value = synth.topics[0].iri
    _derivations(node)[0].replace(_t("jpmg:confidence"), value)
    return [_expect(_derivation_key(rec), "Derivation-confidence", path=_p("jpmg:confidence"), value=value)]


@_kind("derivation-fact-id-malformed", "session")
def _(synth, rec, node):
    value = plain("F12")
    _derivations(node)[0].replace(_t("jpmg:factId"), value)
    return [_expect(_derivation_key(rec), "Derivation-factId", path=_p("jpmg:factId"), value=value)]


@_kind("derivation-source-missing-from-was-derived-from", "person")
def _(synth, rec, node):
    first = synth.pick_source()
    second = synth.pick_source()
    while second == first:
        second = synth.pick_source()
    node.drop(_t("prov:qualifiedDerivation"))
    node.drop(_t("prov:wasDerivedFrom"))
    node.add(_t("prov:wasDerivedFrom"), first)
    node.add(_t("prov:qualifiedDerivation"), synth.derivation(first))
    node.add(_t("prov:qualifiedDerivation"), synth.derivation(second))
    return [_expect(rec, "DerivationShortcutShape", "Warning", value=second)]


# -- tenures, intervals and instants --


def _quiet_tenure(rec: Rec) -> bool:
    """A tenure no delegation rests on, whose holder has another role, neither acting nor the only one of a post."""
    return not rec.backs and rec.person.roles >= 2 and not rec.acting


@_kind("tenure-without-member", "tenure", _quiet_tenure)
def _(synth, rec, node):
    node.drop(_t("org:member"))
    return [_expect(rec, "Tenure-member", path=_p("org:member"))]


@_kind("tenure-two-members", "tenure", _quiet_tenure)
def _(synth, rec, node):
    node.add(_t("org:member"), rec.second.iri)  # a person planned for it, who holds nothing else
    return [_expect(rec, "Tenure-member", path=_p("org:member"))]


@_kind("tenure-without-post", "tenure", _quiet_tenure)
def _(synth, rec, node):
    node.drop(_t("jpmg:post"))
    return [_expect(rec, "Tenure-post", path=_p("jpmg:post"))]


@_kind("tenure-post-not-a-post", "tenure", _quiet_tenure)
def _(synth, rec, node):
    value = synth.not_a_post().iri
    node.replace(_t("jpmg:post"), value)
    return [_expect(rec, "Tenure-post", path=_p("jpmg:post"), value=value)]


@_kind("tenure-without-organization", "tenure")
def _(synth, rec, node):
    node.drop(_t("org:organization"))
    return [_expect(rec, "Tenure-organization", path=_p("org:organization"))]


@_kind("tenure-member-during-not-an-interval", "tenure", lambda rec: rec.begin is not None)
def _(synth, rec, node):
    interval = node.values(_t("org:memberDuring"))[0]
    interval.drop(A)
    key = f"_:{_bare(rec.iri)}|{_p('org:memberDuring')}"
    return [_expect(rec, "Tenure-memberDuring", path=_p("org:memberDuring"), value=key)]


@_kind("tenure-attested-on-plain-string", "tenure")
def _(synth, rec, node):
    value = plain(When(rec.true_begin, "M").lexical)
    node.add(_t("jpmg:attestedOn"), value)
    return [_expect(rec, "Tenure-attestedOn", path=_p("jpmg:attestedOn"), value=value)]


@_kind("tenure-undated", "tenure", lambda rec: not rec.backs and not rec.acting)
def _(synth, rec, node):
    node.drop(_t("org:memberDuring"))
    node.drop(_t("jpmg:attestedOn"))
    return [_expect(rec, "Tenure-when", "Info", _alt("org:memberDuring", "jpmg:attestedOn"))]


@_kind("tenure-acting-not-boolean", "tenure", lambda rec: not rec.acting)
def _(synth, rec, node):
    value = plain("no")
    node.add(_t("jpmg:acting"), value)
    return [_expect(rec, "Tenure-acting", path=_p("jpmg:acting"), value=value)]


@_kind("tenure-ends-before-it-begins", "tenure", lambda rec: rec.end is not None and not rec.backs and not rec.acting)
def _(synth, rec, node):
    interval = node.values(_t("org:memberDuring"))[0]
    value = typed(f"{rec.true_begin.year - 1:04d}", XSD_GY)
    interval.replace(_t("time:hasEnd"), Node().add(A, _t("time:Instant")).add(_t("time:inXSDgYear"), value))
    return [_expect(rec, "TenureOrderShape", value=value)]


@_kind("tenure-overlap", "tenure", lambda rec: rec.end is not None and not rec.acting and not rec.post.attested)
def _(synth, rec, node):
    rival = rec.rival  # planned: a second holder over exactly the same interval
    return [
        _expect(rec, "TenureOverlapShape", value=rival.iri),
        _expect(rival, "TenureOverlapShape", value=rec.iri),
    ]


def _interval(node: Node) -> Node:
    return node.values(_t("org:memberDuring"))[0]


def _instant_key(rec: Rec, end: str) -> str:
    return f"_:{_bare(rec.iri)}|{_p('org:memberDuring')}/{_p(end)}"


@_kind("interval-without-ends", "tenure", lambda rec: rec.begin is not None)
def _(synth, rec, node):
    interval = _interval(node)
    interval.drop(_t("time:hasBeginning"))
    interval.drop(_t("time:hasEnd"))
    key = f"_:{_bare(rec.iri)}|{_p('org:memberDuring')}"
    return [_expect(key, "Interval-ends", path=_alt("time:hasBeginning", "time:hasEnd"))]


@_kind("interval-two-beginnings", "tenure", lambda rec: rec.begin is not None and rec.begin.coarser() is not None)
def _(synth, rec, node):
    coarser = rec.begin.coarser()
    instant = Node().add(A, _t("time:Instant")).add(_INSTANT_PROPERTY[coarser.precision], coarser.term)
    _interval(node).add(_t("time:hasBeginning"), instant)
    key = f"_:{_bare(rec.iri)}|{_p('org:memberDuring')}"
    return [_expect(key, "Interval-hasBeginning", path=_p("time:hasBeginning"))]


@_kind("interval-end-not-an-instant", "tenure", lambda rec: rec.end is not None)
def _(synth, rec, node):
    end = _interval(node).values(_t("time:hasEnd"))[0]
    end.drop(A)
    key = f"_:{_bare(rec.iri)}|{_p('org:memberDuring')}"
    return [_expect(key, "Interval-hasEnd", path=_p("time:hasEnd"), value=_instant_key(rec, "time:hasEnd"))]


@_kind("instant-with-two-dates", "tenure", lambda rec: rec.begin is not None and rec.begin.coarser() is not None)
def _(synth, rec, node):
    begin = _interval(node).values(_t("time:hasBeginning"))[0]
    coarser = rec.begin.coarser()
    begin.add(_INSTANT_PROPERTY[coarser.precision], coarser.term)
    return [_expect(_instant_key(rec, "time:hasBeginning"), "Instant-value", path=_alt(*_INSTANT_CURIES))]


_INSTANT_CURIES = ("time:inXSDDate", "time:inXSDgYearMonth", "time:inXSDgYear")


@_kind("instant-without-date", "tenure", lambda rec: rec.begin is not None and not rec.backs)
def _(synth, rec, node):
    begin = _interval(node).values(_t("time:hasBeginning"))[0]
    begin.drop(_INSTANT_PROPERTY[rec.begin.precision])
    return [_expect(_instant_key(rec, "time:hasBeginning"), "Instant-value", path=_alt(*_INSTANT_CURIES))]


@_kind("instant-year-as-string", "tenure", lambda rec: rec.begin is not None and rec.begin.precision == "Y")
def _(synth, rec, node):
    begin = _interval(node).values(_t("time:hasBeginning"))[0]
    value = plain(rec.begin.lexical)
    begin.replace(_t("time:inXSDgYear"), value)
    return [
        _expect(_instant_key(rec, "time:hasBeginning"), "Instant-inXSDgYear", path=_p("time:inXSDgYear"), value=value)
    ]


@_kind("instant-date-typed-as-year", "tenure", lambda rec: rec.begin is not None and rec.begin.precision == "Y")
def _(synth, rec, node):
    begin = _interval(node).values(_t("time:hasBeginning"))[0]
    value = rec.begin.term
    begin.drop(_t("time:inXSDgYear"))
    begin.add(_t("time:inXSDDate"), value)
    return [
        _expect(_instant_key(rec, "time:hasBeginning"), "Instant-inXSDDate", path=_p("time:inXSDDate"), value=value)
    ]


@_kind("instant-month-typed-as-year", "tenure", lambda rec: rec.begin is not None and rec.begin.precision == "M")
def _(synth, rec, node):
    begin = _interval(node).values(_t("time:hasBeginning"))[0]
    value = typed(rec.begin.lexical, XSD_GY)  # rdflib does not check xsd:gYear, so no ill-typed literal
    begin.replace(_t("time:inXSDgYearMonth"), value)
    return [
        _expect(
            _instant_key(rec, "time:hasBeginning"),
            "Instant-inXSDgYearMonth",
            path=_p("time:inXSDgYearMonth"),
            value=value,
        )
    ]


# -- delegations --


def _dated_session(rec: Rec) -> bool:
    return rec.session.date is not None and rec.session.date.precision != "MD"


@_kind("delegation-without-session", "delegation")
def _(synth, rec, node):
    node.drop(_t("jpmg:atSession"))
    return [_expect(rec, "Delegation-atSession", path=_p("jpmg:atSession"))]


@_kind("delegation-side-not-a-state", "delegation")
def _(synth, rec, node):
    value = rec.body.iri
    node.replace(_t("jpmg:side"), value)
    return [_expect(rec, "Delegation-side", path=_p("jpmg:side"), value=value)]


@_kind("delegation-head-not-a-person", "delegation", lambda rec: rec.head.roles >= 2)
def _(synth, rec, node):
    value = rec.body.iri
    node.replace(_t("jpmg:head"), value)
    node.drop(_t("jpmg:headPost"))
    return [_expect(rec, "Delegation-head", path=_p("jpmg:head"), value=value)]


@_kind("delegation-head-post-not-a-post", "delegation", _dated_session)
def _(synth, rec, node):
    value = synth.not_a_post().iri
    node.replace(_t("jpmg:headPost"), value)
    return [
        _expect(rec, "Delegation-headPost", path=_p("jpmg:headPost"), value=value),
        _expect(rec, "DelegationHeadTenureShape", value=value),
    ]


@_kind("delegation-head-without-tenure", "delegation", _dated_session)
def _(synth, rec, node):
    value = synth.unheld_post(rec).iri
    node.replace(_t("jpmg:headPost"), value)
    return [_expect(rec, "DelegationHeadTenureShape", value=value)]


@_kind("delegation-participating-body-not-an-organization", "delegation")
def _(synth, rec, node):
    value = synth.pick_source()
    node.add(_t("jpmg:participatingBody"), value)
    return [_expect(rec, "Delegation-participatingBody", path=_p("jpmg:participatingBody"), value=value)]


@_kind("delegation-participating-post-not-a-post", "delegation")
def _(synth, rec, node):
    value = synth.not_a_post().iri
    node.add(_t("jpmg:participatingPost"), value)
    return [_expect(rec, "Delegation-participatingPost", path=_p("jpmg:participatingPost"), value=value)]


@_kind("delegation-two-head-posts", "delegation", _dated_session)
def _(synth, rec, node):
    value = synth.unheld_post(rec).iri
    node.add(_t("jpmg:headPost"), value)
    return [
        _expect(rec, "Delegation-headPost", path=_p("jpmg:headPost")),
        _expect(rec, "DelegationHeadTenureShape", value=value),
    ]


# -- sessions --


@_kind("session-without-forum", "session")
def _(synth, rec, node):
    node.drop(_t("jpmg:sessionOf"))
    return [_expect(rec, "Session-sessionOf", path=_p("jpmg:sessionOf"))]


@_kind("session-undated", "session", lambda rec: not rec.delegations)
def _(synth, rec, node):
    node.drop(_t("jpmg:date"))
    node.drop(_t("jpmg:endDate"))
    return [_expect(rec, "Session-dateGiven", "Info", _p("jpmg:date"))]


@_kind("session-without-place", "session")
def _(synth, rec, node):
    for curie in ("schema:location", "prov:atLocation", "jpmg:hostedBy"):
        node.drop(_t(curie))
    return [_expect(rec, "Session-place", "Info", _alt("schema:location", "prov:atLocation", "jpmg:hostedBy"))]


@_kind("session-ordinal-not-positive-integer", "session")
def _(synth, rec, node):
    value = typed(str(rec.ordinal), _full("xsd:integer"))
    node.replace(_t("jpmg:ordinal"), value)
    return [_expect(rec, "Session-ordinal", path=_p("jpmg:ordinal"), value=value)]


@_kind("session-planned-not-boolean", "session")
def _(synth, rec, node):
    value = plain("no")
    node.replace(_t("jpmg:planned"), value)
    return [_expect(rec, "Session-planned", path=_p("jpmg:planned"), value=value)]


@_kind("session-attendance-mode-unknown", "session")
def _(synth, rec, node):
    value = _t("schema:EventAttendanceModeEnumeration")
    node.replace(_t("schema:eventAttendanceMode"), value)
    return [_expect(rec, "Session-eventAttendanceMode", path=_p("schema:eventAttendanceMode"), value=value)]


@_kind("session-two-attendance-modes", "session")
def _(synth, rec, node):
    node.drop(_t("schema:eventAttendanceMode"))
    node.add(_t("schema:eventAttendanceMode"), _t("schema:OnlineEventAttendanceMode"))
    node.add(_t("schema:eventAttendanceMode"), _t("schema:OfflineEventAttendanceMode"))
    return [_expect(rec, "Session-eventAttendanceMode", path=_p("schema:eventAttendanceMode"))]


@_kind("session-hosted-by-non-state", "session")
def _(synth, rec, node):
    value = rec.city.iri
    node.replace(_t("jpmg:hostedBy"), value)
    return [_expect(rec, "Session-hostedBy", path=_p("jpmg:hostedBy"), value=value)]


@_kind("session-topic-free-text", "session")
def _(synth, rec, node):
    value = en("regional security")
    node.add(_t("dcterms:subject"), value)
    return [_expect(rec, "Session-topic", path=_alt("dcterms:subject", "jpmg:announcedTopic"), value=value)]


@_kind(
    "session-before-forum-founding",
    "session",
    lambda rec: (
        not rec.delegations
        and rec.forum.founding is not None
        and rec.forum.founding.defect != "founding-without-organization"
        and rec.date is not None
        and rec.date.precision != "MD"
    ),
)
def _(synth, rec, node):
    value = typed(f"{rec.forum.founded.day.year - 1:04d}", XSD_GY)
    node.replace(_t("jpmg:date"), value)
    node.drop(_t("jpmg:endDate"))
    return [_expect(rec, "SessionAfterFoundingShape", value=value)]


# -- agreements, signings, laws, designations, events --


@_kind("agreement-without-party", "agreement")
def _(synth, rec, node):
    node.drop(_t("jpmg:party"))
    return [_expect(rec, "Agreement-party", path=_p("jpmg:party"))]


@_kind("agreement-party-not-an-organization", "agreement")
def _(synth, rec, node):
    value = synth.persons[0].iri
    node.add(_t("jpmg:party"), value)
    return [_expect(rec, "Agreement-party", path=_p("jpmg:party"), value=value)]


@_kind("agreement-establishes-non-organization", "agreement")
def _(synth, rec, node):
    value = synth.pick_source()
    node.add(_t("jpmg:establishes"), value)
    return [_expect(rec, "Agreement-establishes", path=_p("jpmg:establishes"), value=value)]


@_kind("agreement-formalizes-non-organization", "agreement")
def _(synth, rec, node):
    value = synth.topics[0].iri
    node.add(_t("jpmg:formalizes"), value)
    return [_expect(rec, "Agreement-formalizes", path=_p("jpmg:formalizes"), value=value)]


@_kind("agreement-expands-non-agreement", "agreement")
def _(synth, rec, node):
    value = rec.forum.iri
    node.add(_t("jpmg:expands"), value)
    return [_expect(rec, "Agreement-expands", path=_p("jpmg:expands"), value=value)]


@_kind("agreement-upgrades-non-agreement", "agreement")
def _(synth, rec, node):
    value = rec.forum.iri
    node.add(_t("jpmg:upgrades"), value)
    return [_expect(rec, "Agreement-upgrades", path=_p("jpmg:upgrades"), value=value)]


@_kind("signing-without-agreement", "signing")
def _(synth, rec, node):
    node.drop(_t("jpmg:signedAgreement"))
    return [_expect(rec, "Signing-signedAgreement", path=_p("jpmg:signedAgreement"))]


@_kind("signing-without-signatory", "signing", lambda rec: rec.person.roles >= 2)
def _(synth, rec, node):
    node.drop(_t("jpmg:signatory"))
    return [_expect(rec, "Signing-signatory", path=_p("jpmg:signatory"))]


@_kind("signing-as-non-post", "signing")
def _(synth, rec, node):
    value = synth.not_a_post().iri
    node.replace(_t("jpmg:signedAs"), value)
    return [_expect(rec, "Signing-signedAs", path=_p("jpmg:signedAs"), value=value)]


@_kind("signing-on-behalf-of-two-parties", "signing")
def _(synth, rec, node):
    node.add(_t("jpmg:onBehalfOf"), synth.us.iri if rec.state is not synth.us else synth.states[1].iri)
    return [_expect(rec, "Signing-onBehalfOf", path=_p("jpmg:onBehalfOf"))]


@_kind("law-without-jurisdiction", "law")
def _(synth, rec, node):
    node.drop(_t("schema:legislationJurisdiction"))
    return [_expect(rec, "Legislation-legislationJurisdiction", path=_p("schema:legislationJurisdiction"))]


@_kind("law-date-not-at-precision", "law")
def _(synth, rec, node):
    value = plain(str(rec.year))
    node.replace(_t("schema:legislationDate"), value)
    return [_expect(rec, "Legislation-legislationDate", path=_p("schema:legislationDate"), value=value)]


@_kind("designation-without-state", "designation")
def _(synth, rec, node):
    node.drop(_t("jpmg:designatedState"))
    return [_expect(rec, "Designation-designatedState", path=_p("jpmg:designatedState"))]


@_kind("designation-status-not-a-concept", "designation")
def _(synth, rec, node):
    value = synth.pick_source()
    node.replace(_t("jpmg:designatedStatus"), value)
    return [_expect(rec, "Designation-designatedStatus", path=_p("jpmg:designatedStatus"), value=value)]


@_kind("designation-based-on-law", "designation", lambda rec: rec.law is not None)
def _(synth, rec, node):
    value = rec.law.iri
    node.add(_t("jpmg:basedOn"), value)
    return [_expect(rec, "Designation-basedOn", path=_p("jpmg:basedOn"), value=value)]


@_kind("cooperation-event-undated", "cooperation")
def _(synth, rec, node):
    node.drop(_t("jpmg:date"))
    return [_expect(rec, "CooperationEvent-dateGiven", "Info", _p("jpmg:date"))]


@_kind("founding-without-organization", "founding")
def _(synth, rec, node):
    node.drop(_t("org:resultingOrganization"))
    return [_expect(rec, "FoundingEvent-resultingOrganization", path=_p("org:resultingOrganization"))]


@_kind("founding-based-on-non-agreement", "founding")
def _(synth, rec, node):
    value = rec.forum.iri
    node.replace(_t("jpmg:basedOn"), value)
    return [_expect(rec, "FoundingEvent-basedOn", path=_p("jpmg:basedOn"), value=value)]


@_kind("suspension-without-target", "suspension")
def _(synth, rec, node):
    node.drop(_t("jpmg:suspends"))
    return [_expect(rec, "SuspensionEvent-suspends", path=_p("jpmg:suspends"))]


@_kind("resumption-of-a-source-document", "resumption")
def _(synth, rec, node):
    value = synth.pick_source()
    node.replace(_t("jpmg:resumes"), value)
    return [_expect(rec, "ResumptionEvent-resumes", path=_p("jpmg:resumes"), value=value)]


# -- organizations, forums, cadences, seats, places --


@_kind("state-part-of-another-state", "state", lambda rec: not rec.attrs.get("fixed"))
def _(synth, rec, node):
    node.add(_t("org:subOrganizationOf"), synth.us.iri)
    return [_expect(rec, "State-subOrganizationOf", path=_p("org:subOrganizationOf"))]


@_kind("organization-part-of-non-organization", "body", lambda rec: rec.kind == "GovernmentBody")
def _(synth, rec, node):
    value = synth.topics[0].iri
    node.add(_t("org:subOrganizationOf"), value)
    return [_expect(rec, "Organization-subOrganizationOf", path=_p("org:subOrganizationOf"), value=value)]


@_kind("government-body-without-state", "body", lambda rec: rec.kind == "GovernmentBody")
def _(synth, rec, node):
    node.drop(_t("org:subOrganizationOf"))
    return [_expect(rec, "GovernmentBody-subOrganizationOf", "Warning", _p("org:subOrganizationOf"))]


@_kind("armed-forces-without-state", "body", lambda rec: rec.kind == "ArmedForces")
def _(synth, rec, node):
    node.drop(_t("org:subOrganizationOf"))
    return [_expect(rec, "ArmedForces-subOrganizationOf", "Warning", _p("org:subOrganizationOf"))]


@_kind("bureau-without-parent", "body", lambda rec: rec.kind == "Bureau")
def _(synth, rec, node):
    node.drop(_t("org:subOrganizationOf"))
    node.drop(_t("org:unitOf"))
    return [_expect(rec, "Bureau-parent", path=_alt("org:subOrganizationOf", "org:unitOf"))]


@_kind("administration-not-part-of-state", "body", lambda rec: rec.kind == "Administration")
def _(synth, rec, node):
    value = synth.us_bodies[0].iri
    node.replace(_t("org:subOrganizationOf"), value)
    return [_expect(rec, "Administration-subOrganizationOf", path=_p("org:subOrganizationOf"), value=value)]


@_kind("forum-with-one-member", "forum")
def _(synth, rec, node):
    members = node.values(_t("org:hasMember"))
    node.drop(_t("org:hasMember"))
    node.add(_t("org:hasMember"), members[0])
    return [_expect(rec, "BilateralForum-hasMember", path=_p("org:hasMember"))]


@_kind("forum-member-not-an-organization", "forum")
def _(synth, rec, node):
    value = synth.topics[0].iri
    node.add(_t("org:hasMember"), value)
    return [_expect(rec, "BilateralForum-hasMember", path=_p("org:hasMember"), value=value)]


@_kind("forum-purpose-free-text", "forum")
def _(synth, rec, node):
    value = en("strategic cooperation")
    node.add(_t("org:purpose"), value)
    return [
        _expect(
            rec,
            "BilateralForum-purpose",
            path=_alt("org:purpose", "jpmg:originalPurpose", "jpmg:laterConcern"),
            value=value,
        )
    ]


@_kind("forum-stated-cadence-not-cadence", "forum")
def _(synth, rec, node):
    value = synth.topics[0].iri
    node.add(_t("jpmg:statedCadence"), value)
    return [_expect(rec, "BilateralForum-statedCadence", path=_p("jpmg:statedCadence"), value=value)]


@_kind("cadence-without-forum", "cadence")
def _(synth, rec, node):
    # planned: the forum (written before its cadence) leaves out its jpmg:statedCadence link
    return [_expect(rec, "Cadence-forum", path="^" + _p("jpmg:statedCadence"))]


@_kind("cadence-meetings-per-year-not-decimal", "cadence")
def _(synth, rec, node):
    value = typed("2", _full("xsd:integer"))
    node.replace(_t("jpmg:meetingsPerYear"), value)
    return [_expect(rec, "Cadence-meetingsPerYear", path=_p("jpmg:meetingsPerYear"), value=value)]


@_kind("cadence-alternates-between-non-state", "cadence")
def _(synth, rec, node):
    value = synth.topics[0].iri
    node.add(_t("jpmg:alternatesBetween"), value)
    return [_expect(rec, "Cadence-alternatesBetween", path=_p("jpmg:alternatesBetween"), value=value)]


@_kind("co-chair-seat-in-ministry", "seat")
def _(synth, rec, node):
    value = rec.post.body.iri
    node.replace(_t("org:postIn"), value)
    return [_expect(rec, "CoChairSeat-postIn", path=_p("org:postIn"), value=value)]


@_kind("co-chair-seat-without-ex-officio-post", "seat")
def _(synth, rec, node):
    node.drop(_t("jpmg:filledExOfficioBy"))
    return [_expect(rec, "CoChairSeat-filledExOfficioBy", "Warning", _p("jpmg:filledExOfficioBy"))]


@_kind("post-without-organization", "post")
def _(synth, rec, node):
    node.drop(_t("org:postIn"))
    return [_expect(rec, "Post-postIn", path=_p("org:postIn"))]


@_kind("person-without-name", "person")
def _(synth, rec, node):
    node.drop(_t("foaf:name"))
    return [_expect(rec, "Person-name", path=_p("foaf:name"))]


@_kind("person-without-role", "orphan")
def _(synth, rec, node):
    path = _alt(
        *(
            "^" + _p(c)
            for c in (
                "org:member",
                "jpmg:head",
                "jpmg:signatory",
                "prov:wasAssociatedWith",
                "prov:wasAttributedTo",
                "foaf:member",
                "dcterms:creator",
                "jpmg:claimedResource",
            )
        )
    )
    return [_expect(rec, "Person-role", "Info", path)]


@_kind("city-without-state", "city")
def _(synth, rec, node):
    node.drop(_t("schema:containedInPlace"))
    return [_expect(rec, "City-containedInPlace", "Warning", _p("schema:containedInPlace"))]


@_kind("concept-without-pref-label", "topic", lambda rec: not rec.attrs.get("fixed"))
def _(synth, rec, node):
    node.drop(_t("skos:prefLabel"))
    return [_expect(rec, "Concept-prefLabel", path=_p("skos:prefLabel"))]


@_kind("concept-without-scheme", "topic", lambda rec: not rec.attrs.get("fixed"))
def _(synth, rec, node):
    node.drop(_t("skos:inScheme"))
    return [_expect(rec, "Concept-inScheme", path=_p("skos:inScheme"))]


@_kind("concept-scheme-without-top-concept", "scheme", lambda rec: rec.attrs.get("extra"))
def _(synth, rec, node):
    node.drop(_t("skos:hasTopConcept"))
    return [_expect(rec, "ConceptScheme-hasTopConcept", path=_p("skos:hasTopConcept"))]


@_kind("concept-scheme-iri-wrong-kind", "scheme", lambda rec: rec.attrs.get("extra"), rename="misc")
def _(synth, rec, node):
    return [_expect(rec, "ConceptSchemeShape", value=rec.iri)]


# -- sources and publishers --


@_kind("source-without-title", "source")
def _(synth, rec, node):
    node.drop(_t("dcterms:title"))
    return [_expect(rec, "Source-title", path=_p("dcterms:title"))]


@_kind("source-title-an-iri", "source")
def _(synth, rec, node):
    value = f"<https://example.org/titles/{_bare(rec.iri).rsplit('/', 1)[-1]}>"
    node.replace(_t("dcterms:title"), value)
    return [_expect(rec, "Source-title", path=_p("dcterms:title"), value=value)]


@_kind("source-issued-not-at-precision", "source")
def _(synth, rec, node):
    value = plain(rec.issued.lexical)
    node.replace(_t("dcterms:issued"), value)
    return [_expect(rec, "Source-issued", path=_p("dcterms:issued"), value=value)]


@_kind("source-undated", "source")
def _(synth, rec, node):
    node.drop(_t("dcterms:issued"))
    return [_expect(rec, "Source-issuedGiven", "Info", _p("dcterms:issued"))]


@_kind("source-publisher-literal", "source")
def _(synth, rec, node):
    value = plain("Some Press")
    node.replace(_t("dcterms:publisher"), value)
    return [_expect(rec, "Source-publisher", path=_p("dcterms:publisher"), value=value)]


@_kind("source-without-publisher", "source")
def _(synth, rec, node):
    node.drop(_t("dcterms:publisher"))
    return [_expect(rec, "Source-publisherGiven", "Info", _p("dcterms:publisher"))]


@_kind("source-url-string", "source", lambda rec: rec.kind != "Book")
def _(synth, rec, node):
    value = plain(_bare(node.values(_t("schema:url"))[0]))
    node.replace(_t("schema:url"), value)
    return [_expect(rec, "Source-url", path=_p("schema:url"), value=value)]


@_kind("source-without-url-or-isbn", "source")
def _(synth, rec, node):
    node.drop(_t("schema:url"))
    node.drop(_t("schema:isbn"))
    return [_expect(rec, "Source-locator", "Info", _alt("schema:url", "schema:isbn"))]


@_kind("publisher-without-label", "publisher")
def _(synth, rec, node):
    node.drop(_t("rdfs:label"))
    return [_expect(rec, "label", path=_p("rdfs:label"))]


# -- conflicts and claims --


@_kind("conflict-id-malformed", "conflict")
def _(synth, rec, node):
    value = plain(f"c{rec.number}")
    node.replace(_t("jpmg:conflictId"), value)
    return [_expect(rec, "SourceConflict-conflictId", path=_p("jpmg:conflictId"), value=value)]


@_kind("conflict-with-one-claim", "conflict")
def _(synth, rec, node):
    claims = node.values(_t("jpmg:hasClaim"))
    node.drop(_t("jpmg:hasClaim"))
    node.add(_t("jpmg:hasClaim"), claims[0])
    return [_expect(rec, "SourceConflict-hasClaim", path=_p("jpmg:hasClaim"))]


@_kind("conflict-preferred-claim-not-a-claim", "conflict", lambda rec: rec.preferred is None)
def _(synth, rec, node):
    value = synth.publishers[0].iri
    node.add(_t("jpmg:preferredClaim"), value)
    return [_expect(rec, "SourceConflict-preferredClaim", path=_p("jpmg:preferredClaim"), value=value)]


@_kind("conflict-two-preferred-claims-same-point", "conflict", lambda rec: rec.preferred is None)
def _(synth, rec, node):
    first, second = sorted((c.iri for c in rec.claims[:2]), key=_bare)
    node.add(_t("jpmg:preferredClaim"), first)
    node.add(_t("jpmg:preferredClaim"), second)
    return [_expect(rec, "PreferredClaimPerPointShape", value=second)]


@_kind("claim-without-about", "claim", lambda rec: not rec.preferred)
def _(synth, rec, node):
    node.drop(_t("jpmg:about"))
    return [_expect(rec, "Claim-about", path=_p("jpmg:about"))]


@_kind("claim-about-a-literal", "claim", lambda rec: not rec.preferred)
def _(synth, rec, node):
    value = plain("the session")
    node.replace(_t("jpmg:about"), value)
    return [_expect(rec, "Claim-about", path=_p("jpmg:about"), value=value)]


@_kind("claim-without-property", "claim", lambda rec: not rec.preferred)
def _(synth, rec, node):
    node.drop(_t("jpmg:claimedProperty"))
    return [_expect(rec, "Claim-claimedProperty", path=_p("jpmg:claimedProperty"))]


@_kind("claim-with-two-values", "claim")
def _(synth, rec, node):
    node.add(_t("jpmg:claimedResource"), rec.about.iri)
    return [_expect(rec, "Claim-value", path=_alt("jpmg:claimedValue", "jpmg:claimedResource"))]


@_kind("claim-without-value", "claim")
def _(synth, rec, node):
    node.drop(_t("jpmg:claimedValue"))
    node.drop(_t("jpmg:claimedResource"))
    return [_expect(rec, "Claim-value", path=_alt("jpmg:claimedValue", "jpmg:claimedResource"))]


@_kind("claim-without-comment", "claim")
def _(synth, rec, node):
    node.drop(_t("rdfs:comment"))
    return [_expect(rec, "Claim-comment", "Warning", _p("rdfs:comment"))]


# --- the generator ----------------------------------------------------------------------------------------------


@dataclass
class SynthResult:
    """What one run wrote: the file, its triple count, and the injected results (empty at rate 0)."""

    path: Path
    triples: int
    expected: list[dict]
    expected_path: Path | None


# Triples a partner state's block holds in the real data's proportions; the plan is scaled to this.
_BLOCK_TRIPLES = 8000
# What the plan below writes for one block at share 1 (measured); the plan is scaled by their ratio, and the last
# few hundred triples are made up with further sources.
_PLANNED_BLOCK_TRIPLES = 9800


class _Synth:
    def __init__(self, triples: int, seed: int, rate: float) -> None:
        self.target = triples
        self.rng = random.Random(seed)
        self.rate = rate
        self.expected: list[dict] = []
        self.fact = 0
        self.counter: dict[str, int] = {}
        # plan
        self.states: list[Rec] = []
        self.us_bodies: list[Rec] = []
        self.bodies: list[Rec] = []
        self.posts: list[Rec] = []
        self.persons: list[Rec] = []
        self.tenures: list[Rec] = []
        self.forums: list[Rec] = []
        self.seats: list[Rec] = []
        self.cadences: list[Rec] = []
        self.events: list[Rec] = []
        self.agreements: list[Rec] = []
        self.signings: list[Rec] = []
        self.sessions: list[Rec] = []
        self.delegations: list[Rec] = []
        self.sources: list[Rec] = []
        self.publishers: list[Rec] = []
        self.topics: list[Rec] = []
        self.schemes: list[Rec] = []
        self.cities: list[Rec] = []
        self.conflicts: list[Rec] = []
        self.claims: list[Rec] = []
        self.laws: list[Rec] = []
        self.orphans: list[Rec] = []
        self.extra_tenures: list[Rec] = []

    # -- helpers --

    def unique(self, kind: str, base: str) -> str:
        slug = _slug(base) or kind
        n = self.counter.get(f"{kind}/{slug}", 0)
        self.counter[f"{kind}/{slug}"] = n + 1
        return slug if n == 0 else f"{slug}-{n + 1}"

    def rec(self, iri_kind: str, group: str, label: str, slug: str | None = None, **attrs) -> Rec:
        return Rec(inst(iri_kind, self.unique(iri_kind, slug or label)), group, label, attrs=attrs)

    def name(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def sentence(self, words: int = 14) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(words)).capitalize() + "."

    def day(self, start: dt.date, end: dt.date) -> dt.date:
        span = max(0, (end - start).days)
        return start + dt.timedelta(days=self.rng.randint(0, span))

    def precision(self, weights=(60, 25, 15)) -> str:
        return self.rng.choices(("D", "M", "Y"), weights)[0]

    def pick_source(self) -> str:
        return self.rng.choice(self.sources).iri

    # A wrong value is typed by OWL's range axioms (a city named as a post becomes an org:Post for the reasoner);
    # each kind of wrong value comes from its own pool, so that no resource ends up in two disjoint classes:
    # cities stand in for posts, organizations for persons, forums and laws for agreements, a publisher for claims.
    def not_a_post(self) -> Rec:
        return self.cities[-1]

    def unheld_post(self, delegation: Rec) -> Rec:
        head = delegation.head
        held = {t.post.iri for t in self.tenures if t.person is head}
        for post in delegation.side_posts:
            if post.iri not in held:
                return post
        return delegation.side_posts[0] if delegation.side_posts[0].iri not in held else self.posts[0]

    # -- planning --

    def plan(self) -> None:
        blocks = max(1, round(self.target / _BLOCK_TRIPLES))
        share = 0.97 * self.target / blocks / _PLANNED_BLOCK_TRIPLES  # of one real-size block
        self.plan_fixed(share, share * blocks)
        for b in range(blocks):
            self.plan_block(b, share)
        for post in self.posts:
            self.plan_tenures(post)
        for forum in self.forums:
            self.plan_sessions(forum, share)
        self.plan_signatories()
        self.plan_conflicts(share)
        self.choose_defects()

    def plan_fixed(self, share: float, total: float) -> None:
        """What every corpus has once: the schemes, confidence levels, the United States, topics, publishers."""
        self.share = share
        self.topic_scheme = self.rec("scheme", "scheme", "topics", fixed=True)
        self.confidence_scheme = self.rec("scheme", "scheme", "confidence levels", "confidence", fixed=True)
        self.status_scheme = self.rec("scheme", "scheme", "statuses", fixed=True)
        self.schemes = [self.topic_scheme, self.confidence_scheme, self.status_scheme]
        self.confidence = [
            self.rec("confidence", "topic", c, fixed=True, scheme=self.confidence_scheme) for c in _CONFIDENCE
        ]
        self.status = self.rec("status", "topic", "major non-NATO ally", fixed=True, scheme=self.status_scheme)
        self.us = self.rec("org", "state", "United States", fixed=True)
        self.states.append(self.us)
        for n in range(max(4, round(40 * total))):
            self.topics.append(
                self.rec(
                    "topic", "topic", f"{self.rng.choice(_WORDS)} {self.name().lower()} {n}", scheme=self.topic_scheme
                )
            )
        for _ in range(max(3, round(30 * total))):
            paper = self.rng.choice(("Times", "Post", "Herald", "Review", "Press", "News"))
            self.publishers.append(self.rec("publisher", "publisher", f"{self.name()} {paper}"))
        for n in range(2):
            extra = self.rec("scheme", "scheme", f"{self.name()} topics {n}", extra=True)
            extra.attrs["top"] = self.topics[n]
            self.schemes.append(extra)
        for name in ("Washington", "New York", "Norfolk"):
            self.cities.append(self.rec("place", "city", name, state=self.us))
        self.us_bodies = [
            self.rec("org", "body", f"U.S. {kind}", kind="GovernmentBody", state=self.us, parent=self.us)
            for kind in ("Department of State", "Department of Defense", "National Security Council")
        ]
        self.bodies.extend(self.us_bodies)

    def plan_block(self, b: int, share: float) -> None:
        rng = self.rng
        state_name = "Israel" if b == 0 else f"{self.name()}ia"
        state = self.rec("org", "state", state_name)
        self.states.append(state)
        state.attrs["cities"] = [self.rec("place", "city", self.name(), state=state) for _ in range(2 + (share > 0.5))]
        self.cities.extend(state.cities)
        bodies = [
            self.rec("org", "body", f"{state_name} {kind}", kind="GovernmentBody", state=state, parent=state)
            for kind in _BODY_KINDS[: max(2, min(len(_BODY_KINDS), round(6 * share)))]
        ]
        bodies.append(
            self.rec("org", "body", f"{state_name} Defense Forces", kind="ArmedForces", state=state, parent=state)
        )
        for n in range(max(1, round(4 * share))):
            parent = rng.choice(bodies[:2])
            bodies.append(
                self.rec(
                    "org",
                    "body",
                    f"{state_name} {rng.choice(_WORDS)} bureau {n}",
                    kind="Bureau",
                    state=state,
                    parent=parent,
                )
            )
        for n in range(max(1 if b == 0 else 0, round(3 * share))):
            parent = rng.choice(bodies[:2])
            bodies.append(
                self.rec(
                    "org",
                    "body",
                    f"{state_name} {rng.choice(_WORDS)} division {n}",
                    kind="OrganizationalUnit",
                    state=state,
                    parent=parent,
                )
            )
        us_office = self.rec(
            "org",
            "body",
            f"U.S. office for {state_name} affairs",
            kind="Bureau",
            state=self.us,
            parent=self.us_bodies[b % 2],
        )
        bodies.append(us_office)
        if b == 0 or rng.random() < share * 0.5:
            bodies.append(
                self.rec(
                    "org", "body", f"{self.name()} administration", kind="Administration", state=self.us, parent=self.us
                )
            )
        self.bodies.extend(bodies)
        partner_posts: list[Rec] = []
        us_posts: list[Rec] = []
        for n in range(max(2, round(18 * share))):
            body = bodies[n % min(len(bodies), 4)] if n < 8 else rng.choice(bodies[:-1])
            post = self.rec(
                "post",
                "post",
                f"{state_name} {body.label.split(' ', 1)[1]} {_POST_KINDS[n % 6]}",
                body=body,
                state=state,
                attested=rng.random() < 0.35,
                tenures=[],
            )
            partner_posts.append(post)
        for n in range(max(2, round(9 * share))):
            body = us_office if n % 2 == 0 else self.us_bodies[n % 3]
            post = self.rec(
                "post",
                "post",
                f"U.S. {_POST_KINDS[(n + 3) % 6]} for {state_name} {n}",
                body=body,
                state=self.us,
                attested=rng.random() < 0.35,
                tenures=[],
            )
            us_posts.append(post)
        self.posts.extend(partner_posts + us_posts)
        state.attrs.update(posts=partner_posts, us_posts=us_posts, bodies=bodies, us_office=us_office)
        # forums, their seats, cadences, foundings, and the agreements behind them
        forums_here = max(1, round(8 * share))
        for n in range(forums_here):
            theme = self.rng.choice(("strategic", "defense", "security", "economic", "policy"))
            label = "Joint Political-Military Group" if b == 0 and n == 0 else f"{state_name} {theme} dialogue {n}"
            slug = "jpmg" if b == 0 and n == 0 else None
            forum = self.rec(
                "org",
                "forum",
                label,
                slug,
                state=state,
                founded=None,
                founding=None,
                cadence=None,
                sessions=[],
                lead=(rng.choice(partner_posts[:4]), rng.choice(us_posts[:2])),
            )
            for post in forum.lead:
                post.attrs["lead"] = True
            self.forums.append(forum)
            start = dt.date(rng.randint(1982, 2005), rng.randint(1, 12), rng.randint(1, 28))
            agreement = self.plan_agreement(state, forum, start)
            if n == 0 or rng.random() < 0.6:
                forum.attrs["founded"] = When(start, self.precision((70, 20, 10)))
                founding = self.rec(
                    "event",
                    "founding",
                    f"Founding of the {label}",
                    forum=forum,
                    agreement=agreement,
                    date=forum.founded,
                    city=rng.choice(state.cities),
                )
                self.events.append(founding)
                forum.attrs["founding"] = founding
            if n == 0 or rng.random() < 0.5:
                cadence = self.rec("cadence", "cadence", f"{label} meets twice a year", forum=forum, state=state)
                forum.attrs["cadence"] = cadence
                self.cadences.append(cadence)
            if n == 0:
                for side, post in ((state, forum.lead[0]), (self.us, forum.lead[1])):
                    seat = self.rec("post", "seat", f"{side.label} co-chair of the {label}", forum=forum, post=post)
                    self.seats.append(seat)
        for _ in range(max(1, round(4 * share))):
            start = dt.date(rng.randint(1981, 2020), rng.randint(1, 12), rng.randint(1, 28))
            self.plan_agreement(state, rng.choice(self.forums[-forums_here:]), start)
        # events without forums: suspensions, resumptions, designations, laws, milestones
        here = [a for a in self.agreements if a.state is state]
        for n in range(max(2 if b == 0 else 0, round(3 * share))):
            target = rng.choice(here)
            day = target.date.day + dt.timedelta(days=rng.randint(20, 400))
            self.events.append(
                self.rec(
                    "event",
                    "suspension",
                    f"Suspension of {target.label} {n}",
                    target=target,
                    date=When(day, "M"),
                    city=rng.choice(state.cities),
                    forum=None,
                )
            )
            self.events.append(
                self.rec(
                    "event",
                    "resumption",
                    f"Resumption of {target.label} {n}",
                    target=target,
                    date=When(day + dt.timedelta(days=200), "M"),
                    city=rng.choice(state.cities),
                    forum=None,
                )
            )
        law = None
        for n in range(max(3 if b == 0 else 0, round(2 * share))):
            law = self.rec(
                "law", "law", f"{self.name()} security assistance act {n}", year=rng.randint(1985, 2020), state=self.us
            )
            self.laws.append(law)
        for n in range(max(4 if b == 0 else 0, round(1 * share))):
            self.events.append(
                self.rec(
                    "event",
                    "designation",
                    f"Designation of {state_name} {n}",
                    state=state,
                    agreement=rng.choice(here),
                    law=law,
                    date=When(dt.date(rng.randint(1985, 2020), 1, 1), "Y"),
                    city=self.cities[0],
                    forum=None,
                )
            )
        for n in range(max(2 if b == 0 else 0, round(3 * share))):
            self.events.append(
                self.rec(
                    "event",
                    "cooperation",
                    f"{state_name} joint exercise {n}",
                    date=When(dt.date(rng.randint(1985, 2024), rng.randint(1, 12), 1), "M"),
                    city=rng.choice(state.cities),
                    forum=None,
                )
            )
        for n in range(max(4, round(85 * share))):
            kind = rng.choice(_SOURCE_CLASSES) if n % 7 == 6 else rng.choice(_SOURCE_CLASSES[:2])
            issued = When(self.day(dt.date(1981, 1, 1), _LAST_DAY), self.precision((70, 20, 10)))
            self.sources.append(
                self.rec(
                    "source",
                    "source",
                    f"{self.sentence(6)[:-1]} {n}",
                    kind=kind,
                    issued=issued,
                    publisher=rng.choice(self.publishers),
                )
            )
        state.attrs["block"] = b

    def plan_agreement(self, state: Rec, forum: Rec, start: dt.date) -> Rec:
        rng = self.rng
        cls = rng.choice(_AGREEMENT_CLASSES)
        agreement = self.rec(
            "agreement",
            "agreement",
            f"{state.label} {cls} of {start.isoformat()}",
            cls=cls,
            state=state,
            forum=forum,
            date=When(start, self.precision((70, 20, 10))),
            city=rng.choice(state.cities),
            earlier=None,
        )
        earlier = [a for a in self.agreements if a.state is state]
        if earlier and rng.random() < 0.4:
            agreement.attrs["earlier"] = rng.choice(earlier)
        self.agreements.append(agreement)
        if cls != "AnnouncedAgreement":
            for side in (state, self.us):
                if rng.random() < 0.7:
                    self.signings.append(
                        self.rec(
                            "signing",
                            "signing",
                            f"Signing of {agreement.label} by {side.label}",
                            agreement=agreement,
                            state=side,
                            person=None,
                            post=None,
                        )
                    )
        return agreement

    def new_person(self) -> Rec:
        first, last = self.rng.choice(_FIRST), self.rng.choice(_LAST)
        person = self.rec("person", "person", f"{first} {last}", roles=0)
        self.persons.append(person)
        return person

    def plan_tenures(self, post: Rec) -> None:
        rng = self.rng
        # the posts that lead a side at a forum are known from the forum's first years on; others from later
        first = rng.randint(1981, 1990) if post.attrs.get("lead") and self.share > 0.5 else rng.randint(1995, 2016)
        begin = dt.date(first, rng.randint(1, 12), rng.randint(1, 28))
        previous = None
        while begin < _LAST_DAY:
            end = begin + dt.timedelta(days=rng.randint(700, 3300))
            person = previous if previous is not None and rng.random() < 0.05 else None
            if person is None:
                # careers: about a third of the holders held another post before
                person = (
                    self.new_person() if rng.random() < 0.65 or len(self.persons) < 10 else rng.choice(self.persons)
                )
            open_ended = end >= _LAST_DAY
            tenure = self.plan_tenure(post, person, begin, None if open_ended else end)
            post.tenures.append(tenure)
            if not open_ended and rng.random() < 0.06:
                # an acting holder for a while, overlapping the substantive one
                acting_begin = self.day(begin, end)
                acting = self.plan_tenure(
                    post,
                    rng.choice(self.persons),
                    acting_begin,
                    acting_begin + dt.timedelta(days=rng.randint(30, 200)),
                    acting=True,
                )
                post.tenures.append(acting)
            previous = person
            begin = end

    def plan_tenure(self, post: Rec, person: Rec, begin: dt.date, end: dt.date | None, acting: bool = False) -> Rec:
        rng = self.rng
        person.attrs["roles"] += 1
        attested = []
        if post.attested:
            last = min(end or _LAST_DAY, _LAST_DAY)
            attested = sorted({self.day(begin, last) for _ in range(rng.randint(1, 3))})
        elif rng.random() < 0.3:
            attested = [self.day(begin, min(end or _LAST_DAY, _LAST_DAY))]
        tenure = self.rec(
            "tenure",
            "tenure",
            f"{person.label} as {post.label}",
            f"{person.label} {post.label}",
            person=person,
            post=post,
            true_begin=begin,
            true_end=end,
            begin=None if post.attested else When(begin, self.precision()),
            end=None if post.attested or end is None else When(end, self.precision()),
            attested=list({w.lexical: w for w in (When(d, self.precision((60, 30, 10))) for d in attested)}.values()),
            acting=acting,
            backs=0,
        )
        self.tenures.append(tenure)
        return tenure

    def holder(self, post: Rec, day: dt.date) -> Rec | None:
        for tenure in post.tenures:
            if tenure.acting:
                continue
            if tenure.true_begin <= day and (tenure.true_end is None or day <= tenure.true_end):
                return tenure
        return None

    def plan_sessions(self, forum: Rec, share: float) -> None:
        rng = self.rng
        state = forum.state
        count = max(2, round(22 * share / max(1, round(8 * share)) * rng.uniform(0.5, 1.5)))
        start = forum.founded.day + dt.timedelta(days=30) if forum.founded else dt.date(1984, 1, 1)
        days = sorted(self.day(start, _LAST_DAY) for _ in range(count))
        for ordinal, day in enumerate(days, start=1):
            host = state if ordinal % 2 else self.us
            precision = rng.choices(("D", "M", "Y", "MD"), (75, 12, 8, 5))[0]
            session = self.rec(
                "session",
                "session",
                f"{forum.label} session {ordinal}",
                f"{forum.label} {ordinal}",
                forum=forum,
                date=When(day, precision),
                ordinal=ordinal,
                host=host,
                city=rng.choice(host.cities if host is not self.us else self.cities[:3]),
                delegations=[],
                mode=rng.choice(_MODES) if rng.random() < 0.4 else None,
                planned=day > dt.date(2025, 3, 1),
            )
            forum.sessions.append(session)
            self.sessions.append(session)
            if session.planned or rng.random() < 0.1:
                continue  # no source names who came (a planned session, or a meeting known only by its date)
            for side, post in ((state, forum.lead[0]), (self.us, forum.lead[1])):
                if rng.random() > 0.65:
                    continue
                tenure = self.holder(post, day)
                if tenure is None:
                    continue
                tenure.attrs["backs"] += 1
                tenure.person.attrs["roles"] += 1
                side_posts = state.posts if side is state else state.us_posts
                body = side_posts[0].body if side is state else state.us_office
                delegation = self.rec(
                    "delegation",
                    "delegation",
                    f"{side.label} delegation at {session.label}",
                    f"{session.label} {side.label}",
                    session=session,
                    side=side,
                    head=tenure.person,
                    head_post=post,
                    side_posts=side_posts,
                    body=body,
                    members=[p for p in side_posts if p is not post][:2],
                )
                session.delegations.append(delegation)
                self.delegations.append(delegation)

    def plan_signatories(self) -> None:
        """Each signing's signatory: whoever held a post of the side on the agreement's day, if anyone."""
        for signing in self.signings:
            state = signing.agreement.state
            post = self.rng.choice(state.posts if signing.state is not self.us else state.us_posts)
            tenure = self.holder(post, signing.agreement.date.day)
            person = tenure.person if tenure else self.rng.choice(self.persons)
            person.attrs["roles"] += 1
            signing.attrs.update(person=person, post=post)

    def plan_conflicts(self, share: float) -> None:
        rng = self.rng
        dated = [s for s in self.sessions if s.date is not None and s.date.precision == "D"]
        for n in range(max(1, round(14 * share * len(self.states[1:])))):
            session = dated[n % len(dated)] if dated else self.sessions[n % len(self.sessions)]
            conflict = self.rec(
                "conflict",
                "conflict",
                f"C{n + 1}: date of {session.label}",
                f"c{n + 1}",
                number=n + 1,
                claims=[],
                preferred=None,
                about=session,
            )
            for k in range(rng.randint(2, 4)):
                day = session.date.day + dt.timedelta(days=k)
                by_resource = k == 2 and rng.random() < 0.5  # the first two claims are on one point
                claim = self.rec(
                    "claim",
                    "claim",
                    f"C{n + 1} claim {k + 1}",
                    f"c{n + 1} {chr(97 + k)}",
                    conflict=conflict,
                    about=session,
                    by_resource=by_resource,
                    value=When(day, "D"),
                    preferred=False,
                )
                conflict.claims.append(claim)
                self.claims.append(claim)
            if rng.random() < 0.5:
                conflict.attrs["preferred"] = conflict.claims[0]
                conflict.claims[0].attrs["preferred"] = True
            self.conflicts.append(conflict)

    def groups(self) -> dict[str, list[Rec]]:
        events: dict[str, list[Rec]] = {}
        for event in self.events:
            events.setdefault(event.group, []).append(event)
        return {
            "person": self.persons,
            "post": self.posts,
            "tenure": self.tenures,
            "delegation": self.delegations,
            "session": self.sessions,
            "agreement": self.agreements,
            "signing": self.signings,
            "law": self.laws,
            "state": self.states,
            "body": self.bodies,
            "forum": self.forums,
            "cadence": self.cadences,
            "seat": self.seats,
            "city": self.cities,
            "topic": self.topics,
            "scheme": self.schemes,
            "source": self.sources,
            "publisher": self.publishers,
            "conflict": self.conflicts,
            "claim": self.claims,
            "orphan": self.orphans,
            **events,
        }

    def choose_defects(self) -> None:
        if self.rate <= 0:
            return
        groups = self.groups()
        by_group: dict[str, list[Kind]] = {}
        for kind in KINDS.values():
            by_group.setdefault(kind.group, []).append(kind)
        for group in sorted(by_group):
            kinds = by_group[group]
            if group == "orphan":
                for _ in range(max(1, round(self.rate * len(self.persons) / 20))):
                    orphan = self.rec(
                        "person", "orphan", f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}", roles=0
                    )
                    orphan.defect = "person-without-role"
                    self.orphans.append(orphan)
                continue
            members = list(groups.get(group, []))
            self.rng.shuffle(members)
            wanted = max(len(kinds), round(self.rate * len(members)))
            # the kinds with the fewest eligible resources choose first, so that every kind that can be injected
            # is injected at least once; then further resources get the kinds in turn, up to the rate
            kinds = sorted(kinds, key=lambda k: (sum(1 for m in members if k.eligible(m)), k.name))
            chosen = 0
            position = {kind.name: 0 for kind in kinds}
            progress = True
            while chosen < wanted and progress:
                progress = False
                for kind in kinds:
                    if chosen >= wanted:
                        break
                    while position[kind.name] < len(members):
                        rec = members[position[kind.name]]
                        position[kind.name] += 1
                        if rec.defect is None and kind.eligible(rec) and self.untouched(rec, kind):
                            self.assign(rec, kind)
                            chosen += 1
                            progress = True
                            break

    def untouched(self, rec: Rec, kind: Kind) -> bool:
        """Two defects never meet: a defect on a tenure must not change what another defect relies on."""
        if kind.group == "tenure" and any(t.defect for t in rec.post.tenures):
            return False
        if kind.group == "delegation" and rec.session.defect:
            return False
        # a second session date doubles the rows of a broken delegation's date check; other session defects
        # leave the delegations' checks alone (the date defects that could not are only for sessions without any)
        if kind.name == "date-two-values" and any(d.defect for d in rec.delegations):
            return False
        if kind.group == "claim" and (rec.conflict.defect or any(c.defect for c in rec.conflict.claims)):
            return False
        if kind.group == "conflict" and any(c.defect for c in rec.claims):
            return False
        if kind.group == "cadence" and rec.forum.defect:
            return False
        if kind.group == "forum" and rec.cadence is not None and rec.cadence.defect:
            return False
        return not (kind.group == "tenure" and kind.name.startswith("tenure-overlap") and rec.post.defect)

    def assign(self, rec: Rec, kind: Kind) -> None:
        """Plan a defect: what must change before anything is written (IRIs, other resources) changes now."""
        rec.defect = kind.name
        if kind.group == "tenure":
            rec.post.attrs["touched"] = True
        if kind.rename:
            old_kind, slug = rec.iri[len(ID) + 1 : -1].split("/", 1)
            rec.iri = inst("misc", f"{old_kind}-{slug}")
        # a defect that takes away one of a person's roles: the person must keep another (see _quiet_tenure)
        loser = {
            "tenure-without-member": "person",
            "signing-without-signatory": "person",
            "delegation-head-not-a-person": "head",
        }.get(kind.name)
        if loser:
            getattr(rec, loser).attrs["roles"] -= 1
        if kind.name == "tenure-two-members":
            rec.attrs["second"] = self.new_person()
            rec.second.attrs["roles"] = 1
        elif kind.name == "tenure-overlap":
            rival = self.plan_tenure(rec.post, self.new_person(), rec.true_begin, rec.true_end)
            self.tenures.remove(rival)
            rival.attrs.update(begin=rec.begin, end=rec.end, attested=[])
            self.extra_tenures.append(rival)
            rec.attrs["rival"] = rival
        elif kind.name == "cadence-without-forum":
            rec.forum.attrs["drop_cadence"] = True

    # -- writing --

    def derivation(self, source: str, confidence: str | None = None) -> Node:
        self.fact += 1
        node = Node().add(A, _t("prov:Derivation")).add(_t("prov:entity"), source)
        node.add(_t("jpmg:factId"), plain(f"F{self.fact % 1000:03d}"))
        node.add(_t("jpmg:confidence"), (confidence or self.rng.choice(self.confidence).iri))
        return node

    def sourced(self, node: Node) -> Node:
        sources: list[str] = []
        for _ in range(self.rng.choices((1, 2, 3, 4), (30, 35, 20, 15))[0]):
            source = self.pick_source()
            node.add(_t("prov:qualifiedDerivation"), self.derivation(source))
            if source not in sources:
                sources.append(source)
        for source in sources:
            node.add(_t("prov:wasDerivedFrom"), source)
        return node

    def described(self, node: Node, rec: Rec, comment_rate: float = 0.3) -> Node:
        node.add(_t("rdfs:label"), en(rec.label))
        if self.rng.random() < 0.35:
            node.add(_t("dcterms:description"), en(self.sentence(self.rng.randint(12, 30))))
        if self.rng.random() < comment_rate:
            node.add(_t("rdfs:comment"), en(self.sentence(self.rng.randint(10, 24))))
        return node

    def emit(self, writer: _NTriplesWriter, rec: Rec, node: Node) -> None:
        if rec.defect:
            self.expected.extend(dict(e, kind=rec.defect) for e in KINDS[rec.defect].mutate(self, rec, node))
        writer.write(node)

    def write(self, writer: _NTriplesWriter) -> None:
        writer.header()
        writer.comment(f"Synthetic JPMG data ({self.target} triples asked for); generated by jpmg synth.")
        for scheme in self.schemes:
            node = Node(scheme.iri).add(A, _t("skos:ConceptScheme"))
            node.add(_t("rdfs:label"), en(scheme.label)).add(_t("skos:prefLabel"), en(scheme.label))
            tops = {
                self.topic_scheme.iri: self.topics,
                self.confidence_scheme.iri: self.confidence,
                self.status_scheme.iri: [self.status],
            }.get(scheme.iri, [scheme.attrs.get("top")])
            for top in tops:
                node.add(_t("skos:hasTopConcept"), top.iri)
            self.emit(writer, scheme, node)
        for concept in [*self.confidence, self.status, *self.topics]:
            scheme = concept.attrs.get("scheme", self.topic_scheme)
            node = Node(concept.iri).add(A, _t("skos:Concept"))
            node.add(_t("rdfs:label"), en(concept.label)).add(_t("skos:prefLabel"), en(concept.label))
            if concept in self.confidence:
                node.add(_t("skos:notation"), plain(concept.label))
            node.add(_t("skos:definition"), en(self.sentence(12)))
            node.add(_t("skos:inScheme"), scheme.iri).add(_t("skos:topConceptOf"), scheme.iri)
            self.emit(writer, concept, node)
        for publisher in self.publishers:
            node = Node(publisher.iri).add(A, _t("schema:Organization")).add(_t("rdfs:label"), en(publisher.label))
            self.emit(writer, publisher, node)
        for n, source in enumerate(self.sources):
            node = Node(source.iri).add(A, _t("jpmg:Source")).add(A, _t(f"schema:{source.kind}"))
            node.add(_t("rdfs:label"), en(source.label)).add(_t("dcterms:title"), en(source.label))
            node.add(_t("dcterms:language"), plain("en"))
            if source.kind == "Book":
                node.add(_t("schema:isbn"), plain(f"978{n:010d}"))
            else:
                node.add(_t("schema:url"), f"<https://example.org/news/{_bare(source.iri).rsplit('/', 1)[-1]}>")
            node.add(_t("dcterms:publisher"), source.publisher.iri).add(_t("dcterms:issued"), source.issued.term)
            self.emit(writer, source, node)
        for state in self.states:
            node = Node(state.iri).add(A, _t("jpmg:State")).add(A, _t("schema:Country"))
            self.described(node, state).add(_t("skos:altLabel"), en(state.label[:3].upper()))
            self.emit(writer, state, self.sourced(node))
        for city in self.cities:
            node = Node(city.iri).add(A, _t("schema:City")).add(_t("rdfs:label"), en(city.label))
            node.add(_t("schema:containedInPlace"), city.state.iri)
            self.emit(writer, city, self.sourced(node))
        for body in self.bodies:
            kind = {"OrganizationalUnit": "org:OrganizationalUnit"}.get(body.kind, f"jpmg:{body.kind}")
            node = self.described(Node(body.iri).add(A, _t(kind)), body)
            node.add(
                _t("org:unitOf" if body.kind == "OrganizationalUnit" else "org:subOrganizationOf"), body.parent.iri
            )
            self.emit(writer, body, self.sourced(node))
        for post in self.posts:
            node = self.described(Node(post.iri).add(A, _t("org:Post")), post)
            if self.rng.random() < 0.3:
                node.add(_t("skos:altLabel"), en(post.label.split(" ", 1)[1]))
            node.add(_t("org:postIn"), post.body.iri)
            self.emit(writer, post, self.sourced(node))
        for seat in self.seats:
            node = self.described(Node(seat.iri).add(A, _t("jpmg:CoChairSeat")), seat)
            node.add(_t("org:postIn"), seat.forum.iri).add(_t("jpmg:filledExOfficioBy"), seat.post.iri)
            self.emit(writer, seat, self.sourced(node))
        for person in self.persons + self.orphans:
            node = self.described(Node(person.iri).add(A, _t("foaf:Person")), person, 0.1)
            node.add(_t("foaf:name"), plain(person.label))
            if self.rng.random() < 0.1:
                node.add(_t("schema:honorificPrefix"), plain("Dr."))
            self.emit(writer, person, self.sourced(node))
        for tenure in self.tenures:
            self.write_tenure(writer, tenure)
        for forum in self.forums:
            self.write_forum(writer, forum)
        for cadence in self.cadences:
            node = self.described(Node(cadence.iri).add(A, _t("jpmg:Cadence")), cadence)
            node.add(_t("jpmg:meetingsPerYear"), typed("2.0", _full("xsd:decimal")))
            node.add(_t("jpmg:alternatesBetween"), cadence.state.iri).add(_t("jpmg:alternatesBetween"), self.us.iri)
            self.emit(writer, cadence, self.sourced(node))
        for agreement in self.agreements:
            self.write_agreement(writer, agreement)
        for signing in self.signings:
            node = self.described(Node(signing.iri).add(A, _t("jpmg:Signing")), signing)
            node.add(_t("jpmg:signedAgreement"), signing.agreement.iri).add(_t("jpmg:signatory"), signing.person.iri)
            node.add(_t("jpmg:signedAs"), signing.post.iri).add(_t("jpmg:onBehalfOf"), signing.state.iri)
            node.add(_t("jpmg:date"), signing.agreement.date.term)
            node.add(_t("schema:location"), signing.agreement.city.iri)
            self.emit(writer, signing, self.sourced(node))
        for law in self.laws:
            node = self.described(Node(law.iri).add(A, _t("schema:Legislation")), law)
            node.add(_t("schema:legislationDate"), typed(str(law.year), XSD_GY))
            node.add(_t("schema:legislationJurisdiction"), law.state.iri)
            self.emit(writer, law, self.sourced(node))
        for event in self.events:
            self.write_event(writer, event)
        for session in self.sessions:
            self.write_session(writer, session)
            for delegation in session.delegations:
                self.write_delegation(writer, delegation)
        for conflict in self.conflicts:
            self.write_conflict(writer, conflict)
        for tenure in self.extra_tenures:
            self.write_tenure(writer, tenure)
        # fill up to the number of triples asked for with further sources, which nothing else depends on
        n = len(self.sources)
        while writer.triples < self.target:
            source = self.rec(
                "source",
                "source",
                f"{self.sentence(6)[:-1]} {n}",
                kind="WebPage",
                issued=When(self.day(dt.date(1981, 1, 1), _LAST_DAY), "D"),
                publisher=self.rng.choice(self.publishers),
            )
            node = Node(source.iri).add(A, _t("jpmg:Source")).add(A, _t("schema:WebPage"))
            node.add(_t("rdfs:label"), en(source.label)).add(_t("dcterms:title"), en(source.label))
            node.add(_t("schema:url"), f"<https://example.org/page/{n}>")
            node.add(_t("dcterms:publisher"), source.publisher.iri).add(_t("dcterms:issued"), source.issued.term)
            writer.write(node)
            n += 1

    def write_tenure(self, writer: _NTriplesWriter, tenure: Rec) -> None:
        node = Node(tenure.iri).add(A, _t("jpmg:Tenure")).add(_t("rdfs:label"), en(tenure.label))
        node.add(_t("org:member"), tenure.person.iri).add(_t("jpmg:post"), tenure.post.iri)
        node.add(_t("org:organization"), tenure.post.body.iri)
        if tenure.begin is not None:
            interval = Node().add(A, _t("time:Interval"))
            for predicate, when in ((_t("time:hasBeginning"), tenure.begin), (_t("time:hasEnd"), tenure.end)):
                if when is not None:
                    interval.add(
                        predicate, Node().add(A, _t("time:Instant")).add(_INSTANT_PROPERTY[when.precision], when.term)
                    )
            node.add(_t("org:memberDuring"), interval)
        for when in tenure.attested:
            node.add(_t("jpmg:attestedOn"), when.term)
        if tenure.acting:
            node.add(_t("jpmg:acting"), typed("true", _full("xsd:boolean")))
        self.emit(writer, tenure, self.sourced(node))

    def write_forum(self, writer: _NTriplesWriter, forum: Rec) -> None:
        node = self.described(Node(forum.iri).add(A, _t("jpmg:BilateralForum")), forum)
        node.add(_t("org:hasMember"), forum.state.iri).add(_t("org:hasMember"), self.us.iri)
        topics = self.rng.sample(self.topics, 2)
        node.add(_t("jpmg:originalPurpose"), topics[0].iri).add(_t("org:purpose"), topics[1].iri)
        if forum.cadence is not None and forum.attrs.get("drop_cadence") is None:
            node.add(_t("jpmg:statedCadence"), forum.cadence.iri)
        self.emit(writer, forum, self.sourced(node))

    def write_agreement(self, writer: _NTriplesWriter, agreement: Rec) -> None:
        node = self.described(Node(agreement.iri).add(A, _t(f"jpmg:{agreement.cls}")), agreement)
        node.add(_t("jpmg:party"), agreement.state.iri).add(_t("jpmg:party"), self.us.iri)
        node.add(_t("jpmg:date"), agreement.date.term).add(_t("schema:location"), agreement.city.iri)
        founding = any(e.group == "founding" and e.agreement is agreement for e in self.events)
        node.add(_t("jpmg:establishes" if founding else "dcterms:relation"), agreement.forum.iri)
        if agreement.earlier is not None:
            node.add(_t("jpmg:expands" if self.rng.random() < 0.6 else "jpmg:upgrades"), agreement.earlier.iri)
        self.emit(writer, agreement, self.sourced(node))

    def write_event(self, writer: _NTriplesWriter, event: Rec) -> None:
        classes = {
            "founding": "FoundingEvent",
            "suspension": "SuspensionEvent",
            "resumption": "ResumptionEvent",
            "designation": "Designation",
            "cooperation": "CooperationEvent",
        }
        node = self.described(Node(event.iri).add(A, _t(f"jpmg:{classes[event.group]}")), event)
        node.add(_t("jpmg:date"), event.date.term).add(_t("prov:atLocation"), event.city.iri)
        if event.group == "founding":
            node.add(_t("org:resultingOrganization"), event.forum.iri).add(_t("jpmg:basedOn"), event.agreement.iri)
        elif event.group == "suspension":
            node.add(_t("jpmg:suspends"), event.target.iri)
        elif event.group == "resumption":
            node.add(_t("jpmg:resumes"), event.target.iri)
        elif event.group == "designation":
            node.add(_t("jpmg:designatedState"), event.state.iri).add(_t("jpmg:designatedStatus"), self.status.iri)
            node.add(_t("jpmg:basedOn"), event.agreement.iri)
        self.emit(writer, event, self.sourced(node))

    def write_session(self, writer: _NTriplesWriter, session: Rec) -> None:
        node = self.described(Node(session.iri).add(A, _t("jpmg:Session")), session)
        node.add(_t("jpmg:ordinal"), typed(str(session.ordinal), _full("xsd:positiveInteger")))
        if session.planned:
            node.add(_t("jpmg:planned"), typed("true", _full("xsd:boolean")))
        if session.mode:
            node.add(_t("schema:eventAttendanceMode"), _t(f"schema:{session.mode}"))
        node.add(_t("jpmg:sessionOf"), session.forum.iri).add(_t("schema:location"), session.city.iri)
        node.add(_t("jpmg:hostedBy"), session.host.iri)
        for topic in self.rng.sample(self.topics, self.rng.randint(1, 4)):
            node.add(_t("dcterms:subject"), topic.iri)
        if self.rng.random() < 0.2:
            node.add(_t("jpmg:announcedTopic"), self.rng.choice(self.topics).iri)
        node.add(_t("jpmg:date"), session.date.term)
        if session.date.precision == "D" and self.rng.random() < 0.2:
            node.add(_t("jpmg:endDate"), When(session.date.day + dt.timedelta(days=1), "D").term)
        self.emit(writer, session, self.sourced(node))

    def write_delegation(self, writer: _NTriplesWriter, delegation: Rec) -> None:
        node = Node(delegation.iri).add(A, _t("jpmg:Delegation")).add(_t("rdfs:label"), en(delegation.label))
        node.add(_t("jpmg:atSession"), delegation.session.iri).add(_t("jpmg:side"), delegation.side.iri)
        node.add(_t("jpmg:head"), delegation.head.iri).add(_t("jpmg:headPost"), delegation.head_post.iri)
        node.add(_t("jpmg:participatingBody"), delegation.body.iri)
        for post in delegation.members:
            node.add(_t("jpmg:participatingPost"), post.iri)
        self.emit(writer, delegation, self.sourced(node))

    def write_conflict(self, writer: _NTriplesWriter, conflict: Rec) -> None:
        node = Node(conflict.iri).add(A, _t("jpmg:SourceConflict")).add(_t("rdfs:label"), en(conflict.label))
        node.add(_t("jpmg:conflictId"), plain(f"C{conflict.number}"))
        for claim in conflict.claims:
            node.add(_t("jpmg:hasClaim"), claim.iri)
        if conflict.preferred is not None:
            node.add(_t("jpmg:preferredClaim"), conflict.preferred.iri)
        self.emit(writer, conflict, node)
        for claim in conflict.claims:
            node = Node(claim.iri).add(A, _t("jpmg:Claim")).add(_t("rdfs:label"), en(claim.label))
            node.add(_t("rdfs:comment"), en(self.sentence(12)))
            node.add(_t("jpmg:about"), claim.about.iri).add(_t("jpmg:claimedProperty"), _t("jpmg:date"))
            if claim.by_resource:
                node.replace(_t("jpmg:claimedProperty"), _t("jpmg:sessionOf"))
                node.add(_t("jpmg:claimedResource"), claim.about.forum.iri)
            else:
                node.add(_t("jpmg:claimedValue"), claim.value.term)
            self.emit(writer, claim, self.sourced(node))


def generate(path: Path, triples: int, seed: int = 0, rate: float = 0.0) -> SynthResult:
    """Write about ``triples`` triples to ``path`` (N-Triples for ``.nt``, Turtle otherwise), atomically.

    With ``rate`` > 0 the injected results are written to ``path.expected.json`` (also atomically) and returned.
    """
    if triples < 1:
        raise ValueError("the number of triples must be positive")
    if not 0 <= rate <= 1:
        raise ValueError("the violation rate must be between 0 and 1")
    path = Path(path)
    synth = _Synth(triples, seed, rate)
    synth.plan()
    path.parent.mkdir(parents=True, exist_ok=True)  # a corpus often goes into a folder of its own
    with atomic_output(path, text=True) as out:
        writer = _NTriplesWriter(out) if path.suffix.lower() == ".nt" else _TurtleWriter(out)
        synth.write(writer)
    expected_path = None
    expected = sorted(synth.expected, key=lambda e: (e["kind"], e["focus"], e["shape"], str(e["value"])))
    if rate > 0:
        expected_path = path.with_name(path.name + ".expected.json")
        with atomic_output(expected_path, text=True) as out:
            json.dump(expected, out, indent=1)
            out.write("\n")
    return SynthResult(path, writer.triples, expected, expected_path)


# --- command line ---------------------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    try:
        result = generate(Path(args.output), args.triples, args.seed, args.violations)
    except (OSError, ValueError) as error:
        print(f"jpmg synth: error: {error}", file=sys.stderr)
        return 2
    message = f"wrote {result.triples} triples to {result.path}"
    if result.expected_path is not None:
        message += f"; {len(result.expected)} injected results listed in {result.expected_path}"
    print(message)
    return 0


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``synth`` subcommand to ``jpmg``'s subcommands (``commands`` is what add_subparsers returned)."""
    parser = commands.add_parser(
        "synth",
        help="write synthetic data shaped like the knowledge graph (for benchmarks and tests)",
        description="Write about N triples of synthetic data in the project's ontology, conforming to the shapes, "
        "or with --violations RATE known defects of every shape and their expected results in FILE.expected.json.",
    )
    parser.add_argument("--triples", type=int, required=True, metavar="N", help="about how many triples to write")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (same seed, same bytes)")
    parser.add_argument(
        "--violations",
        type=float,
        default=0.0,
        metavar="RATE",
        help="share of eligible resources to break, for every kind of defect (default 0)",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="where to write: N-Triples for .nt, Turtle otherwise"
    )
    parser.set_defaults(handler=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python -m jpmg.synth``: the same as ``jpmg synth``."""
    parser = argparse.ArgumentParser(prog="jpmg")
    commands = parser.add_subparsers(dest="command", required=True)
    register(commands)
    args = parser.parse_args(["synth", *(sys.argv[1:] if argv is None else argv)])
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
