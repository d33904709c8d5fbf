"""The vocabulary check: undeclared and misspelt terms, undescribed instances, ill-typed literals."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from jpmg.checks import vocabulary
from jpmg.dataset import load_dataset, read_files
from jpmg.findings import Severity


def _check(path):
    kg = load_dataset()
    data = read_files([path])
    return vocabulary.run(
        kg.ontology.graph, kg.ontology.files, kg.shapes.graph, kg.shapes.files, data.graph, data.files
    )


def test_misspelt_org_property_is_reported_with_file_and_line(turtle_file):
    path = turtle_file("\n<post/x> a org:Post ;\n    org:heldby <person/y> .\n<person/y> a foaf:Person .\n")
    findings = _check(path)
    assert [(f.focus_node, f.severity, f.line) for f in findings] == [
        ("http://www.w3.org/ns/org#heldby", Severity.VIOLATION, 14)
    ]
    assert findings[0].file == str(path)
    assert "does not exist in the vocabulary http://www.w3.org/ns/org#" in findings[0].message


def test_undeclared_project_property_is_reported(turtle_file):
    path = turtle_file("<session/x> a jpmg:Session ;\n    jpmg:chairedBy <session/x> .\n")
    findings = _check(path)
    assert [(f.focus_node, f.line) for f in findings] == [("https://w3id.org/jpmg/ontology#chairedBy", 13)]
    assert "is not declared in the ontology" in findings[0].message


def test_undescribed_instance_used_as_value_is_reported(turtle_file):
    path = turtle_file("<session/x> a jpmg:Session ;\n    jpmg:sessionOf <org/no-such-forum> .\n")
    findings = _check(path)
    assert [f.focus_node for f in findings] == ["https://w3id.org/jpmg/id/org/no-such-forum"]
    assert "described nowhere" in findings[0].message


def test_ill_typed_date_is_reported_with_its_line(turtle_file):
    path = turtle_file('<session/x> a jpmg:Session ;\n    jpmg:date "1983-13-45"^^xsd:date .\n')
    findings = _check(path)
    assert [(f.value, f.line, f.path) for f in findings] == [("1983-13-45", 13, "https://w3id.org/jpmg/ontology#date")]
    assert "is not a valid http://www.w3.org/2001/XMLSchema#date" in findings[0].message


def test_schema_and_time_terms_are_checked_too(turtle_file):
    path = turtle_file(
        "<session/x> a jpmg:Session ;\n    schema:eventAttendenceMode schema:MixedEventAttendanceMode ;\n"
        '    time:inXSDyear "1984"^^xsd:gYear .\n'
    )
    assert sorted(f.focus_node for f in _check(path)) == [
        "http://www.w3.org/2006/time#inXSDyear",
        "https://schema.org/eventAttendenceMode",
    ]


def test_every_project_term_needs_label_definition_and_defined_by():
    kg = load_dataset()
    ontology = Graph()
    ontology += kg.ontology.graph
    term = URIRef("https://w3id.org/jpmg/ontology#Session")
    ontology.remove((term, SKOS.definition, None))
    ontology.remove((term, RDFS.label, None))
    findings = vocabulary.check_project_terms_documented(ontology, kg.ontology.files)
    assert sorted(f.message for f in findings) == [
        f"{term} has no rdfs:label: every project term needs one.",
        f"{term} has no skos:definition: every project term needs one.",
    ]


def test_the_projects_own_files_use_only_existing_terms():
    kg = load_dataset()
    findings = vocabulary.run(
        kg.ontology.graph, kg.ontology.files, kg.shapes.graph, kg.shapes.files, kg.data.graph, kg.data.files
    )
    assert findings == []
