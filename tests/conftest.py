"""Shared test helpers: writing small Turtle files and running the CLI in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jpmg.cli import main

PREFIXES = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix jpmg: <https://w3id.org/jpmg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/jpmg/id/> .
"""


@pytest.fixture
def turtle_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write ``body`` (after the standard prefixes) to a file called ``name`` and return its path."""

    def write(body: str, name: str = "data.ttl") -> Path:
        path = tmp_path / name
        path.write_text(PREFIXES + body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``jpmg ARGS...`` in-process; return (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
