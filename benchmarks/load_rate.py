"""Load rate of `jpmg load`'s path into each available store: N synthetic triples, triples per second.

Starts each store the tests use (Oxigraph from the PyPI package; Virtuoso when ``virtuoso-t`` is installed) on
127.0.0.1 with a private temporary folder, loads N synthetic triples through the loader (staging graph, chunks,
count check, one-request swap, count check) by the Graph Store Protocol and by SPARQL Update, prints the rates,
and stops the servers by pid.

    .venv/bin/python benchmarks/load_rate.py [--triples 100000] [--chunk-size 50000]

With ``--sizes``, it compares instead, on the ``jpmg synth`` corpora of ``benchmarks/_common.py`` (N-Triples, no
injected defects) and a fresh Oxigraph server for every measurement, the loader against the plainest upload there is:

    .venv/bin/python benchmarks/load_rate.py --sizes 1e5,1e6 [--chunk-size 50000] [--timeout 900] [--no-doc]

* the baseline: one Graph Store Protocol ``PUT /store?graph=IRI`` of the whole file, streamed from disk;
* the loader, as ``jpmg load`` runs it: the file parsed strictly into an rdflib graph (``jpmg.parsing``), then
  staging graph, chunks, count check, one-request swap, count check; once with its staging uploads through
  Oxigraph's non-transactional bulk loader (its default for Oxigraph) and once with transactional uploads.

The table goes into ``docs/benchmarks.md`` (between the ``benchmark:load`` markers) unless ``--no-doc``.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _common import SIZES, corpus, table, triples, update_doc
from servers import Server, oxigraph_server, synthetic_graph, virtuoso_missing, virtuoso_server

from jpmg import config
from jpmg.stores.credentials import Credentials
from jpmg.stores.endpoints import resolve_endpoints
from jpmg.stores.http import HttpClient
from jpmg.stores.loader import GraphPart, Loader
from jpmg.stores.sparql import SparqlClient

CORPUS_GRAPH = config.GRAPH_BASE + "benchmark/corpus"


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


def rates(args: argparse.Namespace) -> int:
    """The default mode: the loader into each available store, by the Graph Store Protocol and by SPARQL Update."""
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


# -- --sizes: the loader against one plain Graph Store Protocol PUT, on the jpmg synth corpora ---------------------


def gsp_put(server: Server, iri: str, path: Path, timeout: float) -> float:
    """One Graph Store Protocol PUT of the whole N-Triples file into graph ``iri``, streamed from disk (no parsing
    on the client); its wall time, connection included."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(
        address.hostname or "127.0.0.1", address.port, timeout=timeout, blocksize=1 << 20
    )
    try:
        with open(path, "rb") as body:
            started = time.perf_counter()
            connection.request(
                "PUT",
                f"/store?graph={quote(iri, safe='')}",
                body=body,
                headers={"Content-Type": "application/n-triples", "Content-Length": str(path.stat().st_size)},
            )
            answer = connection.getresponse()
            message = answer.read()
            seconds = time.perf_counter() - started
    finally:
        connection.close()
    if answer.status not in (200, 201, 204):
        raise RuntimeError(f"PUT answered HTTP {answer.status}: {message[:300]!r}")
    return seconds


def verified_load(
    server: Server, iri: str, path: Path, chunk_size: int, bulk_staging: bool, timeout: float
) -> tuple[float, float, int]:
    """The loader's path, reading included: (wall seconds, of which parsing, chunks)."""
    from jpmg.parsing import parse_turtle

    started = time.perf_counter()
    graph = parse_turtle(path)  # N-Triples is Turtle: the strict parser of every jpmg command that loads
    parsed = time.perf_counter()
    loader = Loader(
        resolve_endpoints(server.url, "oxigraph"),
        HttpClient(None, timeout=timeout, retries=2),
        chunk_size=chunk_size,
        err=io.StringIO(),
        bulk_staging=bulk_staging,
    )
    report = loader.load([GraphPart("corpus", iri, graph)])
    return time.perf_counter() - started, parsed - started, report.chunks


def stored(server: Server, iri: str) -> int:
    client = HttpClient(None, timeout=600.0)
    return SparqlClient(client, server.url + "/query", server.url + "/update").count(iri)


def compare(args: argparse.Namespace) -> int:
    """``--sizes``: one GSP PUT of the corpus file against the loader, each into a fresh Oxigraph server."""
    os.environ["JPMG_MAX_FILE_MB"] = "0"  # the 1e6 corpus is larger than what the commands read by default
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="jpmg-bench-load-") as folder:

        def fresh(label: str) -> Server:
            server = oxigraph_server(Path(folder) / label)
            server.start()
            return server

        for size in args.sizes:
            data = corpus(size, rate=0.0)
            count = triples(data)
            megabytes = data.stat().st_size / 1e6
            print(f"{size}: {data} ({count:,} triples, {megabytes:,.0f} MB)", flush=True)
            runs: list[tuple[str, float]] = []
            server = fresh(f"{size}-put")
            try:
                seconds = gsp_put(server, CORPUS_GRAPH, data, args.timeout)
                assert stored(server, CORPUS_GRAPH) == count, "the PUT did not store every triple"
            finally:
                server.stop()
                shutil.rmtree(server.folder, ignore_errors=True)
            runs.append(("one Graph Store Protocol PUT of the file (baseline)", seconds))
            print(f"  {runs[-1][0]}: {seconds:.2f} s", flush=True)
            for bulk in (True, False):
                server = fresh(f"{size}-loader-{'bulk' if bulk else 'transactional'}")
                try:
                    seconds, parsing, chunks = verified_load(
                        server, CORPUS_GRAPH, data, args.chunk_size, bulk, args.timeout
                    )
                    assert stored(server, CORPUS_GRAPH) == count, "the loader did not store every triple"
                finally:
                    server.stop()
                    shutil.rmtree(server.folder, ignore_errors=True)
                    gc.collect()
                staging = "bulk (`no_transaction`) staging uploads" if bulk else "transactional staging uploads"
                runs.append(
                    (
                        f"jpmg Loader, {staging}, {chunks} chunk{'s' if chunks != 1 else ''} of ≤ "
                        f"{args.chunk_size:,} (parsing: {parsing:.2f} s)",
                        seconds,
                    )
                )
                print(f"  {runs[-1][0]}: {seconds:.2f} s", flush=True)
            baseline = runs[0][1]
            for method, seconds in runs:
                rows.append(
                    [
                        size,
                        f"{count:,}",
                        method,
                        f"{seconds:.2f} s",
                        f"{count / seconds:,.0f}",
                        f"{baseline / seconds:.2f}",
                    ]
                )
    body = table(["size", "triples", "method", "wall", "triples/s", "ratio (PUT time / this time)"], rows)
    body += (
        "\n\nOxigraph server (the PyPI package), on 127.0.0.1, a fresh data folder for every measurement; the graph "
        "starts empty. The PUT sends the file as it is and is not atomic in Oxigraph (the graph is cleared, then "
        "loaded). The loader's wall time includes parsing the file strictly into an rdflib graph (as `jpmg load` "
        "does), chunking it (blank-node groups whole), uploading into a staging graph, the two count checks and "
        "the swap (`COPY` of the old graph, `MOVE` of the staging graph, in one SPARQL Update: one transaction, "
        "which Oxigraph runs as an insert and a delete of every triple); no competency queries."
    )
    print(body)
    if not args.no_doc:
        update_doc("load", body)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="synthetic triples (without --sizes)")
    parser.add_argument("--chunk-size", type=int, default=50_000, help="triples per Graph Store Protocol request")
    parser.add_argument(
        "--update-chunk-size",
        type=int,
        default=500,
        help="triples per SPARQL Update request (Virtuoso's SPARQL compiler runs out of memory on "
        "templates of tens of thousands of triples)",
    )
    parser.add_argument(
        "--sizes",
        help=f"comma-separated jpmg synth corpus sizes ({', '.join(SIZES)}): compare the loader with one "
        "Graph Store Protocol PUT of the file, into Oxigraph",
    )
    parser.add_argument("--timeout", type=float, default=900, help="HTTP time limit of one request, in seconds")
    parser.add_argument("--no-doc", action="store_true", help="with --sizes: print the table only")
    args = parser.parse_args()
    if args.sizes is None:
        return rates(args)
    args.sizes = [s for s in args.sizes.split(",") if s]
    unknown = set(args.sizes) - set(SIZES)
    if unknown or not args.sizes:
        parser.error(f"unknown sizes {sorted(unknown)}; choose among {', '.join(SIZES)}")
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
