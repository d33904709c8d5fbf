"""The term lists of the closed vocabularies, taken from rdflib once and kept in ``closed_terms.json``.

The vocabulary check (:mod:`jpmg.checks.vocabulary`) asks rdflib's ``DefinedNamespace`` classes whether a term
exists. The fast path gives the same answers from this file, without importing rdflib: for each vocabulary (in the
check's order) its namespace, the names rdflib lists for it and whether it accepts ``_1``-style names.
``python -m jpmg.checks.closed_terms`` rewrites the file from the installed rdflib; ``tests/test_fast_validation.py``
checks that it still matches.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FILE = Path(__file__).with_name("closed_terms.json")


def from_rdflib() -> list[dict[str, object]]:
    """Each closed vocabulary of the vocabulary check as {namespace, names, underscore_num}, in its order."""
    from inspect import get_annotations

    from rdflib.namespace import DefinedNamespace

    from jpmg.checks.vocabulary import CLOSED_VOCABULARIES

    vocabularies = []
    for vocabulary in CLOSED_VOCABULARIES:
        names: set[str] = set()
        for cls in vocabulary.mro():
            if isinstance(cls, type) and issubclass(cls, DefinedNamespace):
                names.update(str(n) for n in get_annotations(cls))
                names.update(str(n) for n in cls._extras)
        vocabularies.append(
            {
                "namespace": str(vocabulary._NS),
                "names": sorted(names),
                "underscore_num": bool(vocabulary._underscore_num),
            }
        )
    return vocabularies


@cache
def vocabularies() -> list[tuple[str, frozenset[str], bool]]:
    """The vocabularies as (namespace, names, accepts _N names), in the vocabulary check's order."""
    document = json.loads(FILE.read_text(encoding="utf-8"))
    return [(v["namespace"], frozenset(v["names"]), v["underscore_num"]) for v in document]


def exists(iri: str, namespace: str, names: frozenset[str], underscore_num: bool) -> bool:
    """rdflib's ``iri in vocabulary`` for an IRI in the vocabulary's namespace."""
    local = iri[len(namespace) :]
    return local in names or (underscore_num and local[:1] == "_" and local[1:].isdigit())


if __name__ == "__main__":
    FILE.write_text(json.dumps(from_rdflib(), indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FILE}")
