#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/publish/test_publish_browser.py), from Debian's packages.
# Idempotent: does nothing when /usr/bin/chromium is already there. Playwright for Python drives this binary;
# never run `playwright install` (it downloads a browser build of its own, which this project does not use).
# Needs root and apt-get; elsewhere it says so and exits 0, and the browser tests skip (they fail under CI=true).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: not root or no apt-get: Chromium is not installed, the browser tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) installed"
