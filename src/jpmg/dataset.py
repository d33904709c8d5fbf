"""Loading the knowledge graph: the ontology, the shapes and the data, each as its own named graph.

The three parts are kept apart because they play different roles: SHACL validates the data with the ontology
beside it (for subclass targets), stores receive each part under its own graph IRI, and the publisher documents
the ontology separately from the instances. Every file is read with the strict parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset as RdfDataset
from rdflib import Graph, URIRef

from jpmg import config
from jpmg.parsing import RdfInputError, iter_turtle_files, parse_turtle

#: Named-graph IRIs of the dataset's parts, derived from the one base IRI.
GRAPH_IRIS = {
    "ontology": URIRef(config.GRAPH_BASE + "ontology"),
    "shapes": URIRef(config.GRAPH_BASE + "shapes"),
    "data": URIRef(config.GRAPH_BASE + "data"),
}


@dataclass
class LoadedFiles:
    """A graph read from files, remembering which file gave which triples (for error locations)."""

    graph: Graph
    files: dict[Path, Graph] = field(default_factory=dict)


def read_files(paths: Iterable[Path]) -> LoadedFiles:
    """Strictly parse every Turtle file under ``paths`` into one graph, keeping each file's own graph too.

    Raises :class:`jpmg.parsing.RdfInputError` on the first unreadable file, or when the paths hold no Turtle
    file at all (an empty folder is a mistake, not an empty dataset): nothing is half-loaded.
    """
    paths = list(paths)
    merged = Graph()
    per_file: dict[Path, Graph] = {}
    files = iter_turtle_files(paths)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise RdfInputError(where, "no Turtle files here", "name .ttl files, or folders that contain them")
    for path in files:
        graph = parse_turtle(path)
        per_file[path] = graph
        merged += graph
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
    return LoadedFiles(merged, per_file)


@dataclass
class KnowledgeGraph:
    """The project's three graphs and the files they came from."""

    ontology: LoadedFiles
    shapes: LoadedFiles
    data: LoadedFiles

    @property
    def files(self) -> list[Path]:
        """Every file read, ontology first, in load order."""
        return [*self.ontology.files, *self.shapes.files, *self.data.files]

    def data_with_ontology(self) -> Graph:
        """The data and the ontology in one graph: what SHACL validates and what queries run on."""
        union = Graph()
        union += self.ontology.graph
        union += self.data.graph
        for prefix, namespace in self.data.graph.namespaces():
            union.bind(prefix, namespace, override=False)
        return union

    def as_rdf_dataset(self) -> RdfDataset:
        """The three parts as named graphs of one RDF dataset (for TriG/N-Quads dumps and stores)."""
        dataset = RdfDataset()
        for name, part in (("ontology", self.ontology), ("shapes", self.shapes), ("data", self.data)):
            named = dataset.graph(GRAPH_IRIS[name])
            named += part.graph
        return dataset


def load_dataset(data_paths: Sequence[Path] | None = None) -> KnowledgeGraph:
    """Load the project's ontology and shapes, and its own data or the data at ``data_paths``."""
    return KnowledgeGraph(
        ontology=read_files([config.ONTOLOGY_DIR]),
        shapes=read_files([config.SHAPES_DIR]),
        data=read_files(data_paths if data_paths else [config.DATA_DIR]),
    )
