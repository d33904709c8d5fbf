"""Loading into real stores: first load, reload, unload, dry run, wrong credentials, server down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from servers import free_port, proxy
from storetools import Store, project_counts, snapshot

from jpmg.dataset import load_dataset
from jpmg.stores.loader import PREVIOUS_SUFFIX, STAGING_SUFFIX, STORE_GRAPH_IRIS, project_graph_iris, project_parts

Cli = Callable[..., tuple[int, str, str]]
FOREIGN = "http://example.org/someone-elses-graph"


def _expected_counts() -> dict[str, int]:
    return {part.iri: len(part.graph) for part in project_parts(load_dataset())}


def test_first_load_then_reload_is_idempotent(store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    store.env(monkeypatch)
    code, _, err = jpmg("unload", *store.cli_args())
    assert code == 0, err

    code, out, err = jpmg("load", *store.cli_args())
    assert code == 0, err
    assert "loaded 4 graphs" in out and "verified" in out
    counts = project_counts(store)
    expected = _expected_counts()
    for iri, n in expected.items():
        assert counts[iri] == n, iri
        assert counts[iri + STAGING_SUFFIX] == 0 and counts[iri + PREVIOUS_SUFFIX] == 0
    first = snapshot(store)

    code, out, err = jpmg("load", *store.cli_args())
    assert code == 0, err
    assert snapshot(store) == first  # the same graphs with the same triples, and no staging or previous left


def test_unload_removes_only_the_projects_graphs(loaded: Store, jpmg: Cli) -> None:
    sparql = loaded.sparql()
    sparql.update(f'INSERT DATA {{ GRAPH <{FOREIGN}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}')
    try:
        code, out, err = jpmg("unload", *loaded.cli_args())
        assert code == 0, err
        assert "removed <https://w3id.org/jpmg/graph/data>" in out
        assert not any(project_counts(loaded).values())
        assert sparql.count(FOREIGN) == 1
        code, out, _ = jpmg("unload", *loaded.cli_args())
        assert code == 0 and "nothing to remove" in out
    finally:
        sparql.update(f"DROP SILENT GRAPH <{FOREIGN}>")


def test_dry_run_sends_nothing(store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    store.env(monkeypatch)
    before = snapshot(store)
    with proxy(store.url) as (url, seen):
        code, out, err = jpmg("load", url, "--kind", store.kind, "--dry-run")
    assert code == 0, err
    assert seen.requests == []
    assert "dry run: nothing is sent" in out
    for iri in STORE_GRAPH_IRIS.values():
        assert f"graph <{iri}>" in out
    assert "chunk" in out and "query endpoint:" in out
    assert snapshot(store) == before


def test_wrong_credentials_exit_2_without_the_password(
    store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "not-the-password-41"
    before = project_counts(store)
    if store.kind == "virtuoso":  # Digest authentication at /sparql-auth and /sparql-graph-crud-auth
        monkeypatch.setenv("JPMG_STORE_USER", store.user or "")
        monkeypatch.setenv("JPMG_STORE_PASSWORD", wrong)
        code, out, err = jpmg("load", *store.cli_args())
    else:  # Oxigraph has no authentication: a Basic-authenticating proxy stands in front of it
        with proxy(store.url, "jpmg", "right-password") as (url, _):
            monkeypatch.setenv("JPMG_STORE_USER", "jpmg")
            monkeypatch.setenv("JPMG_STORE_PASSWORD", wrong)
            code, out, err = jpmg("load", url, "--kind", store.kind, "--retries", "0")
    assert code == 2
    assert "401" in err and "credentials" in err and "JPMG_STORE_PASSWORD" in err
    assert len(err.strip().splitlines()) == 1
    assert wrong not in out + err
    assert project_counts(store) == before


def test_no_password_is_an_error_not_an_anonymous_load(
    store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = jpmg("load", *store.cli_args(), "--user", "jpmg")
    assert code == 2
    assert "no password for user 'jpmg'" in err and "JPMG_STORE_PASSWORD" in err


def test_server_down_is_exit_2_at_once(jpmg: Cli) -> None:
    port = free_port()  # nothing listens there
    code, out, err = jpmg("load", f"http://127.0.0.1:{port}", "--kind", "oxigraph", "--retries", "3")
    assert code == 2
    assert "connection refused" in err and "is the store running" in err
    assert "retrying" not in err  # refused at the start is permanent: no back-off
    assert out == ""


def test_unload_lists_every_project_graph() -> None:
    iris = project_graph_iris()
    assert len(iris) == 3 * len(STORE_GRAPH_IRIS) == 12
    assert all(iri.startswith("https://w3id.org/jpmg/graph/") for iri in iris)


def test_load_through_sparql_update(
    store: Store, jpmg: Cli, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Without the Graph Store Protocol: INSERT DATA, or INSERT ... WHERE {} for chunks with blank nodes."""
    if store.kind == "virtuoso":
        reason = (
            "Virtuoso 7.2.5 cannot take an xsd:duration literal through SPARQL Update (SQ200: No column P2DD); "
            "its Graph Store Protocol endpoint, the default for --kind virtuoso, can"
        )
        request.node.add_marker(pytest.mark.xfail(reason=reason, strict=True))
    store.env(monkeypatch)
    code, _, err = jpmg("load", *store.cli_args(), "--verify-queries", "0")
    assert code == 0, err
    by_gsp = snapshot(store)
    code, _, err = jpmg(
        "load", *store.cli_args(), "--verify-queries", "0", "--gsp-endpoint", "none", "--chunk-size", "400"
    )
    assert code == 0, err
    assert snapshot(store) == by_gsp
