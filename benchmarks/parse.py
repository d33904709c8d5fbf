"""Benchmark: strict parsing, the first step of validation, against the parsers a user would otherwise use.

    python benchmarks/parse.py [--sizes 1e3,1e4,1e5,1e6] [--timeout 900] [--no-doc]

Each in a fresh process, on the same synthetic corpus (N-Triples, which is also Turtle):

* the fast path: the file parsed strictly by pyoxigraph into its store, with the literal checks of
  ``jpmg.checks.store`` (what ``jpmg validate`` does);
* the reference path: the strict parser (pyoxigraph) converting into an rdflib graph (``jpmg.parsing``);
* rdflib's own parser (lenient: it accepts invalid Turtle), the usual way to read RDF in Python;
* pyoxigraph's parser alone, without storing anything: the practical limit.
"""

from __future__ import annotations

from _common import PYTHON, arguments, corpus, measure, seconds, table, triples, update_doc

PROGRAMS = {
    "jpmg fast path (pyoxigraph store, strict)": (
        "from pathlib import Path; from jpmg.checks.store import LoadedStore, LiteralChecker, load_file; "
        "import pyoxigraph as ox, sys; l = LoadedStore(ox.Store()); "
        "load_file(l, Path(sys.argv[1]), 'data', LiteralChecker()); print(len(l.store))"
    ),
    "jpmg reference path (strict, into rdflib)": (
        "from pathlib import Path; from jpmg.parsing import parse_turtle; import sys; "
        "print(len(parse_turtle(Path(sys.argv[1]))))"
    ),
    "rdflib's parser (lenient)": (
        "import sys; from rdflib import Graph; print(len(Graph().parse(sys.argv[1], format='nt')))"
    ),
    "pyoxigraph's parser alone (no store)": (
        "import sys, pyoxigraph as ox; print(sum(1 for _ in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)))"
    ),
}


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    rows = []
    for size in args.sizes:
        data = corpus(size)
        count = triples(data)
        base = None
        for name, program in PROGRAMS.items():
            run = measure([PYTHON, "-c", program, str(data)], args.timeout)
            if base is None:
                base = run.seconds
            if run.finished and run.exit_code != 0:
                rows.append([size, f"{count:,}", name, f"failed (exit {run.exit_code})", "-", "-", "-"])
                print(run.stderr.strip()[-300:])
                continue
            rate = f"{count / run.seconds:,.0f}" if run.finished else "-"
            ratio = "1" if run.seconds == base else f"{run.seconds / base:.1f}x"
            rows.append(
                [size, f"{count:,}", name, seconds(run.seconds, run.finished), rate, f"{run.peak_mb:,.0f} MB", ratio]
            )
            print(" | ".join(rows[-1]), flush=True)
    body = table(["size", "triples", "parser", "wall", "triples/s", "peak RSS", "time vs fast path"], rows)
    body += "\n\nWall times include starting Python and importing the libraries (about 0.1 s)."
    print(body)
    if not args.no_doc:
        update_doc("parse", body)


if __name__ == "__main__":
    main()
