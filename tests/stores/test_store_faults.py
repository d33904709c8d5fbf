"""Failures in the middle of a load leave the store as it was: a malformed chunk, a killed server, a verification
that fails after the swap, transient errors (retried) and permanent ones (clear messages)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from servers import proxy
from storetools import Store, project_counts, snapshot

from jpmg.dataset import load_dataset
from jpmg.engine import QueryResult
from jpmg.stores import StoreError
from jpmg.stores import loader as store_loader
from jpmg.stores.endpoints import resolve_endpoints
from jpmg.stores.loader import Loader, QueryCheck, project_parts
from jpmg.stores.remote_query import query_graphs

Cli = Callable[..., tuple[int, str, str]]
SMALL_CHUNKS = 1_500


def _loader(store: Store, **client_options: object) -> Loader:
    return Loader(store.endpoints, store.client(**client_options), chunk_size=SMALL_CHUNKS, err=io.StringIO())


def _no_leftovers(store: Store) -> None:
    counts = project_counts(store)
    assert not any(n for iri, n in counts.items() if iri.endswith(("/staging", "/previous"))), counts


def test_malformed_chunk_leaves_the_target_untouched(loaded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(loaded)
    real = store_loader.to_ntriples
    calls = []

    def corrupt_second_chunk(triples):
        calls.append(1)
        body = real(triples)
        if len(calls) == 2:  # half of it good, then a line no parser accepts
            lines = body.split(b"\n")
            middle = len(lines) // 2
            body = b"\n".join(
                [
                    *lines[:middle],
                    b'<http://example.org/x> <http://example.org/y> "unterminated .',
                    *lines[middle:],
                ]
            )
        return body

    monkeypatch.setattr(store_loader, "to_ntriples", corrupt_second_chunk)
    parts = project_parts(load_dataset())
    with pytest.raises(StoreError) as failure:
        _loader(loaded).load(parts)
    assert "nothing was replaced" in str(failure.value)
    assert snapshot(loaded) == before
    _no_leftovers(loaded)


def test_server_killed_mid_load_leaves_the_target_untouched(loaded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The state to compare with must survive the kill: Virtuoso loses triples of a load that is only in its
    # transaction log (when the project was loaded over an earlier version of it: see VirtuosoServer.checkpoint).
    loaded.server.checkpoint()
    before = snapshot(loaded)
    real = store_loader.to_ntriples
    calls = []

    def kill_before_third_chunk(triples):
        calls.append(1)
        if len(calls) == 3:
            loaded.server.kill()
        return real(triples)

    monkeypatch.setattr(store_loader, "to_ntriples", kill_before_third_chunk)
    parts = project_parts(load_dataset())
    retries: list[str] = []
    loader = _loader(loaded, retries=2, backoff=0.1, log=retries.append)
    try:
        with pytest.raises(StoreError) as failure:
            loader.load(parts)
    finally:
        loaded.server.start()  # same port, same data folder: the store recovers what it had committed
    message = str(failure.value)
    assert "lost the connection" in message and "nothing was replaced" in message
    assert "staging graphs are left behind" in message  # the server was down when they were to be dropped
    assert retries and all("connection refused" in line for line in retries)  # refused after contact: retried
    after = snapshot(loaded)
    for iri in map(str, store_loader.STORE_GRAPH_IRIS.values()):
        assert after[iri] == before[iri], iri
    # The staging graphs may survive the crash; the next load removes them and succeeds.
    monkeypatch.setattr(store_loader, "to_ntriples", real)
    _loader(loaded).load(parts)
    assert snapshot(loaded) == before
    _no_leftovers(loaded)


def test_failed_verification_after_the_swap_restores_the_previous_version(loaded: Store) -> None:
    before = snapshot(loaded)
    kg = load_dataset()
    parts = project_parts(kg)
    # An expected answer that the store cannot give: what a store that rewrote values would cause.
    wrong = QueryCheck("jpmg-sessions", QueryResult(["session"], []))
    with pytest.raises(StoreError) as failure:
        _loader(loaded).load(parts, [wrong], query_graphs())
    assert "the previous versions were restored" in str(failure.value)
    assert snapshot(loaded) == before
    _no_leftovers(loaded)


def test_transient_errors_are_retried(oxigraph, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(oxigraph)
    parts = project_parts(load_dataset())
    with proxy(store.url) as (url, state):
        state.faults = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", 503, "reset", 502]
        log: list[str] = []
        client = store.client(retries=4, backoff=0.01, log=log.append)
        Loader(resolve_endpoints(url, "oxigraph"), client, chunk_size=SMALL_CHUNKS, err=io.StringIO()).load(parts)
    assert any("HTTP 503" in line for line in log)
    assert any("HTTP 502" in line for line in log)
    assert len(log) == 3


def test_persistent_503_fails_with_a_hint(oxigraph) -> None:
    store = Store(oxigraph)
    with proxy(store.url) as (url, state):
        state.faults = [503] * 10
        client = store.client(retries=2, backoff=0.01)
        with pytest.raises(StoreError) as failure:
            Loader(resolve_endpoints(url, "oxigraph"), client).preflight()
    assert "unavailable (HTTP 503)" in str(failure.value) and "3 attempts" in str(failure.value)


def test_chunk_too_big_says_lower_the_chunk_size(oxigraph, jpmg: Cli) -> None:
    store = Store(oxigraph)
    with proxy(store.url) as (url, state):
        # preflight, stale staging drop, 3 counts before, 3 previous counts, then the first upload
        state.faults = ["ok"] * 8 + [413]
        code, _, err = jpmg("load", url, "--kind", "oxigraph", "--retries", "0")
    assert code == 2
    assert "too big" in err and "--chunk-size" in err


def test_wrong_endpoint_says_check_the_kind(oxigraph, jpmg: Cli) -> None:
    code, _, err = jpmg("load", oxigraph.url, "--kind", "virtuoso", "--retries", "0")
    assert code == 2
    assert "404" in err and "--kind" in err
