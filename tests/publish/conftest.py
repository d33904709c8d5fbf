"""Fixtures for the publishing tests: the model, one built site, and a live server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from jpmg.publish.endpoint import Limits
from jpmg.publish.model import SiteModel
from jpmg.publish.site import build_site


@pytest.fixture(scope="session")
def model() -> SiteModel:
    return SiteModel.load()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, model: SiteModel) -> Path:
    """The site, built once for the whole session."""
    output = tmp_path_factory.mktemp("published") / "site"
    build_site(output, base_url="https://publisher.example/jpmg/", model=model)
    return output


def start_server(site: Path, limits: Limits):
    from jpmg.serve import make_server

    server = make_server(site, 0, limits, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop_server(server, thread) -> None:
    server.shutdown()
    server.server_close()
    if server.service is not None:
        server.service.close()
    thread.join(5)


@pytest.fixture(scope="session")
def server_url(site: Path) -> Iterator[str]:
    """A `jpmg serve` server on a free port of 127.0.0.1, stopped at the end of the session."""
    server, thread = start_server(site, Limits(timeout=20, max_rows=10_000, workers=2))
    try:
        yield server.url
    finally:
        stop_server(server, thread)
