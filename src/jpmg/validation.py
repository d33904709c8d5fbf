"""The validation pipeline: parse, vocabulary, reasoning, SHACL, summary, in that order.

Each step runs on what the previous one accepted: a file that does not parse stops everything (nothing else can be
trusted), while the later checks all run and report together, so that one pass shows every problem. The CLI and
``validate.py`` are thin layers over :func:`validate`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from jpmg import config
from jpmg.checks import reasoning, shacl, vocabulary
from jpmg.dataset import KnowledgeGraph, load_dataset, read_files
from jpmg.findings import Finding, Severity
from jpmg.namespace import JPMG


@dataclass
class StepOutcome:
    """What one step did: its name, a one-line note, its findings and how long it took."""

    name: str
    note: str
    seconds: float
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Everything the pipeline found, with statistics of what it checked."""

    steps: list[StepOutcome]
    statistics: dict[str, object]

    @property
    def findings(self) -> list[Finding]:
        return [finding for step in self.steps for finding in step.findings]

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    def conforms(self, strict: bool = False) -> bool:
        """True without violations (and, when ``strict``, without warnings either)."""
        if self.count(Severity.VIOLATION):
            return False
        return not (strict and self.count(Severity.WARNING))

    def exit_code(self, strict: bool = False) -> int:
        """0 when it conforms, 1 otherwise (pySHACL's convention; 2 is for unreadable input)."""
        return 0 if self.conforms(strict) else 1


StepListener = Callable[[StepOutcome], None]


def _timed(
    name: str,
    work: Callable[[], tuple[str, list[Finding]]],
    listener: StepListener | None,
    steps: list[StepOutcome],
) -> None:
    started = time.perf_counter()
    note, findings = work()
    outcome = StepOutcome(name, note, time.perf_counter() - started, findings)
    steps.append(outcome)
    if listener is not None:
        listener(outcome)


def statistics(kg: KnowledgeGraph) -> dict[str, object]:
    """Counts a reader wants next to the verdict: triples, entities per class, sources, fact ids, files."""
    data = kg.data.graph
    per_class = Counter(str(kind) for _, kind in data.subject_objects(RDF.type))
    fact_ids = {str(value) for value in data.objects(None, JPMG.factId)}
    return {
        "files": len(kg.files),
        "triples": {
            "ontology": len(kg.ontology.graph),
            "shapes": len(kg.shapes.graph),
            "data": len(data),
        },
        "entities": len({s for s in data.subjects(RDF.type) if isinstance(s, URIRef)}),
        "entities_per_class": dict(sorted(per_class.items())),
        "sources": len(set(data.subjects(RDF.type, JPMG.Source))),
        "fact_ids": len(fact_ids),
        "conflicts": len(set(data.subjects(RDF.type, JPMG.SourceConflict))),
    }


def validate(
    data_paths: Sequence[Path] | None = None,
    *,
    with_project_data: bool = False,
    listener: StepListener | None = None,
) -> ValidationReport:
    """Validate the project's own files, or the Turtle files and folders in ``data_paths``.

    User data is checked against the project's ontology and shapes; with ``with_project_data`` the project's
    data is added beside it, so that references to the project's resources (a post, a forum) resolve.
    Raises :class:`jpmg.parsing.RdfInputError` when a file cannot be read or parsed.
    """
    steps: list[StepOutcome] = []
    loaded: list[KnowledgeGraph] = []

    def parse() -> tuple[str, list[Finding]]:
        kg = load_dataset(data_paths)
        if data_paths and with_project_data:
            project = read_files([config.DATA_DIR])
            kg.data.graph += project.graph
        loaded.append(kg)
        return (
            f"{len(kg.files)} Turtle files parsed strictly (pyoxigraph), "
            f"{len(kg.ontology.graph) + len(kg.shapes.graph) + len(kg.data.graph)} triples"
        ), []

    _timed("parse", parse, listener, steps)
    kg = loaded[0]
    reference: Graph | None = read_files([config.DATA_DIR]).graph if data_paths and not with_project_data else None

    def vocabulary_step() -> tuple[str, list[Finding]]:
        findings = vocabulary.run(
            kg.ontology.graph,
            kg.ontology.files,
            kg.shapes.graph,
            kg.shapes.files,
            kg.data.graph,
            kg.data.files,
            reference,
        )
        declared = len(vocabulary.declared_project_terms(kg.ontology.graph))
        return (
            f"{declared} project terms declared; terms of reused vocabularies checked against their term lists",
            findings,
        )

    def reasoning_step() -> tuple[str, list[Finding]]:
        return f"reasoner: {reasoning.REASONER}", reasoning.run(kg.ontology.graph, kg.data.graph, kg.data.files)

    def shacl_step() -> tuple[str, list[Finding]]:
        return "engine: pySHACL, shapes/ against the data with the ontology", shacl.run(
            kg.data_with_ontology(), kg.shapes.graph, kg.data.files
        )

    _timed("vocabulary", vocabulary_step, listener, steps)
    _timed("reasoning", reasoning_step, listener, steps)
    _timed("shacl", shacl_step, listener, steps)
    return ValidationReport(steps, statistics(kg))
