"""Child program of the benchmarks: validate a corpus with one engine and compare with its injected list.

``python benchmarks/_findings.py fast|reference CORPUS`` prints one JSON line: the number of findings, of injected
results, of injected results not found and of findings not injected (matched on focus node, path, value, source
shape and severity, blank nodes by where they hang).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from jpmg.checks.compare import difference, expected_keys, finding_key
from jpmg.validation import validate


def main() -> None:
    engine, corpus = sys.argv[1], Path(sys.argv[2])
    started = time.perf_counter()
    report = validate([corpus], engine=engine)
    seconds = time.perf_counter() - started
    found = [finding_key(f, report.blank_key) for f in report.findings]
    injected = expected_keys(corpus.with_name(corpus.name + ".expected.json"))
    extra, missing = difference(found, injected)
    print(
        json.dumps(
            {
                "engine": engine,
                "findings": len(found),
                "injected": sum(injected.values()),
                "missing": sum(missing.values()),
                "extra": sum(extra.values()),
                "seconds_in_process": round(seconds, 3),
                "steps": {s.name: round(s.seconds, 3) for s in report.steps},
            }
        )
    )


if __name__ == "__main__":
    main()
