#!/usr/bin/env bash
# Audit the project's virtual environment for known vulnerabilities (pip-audit, with a fallback where PyPI's
# per-version advisory data cannot be reached; see scripts/audit.py). Exit 1 on a known vulnerability, 3 when some
# installed distributions could not be audited (AUDIT_ALLOW_UNAUDITED=1 accepts that), 0 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c "import pip_audit" >/dev/null 2>&1; then
    .venv/bin/python -m pip install --quiet pip-audit
fi
exec .venv/bin/python scripts/audit.py
