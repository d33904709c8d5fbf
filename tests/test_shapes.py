"""The SHACL shapes (``shapes/jpmg-shapes.ttl``) and their fixtures.

Every fixture in ``tests/fixtures/valid`` and ``tests/fixtures/invalid`` is a small, self-contained Turtle
file of made-up resources. Its leading comment lines say what validation must report, one result a line::

    # expect: conforms
    # expect: <focus node IRI> <source shape IRI> Violation|Warning

A valid fixture must produce no result at all (not even a warning); an invalid one exactly the listed set of
(focus node, source shape, severity). The coverage tests then check that every shape is both accepted and
rejected by some fixture, so a shape with a wrong path or class cannot pass unnoticed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from jpmg import config

SHAPES_FILE = config.SHAPES_DIR / "jpmg-shapes.ttl"
ONTOLOGY_FILE = config.ONTOLOGY_DIR / "jpmg.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))
SHACL_SHACL = Path(pyshacl.__file__).resolve().parent / "assets" / "shacl-shacl.ttl"
SHAPES_NS = config.BASE_IRI + "shapes#"

Result = tuple[str, str, str]  # (focus node, source shape, severity local name)

_EXPECT = re.compile(r"^#\s*expect:\s*(.+?)\s*$")
_IRI = r"<?([^\s<>]+)>?"
_RESULT = re.compile(rf"^{_IRI}\s+{_IRI}\s+(Violation|Warning|Info)$")
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


# --- the one place where the tests run SHACL ------------------------------------------------------


@cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@cache
def ontology_graph() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def with_ontology(data: Graph) -> Graph:
    """The data with the ontology merged in, as the validator sees it (targets follow rdfs:subClassOf)."""
    merged = Graph()
    merged += data
    merged += ontology_graph()
    return merged


def validate(data: Graph) -> Graph:
    """Validate ``data`` against the shapes as the project does; return pySHACL's report graph."""
    _, report, _ = pyshacl.validate(
        with_ontology(data),
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return report


def top_results(report: Graph) -> list:
    """The report's own results; pySHACL also writes the nested ones of sh:node and sh:or as sh:detail."""
    return [
        r
        for report_node in report.subjects(RDF.type, SH.ValidationReport)
        for r in report.objects(report_node, SH.result)
    ]


def results(report: Graph) -> set[Result]:
    """Every result of a report as (focus node, source shape, severity local name)."""
    found = set()
    for result in top_results(report):
        severity = report.value(result, SH.resultSeverity)
        found.add(
            (
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.sourceShape)),
                str(severity).rsplit("#", 1)[-1],
            )
        )
    return found


# --- fixtures -------------------------------------------------------------------------------------


def expectations(path: Path) -> list[str]:
    """The ``# expect:`` lines at the top of a fixture (the leading comment block only)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _EXPECT.match(line)
        if match:
            found.append(match.group(1))
    return found


def expected_results(path: Path) -> set[Result]:
    parsed = set()
    for line in expectations(path):
        match = _RESULT.match(line)
        assert match, f"{path.name}: malformed expect line {line!r}"
        parsed.add((match.group(1), match.group(2), match.group(3)))
    return parsed


@cache
def fixture_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


# --- (a) the shapes graph is itself valid SHACL ---------------------------------------------------


def test_shapes_conform_to_shacl_shacl() -> None:
    conforms, _, text = pyshacl.validate(
        shapes_graph(), shacl_graph=Graph().parse(SHACL_SHACL, format="turtle"), inference="none"
    )
    assert conforms, text


def test_shapes_graph_is_described() -> None:
    graph = shapes_graph()
    node = URIRef(config.SHAPES_IRI)
    assert (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in graph
    assert graph.value(node, URIRef("http://purl.org/dc/terms/license")) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert not list(graph.objects(node, URIRef("http://www.w3.org/2002/07/owl#imports")))
    declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(node, SH.declare)}
    for select in graph.objects(None, SH.select):
        used = set(re.findall(r"\b([a-z]+):[A-Za-z]", str(select)))
        assert used <= declared, f"undeclared prefixes {used - declared} in a SPARQL constraint"


# --- (b) every fixture gives exactly the results it states ----------------------------------------


@pytest.mark.parametrize("path", VALID, ids=fixture_id)
def test_valid_fixture_conforms(path: Path) -> None:
    assert expectations(path) == ["conforms"], f"{path.name} must start with '# expect: conforms'"
    found = results(validate(fixture_graph(path)))
    assert found == set(), "\n".join(sorted(" ".join(r) for r in found))


@pytest.mark.parametrize("path", INVALID, ids=fixture_id)
def test_invalid_fixture_gives_expected_results(path: Path) -> None:
    expected = expected_results(path)
    assert expected, f"{path.name} states no expected result"
    report = validate(fixture_graph(path))
    found = results(report)
    missing = "\n".join(f"  {' '.join(r)}" for r in sorted(expected - found))
    unexpected = "\n".join(f"  {' '.join(r)}" for r in sorted(found - expected))
    assert found == expected, f"missing:\n{missing}\nunexpected:\n{unexpected}"
    shapes = shapes_graph()
    for result in top_results(report):
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        assert messages and all(m.strip() for m in messages), "a result without a message"
        constraint = report.value(result, SH.sourceConstraint)
        if constraint is not None and (constraint, SH.select, None) in shapes:
            assert not any("{?" in m or "{$" in m for m in messages), messages
        else:
            # the shape's own words, not pySHACL's generic text
            own = {str(m) for m in shapes.objects(report.value(result, SH.sourceShape), SH.message)}
            assert set(messages) <= own, messages


def test_fixtures_exist() -> None:
    assert len(VALID) >= 20
    assert len(INVALID) >= 40


# --- (c) every shape is exercised -----------------------------------------------------------------


def node_shapes_with_targets() -> list[URIRef]:
    graph = shapes_graph()
    return sorted({s for t in _TARGETS for s in graph.subjects(t, None) if isinstance(s, URIRef)})


def property_shapes() -> list[URIRef]:
    graph = shapes_graph()
    return sorted({s for s in graph.subjects(SH.path, None) if isinstance(s, URIRef)})


def sparql_shapes() -> list[URIRef]:
    return sorted({s for s in shapes_graph().subjects(SH.sparql, None) if isinstance(s, URIRef)})


def is_instance(graph: Graph, node: URIRef | BNode, cls: URIRef) -> bool:
    """rdf:type/rdfs:subClassOf* in the graph, as pySHACL selects targets."""
    for kind in graph.objects(node, RDF.type):
        if kind == cls or cls in graph.transitive_objects(kind, RDFS.subClassOf):
            return True
    return False


def targets(shape: URIRef, graph: Graph, focus: URIRef) -> bool:
    shapes = shapes_graph()
    if any(is_instance(graph, focus, cls) for cls in shapes.objects(shape, SH.targetClass)):
        return True
    if any((focus, p, None) in graph for p in shapes.objects(shape, SH.targetSubjectsOf)):
        return True
    if any((None, p, focus) in graph for p in shapes.objects(shape, SH.targetObjectsOf)):
        return True
    return focus in set(shapes.objects(shape, SH.targetNode))


@cache
def invalid_expectations() -> list[tuple[Path, Result]]:
    return [(path, result) for path in INVALID for result in expected_results(path)]


@pytest.mark.parametrize("shape", node_shapes_with_targets(), ids=lambda s: s.rsplit("#", 1)[-1])
def test_every_node_shape_is_rejected_by_an_invalid_fixture(shape: URIRef) -> None:
    own = {str(shape)} | {str(p) for p in shapes_graph().objects(shape, SH.property)}
    for path, (focus, source, _) in invalid_expectations():
        if source in own and targets(shape, with_ontology(fixture_graph(path)), URIRef(focus)):
            return
    pytest.fail(f"no invalid fixture expects a result of {shape} (or its property shapes) on a node it targets")


@pytest.mark.parametrize("shape", sparql_shapes(), ids=lambda s: s.rsplit("#", 1)[-1])
def test_every_sparql_constraint_is_rejected_by_an_invalid_fixture(shape: URIRef) -> None:
    assert any(source == str(shape) for _, (_, source, _) in invalid_expectations())


@pytest.mark.parametrize("shape", property_shapes(), ids=lambda s: s.rsplit("#", 1)[-1])
def test_every_property_shape_is_rejected_by_an_invalid_fixture(shape: URIRef) -> None:
    assert any(source == str(shape) for _, (_, source, _) in invalid_expectations())


@pytest.mark.parametrize("shape", node_shapes_with_targets(), ids=lambda s: s.rsplit("#", 1)[-1])
def test_every_target_has_a_valid_fixture_instance(shape: URIRef) -> None:
    shapes = shapes_graph()
    graphs = [with_ontology(fixture_graph(path)) for path in VALID]
    for cls in shapes.objects(shape, SH.targetClass):
        assert any(is_instance(graph, node, cls) for graph in graphs for node in graph.subjects(RDF.type, None)), (
            f"no valid fixture has an instance of {cls}"
        )
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        assert any((None, prop, None) in graph for graph in graphs), f"no valid fixture uses {prop}"


# --- (d) every shape is named and says how bad and what to do -------------------------------------


def or_members(graph: Graph) -> set[BNode]:
    members: set[BNode] = set()
    for head in graph.objects(None, SH["or"]):
        members.update(m for m in Collection(graph, head) if isinstance(m, BNode))
    return members


def all_shapes() -> set:
    graph = shapes_graph()
    found = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    found |= set(graph.subjects(SH.path, None)) | set(graph.objects(None, SH.property))
    found |= set(graph.objects(None, SH.node)) | set(graph.subjects(SH.sparql, None))
    return found - or_members(graph)


def test_every_shape_has_an_iri_in_the_shapes_namespace() -> None:
    for shape in all_shapes():
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), shape
    for constraint in shapes_graph().objects(None, SH.sparql):
        assert isinstance(constraint, URIRef) and str(constraint).startswith(SHAPES_NS), constraint


def test_every_shape_has_a_severity_and_a_message() -> None:
    graph = shapes_graph()
    for shape in all_shapes():
        severities = list(graph.objects(shape, SH.severity))
        assert severities in ([SH.Violation], [SH.Warning], [SH.Info]), f"{shape}: sh:severity {severities}"
        messages = list(graph.objects(shape, SH.message))
        assert messages and all(isinstance(m, Literal) and str(m).strip() for m in messages), shape


def test_every_sparql_constraint_has_a_message_and_prefixes() -> None:
    graph = shapes_graph()
    constraints = list(graph.objects(None, SH.sparql))
    assert constraints
    for constraint in constraints:
        assert (constraint, RDF.type, SH.SPARQLConstraint) in graph, constraint
        assert str(graph.value(constraint, SH.message) or "").strip(), constraint
        assert graph.value(constraint, SH.prefixes) == URIRef(config.SHAPES_IRI), constraint
        select = str(graph.value(constraint, SH.select))
        assert "$this" in select.split("WHERE", 1)[1].split("\n", 2)[1], f"{constraint}: start from $this"
