"""The fast validation engine's own parts: loading into pyoxigraph as written, the compiled SHACL constructs, the
SPARQL-only consistency rules, what it hands to the reference engines, and what it keeps out of the process.

The whole engine is compared with the reference one on the project's fixtures, data and synthetic corpora in
``tests/test_differential.py``; here each part is tested on small cases made for it, always against the reference
implementation (pySHACL, owlrl, rdflib), never against hand-written expectations alone.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from jpmg import config
from jpmg.checks import closed_terms, fast_reasoning, fast_shacl, reasoning, shacl
from jpmg.checks.compare import finding_key, graph_blank_key, mask_blank_labels, store_blank_key
from jpmg.checks.locating import Locator
from jpmg.checks.store import XSD, kept_as_written, load_store, stored_literal
from jpmg.dataset import read_files
from jpmg.findings import Severity
from jpmg.parsing import RdfInputError, parse_turtle
from jpmg.validation import validate

ROOT = Path(__file__).resolve().parent.parent
EX = "https://example.org/"
PREFIXES = f"""@prefix ex: <{EX}> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""


# --- literals are stored as written --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "datatype", ["date", "gYear", "gYearMonth", "gMonthDay", "boolean", "integer", "decimal", "positiveInteger"]
)
def test_the_rule_for_literals_kept_as_written_is_the_stores(datatype):
    """kept_as_written() says exactly when Oxigraph gives a literal back unchanged (random texts, valid and not)."""
    rng = random.Random(datatype)
    alphabet = "0123456789-:+.Ztrufalse "
    texts = ["2020-05-31", "1984", "1984-03", "--05-03", "true", "1", "0", "01", "2.0", "2", "-0", "+5", "1983-13-45"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 11))) for _ in range(1500)]
    store = ox.Store()
    full = XSD + datatype
    for n, text in enumerate(texts):
        store.add(
            ox.Quad(ox.NamedNode(f"{EX}{n}"), ox.NamedNode(EX + "p"), ox.Literal(text, datatype=ox.NamedNode(full)))
        )
    for quad in store:
        text = texts[int(quad.subject.value[len(EX) :])]
        unchanged = quad.object.value == text and quad.object.datatype.value == full
        if kept_as_written(full, text):
            assert unchanged, (datatype, text, quad.object)
        # a literal the rule wraps keeps its text whatever the store would have done
        stored = stored_literal(ox.Literal(text, datatype=ox.NamedNode(full)))
        assert stored.value == text


def test_ill_typed_and_rewritten_literals_keep_their_text(tmp_path):
    path = tmp_path / "data.ttl"
    path.write_text(
        PREFIXES + 'ex:s ex:date "1983-13-45"^^xsd:date ; ex:n "2.0"^^xsd:decimal , "48"^^xsd:positiveInteger .\n',
        encoding="utf-8",
    )
    loaded = load_store([path], reference=False)
    values = {
        (q.object.value, q.object.datatype.value)
        for q in loaded.store.quads_for_pattern(None, None, None, None)
        if isinstance(q.object, ox.Literal) and q.subject == ox.NamedNode(EX + "s")
    }
    assert {v for v, _ in values} == {"1983-13-45", "2.0", "48"}
    assert [(t.literal.value, t.file) for t in loaded.ill_typed] == [("1983-13-45", path)]
    # the date is ill-typed for rdflib too: the vocabulary check says so with the file and line
    finding = [f for f in validate([path]).findings if f.check == "vocabulary" and f.value == "1983-13-45"]
    assert [(f.file, f.line, f.path) for f in finding] == [(str(path), 7, EX + "date")]
    assert "is not a valid http://www.w3.org/2001/XMLSchema#date" in finding[0].message


def test_blank_nodes_of_two_files_stay_apart(tmp_path):
    one, two = tmp_path / "one.ttl", tmp_path / "two.ttl"
    one.write_text(PREFIXES + "ex:a ex:p _:b1 , [ ex:q 1 ] . _:b1 ex:r 1 .\n", encoding="utf-8")
    two.write_text(PREFIXES + "ex:b ex:p _:b1 , [ ex:q 1 ] . _:b1 ex:r 2 .\n", encoding="utf-8")
    loaded = load_store([one, two], reference=False)
    blanks = {q.object for q in loaded.store.quads_for_pattern(None, ox.NamedNode(EX + "p"), None, None)}
    assert len(blanks) == 4


def test_syntax_errors_are_the_strict_parsers(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + "ex:a ex:p ex:b\nex:c ex:p ex:d .\n", encoding="utf-8")
    with pytest.raises(RdfInputError) as fast:
        load_store([path])
    with pytest.raises(RdfInputError) as strict:
        parse_turtle(path)
    assert str(fast.value) == str(strict.value)


def test_closed_vocabulary_terms_are_rdflibs():
    assert closed_terms.from_rdflib() == json.loads(closed_terms.FILE.read_text(encoding="utf-8"))


def test_owlrl_datatype_tables_are_owlrls():
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

    assert {str(d) for d in OWL_RL_Datatypes} == fast_reasoning.OWL_RL_DATATYPES
    assert {
        str(k): tuple(map(str, v)) for k, v in OWL_Datatype_Subsumptions.items()
    } == fast_reasoning.DATATYPE_SUBSUMPTIONS
    assert set(fast_reasoning.DATATYPE_DISJOINTNESS) == {(str(a), str(b)) for a, _, b in OWLRL_Datatypes_Disjointness}


# --- SHACL: compiled constructs and what goes to pySHACL, against pySHACL ------------------------------------------

SHAPES = (
    PREFIXES
    + """
ex:Graph a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "thing"@en ;
    sh:property ex:name , ex:kind , ex:parts , ex:code , ex:up , ex:noted .
ex:name a sh:PropertyShape ; sh:path ex:name ; sh:minCount 2 ; sh:maxCount 3 ; sh:uniqueLang true ;
    sh:datatype rdf:langString ; sh:message "name"@en .
ex:kind a sh:PropertyShape ; sh:path ex:kind ; sh:in ( ex:A ex:B "c" 3 ) ; sh:nodeKind sh:IRIOrLiteral ;
    sh:message "kind"@en .
ex:parts a sh:PropertyShape ; sh:path ( ex:has ex:part ) ;
    sh:and ( [ sh:class ex:Part ] [ sh:not [ sh:class ex:Bad ] ] ) ; sh:message "parts"@en .
ex:code a sh:PropertyShape ; sh:path [ sh:alternativePath ( ex:code ex:altCode ) ] ; sh:pattern "^ab" ; sh:flags "i" ;
    sh:maxCount 1 ; sh:severity sh:Warning ; sh:message "code"@en .
ex:up a sh:PropertyShape ; sh:path [ sh:zeroOrMorePath ex:within ] ; sh:node ex:Placed ; sh:message "up"@en .
ex:noted a sh:PropertyShape ; sh:path [ sh:inversePath ex:notes ] ; sh:maxCount 0 ; sh:severity sh:Info ;
    sh:message "noted"@en .
ex:Placed a sh:NodeShape ; sh:or ( [ sh:class ex:Thing ] [ sh:datatype xsd:integer ] ) .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:t1 , ex:t9 ; sh:nodeKind sh:BlankNode ; sh:message "node"@en .
ex:ObjectTarget a sh:NodeShape ; sh:targetObjectsOf ex:part ; sh:class ex:Part ; sh:message "object"@en .
ex:Cross a sh:NodeShape ; sh:targetClass ex:Thing ; sh:message "cross {$this} {?other}"@en ;
    sh:sparql [ a sh:SPARQLConstraint ; sh:message "overlaps {?other} at {?n}"@en ; sh:prefixes ex:Graph ;
        sh:select \"\"\"SELECT $this (?other AS ?value) ?other ?n WHERE {
            $this ex:n ?n . ?other ex:n ?n . FILTER (?other != $this)
            FILTER NOT EXISTS { $this ex:ok true }
            FILTER NOT EXISTS { ?other ex:size ?s . FILTER (?s > 2) }
        }\"\"\" ] .
"""
)
DELEGATED = (
    PREFIXES
    + """
ex:Closed a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
    sh:message "closed"@en .
ex:HasValue a sh:NodeShape ; sh:targetClass ex:Part ; sh:property [ sh:path ex:colour ; sh:hasValue ex:red ;
    sh:message "red"@en ] .
ex:Deep a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:has ; sh:node ex:WithPart ;
    sh:message "deep"@en ] .
ex:WithPart a sh:NodeShape ; sh:property [ sh:path ex:part ; sh:minCount 1 ] .
"""
)
DATA = (
    PREFIXES
    + """
ex:t1 a ex:Thing ; ex:name "a"@en , "b"@EN , "c" ; ex:kind ex:A , "c" , 3 , "3" , ex:C ; ex:has ex:h1 ;
    ex:code "ABc" , "zz" ; ex:within ex:t2 ; ex:n 1 ; ex:size 1 .
ex:h1 ex:part ex:p1 , ex:p2 , "lit" .
ex:p1 a ex:Part . ex:p2 a ex:Part , ex:Bad .
ex:t2 a ex:Thing ; ex:name "x"@fr ; ex:within ex:t3 , 5 , "5" ; ex:n 1 ; ex:altCode "abd" ; ex:size 3 .
ex:t3 ex:within ex:t1 ; ex:n 2 .
ex:t4 a ex:Thing ; ex:name "p"@en , "q"@de ; ex:n 2 ; ex:ok true ; ex:colour ex:blue .
[] ex:notes ex:t4 .
ex:t5 a ex:Thing ; ex:n 2 ; ex:has [ ex:part ex:p1 ] .
"""
)


def _reference_shacl(data: Path, shapes: Path):
    graph, shapes_graph = read_files([data]).graph, read_files([shapes]).graph
    report = shacl.validate_graph(graph, shapes_graph)
    key = graph_blank_key(graph + shapes_graph)
    return [finding_key(f, key) for f in shacl.findings_from_report(report)], report


def _fast_shacl(data: Path, shapes: Path, ontology: Path):
    loaded = load_store([data], reference=False, shapes_paths=[shapes], ontology_paths=[ontology])
    outcome = fast_shacl.run(loaded)
    return [finding_key(f, store_blank_key(loaded.store)) for f in outcome.findings], outcome


@pytest.fixture
def files(tmp_path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_compiled_constructs_give_pyshacls_results(files):
    data, shapes, ontology = files("data.ttl", DATA), files("shapes.ttl", SHAPES), files("o.ttl", PREFIXES)
    fast, outcome = _fast_shacl(data, shapes, ontology)
    reference, _ = _reference_shacl(data, shapes)
    assert outcome.delegated == []
    assert Counter(fast) == Counter(reference)
    assert len(reference) >= 12  # every construct above fails somewhere


def test_sparql_messages_are_substituted_as_pyshacl_does(files):
    data, shapes, ontology = files("data.ttl", DATA), files("shapes.ttl", SHAPES), files("o.ttl", PREFIXES)
    loaded = load_store([data], reference=False, shapes_paths=[shapes], ontology_paths=[ontology])
    fast = {
        (f.focus_node, f.value, f.message) for f in fast_shacl.run(loaded).findings if f.source_shape == EX + "Cross"
    }
    report = shacl.findings_from_report(shacl.validate_graph(read_files([data]).graph, read_files([shapes]).graph))
    reference = {(f.focus_node, f.value, f.message) for f in report if f.source_shape == EX + "Cross"}
    assert fast == reference and fast


def test_constructs_it_does_not_compile_go_to_pyshacl(files):
    data, ontology = files("data.ttl", DATA), files("o.ttl", PREFIXES)
    shapes = files("shapes.ttl", SHAPES + DELEGATED.split("\n", 7)[-1])
    fast, outcome = _fast_shacl(data, shapes, ontology)
    reference, _ = _reference_shacl(data, shapes)
    assert Counter(fast) == Counter(reference)
    delegated = dict(outcome.delegated)
    assert set(delegated) == {EX + "Closed", EX + "HasValue", EX + "Deep"}
    assert any("sh:closed" in p for p in delegated[EX + "Closed"])
    sources = {k[3] for k in fast}
    assert EX + "Closed" in sources
    assert f"_:{EX}HasValue|http://www.w3.org/ns/shacl#property" in sources


def test_a_constraint_on_wrapped_literals_goes_to_pyshacl(files):
    """A SPARQL query that reads a property whose literals the store keeps wrapped is not run on the store."""
    data = files("data.ttl", PREFIXES + 'ex:t1 a ex:Thing ; ex:n "01"^^xsd:integer . ex:t2 a ex:Thing ; ex:n 1 .\n')
    shapes = files("shapes.ttl", SHAPES)
    fast, outcome = _fast_shacl(data, shapes, files("o.ttl", PREFIXES))
    assert EX + "Cross" in dict(outcome.delegated)
    assert Counter(fast) == Counter(_reference_shacl(data, shapes)[0])


# --- OWL 2 RL consistency, against owlrl -------------------------------------------------------------------------

ONTOLOGY = (
    PREFIXES
    + """
ex:A a owl:Class . ex:B a owl:Class . ex:C a owl:Class ; rdfs:subClassOf ex:A . ex:D a owl:Class .
[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:D ) .
ex:E owl:equivalentClass ex:B .
ex:p a owl:ObjectProperty ; rdfs:domain ex:A . ex:q a owl:ObjectProperty ; rdfs:range ex:B .
ex:sub rdfs:subPropertyOf ex:q .
ex:flag a owl:DatatypeProperty , owl:FunctionalProperty ; rdfs:range xsd:boolean .
ex:x rdfs:label "the ontology's own literal"@en .
"""
)
CONSISTENCY = (
    PREFIXES
    + """
ex:i1 a ex:C ; ex:p ex:i2 . ex:i3 a ex:E . ex:i4 ex:sub ex:i1 . ex:i5 a ex:A , ex:D .
[] a ex:B , ex:C .
ex:i6 ex:flag true , false ; ex:p ex:i7 .
ex:i8 ex:flag "1"^^xsd:integer . ex:i9 ex:flag 2.5 .
ex:i10 ex:q "lit" . ex:i11 ex:p ex:i12 . ex:i12 a ex:B .
"""
)


def _messages(findings) -> Counter:
    return Counter(f.focus_node if not (f.focus_node or "").startswith(("_:", "N")) else "_" for f in findings)


@pytest.mark.parametrize(
    "extra", ["", "ex:i1 owl:sameAs ex:i3 . ex:i13 owl:sameAs ex:i12 .\n"], ids=["plain", "sameAs"]
)
def test_consistency_rules_give_owlrls_findings(files, extra):
    ontology, data = files("o.ttl", ONTOLOGY), files("d.ttl", CONSISTENCY + extra)
    loaded = load_store([data], reference=False, ontology_paths=[ontology])
    note, fast = fast_reasoning.run(loaded, Locator(loaded))
    reference = reasoning.run(read_files([ontology]).graph, read_files([data]).graph)
    assert note.startswith("reasoner: owlrl's OWL 2 RL inconsistency rules")
    assert Counter(mask_blank_labels(f.message) for f in fast) == Counter(
        mask_blank_labels(f.message) for f in reference
    )
    assert _messages(fast) == _messages(reference)
    assert len(fast) >= 5


def test_axioms_beyond_the_fragment_go_to_owlrl(files):
    ontology = files("o.ttl", ONTOLOGY + "ex:p owl:inverseOf ex:q .\n")
    data = files("d.ttl", CONSISTENCY)
    loaded = load_store([data], reference=False, ontology_paths=[ontology])
    note, fast = fast_reasoning.run(loaded, Locator(loaded))
    assert "owl#inverseOf" in note and note.startswith("reasoner: owlrl")
    reference = reasoning.run(read_files([ontology]).graph, read_files([data]).graph)
    assert sorted(mask_blank_labels(f.message) for f in fast) == sorted(mask_blank_labels(f.message) for f in reference)


# --- the pipeline ------------------------------------------------------------------------------------------------


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate(engine="turbo")


def test_the_fast_engine_imports_neither_pyshacl_nor_owlrl():
    code = (
        "import sys; from jpmg.validation import validate; r = validate(); "
        "print(sorted(m for m in ('pyshacl', 'owlrl') if m in sys.modules), r.conforms())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == ["[]", "True"]


def test_findings_are_located_in_the_data_files():
    report = validate([ROOT / "tests" / "fixtures" / "invalid" / "tenure-overlap-closed-intervals.ttl"])
    assert report.findings
    for finding in report.findings:
        assert finding.file and finding.file.endswith("tenure-overlap-closed-intervals.ttl") and finding.line


def test_statistics_are_the_reference_ones():
    assert validate().statistics == validate(engine="reference").statistics


def test_report_severities_are_the_shapes_ones():
    report = validate([ROOT / "tests" / "fixtures" / "invalid" / "claim-without-comment.ttl"])
    assert {f.severity for f in report.findings} == {Severity.WARNING}


def test_shapes_graph_is_read_from_the_store():
    loaded = load_store()
    model = fast_shacl.ShapesModel(
        fast_shacl.ShapesIndex(loaded.store.quads_for_pattern(None, None, None, loaded.graph_of("shapes")))
    )
    graph = Graph().parse(config.SHAPES_DIR / "jpmg-shapes.ttl")
    shapes_with_targets = {
        str(s)
        for p in ("targetClass", "targetSubjectsOf")
        for s in graph.subjects(predicate=__import__("rdflib").URIRef("http://www.w3.org/ns/shacl#" + p))
    }
    assert {fast_shacl.term_text(s.node) for s in model.shapes.values() if s.has_targets} == shapes_with_targets
    assert all(not s.all_problems() for s in model.shapes.values() if s.has_targets)
