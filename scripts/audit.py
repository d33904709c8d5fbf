#!/usr/bin/env python3
"""Audit the installed Python environment for known vulnerabilities: pip-audit, and a fallback where it cannot.

    .venv/bin/python scripts/audit.py            # or: bash scripts/audit.sh

1. ``pip-audit --local`` (JSON): each installed distribution checked against PyPI's advisory data (the per-version
   JSON API, ``/pypi/NAME/VERSION/json``). A known vulnerability fails the audit (exit 1).
2. Where pip-audit skips a distribution ("not found on PyPI": the per-version API did not answer, as on a machine
   whose registry access serves only the project-level JSON), the fallback reads ``/pypi/NAME/json``: its
   ``vulnerabilities`` are those of the latest release, so it decides for a distribution installed at the latest
   version, and cannot for an older one.
3. A distribution neither step could audit is listed, and the audit exits 3 ("could not audit"), so that "no
   vulnerability found" is never claimed for what was not checked. ``AUDIT_ALLOW_UNAUDITED=1`` makes that exit 0
   (the list is still printed). The project itself (an editable install) is not audited.

Exit codes: 0 audited, nothing known; 1 a known vulnerability; 2 the audit could not run at all; 3 some unaudited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from importlib import metadata

PYPI = os.environ.get("AUDIT_PYPI_URL", "https://pypi.org/pypi")

#: Test-only tools that cannot be installed at their latest release on this Python, so that no advisory data can be
#: read for the installed version: listed as not audited, with the reason, without failing the audit. A runtime
#: dependency is never accepted this way.
ACCEPTED_UNAUDITED = {
    "atheris": "the fuzzer of the test suite only; its latest release has no wheel for CPython 3.11",
}


def installed() -> dict[str, str]:
    versions = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and name != "jpmg":
            versions[name] = dist.version
    return dict(sorted(versions.items()))


def pip_audit() -> tuple[dict[str, list[dict]], set[str]] | None:
    """(vulnerabilities by name, names pip-audit skipped), or None when pip-audit cannot run."""
    try:
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--local",
                "--skip-editable",
                "-f",
                "json",
                "--progress-spinner",
                "off",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"audit: pip-audit did not run: {error}", file=sys.stderr)
        return None
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit failed: {(completed.stderr or completed.stdout).strip()[-1000:]}", file=sys.stderr)
        return None
    found: dict[str, list[dict]] = {}
    skipped: set[str] = set()
    for dependency in document.get("dependencies", []):
        name = dependency["name"].lower().replace("_", "-")
        if "skip_reason" in dependency:
            skipped.add(name)
        elif dependency.get("vulns"):
            found[name] = dependency["vulns"]
    return found, skipped


def latest_release(name: str) -> tuple[str, list[dict]] | None:
    """(latest version, its vulnerabilities) from PyPI's project JSON, or None."""
    try:
        with urllib.request.urlopen(f"{PYPI}/{name}/json", timeout=30) as answer:
            document = json.load(answer)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return document["info"]["version"], document.get("vulnerabilities") or []


def main() -> int:
    versions = installed()
    audited = pip_audit()
    if audited is None:
        found, skipped = {}, set(versions)
        print("audit: pip-audit is not available; using the project-level JSON for every distribution")
    else:
        found, skipped = audited
        skipped &= set(versions)
        print(f"audit: pip-audit checked {len(set(versions) - skipped)} distributions, skipped {len(skipped)}")
    unaudited = []
    fallback = 0
    for name in sorted(skipped):
        version = versions.get(name)
        if version is None:
            continue
        latest = latest_release(name)
        if latest is None:
            unaudited.append(f"{name} {version} (PyPI did not answer)")
        elif latest[0] != version and name in ACCEPTED_UNAUDITED:
            print(f"NOT AUDITED (accepted): {name} {version}: {ACCEPTED_UNAUDITED[name]}")
        elif latest[0] != version:
            unaudited.append(f"{name} {version} (not the latest release, {latest[0]}: its advisories are not served)")
        else:
            fallback += 1
            if latest[1]:
                found[name] = latest[1]
    if skipped:
        print(f"audit: the fallback checked {fallback} distributions installed at their latest release")
    for name, vulns in sorted(found.items()):
        for vuln in vulns:
            fixed = ", ".join(vuln.get("fix_versions") or vuln.get("fixed_in") or []) or "no fix listed"
            print(f"VULNERABLE: {name} {versions.get(name, '?')}: {vuln.get('id')} (fixed in: {fixed})")
    for line in unaudited:
        print(f"NOT AUDITED: {line}")
    if found:
        return 1
    if unaudited:
        print(f"audit: {len(unaudited)} distributions could not be audited here", file=sys.stderr)
        return 0 if os.environ.get("AUDIT_ALLOW_UNAUDITED") == "1" else 3
    print("audit: no known vulnerability")
    return 0


if __name__ == "__main__":
    sys.exit(main())
