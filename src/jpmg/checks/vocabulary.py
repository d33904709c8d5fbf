"""Vocabulary check: every term used exists, and every project term is documented.

A misspelt property (``org:heldby`` for ``org:heldBy``) is valid RDF and passes SHACL silently, because SHACL
only looks at the properties its shapes name. This check closes that gap: project terms must be declared in the
ontology, terms of the reused vocabularies must exist in them (rdflib ships their term lists as closed
namespaces), and instance IRIs of the project that are used as values must be described somewhere.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SDO, SH, TIME, VANN, DefinedNamespace

from jpmg import config
from jpmg.findings import Finding, Severity
from jpmg.locate import locate

#: Vocabularies whose complete term lists rdflib knows; a term outside the list does not exist.
CLOSED_VOCABULARIES: tuple[type[DefinedNamespace], ...] = (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VANN,
    XSD,
)

_DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDFS.Datatype,
    OWL.NamedIndividual,
    RDF.Property,
    RDFS.Class,
}

CHECK = "vocabulary"


def _iris(graph: Graph) -> set[URIRef]:
    found: set[URIRef] = set()
    for triple in graph:
        found.update(term for term in triple if isinstance(term, URIRef))
    return found


def declared_project_terms(ontology: Graph) -> set[URIRef]:
    """The project terms the ontology declares (typed as a class, property or datatype)."""
    return {
        subject
        for subject, kind in ontology.subject_objects(RDF.type)
        if isinstance(subject, URIRef) and str(subject).startswith(config.ONTOLOGY_NS) and kind in _DECLARATION_TYPES
    }


def _finding(message: str, iri: URIRef, files: dict[Path, Graph], severity: Severity = Severity.VIOLATION) -> Finding:
    path, line = locate(iri, files)
    return Finding(CHECK, severity, message, focus_node=str(iri), file=str(path) if path else None, line=line)


def check_terms_exist(graph: Graph, files: dict[Path, Graph], declared: set[URIRef]) -> list[Finding]:
    """Every project term used is declared; every term of a closed vocabulary exists in it."""
    findings = []
    for iri in sorted(_iris(graph)):
        text = str(iri)
        if text.startswith(config.ONTOLOGY_NS) and text != config.ONTOLOGY_NS:
            if iri not in declared:
                findings.append(
                    _finding(
                        f"{iri} is not declared in the ontology: fix the spelling, or declare the term in "
                        "ontology/jpmg.ttl with a label, a definition and rdfs:isDefinedBy.",
                        iri,
                        files,
                    )
                )
            continue
        for vocabulary in CLOSED_VOCABULARIES:
            namespace = str(vocabulary._NS)
            if text.startswith(namespace) and text != namespace and iri not in vocabulary:
                findings.append(
                    _finding(
                        f"{iri} does not exist in the vocabulary {namespace}: check its spelling and case against "
                        "the vocabulary's specification.",
                        iri,
                        files,
                    )
                )
                break
    return findings


def check_project_terms_documented(ontology: Graph, files: dict[Path, Graph]) -> list[Finding]:
    """Every declared project term has a label, a definition, and says which ontology defines it."""
    findings = []
    for term in sorted(declared_project_terms(ontology)):
        for predicate, name in (
            (RDFS.label, "rdfs:label"),
            (SKOS.definition, "skos:definition"),
            (RDFS.isDefinedBy, "rdfs:isDefinedBy"),
        ):
            if ontology.value(term, predicate) is None:
                findings.append(_finding(f"{term} has no {name}: every project term needs one.", term, files))
    return findings


def check_instances_described(data: Graph, files: dict[Path, Graph], reference: Graph | None = None) -> list[Finding]:
    """Every project instance used as a value is described (has a type) in the data or the reference graph.

    A typo in a slug (``<person/amir-eshell>``) otherwise creates a new, empty resource without any error.
    """
    typed = set(data.subjects(RDF.type))
    if reference is not None:
        typed |= set(reference.subjects(RDF.type))
    findings = []
    dangling = {
        obj
        for obj in data.objects()
        if isinstance(obj, URIRef) and str(obj).startswith(config.INSTANCE_BASE) and obj not in typed
    }
    for iri in sorted(dangling):
        findings.append(
            _finding(
                f"{iri} is used as a value but described nowhere: fix the IRI's spelling, or add the resource "
                "with its type, label and source.",
                iri,
                files,
            )
        )
    return findings


def check_literals_well_typed(graph: Graph, files: dict[Path, Graph]) -> list[Finding]:
    """Every typed literal's lexical form is valid for its datatype (no ``"1983-13-45"^^xsd:date``).

    Such a literal is valid Turtle, so the parser lets it through; stores then reject it or, worse, silently
    rewrite it.
    """
    findings = []
    for subject, predicate, obj in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if isinstance(obj, Literal) and obj.ill_typed:
            path, line = locate(predicate, {p: g for p, g in files.items() if (subject, predicate, obj) in g})
            findings.append(
                Finding(
                    CHECK,
                    Severity.VIOLATION,
                    f'"{obj}" is not a valid {obj.datatype}: write a value of that datatype (a date is YYYY-MM-DD, '
                    "a month YYYY-MM, a year YYYY) or choose the datatype that fits the value.",
                    focus_node=str(subject),
                    path=str(predicate),
                    value=str(obj),
                    file=str(path) if path else None,
                    line=_line_of_value(path, str(obj)) or line,
                )
            )
    return findings


def _line_of_value(path: Path | None, lexical: str) -> int | None:
    if path is None:
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if f'"{lexical}"' in line:
            return number
    return None


def run(
    ontology: Graph,
    ontology_files: dict[Path, Graph],
    shapes: Graph,
    shapes_files: dict[Path, Graph],
    data: Graph,
    data_files: dict[Path, Graph],
    reference: Graph | None = None,
) -> list[Finding]:
    """The whole vocabulary check over the ontology, the shapes and the data."""
    declared = declared_project_terms(ontology)
    return [
        *check_terms_exist(ontology, ontology_files, declared),
        *check_project_terms_documented(ontology, ontology_files),
        *check_terms_exist(shapes, shapes_files, declared),
        *check_terms_exist(data, data_files, declared),
        *check_literals_well_typed(data, data_files),
        *check_instances_described(data, data_files, reference),
    ]
