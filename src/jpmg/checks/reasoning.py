"""Logical consistency: the OWL 2 RL closure of the ontology and the data, and its inconsistency rules.

OWL 2 RL is the profile that forward chaining can decide completely; owlrl implements its rules over rdflib
and records each inconsistency it meets (a resource in two disjoint classes, two values of a functional
property that cannot be the same, a violated cardinality) instead of stopping. SHACL cannot see these: they
follow only from the axioms.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from rdflib import Graph

from jpmg import config
from jpmg.findings import Finding, Severity
from jpmg.locate import locate

CHECK = "reasoning"


def __getattr__(name: str) -> str:
    # owlrl is imported only when the reference reasoner is used (the fast path does not need it)
    if name == "REASONER":
        import owlrl

        return f"owlrl {owlrl.__version__} (OWL 2 RL forward-chaining closure)"
    raise AttributeError(name)


# owlrl writes the IRIs involved into its messages; the instance among them (not a term of a vocabulary) is the
# resource a person has to fix.
_IRI_IN_MESSAGE = re.compile(r"https?://[^\s,()]+")


def closure(ontology: Graph, data: Graph) -> tuple[Graph, list[str]]:
    """The OWL 2 RL closure of ontology plus data, and owlrl's inconsistency messages."""
    import owlrl

    graph = Graph()
    graph += ontology
    graph += data
    semantics = owlrl.OWLRL_Semantics(graph, False, False, rdfs=False)
    semantics.closure()
    return graph, list(semantics.error_messages)


def _focus(message: str) -> str | None:
    iris = [iri.rstrip(".;") for iri in _IRI_IN_MESSAGE.findall(message)]
    instances = [iri for iri in iris if iri.startswith(config.INSTANCE_BASE)]
    return (instances or iris or [None])[0]


def inconsistency(message: str) -> Finding:
    """One violation for one of owlrl's inconsistency messages, focused on the instance it names (both engines report
    it so, the fast one for the messages it produces in owlrl's words)."""
    return Finding(
        CHECK,
        Severity.VIOLATION,
        f"Inconsistent with the ontology's axioms: {message.strip()}. Fix the types or values involved.",
        focus_node=_focus(message),
    )


def run(ontology: Graph, data: Graph, data_files: dict[Path, Graph] | None = None) -> list[Finding]:
    """Run the closure and turn every inconsistency into a violation, located in the data files."""
    _, errors = closure(ontology, data)
    findings = []
    for message in sorted(errors):
        if message.startswith("Lexical value of the literal"):
            continue  # an ill-typed literal: the vocabulary check reports it, with its subject, file and line

        finding = inconsistency(message)
        if finding.focus_node and data_files:
            path, line = locate(finding.focus_node, data_files)
            finding = replace(finding, file=str(path) if path else None, line=line)
        findings.append(finding)
    return findings
