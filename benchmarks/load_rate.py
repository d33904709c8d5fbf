"""Load rate of `jpmg load`'s path into each available store: N synthetic triples, triples per second.

Starts each store the tests use (Oxigraph from the PyPI package; Virtuoso when ``virtuoso-t`` is installed) on
127.0.0.1 with a private temporary folder, loads N synthetic triples through the loader (staging graph, chunks,
count check, one-request swap, count check) by the Graph Store Protocol and by SPARQL Update, prints the rates,
and stops the servers by pid.

    .venv/bin/python benchmarks/load_rate.py [--triples 100000] [--chunk-size 50000]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from servers import oxigraph_server, synthetic_graph, virtuoso_missing, virtuoso_server

from jpmg import config
from jpmg.stores.credentials import Credentials
from jpmg.stores.endpoints import resolve_endpoints
from jpmg.stores.http import HttpClient
from jpmg.stores.loader import GraphPart, Loader
from jpmg.stores.sparql import SparqlClient


def measure(
    name: str, url: str, kind: str, credentials: Credentials | None, part: GraphPart, chunk_size: int, gsp: str | None
) -> tuple[str, float, int]:
    endpoints = resolve_endpoints(url, kind, gsp=gsp)
    client = HttpClient(credentials, timeout=600.0, retries=2)
    sparql = SparqlClient(client, endpoints.query, endpoints.update)
    sparql.update(f"DROP SILENT GRAPH <{part.iri}>")
    loader = Loader(endpoints, client, chunk_size=chunk_size, err=io.StringIO())
    started = time.perf_counter()
    report = loader.load([part])
    seconds = time.perf_counter() - started
    assert sparql.count(part.iri) == len(part.graph)
    sparql.update(f"DROP SILENT GRAPH <{part.iri}>")
    method = "Graph Store Protocol" if endpoints.gsp else "SPARQL Update"
    return f"{name:9} {method:21}", len(part.graph) / seconds, report.chunks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=50_000, help="triples per Graph Store Protocol request")
    parser.add_argument(
        "--update-chunk-size",
        type=int,
        default=500,
        help="triples per SPARQL Update request (Virtuoso's SPARQL compiler runs out of memory on "
        "templates of tens of thousands of triples)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    graph = synthetic_graph(args.triples)
    part = GraphPart("synthetic", config.GRAPH_BASE + "benchmark/synthetic", graph)
    print(
        f"{len(graph):,} synthetic triples generated in {time.perf_counter() - started:.1f} s; "
        f"chunks of {args.chunk_size:,}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="jpmg-bench-") as folder:
        stores = [("oxigraph", oxigraph_server(Path(folder) / "oxigraph"))]
        missing = virtuoso_missing()
        if missing:
            print(f"virtuoso: skipped ({missing})")
        else:
            stores.append(("virtuoso", virtuoso_server(Path(folder) / "virtuoso")))
        for name, server in stores:
            try:
                credentials = None
                if name == "virtuoso":
                    server.first_start()  # type: ignore[attr-defined]
                    credentials = Credentials(server.user, server.password)  # type: ignore[attr-defined]
                else:
                    server.start()
                for gsp, chunk_size in ((None, args.chunk_size), ("none", args.update_chunk_size)):
                    results.append(measure(name, server.url, server.kind, credentials, part, chunk_size, gsp))
            finally:
                server.stop()
    for label, rate, chunks in results:
        print(f"{label} {rate:>10,.0f} triples/s  ({chunks} chunks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
