"""A short, bounded load test of `jpmg serve` from a second process on 127.0.0.1: zero failed requests.

The client is wrk when it is installed (``scripts/install-loadtest.sh``), else the bounded Python client of
``benchmarks/load_serve.py``, which is also the full run (60 s, 50 connections; the figures are in
docs/benchmarks.md). It stops by itself after a few seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 5
CONNECTIONS = 10


@pytest.mark.parametrize("client", ["auto", "python"])
def test_a_short_load_has_no_failed_request(server_url: str, site: Path, client: str) -> None:
    if client == "auto" and shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (scripts/install-loadtest.sh); the Python client runs below")
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_serve.py"),
            "--url",
            server_url,
            "--site",
            str(site),
            "--duration",
            str(SECONDS),
            "--connections",
            str(CONNECTIONS),
            "--client",
            client,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        stdin=subprocess.DEVNULL,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(
        f"{result['client']}: {result['requests']} requests, {result['throughput']:.0f}/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, {result['failed']} failed"
    )
    assert result["failed"] == 0, result["detail"][-2000:]
    assert completed.returncode == 0
    assert result["requests"] >= 200
