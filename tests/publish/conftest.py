"""Fixtures for the publishing tests: the model, one built site, and a live server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servetools import start_server, stop_server

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


@pytest.fixture(scope="session")
def server_url(site: Path) -> Iterator[str]:
    """A `jpmg serve` server on a free port of 127.0.0.1, stopped at the end of the session."""
    server, thread = start_server(site, Limits(timeout=20, max_rows=10_000, workers=2))
    try:
        yield server.url
    finally:
        stop_server(server, thread)
