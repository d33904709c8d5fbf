#!/usr/bin/env bash
# Install Virtuoso Open Source 7 from Debian's packages, for the store tests (tests/stores/).
#
# The package's maintainer scripts would start a system-wide instance listening on all interfaces; the tests run
# their own private instance on 127.0.0.1 instead, so service starts are blocked during the install with a
# policy-rc.d that exits 101 ("action forbidden"), removed again afterwards (also when the install fails).
# Idempotent: does nothing when virtuoso-t and its isql (isql-vt) are already installed. Needs root (CI runs as root).
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1 && { command -v isql-vt >/dev/null 2>&1 || command -v isql-v >/dev/null 2>&1; }; then
    echo "install-virtuoso: virtuoso-t already installed ($(command -v virtuoso-t)); nothing to do"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-virtuoso: must run as root (apt-get install)" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
backup=""
if [ -e "$policy" ]; then
    backup="$(mktemp)"
    cp -p "$policy" "$backup"
fi
printf '#!/bin/sh\n# written by scripts/install-virtuoso.sh: no service starts during the install\nexit 101\n' >"$policy"
chmod 755 "$policy"
cleanup() {
    if [ -n "$backup" ]; then
        mv -f "$backup" "$policy"   # the machine's own policy, as it was
    else
        rm -f "$policy"
    fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# virtuoso-opensource asks for a dba password through debconf; the tests set their own, so leave it unset.
apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null

# The Debian package may have started nothing (policy-rc.d), but stop a system instance if one runs anyway,
# so that it cannot hold the default ports (1111, 8890) on all interfaces.
if command -v service >/dev/null 2>&1; then
    service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi

command -v virtuoso-t >/dev/null
echo "install-virtuoso: installed $(virtuoso-t +version 2>&1 | head -n 1 || true)"
