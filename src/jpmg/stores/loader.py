"""The load: validate, upload into staging graphs, verify, swap in with one request, verify, keep or restore.

Why so careful: stores differ in what a failed upload leaves behind. Virtuoso does not roll back a Graph Store
Protocol request that fails half-way (a PUT has already emptied the graph and kept the triples parsed before the
error) and silently rewrites ill-typed values (``"abc"^^xsd:integer`` becomes 0; it even accepts a line of
garbage); Oxigraph rejects a malformed upload whole. So the loader never writes into a graph that users query
until the replacement is complete and checked:

1. **Validate** with :func:`jpmg.validation.validate`; violations stop the load (``force`` overrides, loudly).
2. **Stage**: drop any staging graph an interrupted run left, then upload each named graph into
   ``<graph>/staging`` in chunks of N-Triples, through the Graph Store Protocol (POST appends) or, without it,
   SPARQL Update ``INSERT DATA`` (``INSERT {...} WHERE {}`` for chunks with blank nodes, which Virtuoso refuses in
   ``INSERT DATA``). **Blank nodes** are labelled per request by every store, so a blank node split
   across two requests would become two; the chunker therefore keeps every blank-node-connected group of triples
   (an OWL restriction, an RDF list, a time interval) in one chunk. Blank nodes stay blank nodes in the store
   (no skolem IRIs appear in answers), and graphs of any size can be chunked.
3. **Verify the staging graphs**: their triple counts must equal the local ones. Any failure up to here drops the
   staging graphs and leaves the target graphs untouched.
4. **Swap in one SPARQL Update request**: for each graph, ``COPY`` the current version to ``<graph>/previous``
   and ``MOVE`` the staging graph onto it.
5. **Verify the targets**: triple counts, and competency queries run at the store (over the ontology and data
   graphs) compared with the embedded engine's answers. A mismatch is an error.
6. **Keep or restore**: when verified, drop the ``previous`` graphs; on any failure after the swap, move the
   previous versions back in one request, check their counts, and report.

Loading twice gives the same store (the same graphs with the same triples). :func:`unload` drops the project's
graphs, their staging and previous graphs, and nothing else.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from jpmg.dataset import GRAPH_IRIS, KnowledgeGraph
from jpmg.engine import QueryResult
from jpmg.publish.description import DESCRIPTION_GRAPH_IRI, dataset_description
from jpmg.stores.endpoints import Endpoints
from jpmg.stores.errors import StoreError
from jpmg.stores.http import HttpClient
from jpmg.stores.progress import ProgressBar
from jpmg.stores.sparql import SparqlClient
from jpmg.terms import to_oxigraph
from jpmg.validation import validate

DEFAULT_CHUNK_SIZE = 50_000
STAGING_SUFFIX = "/staging"
PREVIOUS_SUFFIX = "/previous"
Triple = tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]


@dataclass(frozen=True)
class GraphPart:
    """One named graph to load: its name, its IRI in the store, and its triples."""

    name: str
    iri: str
    graph: Graph

    @property
    def staging(self) -> str:
        return self.iri + STAGING_SUFFIX

    @property
    def previous(self) -> str:
        return self.iri + PREVIOUS_SUFFIX


#: Every graph the project loads: the dataset's parts (ontology, shapes, data) and its VoID/DCAT description.
STORE_GRAPH_IRIS = {**GRAPH_IRIS, "description": DESCRIPTION_GRAPH_IRI}


def project_parts(kg: KnowledgeGraph) -> list[GraphPart]:
    """The project's named graphs, in the order of :data:`STORE_GRAPH_IRIS`."""
    dataset = kg.as_rdf_dataset()
    parts = [GraphPart(name, str(iri), dataset.graph(iri)) for name, iri in GRAPH_IRIS.items()]
    parts.append(GraphPart("description", str(DESCRIPTION_GRAPH_IRI), dataset_description(kg)))
    return parts


def project_graph_iris() -> list[str]:
    """Every graph the project may own in a store: each loaded graph, its staging and its previous graph."""
    return [
        iri
        for base in map(str, STORE_GRAPH_IRIS.values())
        for iri in (base, base + STAGING_SUFFIX, base + PREVIOUS_SUFFIX)
    ]


# -- chunks ------------------------------------------------------------------------------------------------------


def chunk_triples(graph: Graph, chunk_size: int) -> list[list[Triple]]:
    """The graph's triples in chunks of at most ``chunk_size``, each blank-node-connected group in one chunk.

    A group larger than ``chunk_size`` becomes a chunk of its own (the only way to keep its blank nodes).
    """
    if chunk_size < 1:
        raise StoreError(f"--chunk-size must be at least 1, not {chunk_size}")
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    triples: list[Triple] = list(graph)  # type: ignore[arg-type]
    for s, _, o in triples:
        nodes = [t for t in (s, o) if isinstance(t, BNode)]
        for node in nodes:
            parent.setdefault(node, node)
        if len(nodes) == 2:
            a, b = find(nodes[0]), find(nodes[1])
            if a != b:
                parent[a] = b
    groups: dict[BNode, list[Triple]] = defaultdict(list)
    ground: list[Triple] = []
    for triple in triples:
        node = triple[0] if isinstance(triple[0], BNode) else triple[2] if isinstance(triple[2], BNode) else None
        if node is None:
            ground.append(triple)
        else:
            groups[find(node)].append(triple)
    chunks: list[list[Triple]] = []
    current: list[Triple] = []
    for group in [*groups.values(), *([t] for t in ground)]:
        if current and len(current) + len(group) > chunk_size:
            chunks.append(current)
            current = []
        current.extend(group)
    if current:
        chunks.append(current)
    return chunks


def to_ntriples(triples: Iterable[Triple]) -> bytes:
    """The triples as an N-Triples document (blank nodes relabelled b0, b1, ... within it)."""
    labels: dict[BNode, ox.BlankNode] = {}
    converted = [
        ox.Triple(
            to_oxigraph(s, labels),
            to_oxigraph(p, labels),  # type: ignore[arg-type]
            to_oxigraph(o, labels),
        )
        for s, p, o in triples
    ]
    return ox.serialize(converted, format=ox.RdfFormat.N_TRIPLES) or b""


# -- validation first --------------------------------------------------------------------------------------------


class NotValid(Exception):
    """The dataset has SHACL or vocabulary violations: nothing may be sent (unless forced)."""

    def __init__(self, violations: int) -> None:
        super().__init__(
            f"the dataset does not validate ({violations} violations); nothing was sent "
            "(run 'jpmg validate' to see them; --force loads anyway)"
        )
        self.violations = violations


def check_dataset(force: bool = False, warn: Callable[[str], None] | None = None) -> None:
    """Validate the project's files with :func:`jpmg.validation.validate`; raise NotValid on violations.

    With ``force`` the violations are reported through ``warn``, loudly, and the load goes on.
    """
    from jpmg.findings import Severity

    report = validate()
    if report.conforms():
        return
    violations = report.count(Severity.VIOLATION)
    if not force:
        raise NotValid(violations)
    if warn is not None:
        warn(
            f"WARNING: --force: the dataset has {violations} VIOLATIONS and is loaded ANYWAY: the store will "
            "hold data that does not conform to the project's shapes"
        )


# -- checks against the embedded engine --------------------------------------------------------------------------


@dataclass
class QueryCheck:
    """A competency query and the embedded engine's answer, to compare with the store's after the swap."""

    name: str
    expected: QueryResult


def embedded_checks(
    kg: KnowledgeGraph, limit: int | None = None, warn: Callable[[str], None] | None = None
) -> list[QueryCheck]:
    """The embedded engine's answers to the competency queries (the first ``limit`` by name; all when None).

    A query the embedded engine cannot answer is skipped with a warning: there is nothing to compare it with.
    """
    from jpmg.engine import make_engine
    from jpmg.queries import list_queries, run_query

    if limit == 0:
        return []
    engine = make_engine(kg.data_with_ontology())
    checks = []
    for query in list_queries()[:limit]:
        try:
            checks.append(QueryCheck(query.name, run_query(query.name, engine)))
        except Exception as error:
            if warn:
                warn(
                    f"query {query.name!r} is not checked after loading: the embedded engine fails on it "
                    f"({type(error).__name__}: {error})"
                )
    return checks


# -- the load ----------------------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load did."""

    counts: dict[str, int]
    chunks: int
    seconds: float
    queries_checked: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else 0.0


class Loader:
    """Loads graph parts into one store, atomically and verified (see the module's documentation)."""

    def __init__(
        self,
        endpoints: Endpoints,
        client: HttpClient,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: bool = False,
        err: TextIO | None = None,
        bulk_staging: bool | None = None,
    ) -> None:
        self.endpoints = endpoints
        self.http = client
        self.sparql = SparqlClient(client, endpoints.query, endpoints.update)
        self.chunk_size = chunk_size
        self.progress = progress
        self.err = err if err is not None else sys.stderr
        #: Upload the chunks with Oxigraph's non-transactional bulk loader (see :meth:`_upload`); by default for
        #: ``--kind oxigraph`` (through its Graph Store Protocol) only.
        self.bulk_staging = (
            endpoints.kind == "oxigraph" and endpoints.gsp is not None if bulk_staging is None else bulk_staging
        )

    def preflight(self) -> None:
        """One harmless write (dropping the project's stale staging graphs): the endpoints exist, the store is up
        and the credentials may write, before the slow local work starts. Sends no data."""
        staging = [iri for iri in project_graph_iris() if iri.endswith(STAGING_SUFFIX)]
        self.sparql.update(
            " ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in staging),
            "check of the store (removal of stale staging graphs)",
        )

    def say(self, line: str) -> None:
        print(f"jpmg load: {line}", file=self.err, flush=True)

    # -- planning -------------------------------------------------------------------------------------------------

    def method(self) -> str:
        if self.endpoints.gsp:
            return "Graph Store Protocol POST of N-Triples" + (
                " (Oxigraph's non-transactional bulk load, into the staging graphs only)" if self.bulk_staging else ""
            )
        return "SPARQL Update INSERT DATA (INSERT ... WHERE {} for chunks with blank nodes)"

    def plan(self, parts: Sequence[GraphPart], checks: int) -> list[str]:
        """What a load would send, for --dry-run."""
        lines = [
            f"store: {self.endpoints.kind}",
            *self.endpoints.describe(),
            f"credentials: {self._who()}",
            f"upload: {self.method()}, chunks of at most {self.chunk_size:,} triples (blank-node groups kept whole)",
        ]
        total_chunks = 0
        for part in parts:
            chunks = chunk_triples(part.graph, self.chunk_size) if len(part.graph) else []
            total_chunks += len(chunks)
            lines.append(
                f"graph <{part.iri}> ({part.name}): {len(part.graph):,} triples in {len(chunks)} "
                f"chunk{'s' if len(chunks) != 1 else ''}, staged in <{part.staging}>"
            )
        lines += [
            f"total: {sum(len(p.graph) for p in parts):,} triples in {total_chunks} chunks",
            "then: verify the staging counts; swap in one SPARQL Update (the current versions copied to "
            "<graph>/previous); verify the counts and "
            f"{checks} competency quer{'y' if checks == 1 else 'ies'}; drop the previous versions",
        ]
        return lines

    def _who(self) -> str:
        credentials = self.http.credentials
        if credentials is None:
            return "anonymous"
        return f"user {credentials.user!r} (password from {credentials.source})"

    # -- loading --------------------------------------------------------------------------------------------------

    def load(
        self, parts: Sequence[GraphPart], checks: Sequence[QueryCheck] = (), query_graphs: Sequence[str] = ()
    ) -> LoadReport:
        """Load every part; verify; keep the new version or restore the previous one. Raises StoreError."""
        started = time.perf_counter()
        plans = [(part, chunk_triples(part.graph, self.chunk_size) if len(part.graph) else []) for part in parts]
        # The first request writes: wrong credentials fail here, before anything else is sent.
        self.sparql.update(
            " ;\n".join(f"DROP SILENT GRAPH <{part.staging}>" for part in parts),
            "removal of stale staging graphs",
        )
        before = {part.name: self.sparql.count(part.iri) for part in parts}
        leftover = {part.name: self.sparql.count(part.previous) for part in parts}
        self._stage(plans)
        fallback = self._swap(parts, before, leftover)
        try:
            self._verify_targets(parts, checks, query_graphs)
        except BaseException as error:
            note = self._restore(parts, fallback)
            if isinstance(error, StoreError):
                raise StoreError(f"{error.message}; {note}", error.hint) from None
            raise
        try:
            self.sparql.update(
                " ;\n".join(f"DROP SILENT GRAPH <{part.previous}>" for part in parts),
                "removal of the previous versions",
            )
        except StoreError as error:
            self.say(
                f"warning: the new version is in place and verified, but the previous versions could not be "
                f"removed ({error}); the next load or 'jpmg unload' removes them"
            )
        return LoadReport(
            {part.name: len(part.graph) for part in parts},
            sum(len(c) for _, c in plans),
            time.perf_counter() - started,
            [check.name for check in checks],
        )

    def _stage(self, plans: Sequence[tuple[GraphPart, list[list[Triple]]]]) -> None:
        total = sum(len(part.graph) for part, _ in plans)
        bar = ProgressBar(total, "triples", enabled=self.progress, stream=self.err)
        try:
            for part, chunks in plans:
                for number, chunk in enumerate(chunks, 1):
                    self._upload(part, chunk, f"upload of chunk {number}/{len(chunks)} of the {part.name} graph")
                    bar.advance(len(chunk))
            bar.close()
            for part, _ in plans:
                staged = self.sparql.count(part.staging)
                if staged != len(part.graph):
                    raise StoreError(
                        f"the staging graph <{part.staging}> holds {staged:,} triples, not {len(part.graph):,}",
                        "the store changed or dropped triples while loading",
                    )
        except BaseException as error:
            bar.close()
            note = "nothing was replaced: the target graphs are untouched"
            try:
                self.sparql.update(
                    " ;\n".join(f"DROP SILENT GRAPH <{part.staging}>" for part, _ in plans),
                    "removal of the staging graphs",
                )
            except StoreError:
                note += "; the staging graphs are left behind (the next load removes them)"
            note += "; to resume, run the same command again once the cause is fixed"
            if isinstance(error, StoreError):
                raise StoreError(f"{error.message}; {note}", error.hint) from None
            self.say(note)
            raise

    def _upload(self, part: GraphPart, chunk: list[Triple], purpose: str) -> None:
        body = to_ntriples(chunk)
        if self.endpoints.gsp:
            url = self.endpoints.graph_url(part.staging)
            if self.bulk_staging:
                # Oxigraph's bulk loader (`POST /store?graph=IRI&no_transaction`; the uploads of 1e5 triples take a
                # third of the time of transactional ones) is not atomic: a request that fails may leave part of its
                # chunk behind. That is safe here because it only ever writes into the scratch staging graph, which
                # nobody queries, whose count is checked before the swap, and which every failure drops (the next
                # load drops what a crash left): the graphs users query still change only by the one-request swap.
                url += "&no_transaction"
            self.http.request(
                "POST",
                url,
                body=body,
                headers={"Content-Type": "application/n-triples"},
                purpose=purpose,
            )
        elif any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in chunk):
            # Virtuoso refuses blank nodes in INSERT DATA (SPARQL 1.1 allows them); a template with an empty WHERE
            # inserts the same triples, its blank nodes fresh and shared within this one request, on every store.
            text = body.decode("utf-8")
            self.sparql.update(f"INSERT {{ GRAPH <{part.staging}> {{\n{text}}} }} WHERE {{}}", purpose)
        else:
            text = body.decode("utf-8")
            self.sparql.update(f"INSERT DATA {{ GRAPH <{part.staging}> {{\n{text}}} }}", purpose)

    def _swap(self, parts: Sequence[GraphPart], before: dict[str, int], leftover: dict[str, int]) -> dict[str, int]:
        """Swap the staging graphs in with one request; return, per part, the count its fallback should have."""
        operations: list[str] = []
        fallback: dict[str, int] = {}
        for part in parts:
            if before[part.name] == 0 and leftover[part.name] > 0:
                # An interrupted load left a previous version and no current one: that is the version to keep.
                self.say(
                    f"<{part.previous}> is left from an interrupted load and <{part.iri}> is empty: keeping "
                    "it as the fallback until this load is verified"
                )
                fallback[part.name] = leftover[part.name]
            else:
                operations += [
                    f"DROP SILENT GRAPH <{part.previous}>",
                    f"COPY SILENT <{part.iri}> TO <{part.previous}>",
                ]
                fallback[part.name] = before[part.name]
            if len(part.graph):
                operations.append(f"MOVE <{part.staging}> TO <{part.iri}>")
            else:
                operations.append(f"DROP SILENT GRAPH <{part.iri}>")
        try:
            self.sparql.update(" ;\n".join(operations), "swap of the staging graphs into place")
        except BaseException as error:
            note = self._restore(parts, fallback)
            if isinstance(error, StoreError):
                raise StoreError(
                    f"{error.message} (the swap may or may not have been applied); {note}", error.hint
                ) from None
            raise
        return fallback

    def _verify_targets(
        self, parts: Sequence[GraphPart], checks: Sequence[QueryCheck], query_graphs: Sequence[str]
    ) -> None:
        from jpmg.stores.remote_query import compare_query_results, run_remote_query

        for part in parts:
            loaded = self.sparql.count(part.iri)
            if loaded != len(part.graph):
                raise StoreError(
                    f"after the swap <{part.iri}> holds {loaded:,} triples, not {len(part.graph):,}",
                    "the store did not apply the swap as one request",
                )
        for check in checks:
            answer = run_remote_query(check.name, self.sparql, default_graphs=query_graphs)
            problems = compare_query_results(check.name, check.expected, answer)
            if problems:
                raise StoreError(
                    f"the store answers the competency query {check.name!r} differently from the "
                    f"embedded engine: {'; '.join(problems)}",
                    "the store rewrote or dropped values (e.g. ill-typed literals); compare "
                    "'jpmg query NAME' with and without --endpoint",
                )

    def _restore(self, parts: Sequence[GraphPart], fallback: dict[str, int]) -> str:
        """Put the previous versions back in one request; return a note saying what happened."""
        try:
            operations: list[str] = []
            for part in parts:
                expected = fallback[part.name]
                if expected == 0:
                    operations.append(f"DROP SILENT GRAPH <{part.iri}>")
                    continue
                kept = self.sparql.count(part.previous)
                if kept == expected:
                    operations.append(f"MOVE <{part.previous}> TO <{part.iri}>")
                elif self.sparql.count(part.iri) != expected:
                    return (
                        f"RESTORE FAILED: <{part.previous}> holds {kept:,} triples, not {expected:,}; "
                        f"<{part.iri}> may be incomplete: reload"
                    )
            operations += [f"DROP SILENT GRAPH <{part.staging}>" for part in parts]
            self.sparql.update(" ;\n".join(operations), "restore of the previous versions")
            for part in parts:
                now = self.sparql.count(part.iri)
                if now != fallback[part.name]:
                    return (
                        f"RESTORE FAILED: <{part.iri}> holds {now:,} triples after the restore, not "
                        f"{fallback[part.name]:,}: reload"
                    )
        except StoreError as error:
            return (
                f"RESTORE FAILED ({error}): the store may hold the new version, and keeps the previous one in "
                f"<graph>{PREVIOUS_SUFFIX}; to resume, once the store answers again, run the same command with "
                "--rollback to put the previous versions back, or without it to load this version again"
            )
        return "the previous versions were restored; to resume, run the same command again once the cause is fixed"

    def rollback(self) -> dict[str, int]:
        """Put back the previous versions that an interrupted load left in ``<graph>/previous`` (a failure after the
        swap whose restore could not run, e.g. the store went down), and drop staging graphs left behind.

        A graph without a previous version is left as it is: the load that was interrupted never swapped it. Returns
        the triples put back, by graph IRI; raises StoreError when the store does not end as expected."""
        moved: dict[str, int] = {}
        operations: list[str] = []
        for iri in map(str, STORE_GRAPH_IRIS.values()):
            kept = self.sparql.count(iri + PREVIOUS_SUFFIX)
            if kept:
                operations.append(f"MOVE <{iri + PREVIOUS_SUFFIX}> TO <{iri}>")
                moved[iri] = kept
        operations += [f"DROP SILENT GRAPH <{iri}{STAGING_SUFFIX}>" for iri in map(str, STORE_GRAPH_IRIS.values())]
        self.sparql.update(" ;\n".join(operations), "roll-back to the previous versions")
        for iri, count in moved.items():
            now = self.sparql.count(iri)
            if now != count:
                raise StoreError(
                    f"after the roll-back <{iri}> holds {now:,} triples, not {count:,}", "see the store's log"
                )
        return moved


def unload(endpoints: Endpoints, client: HttpClient) -> dict[str, int]:
    """Drop the project's graphs (each graph, its staging and previous graph) in one request.

    Returns the number of triples each graph held. Graphs that are not the project's are not touched.
    """
    sparql = SparqlClient(client, endpoints.query, endpoints.update)
    graphs = project_graph_iris()
    counts = {iri: sparql.count(iri) for iri in graphs}
    sparql.update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in graphs), "removal of the project's graphs")
    left = [iri for iri in graphs if sparql.count(iri)]
    if left:
        raise StoreError(
            f"after the removal the store still holds {', '.join(f'<{i}>' for i in left)}",
            "see the store's log",
        )
    return counts
