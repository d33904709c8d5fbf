#!/usr/bin/env python3
"""Fuzz `jpmg serve`'s HTTP request handling with atheris (libFuzzer), in-process, coverage-guided.

    JPMG_FUZZ_SITE=SITE python tests/fuzz/fuzz_serve.py CORPUS_DIR -dict=tests/fuzz/http.dict -max_total_time=60

Each input is the raw bytes a client sends on one connection; ``serve_harness`` runs the server's handler on them
(with the site SITE, built by ``jpmg publish -o SITE``, and its SPARQL workers) and raises on a case the server does
not answer as it must (an escaped exception, a 5xx other than 503/504, a traceback, or a server that no longer
answers a normal request). libFuzzer then writes the input to ``crash-*`` (see ``-artifact_prefix``) and exits
non-zero. Without JPMG_FUZZ_SITE the site is built into a temporary folder first. Give CORPUS_DIR a copy of
``tests/fuzz/corpus``: libFuzzer adds the inputs it finds interesting to it. ``tests/publish/test_serve_fuzz.py``
runs this for a few seconds in CI; ``benchmarks/fuzz_serve.py`` for long runs.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports(include=["jpmg", "http.server", "serve_harness"]):
    import serve_harness

    import jpmg.publish.negotiation
    import jpmg.serve  # noqa: F401


def _site() -> Path:
    given = os.environ.get("JPMG_FUZZ_SITE")
    if given:
        return Path(given)
    from jpmg.publish.site import build_site

    folder = Path(tempfile.mkdtemp(prefix="jpmg-fuzz-"))
    atexit.register(shutil.rmtree, folder, True)
    build_site(folder / "site")
    return folder / "site"


HARNESS: serve_harness.Harness | None = None


def test_one_input(data: bytes) -> None:
    assert HARNESS is not None
    HARNESS.check(data)


def _report() -> None:
    if HARNESS is not None:
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(HARNESS.statuses.items()))
        print(f"fuzz_serve: {HARNESS.cases} cases; statuses answered: {statuses}", file=sys.stderr, flush=True)
        HARNESS.close()


def main() -> None:
    global HARNESS
    HARNESS = serve_harness.Harness(_site())
    atexit.register(_report)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
