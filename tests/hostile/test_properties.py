"""Property-based tests (hypothesis) of the parse and validate path.

1. Graphs of generated triples (IRIs, blank nodes, plain, language-tagged and typed literals with awkward
   characters), written by rdflib and by pyoxigraph as Turtle and N-Triples, parse back strictly to the same graph.
2. Valid documents broken at random (bytes inserted, deleted, replaced, the file cut short) either parse or fail with
   :class:`RdfInputError` and a one-line message, through the strict parser and through ``validate``: never another
   exception.
3. Generated data in the project's ontology (tenures of one post with dates at random precisions, acting or not, and
   a delegation whose head led it on a random date) gets exactly the findings a small independent oracle of the date
   rules computes: a tenure does not end before it begins; two people do not hold one post at once unless one is
   acting; a delegation's head held the post on the session's date.

Example counts are kept moderate for CI (see the ``settings``); ``JPMG_HYPOTHESIS_SCALE=10`` runs ten times as many.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from jpmg import config
from jpmg.findings import Severity
from jpmg.parsing import RdfInputError, parse_turtle, parse_turtle_text
from jpmg.terms import to_oxigraph
from jpmg.validation import validate

SCALE = int(os.environ.get("JPMG_HYPOTHESIS_SCALE", "1"))
SHAPES = config.BASE_IRI + "shapes#"


def examples(count: int) -> settings:
    """``count`` examples (times JPMG_HYPOTHESIS_SCALE), no deadline, and no example database in the checkout."""
    return settings(
        max_examples=count * SCALE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# -- 1. generated graphs round-trip ------------------------------------------------------------------------------------

# Local names from letters of several scripts, digits and the unreserved marks: IRIs that are valid (RFC 3987) and
# that rdflib abbreviates to prefixed names. (rdflib 7 also abbreviates IRIs whose local name Turtle cannot write as a
# prefixed name, such as one starting with U+00AA, and with local names of dots it can even drop the @prefix line:
# invalid Turtle, which the strict parser rightly refuses. Those are left out.)
_IRI_CHARS = st.text(
    alphabet=st.sampled_from([*"abcxyzABC0129-_~", "é", "ß", "Ω", "א", "中", "😀"]), min_size=1, max_size=12
)
iris = st.builds(lambda local: URIRef("http://example.org/" + local), _IRI_CHARS) | st.sampled_from(
    [URIRef(config.INSTANCE_BASE + "session/jpmg-48"), URIRef("urn:x:a"), URIRef("http://example.org/a#b")]
)
blank_nodes = st.sampled_from([BNode(f"b{i}") for i in range(4)])
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)
literals = st.one_of(
    _TEXT.map(Literal),
    st.tuples(_TEXT, st.sampled_from(["en", "he", "en-US", "fr-CA"])).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers(-(10**12), 10**12).map(Literal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(lambda d: Literal(d, datatype=XSD.decimal)),
    st.dates().map(lambda d: Literal(d.isoformat(), datatype=XSD.date)),
    st.integers(1000, 2999).map(lambda y: Literal(str(y), datatype=XSD.gYear)),
    st.booleans().map(Literal),
    st.tuples(_TEXT, iris).map(lambda t: Literal(t[0], datatype=t[1])),
)
triples = st.tuples(iris | blank_nodes, iris, iris | blank_nodes | literals)


def _graph(items) -> Graph:
    graph = Graph()
    for triple in items:
        graph.add(triple)
    return graph


def _lower_tags(graph: Graph) -> Graph:
    """The graph with its language tags in lower case: RDF compares them without case, pyoxigraph writes them so."""
    lowered = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language:
            o = Literal(str(o), lang=o.language.lower())
        lowered.add((s, p, o))
    return lowered


def _write(graph: Graph, writer: str) -> str:
    if writer.startswith("rdflib-"):
        return graph.serialize(format={"rdflib-turtle": "turtle", "rdflib-nt": "nt"}[writer])
    labels: dict = {}
    converted = [ox.Triple(*(to_oxigraph(t, labels) for t in triple)) for triple in graph]
    fmt = {"oxigraph-turtle": ox.RdfFormat.TURTLE, "oxigraph-nt": ox.RdfFormat.N_TRIPLES}[writer]
    return (ox.serialize(converted, format=fmt) or b"").decode("utf-8")


@examples(150)
@given(
    items=st.lists(triples, min_size=1, max_size=12),
    writer=st.sampled_from(["rdflib-turtle", "rdflib-nt", "oxigraph-turtle", "oxigraph-nt"]),
)
def test_written_graphs_parse_back_to_the_same_graph(items, writer: str) -> None:
    graph = _graph(items)
    text = _write(graph, writer)
    parsed = parse_turtle_text(text, f"<{writer}>", base_iri="http://example.org/")
    assert isomorphic(_lower_tags(parsed), _lower_tags(graph)), f"{writer} wrote:\n{text}"


# -- 2. broken documents fail cleanly ----------------------------------------------------------------------------------

_SEEDS = [
    (config.DATA_DIR / "tenures.ttl").read_text(encoding="utf-8")[:6000],
    (config.DATA_DIR / "sessions.ttl").read_text(encoding="utf-8")[:6000],
    '@prefix ex: <http://example.org/> .\nex:a ex:b "c\\"d"@en , """long\nstring""" ; ex:e ( 1 2.5 [ ex:f true ] ) .\n',
]


@st.composite
def broken_documents(draw) -> bytes:
    """A valid document with a few random edits: bytes inserted, deleted or replaced, or the end cut off."""
    data = bytearray(draw(st.sampled_from(_SEEDS)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "flip"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "insert":
            data[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=4),
                    st.sampled_from([b'"', b"<", b">", b".", b";", b"@", b"\\", b"#", b"\x00", b"\xff", b"_:", b"^^"]),
                )
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "replace":
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=2))
        elif kind == "truncate":
            del data[at:]
        elif data:
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def _one_clean_line(error: RdfInputError) -> None:
    text = str(error)
    assert "\n" not in text and "\r" not in text and text.isprintable(), repr(text)
    assert error.path and "(" in text  # where, and the fix in brackets


@examples(300)
@given(document=broken_documents())
def test_broken_documents_parse_or_fail_with_one_line(document: bytes, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("broken") / "broken.ttl"
    path.write_bytes(document)
    try:
        parse_turtle(path)
    except RdfInputError as error:
        _one_clean_line(error)
    try:
        parse_turtle_text(document.decode("utf-8", "replace"), "<text>", base_iri="http://example.org/")
    except RdfInputError as error:
        _one_clean_line(error)


@examples(40)
@given(document=broken_documents())
def test_broken_documents_validate_or_fail_with_one_line(document: bytes, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("broken") / "broken.ttl"
    path.write_bytes(document)
    try:
        report = validate([path])
    except RdfInputError as error:
        _one_clean_line(error)
    else:
        assert report.exit_code() in (0, 1)


# -- 3. the date rules against an oracle -------------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A date at a precision: a day (xsd:date), a month (xsd:gYearMonth) or a year (xsd:gYear)."""

    year: int
    month: int
    day: int
    precision: str

    @property
    def text(self) -> str:
        return {
            "day": f"{self.year:04d}-{self.month:02d}-{self.day:02d}",
            "month": f"{self.year:04d}-{self.month:02d}",
            "year": f"{self.year:04d}",
        }[self.precision]

    @property
    def turtle(self) -> str:
        predicate, datatype = {
            "day": ("time:inXSDDate", "xsd:date"),
            "month": ("time:inXSDgYearMonth", "xsd:gYearMonth"),
            "year": ("time:inXSDgYear", "xsd:gYear"),
        }[self.precision]
        return f'[ a time:Instant ; {predicate} "{self.text}"^^{datatype} ]'


whens = st.builds(
    When, st.integers(1990, 2012), st.integers(1, 12), st.integers(1, 28), st.sampled_from(["day", "month", "year"])
)


@dataclass(frozen=True)
class Tenure:
    person: int
    begin: When | None
    end: When | None
    acting: bool


tenures = st.builds(Tenure, st.integers(0, 2), st.none() | whens, st.none() | whens, st.booleans()).filter(
    lambda t: t.begin is not None or t.end is not None  # an interval needs one of its ends (a separate rule)
)


def earlier(a: str, b: str) -> bool:
    """a < b at their common precision (the rule the shapes document: "1984" and "1984-03-02" agree on "1984")."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def oracle(items: list[Tenure], session: When) -> set[tuple[str, str]]:
    """The (focus node, shape) of every finding of the three date rules, computed from the rules' statements."""
    found = set()
    for i, t in enumerate(items):
        if t.begin and t.end and earlier(t.end.text, t.begin.text):
            found.add((f"tenure/t{i}", "TenureOrderShape"))
    for i, a in enumerate(items):
        for j, b in enumerate(items):
            if i == j or a.person == b.person or a.acting or b.acting or not (a.begin and b.begin):
                continue
            b1, b2 = a.begin.text, b.begin.text
            e1, e2 = (a.end.text if a.end else None), (b.end.text if b.end else None)
            # only a KNOWN overlap counts: an open end means "not given", so an open tenure covers its first day
            if e1 and e2:
                overlap = earlier(b1, e2) and earlier(b2, e1)
            elif e2:  # a is open: its first day lies inside b
                overlap = (earlier(b2, b1) or b1 == b2) and earlier(b1, e2)
            elif e1:
                overlap = (earlier(b1, b2) or b1 == b2) and earlier(b2, e1)
            else:
                overlap = b1 == b2
            if overlap:
                found.add((f"tenure/t{i}", "TenureOverlapShape"))
    d = session.text
    held = any(
        t.person == 0
        and (t.begin is None or not earlier(d, t.begin.text))
        and (t.end is None or not earlier(t.end.text, d))
        for t in items
    )
    if not held:
        found.add(("delegation/d0", "DelegationHeadTenureShape"))
    return found


_SOURCED = """    prov:wasDerivedFrom <source/s> ;
    prov:qualifiedDerivation [ a prov:Derivation ; prov:entity <source/s> ; jpmg:factId "F001" ;
        jpmg:confidence <confidence/high> ] ."""
_HEADER = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix jpmg: <https://w3id.org/jpmg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/jpmg/id/> .

<org/state-a> a jpmg:State ; rdfs:label "State A"@en ;
{s}
<org/state-b> a jpmg:State ; rdfs:label "State B"@en ;
{s}
<org/ministry> a jpmg:GovernmentBody ; rdfs:label "Ministry"@en ; org:subOrganizationOf <org/state-a> ;
{s}
<org/forum> a jpmg:BilateralForum ; rdfs:label "Forum"@en ; org:hasMember <org/state-a> , <org/state-b> ;
{s}
<post/p> a org:Post ; rdfs:label "Post"@en ; org:postIn <org/ministry> ;
{s}
<source/s> a jpmg:Source , schema:WebPage ; rdfs:label "Source"@en ; dcterms:title "Source"@en ;
    dcterms:issued "2020-01-01"^^xsd:date ; dcterms:publisher <publisher/p> ; schema:url <https://example.org/s> .
<publisher/p> a schema:Organization ; rdfs:label "Publisher"@en .
""".replace("{s}", _SOURCED)


def document(items: list[Tenure], session: When) -> str:
    parts = [_HEADER]
    for person in range(3):
        parts.append(
            f'<person/p{person}> a foaf:Person ; rdfs:label "Person {person}"@en ; foaf:name "Person {person}" ;\n'
            + _SOURCED
        )
    for i, t in enumerate(items):
        ends = [
            f"time:hasBeginning {t.begin.turtle}" if t.begin else "",
            f"time:hasEnd {t.end.turtle}" if t.end else "",
        ]
        interval = " ; ".join(e for e in ends if e)
        parts.append(
            f'<tenure/t{i}> a jpmg:Tenure ; rdfs:label "Tenure {i}"@en ; org:member <person/p{t.person}> ;\n'
            f"    jpmg:post <post/p> ; org:organization <org/ministry> ;\n"
            f"    org:memberDuring [ a time:Interval ; {interval} ] ;\n"
            + ("    jpmg:acting true ;\n" if t.acting else "")
            + _SOURCED
        )
    date_type = {"day": "xsd:date", "month": "xsd:gYearMonth", "year": "xsd:gYear"}[session.precision]
    parts.append(
        f'<session/s0> a jpmg:Session ; rdfs:label "Session"@en ; jpmg:sessionOf <org/forum> ;\n'
        f'    jpmg:date "{session.text}"^^{date_type} ; jpmg:hostedBy <org/state-a> ;\n' + _SOURCED
    )
    parts.append(
        '<delegation/d0> a jpmg:Delegation ; rdfs:label "Delegation"@en ; jpmg:atSession <session/s0> ;\n'
        "    jpmg:side <org/state-a> ; jpmg:head <person/p0> ; jpmg:headPost <post/p> ;\n" + _SOURCED
    )
    return "\n".join(parts) + "\n"


RULES = {"TenureOrderShape", "TenureOverlapShape", "DelegationHeadTenureShape"}


@examples(60)
@given(items=st.lists(tenures, min_size=1, max_size=4), session=whens)
def test_the_date_rules_agree_with_the_oracle(items: list[Tenure], session: When, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("dates") / "dates.ttl"
    path.write_text(document(items, session), encoding="utf-8")
    report = validate([path])
    found = {
        (f.focus_node.removeprefix(config.INSTANCE_BASE), f.source_shape.removeprefix(SHAPES))
        for f in report.findings
        if f.source_shape and f.source_shape.removeprefix(SHAPES) in RULES
    }
    assert found == oracle(items, session)
    others = [
        (f.check, f.focus_node, f.source_shape)
        for f in report.findings
        if f.severity is not Severity.INFO and not (f.source_shape and f.source_shape.removeprefix(SHAPES) in RULES)
    ]
    assert others == []


def test_the_oracle_knows_the_documented_cases() -> None:
    """The oracle itself, on the cases the shapes' comments name."""
    year = When(1984, 1, 1, "year")
    day = When(1984, 3, 2, "day")
    assert not earlier(day.text, year.text) and not earlier(year.text, day.text)  # they agree on "1984"
    closed = Tenure(0, When(2000, 1, 1, "day"), When(1999, 1, 1, "year"), False)
    assert ("tenure/t0", "TenureOrderShape") in oracle([closed], When(2000, 6, 1, "day"))
    a = Tenure(0, When(2000, 1, 1, "day"), When(2005, 1, 1, "day"), False)
    b = Tenure(1, When(2003, 1, 1, "day"), None, False)
    assert {("tenure/t0", "TenureOverlapShape"), ("tenure/t1", "TenureOverlapShape")} <= oracle(
        [a, b], When(2001, 1, 1, "day")
    )
    assert not {f for f in oracle([a, Tenure(1, When(2003, 1, 1, "day"), None, True)], When(2001, 1, 1, "day"))}


@pytest.mark.parametrize("seed", range(3))
def test_random_precisions_of_one_real_tenure_keep_the_data_valid(seed: int, tmp_path: Path) -> None:
    """A real closed tenure's dates made coarser (a day to its month or year) never creates a finding: coarser
    dates only agree with more."""
    import re
    import shutil

    rng = random.Random(seed)
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    text = (copy / "tenures.ttl").read_text(encoding="utf-8")
    days = list(re.finditer(r'time:inXSDDate "(\d{4})-(\d{2})-\d{2}"\^\^xsd:date', text))
    match = rng.choice(days)
    year, month = match.group(1), match.group(2)
    coarser = rng.choice(
        [f'time:inXSDgYearMonth "{year}-{month}"^^xsd:gYearMonth', f'time:inXSDgYear "{year}"^^xsd:gYear']
    )
    (copy / "tenures.ttl").write_text(text[: match.start()] + coarser + text[match.end() :], encoding="utf-8")
    report = validate([copy])
    assert [f for f in report.findings if f.severity is Severity.VIOLATION] == []
