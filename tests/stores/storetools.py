"""What the store tests share besides fixtures: the store under test, snapshots of what it holds, switches."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest
from servers import Server

from jpmg.stores import loader as store_loader
from jpmg.stores.endpoints import Endpoints, resolve_endpoints
from jpmg.stores.http import HttpClient
from jpmg.stores.sparql import SparqlClient
from jpmg.terms import to_oxigraph

IN_CI = os.environ.get("CI", "").lower() == "true"
# Two switches for developing the store tools while the dataset and the queries are being edited (CI sets
# neither): JPMG_STORE_TESTS_FORCE=1 loads with --force when the dataset does not validate, and
# JPMG_STORE_TESTS_SKIP_QUERIES=a,b leaves the named competency queries out of the comparisons.
FORCE = os.environ.get("JPMG_STORE_TESTS_FORCE") == "1"
SKIP_QUERIES = frozenset(filter(None, os.environ.get("JPMG_STORE_TESTS_SKIP_QUERIES", "").split(",")))


@dataclass
class Store:
    """A store under test, and how to talk to it (as the CLI and as the library)."""

    server: Server
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.server.kind

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def endpoints(self) -> Endpoints:
        return resolve_endpoints(self.url, self.kind)

    def client(self, **options: object) -> HttpClient:
        from jpmg.stores.credentials import Credentials

        credentials = Credentials(self.user, self.password) if self.user and self.password else None
        options.setdefault("timeout", 30.0)
        options.setdefault("retries", 1)
        options.setdefault("backoff", 0.1)
        return HttpClient(credentials, **options)  # type: ignore[arg-type]

    def sparql(self) -> SparqlClient:
        return SparqlClient(self.client(), self.endpoints.query, self.endpoints.update)

    def env(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Put the credentials where the CLI reads them."""
        if self.user:
            monkeypatch.setenv("JPMG_STORE_USER", self.user)
            monkeypatch.setenv("JPMG_STORE_PASSWORD", self.password or "")

    def cli_args(self) -> list[str]:
        return [self.url, "--kind", self.kind, "--timeout", "30", "--retries", "1"]


# -- what a store holds ----------------------------------------------------------------------------------------------


def graph_fingerprint(sparql: SparqlClient, graph: str) -> tuple[int, str]:
    """(triple count, SHA-256 of the graph's sorted canonical N-Triples) of one graph in the store."""
    _, rows = sparql.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", purpose=f"fingerprint of <{graph}>"
    )
    dataset = ox.Dataset()
    labels: dict = {}
    for s, p, o in rows:
        dataset.add(ox.Quad(to_oxigraph(s, labels), to_oxigraph(p, labels), to_oxigraph(o, labels)))  # type: ignore[arg-type]
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    lines = sorted((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines())
    return len(rows), hashlib.sha256(b"\n".join(lines)).hexdigest()


def snapshot(store: Store) -> dict[str, tuple[int, str]]:
    """The fingerprint of every graph the project may own in the store (empty graphs included)."""
    sparql = store.sparql()
    return {iri: graph_fingerprint(sparql, iri) for iri in store_loader.project_graph_iris()}


def project_counts(store: Store) -> dict[str, int]:
    sparql = store.sparql()
    return {iri: sparql.count(iri) for iri in store_loader.project_graph_iris()}


_PARTS: list[list[store_loader.GraphPart]] = []
_PROJECT_PARTS = store_loader.project_parts  # the real one, before any test replaces it with the cache below


def cached_project_parts(kg=None) -> list[store_loader.GraphPart]:
    """The project's graphs, computed once per session (the dataset description takes seconds to compute, and the
    loader never changes the graphs it is given): monkeypatch ``store_loader.project_parts`` with this where many
    loads run."""
    if not _PARTS:
        from jpmg.dataset import load_dataset

        _PARTS.append(_PROJECT_PARTS(load_dataset()))
    return _PARTS[0]
