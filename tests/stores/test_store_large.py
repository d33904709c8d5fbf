"""A 100,000-triple load with a progress bar, through the same atomic path as the dataset's."""

from __future__ import annotations

import io

import pytest
from rdflib import BNode, URIRef
from servers import synthetic_graph
from storetools import Store

from jpmg import config
from jpmg.stores.loader import GraphPart, Loader

TRIPLES = 100_000


@pytest.fixture(scope="module")
def synthetic() -> GraphPart:
    graph = synthetic_graph(TRIPLES)
    assert len(graph) == TRIPLES
    return GraphPart("synthetic", config.GRAPH_BASE + "test/synthetic", graph)


def test_large_load_with_progress_bar(store: Store, synthetic: GraphPart) -> None:
    progress = io.StringIO()
    loader = Loader(store.endpoints, store.client(timeout=120.0), chunk_size=25_000, progress=True, err=progress)
    sparql = store.sparql()
    try:
        report = loader.load([synthetic])
        assert report.counts == {"synthetic": TRIPLES}
        assert report.chunks >= 4
        assert sparql.count(synthetic.iri) == TRIPLES
        assert sparql.count(synthetic.staging) == 0 and sparql.count(synthetic.previous) == 0
        bar = progress.getvalue()
        assert "100.0% 100,000/100,000 triples" in bar
        assert bar.count("\n") >= 4  # not a terminal: one plain line per tenth of the way
        # Blank nodes stayed whole: every blank node arrived with its three triples.
        p5 = URIRef("https://w3id.org/jpmg/id/synthetic/p5")
        expected_nodes = sum(1 for node in synthetic.graph.objects(None, p5) if isinstance(node, BNode))
        _, rows = sparql.select(f"""SELECT (COUNT(DISTINCT ?b) AS ?nodes) WHERE {{ GRAPH <{synthetic.iri}> {{
            ?s <{p5}> ?b . ?b <https://w3id.org/jpmg/id/synthetic/p0> ?x ;
            <https://w3id.org/jpmg/id/synthetic/p1> ?y }} }}""")
        assert int(str(rows[0][0])) == expected_nodes > 10_000
    finally:
        sparql.update(f"DROP SILENT GRAPH <{synthetic.iri}>")
