"""Benchmark: building the linked-data site (``jpmg publish``), on the project's data and on synthetic corpora.

    python benchmarks/publish.py [--sizes 1e3,1e4,1e5] [--timeout 900] [--no-doc]

``jpmg publish`` reads the project's own data only, so the corpora are published through the same library call the
command makes (``jpmg.publish.site.build_site`` with a model of the corpus); the project's data through the command
itself. Each run is a fresh process writing into a temporary folder. Skipped, with a note, when the installed jpmg
has no ``publish`` command. (Loading into a triple store, ``jpmg load``, is measured by ``benchmarks/load_rate.py``.)
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _common import PYTHON, ROOT, arguments, corpus, measure, seconds, table, triples, update_doc

PROGRAM = (
    "import sys; from pathlib import Path; from jpmg.dataset import load_dataset; "
    "from jpmg.publish.model import SiteModel; from jpmg.publish.site import build_site; "
    "r = build_site(Path(sys.argv[2]), model=SiteModel(load_dataset([Path(sys.argv[1])]))); "
    "print(r.pages, r.files, r.bytes)"
)


def main() -> None:
    args = arguments(__doc__.split("\n\n")[0])
    jpmg = str(Path(PYTHON).with_name("jpmg"))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        run = measure([jpmg, "publish", "-o", str(Path(folder) / "project")], args.timeout)
        rows.append(
            [
                "project data",
                f"{sum(triples(path) for path in sorted((ROOT / 'data').glob('*.ttl'))):,}",
                seconds(run.seconds, run.finished),
                f"{run.peak_mb:,.0f} MB",
                "jpmg publish" + ("" if run.exit_code in (0, None) else f" (exit {run.exit_code})"),
            ]
        )
        print(" | ".join(rows[-1]), flush=True)
        for size in args.sizes:
            data = corpus(size, rate=0)
            count = triples(data)
            run = measure([PYTHON, "-c", PROGRAM, str(data), str(Path(folder) / size)], args.timeout)
            made = run.stdout.split()
            what = (
                f"{int(made[0]):,} pages, {int(made[1]):,} files, {int(made[2]) / 1e6:,.0f} MB"
                if (run.exit_code == 0 and len(made) == 3)
                else (f"exit {run.exit_code}: {run.stderr.strip()[-200:]}" if run.finished else "stopped")
            )
            rows.append([size, f"{count:,}", seconds(run.seconds, run.finished), f"{run.peak_mb:,.0f} MB", what])
            print(" | ".join(rows[-1]), flush=True)
    body = table(["data", "triples", "wall", "peak RSS", "site"], rows)
    print(body)
    if not args.no_doc:
        update_doc("publish", body)


if __name__ == "__main__":
    main()
