"""Child program of the query benchmark: every competency query on one engine over one corpus.

``python benchmarks/_queries.py oxigraph|rdflib CORPUS [PER_QUERY_TIMEOUT [QUERY]]`` loads the ontology and the
corpus into the engine's graph (pyoxigraph's store; an rdflib graph), runs each query (pyoxigraph three times,
keeping the fastest; rdflib once, with a time limit) and prints one JSON line per query: its name, seconds, number
of rows and a digest of its answers in canonical form (jpmg.queries.canonical_rows, sorted), so the engines can be
compared.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from jpmg.engine import OxigraphEngine, QueryEngineError, QueryResult  # noqa: E402
from jpmg.queries import canonical_rows, list_queries  # noqa: E402


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def digest(query, result: QueryResult) -> str:
    rows = sorted(canonical_rows(query, result))
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]


def main() -> None:
    engine_name, corpus = sys.argv[1], Path(sys.argv[2])
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    started = time.perf_counter()
    if engine_name == "oxigraph":
        import pyoxigraph as ox

        engine = OxigraphEngine.__new__(OxigraphEngine)
        engine.store = ox.Store()
        engine.store.bulk_load(path=ROOT / "ontology" / "jpmg.ttl", format=ox.RdfFormat.TURTLE)
        fmt = ox.RdfFormat.N_TRIPLES if corpus.suffix == ".nt" else ox.RdfFormat.TURTLE
        engine.store.bulk_load(path=corpus, format=fmt)
        repeats = 3
    else:
        from rdflib import Graph

        from jpmg.engine import RdflibEngine

        graph = Graph()
        graph.parse(ROOT / "ontology" / "jpmg.ttl", format="turtle")
        graph.parse(corpus, format="nt" if corpus.suffix == ".nt" else "turtle")
        engine = RdflibEngine(graph)
        repeats = 1
    print(json.dumps({"load_seconds": round(time.perf_counter() - started, 3)}), flush=True)
    signal.signal(signal.SIGALRM, _alarm)
    queries = [(q.name, q) for q in list_queries()]
    if len(sys.argv) > 4:  # one query only (the benchmark runs pyoxigraph's queries one process each)
        queries = [(name, query) for name, query in queries if name == sys.argv[4]]
    for name, query in queries:
        best = None
        result = None
        try:
            for _ in range(repeats):
                signal.alarm(limit)
                begin = time.perf_counter()
                result = engine.select(query.text)
                elapsed = time.perf_counter() - begin
                signal.alarm(0)
                best = elapsed if best is None else min(best, elapsed)
            line = {"query": name, "seconds": round(best, 4), "rows": len(result.rows), "digest": digest(query, result)}
        except (_Timeout, QueryEngineError) as error:
            signal.alarm(0)
            if not isinstance(error, _Timeout) and "_Timeout" not in str(error):
                raise  # the engine failed for another reason than the time limit (which it wraps)
            line = {"query": name, "seconds": None, "timeout": limit}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
