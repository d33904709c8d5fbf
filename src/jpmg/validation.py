"""The validation pipeline: parse, vocabulary, reasoning, SHACL, summary, in that order.

Each step runs on what the previous one accepted: a file that does not parse stops everything (nothing else can be
trusted), while the later checks all run and report together, so that one pass shows every problem. The CLI and
``validate.py`` are thin layers over :func:`validate`.

Two engines run the same steps and report the same findings:

* ``fast`` (the default): the files parsed by pyoxigraph straight into one store, the vocabulary and OWL 2 RL
  consistency checks as SPARQL over it, and SHACL compiled to set-at-a-time SPARQL (:mod:`jpmg.checks.fast_shacl`),
  with pySHACL and owlrl for the few constructs it does not compile. No rdflib graph is built for the data, and
  pySHACL and owlrl are not even imported when they are not needed.
* ``reference``: rdflib graphs, pySHACL and owlrl, as the standards' reference implementations in Python; slow at
  scale, and the yardstick ``tests/test_differential.py`` holds the fast engine to.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jpmg import config
from jpmg.findings import Finding, Severity

if TYPE_CHECKING:
    from jpmg.checks.store import LoadedStore
    from jpmg.dataset import KnowledgeGraph

#: The validation engines: ``fast`` (pyoxigraph and compiled SPARQL) and ``reference`` (rdflib, pySHACL, owlrl).
ENGINES = ("fast", "reference")


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
    #: Maps a blank node's ``_:label`` in the findings to where it hangs (``_:OWNER|PATH``), to compare engines.
    blank_key: Callable[[str], str] | None = None

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
    from rdflib import RDF, URIRef

    from jpmg.namespace import JPMG

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


def store_statistics(loaded: LoadedStore) -> dict[str, object]:
    """:func:`statistics` for the fast engine, counted by SPARQL over the store's default graph (the data)."""
    store = loaded.store
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    jpmg = config.ONTOLOGY_NS

    def number(query: str) -> int:
        return int(next(iter(store.query(query)))["n"].value)

    per_class = {
        row["t"].value: int(row["n"].value)
        for row in store.query(f"SELECT ?t (COUNT(?s) AS ?n) WHERE {{ ?s <{rdf_type}> ?t }} GROUP BY ?t")
    }
    return {
        "files": sum(len(loaded.files.get(part, [])) for part in ("ontology", "shapes", "data")),
        "triples": {
            "ontology": loaded.triples["ontology"],
            "shapes": loaded.triples["shapes"],
            "data": loaded.triples["data"],
        },
        "entities": number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{rdf_type}> ?t FILTER isIRI(?s) }}"),
        "entities_per_class": dict(sorted(per_class.items())),
        "sources": number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{rdf_type}> <{jpmg}Source> }}"),
        "fact_ids": number(f"SELECT (COUNT(DISTINCT STR(?v)) AS ?n) WHERE {{ ?d <{jpmg}factId> ?v }}"),
        "conflicts": number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{rdf_type}> <{jpmg}SourceConflict> }}"),
    }


def validate(
    data_paths: Sequence[Path] | None = None,
    *,
    with_project_data: bool = False,
    listener: StepListener | None = None,
    engine: str = "fast",
) -> ValidationReport:
    """Validate the project's own files, or the Turtle files and folders in ``data_paths``.

    User data is checked against the project's ontology and shapes; with ``with_project_data`` the project's
    data is added beside it, so that references to the project's resources (a post, a forum) resolve.
    ``engine`` is ``"fast"`` (the default) or ``"reference"`` (see the module's docstring); both give the same
    findings. Raises :class:`jpmg.parsing.RdfInputError` when a file cannot be read or parsed.
    """
    if engine == "fast":
        return _validate_fast(data_paths, with_project_data=with_project_data, listener=listener)
    if engine != "reference":
        raise ValueError(f"unknown validation engine {engine!r}: choose one of {', '.join(ENGINES)}")
    from rdflib import Graph

    from jpmg.checks import reasoning, shacl, vocabulary
    from jpmg.dataset import load_dataset, read_files

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
    counted = statistics(kg)  # before pySHACL, which adds triples to the shapes graph it is given
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
    from jpmg.checks.compare import graph_blank_key

    return ValidationReport(steps, counted, graph_blank_key(kg.data_with_ontology()))


def _validate_fast(
    data_paths: Sequence[Path] | None,
    *,
    with_project_data: bool,
    listener: StepListener | None,
) -> ValidationReport:
    from jpmg.checks import fast_reasoning, fast_shacl, fast_vocabulary
    from jpmg.checks.locating import Locator
    from jpmg.checks.store import load_store

    steps: list[StepOutcome] = []
    loaded: list[LoadedStore] = []

    def parse() -> tuple[str, list[Finding]]:
        store = load_store(data_paths, with_project_data=with_project_data)
        loaded.append(store)
        files = sum(len(store.files.get(part, [])) for part in ("ontology", "shapes", "data"))
        triples = sum(store.triples[part] for part in ("ontology", "shapes", "data"))
        return f"{files} Turtle files parsed strictly (pyoxigraph, into one store), {triples} triples", []

    _timed("parse", parse, listener, steps)
    store = loaded[0]
    locator = Locator(store)

    def vocabulary_step() -> tuple[str, list[Finding]]:
        findings = fast_vocabulary.run(store, locator)
        declared = len(fast_vocabulary.declared_project_terms(store.store))
        return (
            f"{declared} project terms declared; terms of reused vocabularies checked against their term lists",
            findings,
        )

    def reasoning_step() -> tuple[str, list[Finding]]:
        return fast_reasoning.run(store, locator)

    def shacl_step() -> tuple[str, list[Finding]]:
        outcome = fast_shacl.run(store, locator.locate)
        note = (
            f"engine: SHACL compiled to SPARQL over pyoxigraph ({outcome.compiled} shapes, {outcome.queries} "
            "queries), shapes/ against the data with the ontology"
        )
        if outcome.delegated:
            note += f"; pySHACL for {len(outcome.delegated)} shapes ({outcome.delegated[0][1][0]}, ...)"
        return note, outcome.findings

    _timed("vocabulary", vocabulary_step, listener, steps)
    _timed("reasoning", reasoning_step, listener, steps)
    _timed("shacl", shacl_step, listener, steps)
    from jpmg.checks.compare import store_blank_key

    return ValidationReport(steps, store_statistics(store), store_blank_key(store.store))
