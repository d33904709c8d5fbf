"""Load test of `jpmg serve`: many concurrent clients on 127.0.0.1, resource pages (with several Accept types) and
SPARQL queries mixed; throughput, p50/p99 latency and failed requests.

The server runs as its own process (``jpmg serve --site SITE``), the load comes from another: wrk (Debian's package,
``scripts/install-loadtest.sh``) with a Lua script that picks each request at random from the mix, or, without wrk,
a bounded Python client (threads, keep-alive connections). Everything stays on 127.0.0.1; the run stops by itself
after ``--duration`` seconds.

    .venv/bin/python benchmarks/load_serve.py                      # 60 s, 50 connections, the site built first
    .venv/bin/python benchmarks/load_serve.py --site site --duration 5 --connections 10 --client python
    .venv/bin/python benchmarks/load_serve.py --doc                 # and write the figures into docs/benchmarks.md

A request fails when it gets no answer (connection error, time-out) or a status other than 2xx or 3xx. The mix
(weights in brackets): resource IRIs negotiated to HTML, Turtle, JSON-LD, N-Triples and RDF/XML (303), the pages and
files they redirect to (200), the home page, and SPARQL: an ASK, a COUNT, a competency query by GET and by POST.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


@dataclass
class Result:
    client: str
    duration: float
    connections: int
    requests: int
    failed: int
    throughput: float
    p50_ms: float
    p99_ms: float
    detail: str = ""


# -- the mix ---------------------------------------------------------------------------------------------------------


def mix(site: Path | None) -> list[tuple[int, str, str, dict[str, str], str]]:
    """(weight, method, path, headers, body) of each kind of request."""
    resources = ["id/session/jpmg-48", "id/post/imod-director-general", "id/org/jpmg", "id/person/amir-eshel"]
    if site is not None:
        found = sorted(p.relative_to(site).as_posix()[: -len(".html")] for p in (site / "id").rglob("*.html"))
        if found:
            step = max(1, len(found) // 12)
            resources = found[::step][:12]
    sessions = (
        "SELECT ?session ?date WHERE { ?session a <https://w3id.org/jpmg/ontology#Session> ; "
        "<https://w3id.org/jpmg/ontology#date> ?date } ORDER BY ?date"
    )
    requests: list[tuple[int, str, str, dict[str, str], str]] = []
    accepts = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
    for path in resources:
        for accept in accepts:
            requests.append((2, "GET", "/" + path, {"Accept": accept}, ""))
        requests.append((3, "GET", f"/{path}.html", {"Accept": "text/html"}, ""))
        requests.append((2, "GET", f"/{path}.ttl", {"Accept": "text/turtle"}, ""))
        requests.append((1, "GET", f"/{path}.jsonld", {}, ""))
    requests.append((6, "GET", "/", {"Accept": "text/html"}, ""))
    json_accept = {"Accept": "application/sparql-results+json"}
    requests.append((8, "GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}), json_accept, ""))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"
    requests.append((6, "GET", "/sparql?" + urllib.parse.urlencode({"query": count}), json_accept, ""))
    requests.append((6, "GET", "/sparql?" + urllib.parse.urlencode({"query": sessions}), {"Accept": "text/csv"}, ""))
    form = {"Content-Type": "application/x-www-form-urlencoded", **json_accept}
    requests.append((6, "POST", "/sparql", form, urllib.parse.urlencode({"query": sessions})))
    return requests


def lua_script(requests: list[tuple[int, str, str, dict[str, str], str]]) -> str:
    """A wrk script that sends the mix's requests at random, by weight."""

    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    lines = ["local requests = {}", "local n = 0"]
    for weight, method, path, headers, body in requests:
        header_table = "{" + ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items()) + "}"
        body_value = quote(body) if body else "nil"
        lines.append(f"for i = 1, {weight} do")
        lines.append("  n = n + 1")
        lines.append(f"  requests[n] = wrk.format({quote(method)}, {quote(path)}, {header_table}, {body_value})")
        lines.append("end")
    lines += [
        "function setup(thread) thread:set('id', math.random(1, 1000000)) end",
        "function init(args) math.randomseed(os.time() + (id or 0)) end",
        "function request() return requests[math.random(1, n)] end",
        "",
    ]
    return "\n".join(lines)


# -- the clients -----------------------------------------------------------------------------------------------------

_DURATION = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _DURATION[unit]


def run_wrk(url: str, duration: float, connections: int, requests) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests))
    try:
        threads = max(1, min(connections, os.cpu_count() or 2))
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration:g}s",
                "--latency",
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.unlink(script.name)
    out = completed.stdout
    if completed.returncode != 0 or "requests in" not in out:
        raise RuntimeError(f"wrk failed: {completed.stderr or out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_ok = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, "0"])[1])
    p50 = _ms(re.search(r"\b50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\b99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return Result("wrk", duration, connections, total, socket_errors + non_ok, rate, p50, p99, out.strip())


def run_python(url: str, duration: float, connections: int, requests) -> Result:
    """Bounded Python client: ``connections`` threads, each on its own keep-alive connection, until the deadline."""
    parts = urllib.parse.urlsplit(url)
    weighted = [r for r in requests for _ in range(r[0])]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def client(seed: int) -> None:
        rng = random.Random(seed)
        connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine: list[float] = []
        bad: list[str] = []
        while time.monotonic() < deadline:
            _, method, path, headers, body = rng.choice(weighted)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body.encode() or None, headers=headers)
                answer = connection.getresponse()
                answer.read()
                if not 200 <= answer.status < 400:
                    bad.append(f"{answer.status} {method} {path[:80]}")
                if answer.will_close:
                    connection.close()
            except Exception as error:  # every failure counts, whatever it is
                bad.append(f"{type(error).__name__} {method} {path[:80]}")
                connection.close()
                connection = HTTPConnection(parts.hostname, parts.port, timeout=10)
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 30)
    elapsed = time.monotonic() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return Result(
        "python",
        duration,
        connections,
        len(latencies),
        len(failures),
        len(latencies) / elapsed if elapsed else 0.0,
        statistics.median(latencies) if latencies else 0.0,
        p99,
        "; ".join(sorted(set(failures))[:10]),
    )


def run(url: str, duration: float, connections: int, client: str, site: Path | None) -> Result:
    requests = mix(site)
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    if client == "wrk":
        return run_wrk(url, duration, connections, requests)
    return run_python(url, duration, connections, requests)


# -- the server ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(site: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jpmg.cli", "serve", "--site", str(site), "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jpmg serve exited: {process.stderr.read().decode(errors='replace')}")  # type: ignore[union-attr]
        try:
            connection = HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
            if connection.getresponse().status == 200:
                connection.close()
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("jpmg serve did not answer within 120 s")


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


# -- reporting ---------------------------------------------------------------------------------------------------------


def table_row(result: Result) -> str:
    """The measured figures as a table, for docs/benchmarks.md (where the machine and the date are added)."""
    return (
        "| client | connections | duration | requests | failed | throughput | p50 latency | p99 latency |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| {result.client} | {result.connections} | {result.duration:g} s | {result.requests:,} | {result.failed} "
        f"| {result.throughput:,.0f} requests/s | {result.p50_ms:.1f} ms | {result.p99_ms:.1f} ms |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--site", type=Path, help="a site built by `jpmg publish` (default: built into a temporary folder)"
    )
    parser.add_argument("--url", help="load a server that is already running at this URL (on 127.0.0.1)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default: 60)")
    parser.add_argument("--connections", type=int, default=50, help="concurrent connections (default: 50)")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--doc", action="store_true", help="write the result into docs/benchmarks.md (one table per client)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 3600 or not 0 < args.connections <= 1000:
        parser.error("--duration must be in (0, 3600] and --connections in (0, 1000]")
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be on this machine (127.0.0.1)")
        result = run(args.url, args.duration, args.connections, args.client, args.site)
    else:
        temporary = None
        site = args.site
        if site is None or not (site / "index.html").is_file():
            from jpmg.publish.site import build_site

            if site is None:
                temporary = Path(tempfile.mkdtemp(prefix="jpmg-load-"))
                site = temporary / "site"
            print(f"building the site into {site} ...", file=sys.stderr)
            build_site(site)
        process, url = start_server(site)
        try:
            result = run(url, args.duration, args.connections, args.client, site)
        finally:
            stop_server(process)
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        print(
            f"{result.client}: {result.requests:,} requests in {result.duration:g} s with {result.connections} "
            f"connections: {result.throughput:,.0f} requests/s, p50 {result.p50_ms:.1f} ms, "
            f"p99 {result.p99_ms:.1f} ms, {result.failed} failed"
        )
        if result.detail and result.client == "wrk":
            print(result.detail)
        elif result.detail:
            print("failures:", result.detail)
    if args.doc:
        from _common import update_doc

        update_doc(f"serve-{result.client}", table_row(result))
    return 0 if result.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
