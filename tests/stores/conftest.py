"""Fixtures for the store tests: real Oxigraph and Virtuoso servers, the CLI run in-process, store snapshots.

The servers run for the whole session on 127.0.0.1, on free ports, with data folders under pytest's temporary
directory, and are stopped by pid at the end. Virtuoso needs the Debian package (``scripts/install-virtuoso.sh``):
where it is missing the Virtuoso tests skip, saying why, except in CI (``CI=true``), where they fail instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from servers import Server, VirtuosoServer, oxigraph_server, virtuoso_missing, virtuoso_server
from storetools import FORCE, IN_CI, SKIP_QUERIES, Store, project_counts

from jpmg.cli import main as store_main
from jpmg.stores import loader as store_loader

LEFTOVER_SUFFIXES = (store_loader.STAGING_SUFFIX, store_loader.PREVIOUS_SUFFIX)

# -- validation runs once ----------------------------------------------------------------------------------------

_VALIDATION: list[object] = []


@pytest.fixture(autouse=True)
def _validate_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation (about 15 s) is tested elsewhere; the loads here reuse one run's report."""
    real = store_loader.validate

    def cached(*args: object, **kwargs: object) -> object:
        if args or kwargs:
            return real(*args, **kwargs)
        if not _VALIDATION:
            _VALIDATION.append(real())
        return _VALIDATION[0]

    monkeypatch.setattr(store_loader, "validate", cached)
    if SKIP_QUERIES:
        real_checks = store_loader.embedded_checks
        monkeypatch.setattr(
            store_loader,
            "embedded_checks",
            lambda *a, **k: [check for check in real_checks(*a, **k) if check.name not in SKIP_QUERIES],
        )


@pytest.fixture(autouse=True)
def _no_stray_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The developer's own store credentials and ~/.netrc never leak into a test."""
    monkeypatch.delenv("JPMG_STORE_USER", raising=False)
    monkeypatch.delenv("JPMG_STORE_PASSWORD", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))


# -- the servers -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    missing = virtuoso_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"Virtuoso is required in CI: {missing}")
        pytest.skip(f"Virtuoso is not available here: {missing}")
    server = virtuoso_server(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.first_start()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Store:
    """Each store in turn."""
    server = request.getfixturevalue(request.param)
    if isinstance(server, VirtuosoServer):
        return Store(server, server.user, server.password)
    return Store(server)


# -- running the CLI ---------------------------------------------------------------------------------------------


@pytest.fixture
def jpmg(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``jpmg ARGS...`` in-process (the full command line with the store commands); (exit code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        argv = list(args)
        if FORCE and argv and argv[0] == "load" and "--force" not in argv:
            argv.append("--force")
        code = store_main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def loaded(store: Store, jpmg: Callable[..., tuple[int, str, str]], monkeypatch: pytest.MonkeyPatch) -> Store:
    """The store with the project loaded (loading it when it is not), and none of its staging or previous graphs."""
    store.env(monkeypatch)
    counts = project_counts(store)
    leftovers = [iri for iri, n in counts.items() if n and iri.endswith(LEFTOVER_SUFFIXES)]
    if leftovers:
        # Left by an earlier test that failed half-way or killed the server; the tests that use this fixture
        # compare snapshots of every graph the project may own, and the loader removes stale staging graphs.
        store.sparql().update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in leftovers), "removal of leftovers")
    if not all(counts[str(iri)] for iri in store_loader.STORE_GRAPH_IRIS.values()):
        # Without the query comparison: a query that one store answers differently fails its own test
        # (test_store_queries.py) instead of every test that needs the data loaded.
        code, _, err = jpmg("load", *store.cli_args(), "--verify-queries", "0")
        assert code == 0, err
    return store
