"""Feed raw request bytes to `jpmg serve`'s request handler in-process, and judge the answer.

The handler (:class:`jpmg.serve.Handler`) is run on a stand-in socket that reads the fuzz case and records what the
handler writes, with a real site and real SPARQL worker processes behind it, exactly as the server runs it for one
connection (keep-alive and pipelined requests included). A case fails when

- an exception escapes the handler (the real server would drop the connection and log a traceback),
- an answer has a 5xx status other than 503 and 504 (a time-out or a busy or overloaded worker),
- an answer's bytes hold "Traceback",
- or, after the case, a normal request (``GET /``; every 25 cases a SPARQL query) no longer gets its 200.

Used by ``tests/fuzz/fuzz_serve.py`` (atheris), ``tests/publish/test_serve_fuzz.py`` (hypothesis, and a short
atheris run) and ``benchmarks/fuzz_serve.py`` (long runs).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from jpmg.publish.endpoint import Limits, QueryService
from jpmg.serve import Handler

#: The statuses in the 5xx range that are not faults: a query that ran out of time, a busy or overloaded worker.
ALLOWED_5XX = frozenset({503, 504})
_STATUS = re.compile(rb"(?:^|\n)HTTP/1\.[01] (\d{3})[ \r]")
NORMAL = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n"
NORMAL_SPARQL = (
    b"GET /sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Accept: application/sparql-results+json\r\n\r\n"
)


class FuzzFailure(AssertionError):
    """A case the server did not answer as it must."""


class _Socket:
    """Enough of a connected socket for :class:`socketserver.StreamRequestHandler`: reads the case, keeps what is
    written."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.sent = bytearray()

    def makefile(self, mode: str, buffering: int | None = None) -> io.BufferedReader:
        assert "r" in mode
        return io.BufferedReader(io.BytesIO(self._data))

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def settimeout(self, value: float | None) -> None:
        pass

    def setsockopt(self, *args: object) -> None:
        pass

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 0)

    def shutdown(self, how: int) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class _Server:
    """What the handler reads of its server: the site, the SPARQL service, quiet logging."""

    site: Path
    service: QueryService | None
    quiet: bool = True


@dataclass
class Harness:
    """A site and its SPARQL workers, and the counts of what ran."""

    site: Path
    limits: Limits = field(default_factory=lambda: Limits(timeout=2.0, max_rows=200, workers=1, max_memory_mb=1024))
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.site = Path(self.site).resolve()
        self.service = QueryService(self.site, self.limits)
        problem = self.service.start_problem()
        if problem:
            raise RuntimeError(f"the SPARQL worker cannot load {self.site}: {problem}")
        self.server = _Server(self.site, self.service)

    def close(self) -> None:
        self.service.close()

    def answer(self, data: bytes) -> bytes:
        """What the server writes back on one connection that sends ``data`` and then closes its side."""
        sock = _Socket(data)
        try:
            Handler(sock, ("127.0.0.1", 40000), self.server)
        except Exception as exc:
            raise FuzzFailure(f"an exception escaped the handler: {type(exc).__name__}: {exc}") from exc
        return bytes(sock.sent)

    def check(self, data: bytes) -> list[int]:
        """Run one case and the liveness check after it; return the statuses answered, or raise FuzzFailure."""
        self.cases += 1
        response = self.answer(data)
        statuses = [int(code) for code in _STATUS.findall(response)]
        for status in statuses:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status >= 500 and status not in ALLOWED_5XX:
                raise FuzzFailure(f"HTTP {status} for {data[:300]!r}: {response[:500]!r}")
        if b"Traceback" in response:
            raise FuzzFailure(f"a traceback in the answer to {data[:300]!r}")
        normal = self.answer(NORMAL)
        if not normal.startswith(b"HTTP/1.1 200 "):
            raise FuzzFailure(f"after {data[:300]!r}, GET / answered {normal[:200]!r}")
        if self.cases % 25 == 0:
            sparql = self.answer(NORMAL_SPARQL)
            if not sparql.startswith(b"HTTP/1.1 200 "):
                raise FuzzFailure(f"after {data[:300]!r}, the SPARQL endpoint answered {sparql[:300]!r}")
        return statuses


def seeds() -> list[bytes]:
    """The seed corpus: well-formed requests of every kind the server answers, for the fuzzer to mutate."""
    folder = Path(__file__).resolve().parent / "corpus"
    return [path.read_bytes() for path in sorted(folder.glob("*.http"))]
