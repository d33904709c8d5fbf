"""SHACL validation of the data against the project's shapes, with pySHACL as the engine.

The ontology is merged into the data graph before validating: pySHACL follows rdfs:subClassOf in the data graph
when it selects targets, so a shape on jpmg:Agreement also checks every memorandum. RDFS/OWL inference stays
off: it would add entailed triples that then get validated as if someone had written them.
"""

from __future__ import annotations

from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, BNode, Graph, Node
from rdflib.collection import Collection
from rdflib.namespace import SH

from jpmg.findings import Finding, Severity
from jpmg.locate import locate, named_owner

CHECK = "shacl"

_SEVERITIES = {SH.Violation: Severity.VIOLATION, SH.Warning: Severity.WARNING, SH.Info: Severity.INFO}


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return node.n3()
    return str(node)


def validate_graph(data_with_ontology: Graph, shapes: Graph) -> Graph:
    """pySHACL's validation report graph for the data (with the ontology already merged in)."""
    _, report, _ = pyshacl_validate(
        data_with_ontology,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    return report


def path_text(report: Graph, path: Node | None) -> str | None:
    """A SHACL property path as SPARQL path syntax (``a/b``, ``a|b``, ``^a``, ``a*``), or the IRI itself."""
    if path is None:
        return None
    if not isinstance(path, BNode):
        return str(path)
    if (path, RDF.first, None) in report:
        return "/".join(path_text(report, member) or "?" for member in Collection(report, path))
    for predicate, template in (
        (SH.alternativePath, "({})"),
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = report.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return template.format("|".join(path_text(report, m) or "?" for m in Collection(report, inner)))
        return template.format(path_text(report, inner))
    return path.n3()


def findings_from_report(report: Graph, data_files: dict[Path, Graph] | None = None) -> list[Finding]:
    """Every top-level result of a report as a finding, located in the data files where possible.

    Only the results hanging from the report (``sh:result``) count: pySHACL also types the nested results of
    ``sh:node``/``sh:or`` as sh:ValidationResult (as ``sh:detail``), and counting those would report one
    problem twice.
    """
    findings = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path, line = (None, None)
        if focus is not None and data_files:
            # a blank node (a derivation, an interval) is found through the named resource that holds it
            path, line = locate(named_owner(focus, data_files), data_files)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        findings.append(
            Finding(
                CHECK,
                _SEVERITIES.get(report.value(result, SH.resultSeverity), Severity.VIOLATION),
                " ".join(messages) or "The value does not conform to its shape.",
                focus_node=_text(focus),
                path=path_text(report, report.value(result, SH.resultPath)),
                value=_text(report.value(result, SH.value)),
                source_shape=_text(report.value(result, SH.sourceShape)),
                file=str(path) if path else None,
                line=line,
            )
        )
    return sorted(findings, key=lambda f: (f.severity.value, f.source_shape or "", f.focus_node or "", f.path or ""))


def run(data_with_ontology: Graph, shapes: Graph, data_files: dict[Path, Graph] | None = None) -> list[Finding]:
    """Validate and return the findings."""
    return findings_from_report(validate_graph(data_with_ontology, shapes), data_files)
