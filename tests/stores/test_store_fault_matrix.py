"""Faults at every step of a load, of every kind, on both real stores: afterwards the store holds exactly the previous
version of every graph, and the command said what happened and how to resume.

The store first holds a *previous version* of the project that differs from the one being loaded (every graph has
one triple more), so that a graph that kept or got the new version is told apart. Then ``jpmg load`` runs through the
fault-injecting proxy of ``tests/servers.py``, which strikes at one step:

- **before the first chunk**: the first upload (the staging graphs are still empty);
- **mid-chunk**: the third upload, its connection cut half-way through the body for a reset;
- **during the swap**: the one SPARQL Update that moves the staging graphs into place;
- **during verification**: the first query after the swap;

with one kind of fault: the **server killed** (SIGKILL, restarted afterwards; the client sees its connections reset),
a **connection reset** (on the request and its retry), **HTTP 500**, **HTTP 401**, or a **timeout** (the store does
the work, the answer never comes). The fingerprints (sorted canonical N-Triples, SHA-256) of every graph the project
may own (each graph, its staging and its previous graph) must then equal those taken before, after the resume the
message gives where the store went down (``--rollback``). ``test_store_faults.py`` covers the rest (malformed chunks,
retried transient errors, hints for 413 and 404).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from servers import ProxyState, Request, Rule, proxy
from storetools import Store, cached_project_parts, snapshot

from jpmg.stores import loader as store_loader
from jpmg.stores.loader import GraphPart, Loader

Cli = Callable[..., tuple[int, str, str]]
STEPS = ("before-first-chunk", "mid-chunk", "swap", "verification")
KINDS = ("killed", "reset", "http-500", "http-401", "timeout")
CHUNK = 1_500
TIMEOUT = 3.0
MARKER = URIRef("urn:x-jpmg-test:previous-version")
TARGETS = [str(iri) for iri in store_loader.STORE_GRAPH_IRIS.values()]


@pytest.fixture(autouse=True)
def _parts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_loader, "project_parts", cached_project_parts)


def previous_parts() -> list[GraphPart]:
    """The project's graphs, each with one triple more: the version the store holds before the faulty load."""
    parts = []
    for part in cached_project_parts():
        graph = part.graph.__class__()
        graph += part.graph
        graph.add((MARKER, RDFS.comment, Literal(f"the previous version of the {part.name} graph")))
        parts.append(GraphPart(part.name, part.iri, graph))
    return parts


_BEFORE: dict[str, dict[str, tuple[int, str]]] = {}
_INTACT: set[str] = set()  # the stores whose last case ended with the previous version checked in place
_TOUCHED: dict[str, Store] = {}


@pytest.fixture(scope="module", autouse=True)
def _project_version_afterwards() -> Iterator[None]:
    """The other store tests expect the store to hold the project (or nothing): put it back at the end."""
    yield
    for store in _TOUCHED.values():
        loader = Loader(store.endpoints, store.client(), chunk_size=50_000, err=io.StringIO())
        loader.rollback()
        loader.load(cached_project_parts())


def holding_the_previous_version(store: Store) -> dict[str, tuple[int, str]]:
    """Load the previous version unless the store still holds it; return its snapshot."""
    _TOUCHED[store.kind] = store
    known = _BEFORE.get(store.kind)
    if known is not None and store.kind in _INTACT:
        _INTACT.discard(store.kind)  # until this case has checked it again
        return known
    loader = Loader(store.endpoints, store.client(), chunk_size=50_000, err=io.StringIO())
    loader.rollback()  # whatever an earlier failed case left
    loader.load(previous_parts())
    _BEFORE[store.kind] = snapshot(store)
    return _BEFORE[store.kind]


def intact(store: Store, before: dict[str, tuple[int, str]]) -> None:
    assert snapshot(store) == before
    _INTACT.add(store.kind)


def _is_upload(request: Request) -> bool:
    return request.method == "POST" and "graph=" in request.path


def at_step(step: str) -> Callable[[Request, ProxyState], bool]:
    """The request a step names; once picked, its retries are the same request."""
    picked: list[tuple[str, str, bytes]] = []

    def matches(request: Request, state: ProxyState) -> bool:
        key = (request.method, request.path, request.body)
        if picked:
            return key == picked[0]
        uploads = {(r.path, r.body) for r in state.seen if _is_upload(r)}
        swapped = any("MOVE <" in r.sparql for r in state.seen)
        hit = {
            "before-first-chunk": _is_upload(request) and not uploads,
            "mid-chunk": _is_upload(request) and len(uploads) == 2,
            "swap": "MOVE <" in request.sparql,
            "verification": swapped and request.sparql.lstrip().upper().startswith("SELECT"),
        }[step]
        if hit:
            picked.append(key)
        return hit

    return matches


def rule(step: str, kind: str) -> Rule:
    action: object = {"killed": "kill", "reset": "reset", "http-500": 500, "http-401": 401, "timeout": "timeout"}[kind]
    # a reset is transient: the client retries once (--retries 1), and the retry meets the same fault
    return Rule(at_step(step), action, times=2 if kind == "reset" else 1, hang=TIMEOUT + 3)


WHAT_HAPPENED = {
    "killed": "lost the connection",
    "reset": "lost the connection",
    "http-500": "(HTTP 500)",
    "http-401": "(HTTP 401)",
    "timeout": f"no answer from http://127.0.0.1:PORT/ within {TIMEOUT:g} s",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("step", STEPS)
def test_a_fault_leaves_the_previous_version(
    store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch, step: str, kind: str
) -> None:
    store.env(monkeypatch)
    before = holding_the_previous_version(store)
    if kind == "killed":
        # What the kill leaves must be this version: Virtuoso loses triples of a swap or a restore that is only in
        # its transaction log (see VirtuosoServer.checkpoint), and earlier cases swapped and restored.
        store.server.checkpoint()
    with proxy(store.url) as (url, state):
        state.kill = store.server.kill
        state.rules.append(rule(step, kind))
        code, out, err = jpmg(
            "load",
            url,
            "--kind",
            store.kind,
            "--chunk-size",
            str(CHUNK),
            "--verify-queries",
            "0",
            "--retries",
            "1",
            "--timeout",
            str(TIMEOUT),
        )
        fired = state.rules[0].fired
    message = err.strip().splitlines()[-1]
    assert fired, f"the fault at {step} never struck: {[(r.method, r.path[:60]) for r in state.seen]}"
    assert code == 2, err
    assert message.startswith("jpmg load: error: "), err
    assert WHAT_HAPPENED[kind].replace("http://127.0.0.1:PORT/", url.rstrip("/") + "/") in message or (
        kind == "timeout" and "no answer from" in message
    ), message
    assert "Traceback" not in err and out == ""
    if store.password:
        assert store.password not in err
    if kind == "killed":
        # the store went down: the command could not clean up, and says how to resume once it is back
        assert "to resume" in message, message
        store.server.start()
        after_crash = snapshot(store)
        if step in ("before-first-chunk", "mid-chunk"):
            assert "nothing was replaced" in message
            assert {iri: after_crash[iri] for iri in TARGETS} == {iri: before[iri] for iri in TARGETS}
        else:
            assert "--rollback" in message
        code, out, err = jpmg("load", store.url, "--kind", store.kind, "--rollback", "--timeout", "30")
        assert code == 0, err
    else:
        assert "to resume, run the same command again" in message, message
        if step in ("before-first-chunk", "mid-chunk"):
            assert "nothing was replaced: the target graphs are untouched" in message
        else:
            assert "the previous versions were restored" in message
    intact(store, before)


def test_rollback_with_nothing_to_roll_back(store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    store.env(monkeypatch)
    before = holding_the_previous_version(store)
    code, out, err = jpmg("load", store.url, "--kind", store.kind, "--rollback")
    assert code == 0, err
    assert "nothing to roll back" in out
    intact(store, before)
    code, _, err = jpmg("load", store.url, "--kind", store.kind, "--rollback", "--dry-run")
    assert code == 2 and "do not go together" in err
