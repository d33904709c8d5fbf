"""The long fuzzing run of `jpmg serve`'s request handling (atheris, coverage-guided, in-process).

    .venv/bin/pip install atheris
    .venv/bin/python benchmarks/fuzz_serve.py --minutes 60 [--site site] [--corpus fuzz-corpus]

Runs ``tests/fuzz/fuzz_serve.py`` (see ``tests/fuzz/serve_harness.py`` for what makes a case fail) on a copy of
the seed corpus (kept in ``--corpus`` between runs, so that a later run starts from what an earlier one found), with
the HTTP dictionary, for the given time. A failing input is written to ``--artifacts`` (``crash-*``) and the run
stops with a non-zero exit; replay one with ``python tests/fuzz/fuzz_serve.py ARTIFACT``. The test suite runs the
same harness for a few seconds (``tests/publish/test_serve_fuzz.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ = ROOT / "tests" / "fuzz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long to fuzz (default: 60)")
    parser.add_argument("--site", type=Path, help="a site built by `jpmg publish` (default: built into a temp folder)")
    parser.add_argument("--corpus", type=Path, default=Path("fuzz-corpus"), help="the corpus folder to grow")
    parser.add_argument("--artifacts", type=Path, default=Path("fuzz-artifacts"), help="where failing inputs go")
    parser.add_argument("--jobs", type=int, default=1, help="parallel fuzzing processes (libFuzzer -jobs)")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        shutil.copytree(FUZZ / "corpus", args.corpus)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    temporary = None
    site = args.site
    if site is None:
        from jpmg.publish.site import build_site

        temporary = Path(tempfile.mkdtemp(prefix="jpmg-fuzz-"))
        site = temporary / "site"
        build_site(site)
    try:
        command = [
            sys.executable,
            str(FUZZ / "fuzz_serve.py"),
            str(args.corpus),
            f"-dict={FUZZ / 'http.dict'}",
            f"-max_total_time={int(args.minutes * 60)}",
            f"-artifact_prefix={args.artifacts}/",
            "-print_final_stats=1",
        ]
        if args.jobs > 1:
            command += [f"-jobs={args.jobs}", f"-workers={args.jobs}"]
        return subprocess.call(command, env={**os.environ, "JPMG_FUZZ_SITE": str(site)})
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
