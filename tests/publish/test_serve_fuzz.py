"""Fuzzing `jpmg serve`'s request handling: a short coverage-guided atheris run, and hypothesis-generated requests.

Both feed raw bytes to the server's handler through ``tests/fuzz/serve_harness.py``, which fails a case on an
escaped exception, a 5xx other than 503/504, a traceback in the answer, or a server that stops answering a normal
request. The long run is ``benchmarks/fuzz_serve.py``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "tests" / "fuzz"
IN_CI = os.environ.get("CI", "").lower() == "true"
ATHERIS_SECONDS = 12
HYPOTHESIS_EXAMPLES = 300


def _harness_module():
    spec = importlib.util.spec_from_file_location("serve_harness", FUZZ / "serve_harness.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("serve_harness", module)
    spec.loader.exec_module(module)
    return module


serve_harness = _harness_module()


@pytest.fixture(scope="module")
def harness(site: Path):
    harness = serve_harness.Harness(site)
    try:
        yield harness
    finally:
        harness.close()


# -- atheris -----------------------------------------------------------------------------------------------------


def test_atheris_short_run(site: Path, tmp_path: Path) -> None:
    if importlib.util.find_spec("atheris") is None:
        message = "atheris is not installed (pip install atheris: Linux wheels for CPython 3.10-3.13)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    corpus = tmp_path / "corpus"
    shutil.copytree(FUZZ / "corpus", corpus)
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    completed = subprocess.run(
        [
            sys.executable,
            str(FUZZ / "fuzz_serve.py"),
            str(corpus),
            f"-dict={FUZZ / 'http.dict'}",
            f"-max_total_time={ATHERIS_SECONDS}",
            f"-artifact_prefix={artifacts}/",
            "-seed=1",
            "-print_final_stats=1",
        ],
        env={**os.environ, "JPMG_FUZZ_SITE": str(site)},
        capture_output=True,
        text=True,
        timeout=ATHERIS_SECONDS + 120,
        stdin=subprocess.DEVNULL,
    )
    output = completed.stdout + completed.stderr
    crashes = sorted(p.name for p in artifacts.iterdir())
    assert completed.returncode == 0 and not crashes, f"{crashes}\n{output[-4000:]}"
    runs = re.search(r"Done (\d+) runs in", output)
    assert runs is not None, output[-2000:]
    print(f"atheris: {runs.group(1)} cases in {ATHERIS_SECONDS} s, no failure")
    assert int(runs.group(1)) >= 500


# -- hypothesis ----------------------------------------------------------------------------------------------------

_METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"])
_PATH_PIECES = st.sampled_from(
    [
        "/",
        "/sparql",
        "/id/session/jpmg-48",
        "/id/post/imod-director-general",
        "/ontology",
        "/dumps/jpmg.nq",
        "/.well-known/void",
        "/../",
        "%2e%2e%2f",
        "%252e%252e%252f",
        "..\\",
        "%00",
        "%ff%fe",
        "//",
        "?query=",
        "?update=DROP%20ALL",
        "&default-graph-uri=",
        "SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
        "http://[::1",
        "*",
    ]
)
_TARGETS = st.lists(st.one_of(_PATH_PIECES, st.text(max_size=40)), min_size=1, max_size=6).map("".join)
_HEADER_NAMES = st.sampled_from(
    ["Host", "Accept", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "X-Anything", ""]
)
_HEADER_VALUES = st.one_of(
    st.sampled_from(
        [
            "text/turtle;q=0.9, */*;q=0.1",
            "application/sparql-results+json",
            "application/sparql-query",
            "application/sparql-update",
            "application/x-www-form-urlencoded",
            "chunked",
            "close",
            "-1",
            "99999999999",
            "1e3",
            ";;;,,,q=2",
        ]
    ),
    st.text(max_size=80),
)
_BODIES = st.one_of(
    st.just(b""),
    st.sampled_from([b"query=ASK%7B%7D", b"ASK {}", b"update=DROP%20ALL", b"SELECT * WHERE { ?s ?p ?o }"]),
    st.binary(max_size=200),
)


@st.composite
def raw_requests(draw) -> bytes:
    """A request line, headers and a body, each well-formed or not."""
    method = draw(_METHODS)
    target = draw(_TARGETS)
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", ""]))
    line = " ".join(part for part in (method, target, version) if part)
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=8))
    body = draw(_BODIES)
    if draw(st.booleans()):
        headers.append(("Content-Length", str(len(body))))
    head = line + "\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    data = head.encode("utf-8", "surrogateescape") + body
    if draw(st.integers(0, 9)) == 0:  # now and then, a second request on the same connection
        data += b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    return data


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.one_of(raw_requests(), st.binary(max_size=300)))
def test_generated_requests_get_clean_answers(harness, data: bytes) -> None:
    harness.check(data)


def test_seed_requests_get_their_answers(harness) -> None:
    for data in serve_harness.seeds():
        statuses = harness.check(data)
        assert statuses and all(status < 500 for status in statuses), (data[:80], statuses)


def test_the_harness_catches_what_it_must(harness, monkeypatch: pytest.MonkeyPatch) -> None:
    from jpmg.serve import Handler

    real = Handler._static_or_document

    def broken(self, raw_path: str) -> None:
        if raw_path == "/boom":
            raise RuntimeError("a bug")
        real(self, raw_path)

    monkeypatch.setattr(Handler, "_static_or_document", broken)
    with pytest.raises(serve_harness.FuzzFailure, match="HTTP 500"):
        harness.check(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
    monkeypatch.setattr(Handler, "_static_or_document", real)
    harness.check(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
