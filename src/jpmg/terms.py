"""Converting RDF terms between rdflib and pyoxigraph.

The project reads and validates with rdflib (pySHACL and owlrl work on rdflib graphs) and queries, dumps and
serves with pyoxigraph (a standards-complete SPARQL engine, much faster); this module is the one bridge between
them, so that literals keep their exact lexical form, datatype and language tag both ways.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

RdflibTerm = URIRef | BNode | Literal
OxigraphTerm = ox.NamedNode | ox.BlankNode | ox.Literal

_XSD_STRING = str(XSD.string)


def to_oxigraph(term: RdflibTerm, labels: dict[BNode, ox.BlankNode] | None = None) -> OxigraphTerm:
    """An rdflib term as a pyoxigraph term.

    With ``labels``, blank nodes get fresh labels ``b0, b1, ...`` recorded there (so one conversion run maps each
    rdflib blank node to one pyoxigraph blank node); without, they keep their rdflib identifier.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        if labels is None:
            return ox.BlankNode(str(term))
        if term not in labels:
            labels[term] = ox.BlankNode(f"b{len(labels)}")
        return labels[term]
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def to_rdflib(term: OxigraphTerm) -> RdflibTerm:
    """A pyoxigraph term as an rdflib term, keeping the literal's lexical form exactly (no normalisation)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"no rdflib form for {term!r}")


def graph_to_quads(graph: Graph, graph_name: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterable[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in ``graph_name`` (default graph by default)."""
    name = graph_name if graph_name is not None else ox.DefaultGraph()
    labels: dict[BNode, ox.BlankNode] = {}
    for s, p, o in graph:
        yield ox.Quad(to_oxigraph(s, labels), to_oxigraph(p), to_oxigraph(o, labels), name)
