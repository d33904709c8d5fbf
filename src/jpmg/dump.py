"""Bulk dumps of the knowledge graph for other stores' loaders: N-Quads, TriG, N-Triples, Turtle.

``nq`` and ``trig`` keep the named graphs (ontology, shapes, data, under :data:`jpmg.dataset.GRAPH_IRIS`);
``nt`` and ``ttl`` hold their union, and say in a comment at the top that the graph names are lost.

The output is byte-identical across runs on the same files: blank nodes are relabelled by canonicalization
(pyoxigraph's implementation of RDF Dataset Canonicalization, labels ``c14n0, c14n1, ...``), N-Quads and N-Triples
lines are sorted, and TriG and Turtle are written by pyoxigraph from the sorted quads with the prefixes the
project's files use. A dump is written to a temporary file in the target folder and renamed over the target, so
a failed run never leaves a truncated file.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode

from jpmg.atomic import write_atomically
from jpmg.dataset import GRAPH_IRIS, KnowledgeGraph
from jpmg.terms import to_oxigraph

FORMATS = ("nq", "trig", "nt", "ttl")
_OX_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
}


def canonical_dataset(kg: KnowledgeGraph) -> ox.Dataset:
    """The knowledge graph's named graphs as a pyoxigraph dataset with canonical blank node labels."""
    dataset = ox.Dataset()
    labels: dict[BNode, ox.BlankNode] = {}
    rdf_dataset = kg.as_rdf_dataset()
    for iri in GRAPH_IRIS.values():
        graph_name = ox.NamedNode(str(iri))
        for s, p, o in rdf_dataset.graph(iri):
            dataset.add(
                ox.Quad(
                    to_oxigraph(s, labels),
                    to_oxigraph(p, labels),  # type: ignore[arg-type]
                    to_oxigraph(o, labels),
                    graph_name,
                )
            )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def used_prefixes(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, str]:
    """The prefixes bound in the project's files whose namespace starts at least one IRI of the dump."""
    bound: dict[str, str] = {}
    for part in (kg.ontology, kg.shapes, kg.data):
        for prefix, namespace in part.graph.namespaces():
            if prefix and prefix not in bound:
                bound[prefix] = str(namespace)
    iris = set(iris)
    return {prefix: ns for prefix, ns in sorted(bound.items()) if any(iri.startswith(ns) for iri in iris)}


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted(set(data.decode("utf-8").splitlines()))
    return "".join(line + "\n" for line in lines if line).encode("utf-8")


def _union_header(fmt: str) -> bytes:
    graphs = ", ".join(f"<{iri}>" for iri in GRAPH_IRIS.values())
    other = "nq or trig"
    return (
        f"# The JPMG knowledge graph: the union of the named graphs {graphs}.\n"
        f"# Graph names are lost in this format ({fmt}): dump as {other} to keep them.\n"
    ).encode()


def dump_bytes(kg: KnowledgeGraph, fmt: str) -> bytes:
    """The dump in ``fmt`` (one of :data:`FORMATS`), as bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown dump format {fmt!r}; use one of {', '.join(FORMATS)}")
    dataset = canonical_dataset(kg)
    quads = sorted(dataset, key=str)
    if fmt == "nq":
        return _sorted_lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    triples = sorted({quad.triple for quad in quads}, key=str)
    if fmt == "nt":
        return _union_header(fmt) + _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    iris = {
        str(t.value)
        for quad in quads
        for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if isinstance(t, ox.NamedNode)
    }
    iris |= {
        str(quad.object.datatype.value)
        for quad in quads
        if isinstance(quad.object, ox.Literal) and quad.object.datatype is not None
    }
    prefixes = used_prefixes(kg, iris)
    if fmt == "trig":
        return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b""
    return _union_header(fmt) + (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b"")


def dump(kg: KnowledgeGraph, fmt: str, output: Path | None = None, stdout: BinaryIO | None = None) -> int:
    """Write the dump to ``output`` (atomically) or to ``stdout``; return the number of bytes written."""
    data = dump_bytes(kg, fmt)
    if output is None or str(output) == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        stream.write(data)
        stream.flush()
    else:
        write_atomically(data, output)
    return len(data)


def dump_statistics(kg: KnowledgeGraph) -> Mapping[str, int]:
    """Triples per named graph, for the command's summary line."""
    return {
        name: len(part.graph) for name, part in (("ontology", kg.ontology), ("shapes", kg.shapes), ("data", kg.data))
    }
