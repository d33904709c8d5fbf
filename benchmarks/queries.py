"""Benchmark: every competency query on pyoxigraph (the default engine) and on rdflib's engine (the reference).

    python benchmarks/queries.py [--sizes 1e3,1e4,1e5,1e6] [--timeout 900] [--rdflib-up-to 1e5] [--no-doc]

For each size fresh processes load the ontology and the synthetic corpus (not counted) and run each query of
``queries/`` (pyoxigraph: one process a query, best of three runs, stopped after 60 s; rdflib: one process for all,
once each, at most 60 s a query). The table gives each query's time on
both engines, the ratio, the number of answers, and whether the two engines' answers are the same (compared in
canonical form, order aside).
"""

from __future__ import annotations

import json
import sys

from _common import PYTHON, ROOT, SIZES, arguments, corpus, measure, table, triples, update_doc


def run(
    engine: str, path, timeout: float, per_query: int, name: str | None = None
) -> tuple[dict, float | None, object]:
    command = [PYTHON, "benchmarks/_queries.py", engine, str(path), str(per_query)] + ([name] if name else [])
    result = measure(command, timeout)
    answers, load = {}, None
    for line in result.stdout.splitlines():
        record = json.loads(line)
        if "load_seconds" in record:
            load = record["load_seconds"]
        else:
            answers[record["query"]] = record
    if name and name not in answers:  # killed at the time limit: Oxigraph cannot be interrupted inside a query
        answers[name] = {"query": name, "seconds": None, "timeout": per_query}
    return answers, load, result


def names() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from jpmg.queries import list_queries

    return [q.name for q in list_queries()]


def oxigraph(path, per_query: int) -> tuple[dict, float | None]:
    """Each query in its own process (the load is repeated, and not counted), so that one can be stopped."""
    answers, load = {}, None
    for name in names():
        found, load, _ = run("oxigraph", path, per_query + 120, per_query, name)
        answers.update(found)
    return answers, load


def main() -> None:
    sys.argv, rdflib_limit = _pop_option(sys.argv, "--rdflib-up-to", "1e5")
    args = arguments(__doc__.split("\n\n")[0])
    rows, notes = [], []
    for size in args.sizes:
        data = corpus(size)
        count = triples(data)
        fast, fast_load = oxigraph(data, 60)
        slow, slow_load = {}, None
        if SIZES[size] <= SIZES[rdflib_limit]:
            slow, slow_load, slow_run = run("rdflib", data, args.timeout, 60)
            if not slow_run.finished:
                notes.append(f"{size}: rdflib's run stopped at the time limit ({args.timeout:.0f} s)")
        else:
            notes.append(
                f"{size}: rdflib not run (it parses about 33,000 triples/s and its engine is slower still; "
                f"--rdflib-up-to {size} runs it)"
            )
        notes.append(
            f"{size}: loading took {fast_load} s on pyoxigraph"
            + (f", {slow_load} s on rdflib" if slow_load is not None else "")
        )
        for name in sorted(fast):
            a, b = fast[name], slow.get(name)
            ox_time = a.get("seconds")
            rd_time = b.get("seconds") if b else None
            if b is None:
                rd_text, ratio, same = "not run", "-", "-"
            elif rd_time is None:
                rd_text, same = f"> {b['timeout']} s", "-"
                ratio = f"> {b['timeout'] / ox_time:,.0f}x" if ox_time else "-"
            else:
                rd_text = f"{rd_time:.3f} s"
                ratio = f"{rd_time / ox_time:,.0f}x" if ox_time else "-"
                same = "yes" if a.get("digest") == b.get("digest") else "NO"
            ox_text = f"{ox_time:.3f} s" if ox_time is not None else f"> {a['timeout']} s"
            rows.append([size, f"{count:,}", name, ox_text, rd_text, ratio, str(a.get("rows", "-")), same])
            print(" | ".join(rows[-1]), flush=True)
    header = ["size", "triples", "query", "pyoxigraph", "rdflib", "rdflib / pyoxigraph", "answers", "same answers"]
    body = table(header, rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)
    print(body)
    if not args.no_doc:
        update_doc("queries", body)


def _pop_option(argv: list[str], name: str, default: str) -> tuple[list[str], str]:
    if name in argv:
        i = argv.index(name)
        value = argv[i + 1]
        return argv[:i] + argv[i + 2 :], value
    return argv, default


if __name__ == "__main__":
    main()
