"""Finding the file and line where an IRI is written, so that a finding can say where to look.

Parsers forget positions once a file is read; rather than keep positions for every term, a finding about one
IRI searches the few files that contain it for the IRI's written forms (full, prefixed, or relative to @base).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Node, URIRef

_BASE_DIRECTIVE = re.compile(r"^\s*(?:@base|BASE)\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=256)
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())


def _written_forms(iri: str, graph: Graph, path: Path) -> list[str]:
    forms = [f"<{iri}>"]
    for prefix, namespace in graph.namespaces():
        namespace = str(namespace)
        if namespace and iri.startswith(namespace):
            local = iri[len(namespace) :]
            forms.append(f"{prefix}:{local}")
    text = "\n".join(_lines(path))
    for base in _BASE_DIRECTIVE.findall(text):
        if base and iri.startswith(base):
            forms.append(f"<{iri[len(base) :]}>")
    return forms


def _occurs(form: str, line: str) -> bool:
    if form.startswith("<"):
        return form in line
    # a prefixed name must not be followed by more name characters (jpmg:date is not jpmg:dateOf)
    return re.search(re.escape(form) + r"(?![\w\-.:]*[\w\-:])", line) is not None


def locate(iri: Node | str, files: dict[Path, Graph]) -> tuple[Path | None, int | None]:
    """The first file and 1-based line where ``iri`` is written, or ``(None, None)``."""
    if isinstance(iri, BNode):
        return None, None
    iri = str(iri)
    term = URIRef(iri)
    # The file that describes the resource (uses it as a subject) is where a person fixes it; a file that only
    # mentions it comes second.
    describing = [path for path, graph in files.items() if (term, None, None) in graph]
    mentioning = [
        path
        for path, graph in files.items()
        if path not in describing and ((None, term, None) in graph or (None, None, term) in graph)
    ]
    for path in describing + mentioning:
        forms = _written_forms(iri, files[path], path)
        subject_line = None
        for number, line in enumerate(_lines(path), start=1):
            if line.lstrip().startswith("#"):  # comments mention terms too; the statement is what counts
                continue
            if any(_occurs(form, line) for form in forms):
                if path not in describing or any(line.startswith(form) for form in forms):
                    return path, number
                subject_line = subject_line or number
        return path, subject_line
    return None, None


def named_owner(node: Node, files: dict[Path, Graph]) -> Node:
    """The named resource a blank node hangs from (following subjects upwards), or the node itself."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next((s for graph in files.values() for s in graph.subjects(None, node)), None)
        if parent is None:
            break
        node = parent
    return node
