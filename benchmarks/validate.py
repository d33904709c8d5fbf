"""Benchmark: the whole validation pipeline against the validators a user would otherwise run, on the same files.

    python benchmarks/validate.py [--sizes 1e3,1e4,1e5,1e6] [--timeout 900] [--baselines all|none|...] [--no-doc]

For each size, on one synthetic corpus with injected defects (``jpmg synth --violations``), each in a fresh process:

* ``python validate.py --quiet CORPUS``: the project's pipeline with the fast engine (strict parsing, vocabulary,
  OWL 2 RL consistency, SHACL), imports included; a second, unmeasured run checks that it finds exactly the injected
  results;
* the reference engine (rdflib, pySHACL, owlrl: ``validate(engine="reference")``), with the same check;
* baselines: ``pyshacl -s shapes CORPUS`` (pySHACL's command line with its defaults); Apache Jena SHACL 4
  (``shacl validate``, Debian's ``libapache-jena-java``) and pyrudof, where installed, given the corpus with the
  ontology prepended so that they see the subclass hierarchy as the pipeline does.

The table gives wall time, triples per second, peak memory, the number of results, and each baseline's time as a
multiple of the pipeline's.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from _common import (
    PYTHON,
    ROOT,
    arguments,
    corpus,
    has_pyrudof,
    jena_classpath,
    measure,
    seconds,
    table,
    triples,
    update_doc,
    with_ontology,
)

SHAPES = ROOT / "shapes" / "jpmg-shapes.ttl"


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    wanted = (
        set(args.baselines.split(","))
        if args.baselines not in ("all", "none")
        else (set() if args.baselines == "none" else {"reference", "pyshacl", "jena", "pyrudof"})
    )
    pyshacl = Path(PYTHON).with_name("pyshacl")
    classpath = jena_classpath() if "jena" in wanted else None
    rudof = "pyrudof" in wanted and has_pyrudof()
    rows: list[list[str]] = []
    notes: list[str] = []
    for size in args.sizes:
        data = corpus(size)
        count = triples(data)
        measured: list[tuple[str, object, str]] = []

        fast = measure([PYTHON, "validate.py", "--quiet", str(data)], args.timeout)
        check = measure([PYTHON, "benchmarks/_findings.py", "fast", str(data)], args.timeout)
        measured.append(("jpmg validate (fast engine)", fast, _exactness(check)))
        if "reference" in wanted:
            reference = measure([PYTHON, "benchmarks/_findings.py", "reference", str(data)], args.timeout)
            measured.append(("reference engine (rdflib + pySHACL + owlrl)", reference, _exactness(reference)))
        if "pyshacl" in wanted and pyshacl.exists():
            run = measure([str(pyshacl), "-s", str(SHAPES), str(data)], args.timeout)
            found = re.search(r"Results \((\d+)\)", run.stdout)
            measured.append(("pyshacl -s shapes data (CLI defaults)", run, found.group(1) if found else "0"))
        if classpath:
            run = measure(
                [
                    "java",
                    "-cp",
                    classpath,
                    "shacl.shacl",
                    "validate",
                    "--shapes",
                    str(SHAPES),
                    "--data",
                    str(with_ontology(data)),
                ],
                args.timeout,
            )
            measured.append(("Apache Jena SHACL (data + ontology)", run, str(run.stdout.count("sh:focusNode"))))
        if rudof:
            run = measure([PYTHON, "benchmarks/_rudof.py", str(SHAPES), str(with_ontology(data))], args.timeout)
            found = re.search(r"results: (\d+)", run.stdout)
            measured.append(("pyrudof (data + ontology)", run, found.group(1) if found else "-"))
        for name, run, results in measured:
            if not run.finished:
                results = "-"  # stopped at the time limit: it reported nothing
            ratio = (
                "1"
                if run is fast
                else (f"{run.seconds / fast.seconds:.1f}x" if run.finished else f"> {run.seconds / fast.seconds:.0f}x")
            )
            rate = f"{count / run.seconds:,.0f}" if run.finished else "-"
            rows.append(
                [
                    size,
                    f"{count:,}",
                    name,
                    seconds(run.seconds, run.finished),
                    rate,
                    f"{run.peak_mb:,.0f} MB",
                    results,
                    ratio,
                ]
            )
            if run.finished and run.exit_code not in (0, 1):
                notes.append(f"{size} {name}: exit code {run.exit_code}: {run.stderr.strip()[-300:]}")
            print(" | ".join(rows[-1]), flush=True)
    if not classpath and "jena" in wanted:
        notes.append("Apache Jena SHACL is not installed (apt-get install libapache-jena-java default-jre-headless).")
    if not rudof and "pyrudof" in wanted:
        notes.append("pyrudof is not installed (pip install pyrudof).")
    header = ["size", "triples", "validator", "wall", "triples/s", "peak RSS", "results", "time vs jpmg"]
    body = table(header, rows)
    if notes:
        body += "\n\n" + "\n".join(f"- {note}" for note in notes)
    print(body)
    if not args.no_doc:
        update_doc("validate", body)


def _exactness(run) -> str:
    """'145 = injected' when the child found exactly the injected results, otherwise what differs."""
    if not run.finished:
        return "-"
    try:
        result = json.loads(run.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return f"error (exit {run.exit_code})"
    if result["missing"] == 0 and result["extra"] == 0:
        return f"{result['findings']} = injected"
    return f"{result['findings']} ({result['missing']} missed, {result['extra']} not injected)"


if __name__ == "__main__":
    sys.exit(main())
