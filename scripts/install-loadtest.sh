#!/usr/bin/env bash
# Install wrk (the HTTP benchmarking tool) from Debian's packages, for the load test of `jpmg serve`
# (benchmarks/load_serve.py, and its short run in tests/publish/test_serve_load.py, which falls back to a Python
# client when wrk is missing). Idempotent: does nothing when wrk is already installed. Needs root (CI runs as root).
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
    echo "install-loadtest: wrk already installed ($(command -v wrk)); nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-loadtest: must run as root (apt-get install); the load test will use its Python client" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends wrk >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y --no-install-recommends wrk >/dev/null
fi
echo "install-loadtest: installed $(command -v wrk)"
