"""The vocabulary check over the store: the same findings as :mod:`jpmg.checks.vocabulary`, with SPARQL.

Each part (ontology, shapes, data) is its own graph of the store. The distinct IRIs of a part come from three
queries (subjects, properties, objects; each distinct before anything is turned into text), and are checked against
the ontology's declarations and the closed vocabularies' term lists (:mod:`jpmg.checks.closed_terms`). Described
instances and documented project terms are one query each; ill-typed literals were found while parsing
(:mod:`jpmg.checks.store`), with the file they are in.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from jpmg import config
from jpmg.checks import closed_terms
from jpmg.checks.locating import Locator
from jpmg.checks.store import DATA, ONTOLOGY, REFERENCE, SHAPES, LoadedStore, unwrap
from jpmg.findings import Finding, Severity

CHECK = "vocabulary"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
_DECLARATION_TYPES = (
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDFS + "Datatype",
    OWL + "NamedIndividual",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property",
    RDFS + "Class",
)


def _in(graph: ox.NamedNode | ox.DefaultGraph, pattern: str) -> str:
    return pattern if isinstance(graph, ox.DefaultGraph) else f"GRAPH <{graph.value}> {{ {pattern} }}"


def _select(store: ox.Store, query: str, variable: str) -> list:
    return [row[variable] for row in store.query(query)]


def _queries(loaded: LoadedStore) -> dict[str, str]:
    """The queries the check needs: the distinct IRIs of each part, and the typed resources."""
    outside = f'FILTER (!STRSTARTS(STR(?i), "{config.INSTANCE_BASE}"))'
    queries = {}
    for part, graph in (("ontology", ONTOLOGY), ("shapes", SHAPES), ("data", DATA)):
        # distinct first, text only for what is left: Oxigraph compares terms by their ids
        queries[f"{part} subjects"] = (
            f"SELECT ?i WHERE {{ {{ SELECT DISTINCT ?i WHERE {{ {_in(graph, '?i ?p ?o')} FILTER isIRI(?i) }} }} "
            f"{outside} }}"
        )
        queries[f"{part} properties"] = f"SELECT DISTINCT ?i WHERE {{ {_in(graph, '?s ?i ?o')} }}"
        # the data's object IRIs are wanted whole: they also say which instances are used as values
        queries[f"{part} objects"] = f"SELECT DISTINCT ?i WHERE {{ {_in(graph, '?s ?p ?i')} FILTER isIRI(?i) }}"
    queries["typed"] = f"SELECT DISTINCT ?i WHERE {{ ?i <{RDF_TYPE}> ?t FILTER isIRI(?i) }}"
    if "reference" in loaded.files:
        queries["typed elsewhere"] = (
            f"SELECT DISTINCT ?i WHERE {{ GRAPH <{REFERENCE.value}> {{ ?i <{RDF_TYPE}> ?t }} FILTER isIRI(?i) }}"
        )
    return queries


def gather(loaded: LoadedStore, workers: int | None = None) -> dict[str, list[str]]:
    """Run :func:`_queries` (on threads: pyoxigraph releases the interpreter while it evaluates)."""
    queries = _queries(loaded)

    def run(name: str) -> tuple[str, list[str]]:
        return name, [row["i"].value for row in loaded.store.query(queries[name])]

    workers = workers or min(4, os.cpu_count() or 1)
    if workers <= 1:
        return dict(run(name) for name in queries)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(run, list(queries)))


def declared_project_terms(store: ox.Store) -> set[str]:
    """The project terms the ontology declares (typed as a class, property or datatype)."""
    types = " ".join(f"<{t}>" for t in _DECLARATION_TYPES)
    query = (
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{ONTOLOGY.value}> {{ ?t <{RDF_TYPE}> ?k }} VALUES ?k {{ {types} }} "
        f'FILTER (isIRI(?t) && STRSTARTS(STR(?t), "{config.ONTOLOGY_NS}")) }}'
    )
    return {t.value for t in _select(store, query, "t")}


class VocabularyCheck:
    def __init__(self, loaded: LoadedStore, locator: Locator) -> None:
        self.loaded = loaded
        self.store = loaded.store
        self.locator = locator
        self.declared = declared_project_terms(self.store)
        self.found = gather(loaded)

    def _finding(self, message: str, iri: str, part: str) -> Finding:
        return Finding(CHECK, Severity.VIOLATION, message, focus_node=iri)

    def terms_exist(self, part: str) -> list[Finding]:
        iris = {iri for kind in ("subjects", "properties", "objects") for iri in self.found[f"{part} {kind}"]}
        findings = []
        vocabularies = closed_terms.vocabularies()
        for iri in sorted(iris):
            if iri.startswith(config.ONTOLOGY_NS) and iri != config.ONTOLOGY_NS:
                if iri not in self.declared:
                    findings.append(
                        self._finding(
                            f"{iri} is not declared in the ontology: fix the spelling, or declare the term in "
                            "ontology/jpmg.ttl with a label, a definition and rdfs:isDefinedBy.",
                            iri,
                            part,
                        )
                    )
                continue
            for namespace, names, underscore_num in vocabularies:
                if (
                    iri.startswith(namespace)
                    and iri != namespace
                    and not closed_terms.exists(iri, namespace, names, underscore_num)
                ):
                    findings.append(
                        self._finding(
                            f"{iri} does not exist in the vocabulary {namespace}: check its spelling and case "
                            "against the vocabulary's specification.",
                            iri,
                            part,
                        )
                    )
                    break
        return findings

    def project_terms_documented(self) -> list[Finding]:
        findings = []
        for term in sorted(self.declared):
            for predicate, name in (
                (RDFS + "label", "rdfs:label"),
                (SKOS + "definition", "skos:definition"),
                (RDFS + "isDefinedBy", "rdfs:isDefinedBy"),
            ):
                if not next(
                    iter(self.store.quads_for_pattern(ox.NamedNode(term), ox.NamedNode(predicate), None, ONTOLOGY)),
                    None,
                ):
                    findings.append(
                        self._finding(f"{term} has no {name}: every project term needs one.", term, "ontology")
                    )
        return findings

    def instances_described(self) -> list[Finding]:
        typed = set(self.found["typed"]) | set(self.found.get("typed elsewhere", ()))
        dangling = sorted(
            iri for iri in self.found["data objects"] if iri.startswith(config.INSTANCE_BASE) and iri not in typed
        )
        findings = []
        for iri in dangling:
            findings.append(
                self._finding(
                    f"{iri} is used as a value but described nowhere: fix the IRI's spelling, or add the resource "
                    "with its type, label and source.",
                    iri,
                    "data",
                )
            )
        return findings

    def literals_well_typed(self) -> list[Finding]:
        findings = []
        for odd in sorted(
            self.loaded.ill_typed,
            key=lambda t: (_str(t.subject), t.predicate.value, t.literal.value),
        ):
            datatype = unwrap(odd.literal.datatype.value)
            line = self.locator.line_of_text(odd.file, f'"{odd.literal.value}"')
            if line is None:
                line = self.locator.line_of_text(odd.file, odd.predicate.value)
            findings.append(
                Finding(
                    CHECK,
                    Severity.VIOLATION,
                    f'"{odd.literal.value}" is not a valid {datatype}: write a value of that datatype (a date is '
                    "YYYY-MM-DD, a month YYYY-MM, a year YYYY) or choose the datatype that fits the value.",
                    focus_node=_str(odd.subject),
                    path=odd.predicate.value,
                    value=odd.literal.value,
                    file=str(odd.file),
                    line=line,
                )
            )
        return findings


def _str(term: object) -> str:
    """str() of the rdflib term the reference check reports (a blank node's label without ``_:``)."""
    return term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)


def run(loaded: LoadedStore, locator: Locator) -> list[Finding]:
    """The whole vocabulary check, located: the same findings, in the same order, as the reference check."""
    check = VocabularyCheck(loaded, locator)
    ontology = check.terms_exist("ontology") + check.project_terms_documented()
    shapes = check.terms_exist("shapes")
    data = check.terms_exist("data")
    literals = check.literals_well_typed()
    described = check.instances_described()
    located = _locate(ontology, loaded.files.get("ontology", []))
    located += _locate(shapes, loaded.files.get("shapes", []))
    located += locator.locate(data) + literals + locator.locate(described)
    return located


def _locate(findings: list[Finding], files: list[Path]) -> list[Finding]:
    """Findings about the ontology or the shapes, placed by the reference locator (these files are small)."""
    if not findings:
        return findings
    from dataclasses import replace

    from jpmg.dataset import read_files
    from jpmg.locate import locate

    graphs = read_files(files).files
    placed = []
    for finding in findings:
        path, line = locate(finding.focus_node, graphs) if finding.focus_node else (None, None)
        placed.append(replace(finding, file=str(path) if path else None, line=line))
    return placed
