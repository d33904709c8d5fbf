"""Validation reports for people (text), programs (JSON) and RDF tools (Turtle, in SHACL's report vocabulary).

The text form is grouped so that one pass reads it: the verdict, the steps, then the findings by severity and
by shape (or check), each with its focus node, path, value, message and place in the files.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from jpmg.findings import Finding, Severity
from jpmg.validation import ValidationReport

FORMATS = ("text", "json", "turtle")


def _where(finding: Finding) -> str:
    if finding.file is None:
        return ""
    path = finding.file
    with contextlib.suppress(ValueError):  # a file outside the working folder keeps its full path
        path = str(Path(path).resolve().relative_to(Path.cwd()))
    return f"{path}:{finding.line}" if finding.line else path


def step_line(name: str, note: str, seconds: float, findings: list[Finding]) -> str:
    """One line per finished step, for progress output."""
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    verdict = (
        "ok"
        if not findings
        else ", ".join(f"{n} {s.value.lower()}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    )
    return f"[{name}] {verdict} ({seconds:.2f} s) - {note}"


def render_text(report: ValidationReport, strict: bool = False, verbose: bool = False) -> str:
    """The human-readable report; notes (sh:Info) are summarised per shape unless ``verbose``."""
    out: list[str] = []
    stats = report.statistics
    triples = stats["triples"]
    out.append(
        f"Checked {stats['files']} files: {triples['data']} data triples, {triples['ontology']} ontology "
        f"triples, {triples['shapes']} shape triples; {stats['entities']} entities, {stats['sources']} "
        f"sources, {stats['fact_ids']} fact ids, {stats['conflicts']} source conflicts."
    )
    for severity in (Severity.VIOLATION, Severity.WARNING, Severity.INFO):
        findings = [f for f in report.findings if f.severity is severity]
        if not findings:
            continue
        out.append("")
        out.append(f"{severity.value}s ({len(findings)}):")
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            groups[finding.source_shape or f"{finding.check} check"].append(finding)
        for group, members in sorted(groups.items()):
            out.append(f"  {group} ({len(members)})")
            if severity is Severity.INFO and not verbose:
                out.append(f"      {members[0].message}")
                continue
            for finding in members:
                where = _where(finding)
                out.append(f"    - {finding.focus_node or '(no focus node)'}" + (f"  [{where}]" if where else ""))
                if finding.path:
                    out.append(f"      path: {finding.path}")
                if finding.value:
                    out.append(f"      value: {finding.value}")
                out.append(f"      {finding.message}")
    violations, warnings = report.count(Severity.VIOLATION), report.count(Severity.WARNING)
    out.append("")
    verdict = "CONFORMS" if report.conforms(strict) else "DOES NOT CONFORM"
    notes = report.count(Severity.INFO)
    out.append(
        f"{verdict}: {violations} violation{'s' if violations != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}, {notes} note{'s' if notes != 1 else ''}"
        + (" (warnings count as failures with --strict)" if strict and warnings else "")
    )
    return "\n".join(out)


def render_json(report: ValidationReport, strict: bool = False) -> str:
    """The machine-readable report: verdict, steps with timings, statistics and every finding."""
    document = {
        "conforms": report.conforms(strict),
        "violations": report.count(Severity.VIOLATION),
        "warnings": report.count(Severity.WARNING),
        "steps": [
            {"name": s.name, "note": s.note, "seconds": round(s.seconds, 3), "findings": len(s.findings)}
            for s in report.steps
        ],
        "statistics": report.statistics,
        "findings": [f.as_dict() for f in report.findings],
    }
    return json.dumps(document, indent=2, sort_keys=False)


def _node(text: str) -> URIRef | BNode:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def render_turtle(report: ValidationReport, strict: bool = False) -> str:
    """The report as a SHACL validation report graph, so RDF tools can consume it like pySHACL's own."""
    graph = Graph()
    graph.bind("sh", SH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms(strict), datatype=XSD.boolean)))
    for finding in report.findings:
        result = BNode()
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[finding.severity.value]))
        graph.add((result, SH.resultMessage, Literal(finding.message)))
        if finding.focus_node:
            graph.add((result, SH.focusNode, _node(finding.focus_node)))
        if finding.path:
            graph.add((result, SH.resultPath, URIRef(finding.path)))
        if finding.value is not None:
            graph.add((result, SH.value, Literal(finding.value)))
        if finding.source_shape:
            graph.add((result, SH.sourceShape, _node(finding.source_shape)))
    return graph.serialize(format="turtle")


def render(report: ValidationReport, fmt: str, strict: bool = False, verbose: bool = False) -> str:
    """The report in one of :data:`FORMATS`."""
    if fmt == "text":
        return render_text(report, strict, verbose)
    renderers = {"json": render_json, "turtle": render_turtle}
    return renderers[fmt](report, strict)
