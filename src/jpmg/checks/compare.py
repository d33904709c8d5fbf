"""Comparing findings across engines and with a synthetic corpus's list of injected results.

Blank nodes get new labels at every parse, so a finding about a derivation or an interval cannot be matched by its
label. It is matched by where it hangs instead: ``_:OWNER|P1/P2``, the named resource above it and the properties
that lead down to it (``_:https://w3id.org/jpmg/id/tenure/x|http://www.w3.org/ns/org#memberDuring``), which is how
:mod:`jpmg.synth` names the blank nodes it breaks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from jpmg.findings import Finding

Key = tuple[str, str | None, str | None, str | None, str | None, str]

#: A blank-node label inside a message: rdflib's ``N`` + 32 hex digits, or pyoxigraph's random 128-bit number in hex,
#: which has fewer than 32 digits when it starts with zeros.
BLANK_LABEL = re.compile(r"\b(N[0-9a-f]{32}|[0-9a-f]{16,32})\b")


def mask_blank_labels(text: str) -> str:
    """``text`` with every blank-node label replaced by ``_``: labels differ at every parse, the rest must not."""
    return BLANK_LABEL.sub("_", text)


def store_blank_key(store: ox.Store) -> Callable[[str], str]:
    """A function from a blank node's label (``_:label``) in ``store`` to its ``_:OWNER|PATH`` key."""
    cache: dict[str, str] = {}

    def key(text: str) -> str:
        if text in cache:
            return cache[text]
        node: object = ox.BlankNode(text[2:])
        steps: list[str] = []
        seen = set()
        while isinstance(node, ox.BlankNode) and node not in seen:
            seen.add(node)
            parents = sorted(
                ((q.subject, q.predicate.value) for q in store.quads_for_pattern(None, None, node, None)),
                key=lambda sp: (not isinstance(sp[0], ox.NamedNode), getattr(sp[0], "value", ""), sp[1]),
            )
            if not parents:
                break
            node, predicate = parents[0]
            steps.append(predicate)
        owner = node.value if isinstance(node, ox.NamedNode) else "?"
        cache[text] = f"_:{owner}|{'/'.join(reversed(steps))}"
        return cache[text]

    return key


def store_blank_node(store: ox.Store, key: str) -> ox.BlankNode | None:
    """The blank node of ``store`` that a ``_:OWNER|PATH`` key names (the first, if several hang there)."""
    owner, _, path = key[2:].partition("|")
    if owner == "?" or not path:
        return None
    nodes: list[object] = [ox.NamedNode(owner)]
    for predicate in re.split(r"/(?=[A-Za-z][A-Za-z0-9+.-]*:)", path):  # the IRIs are joined by "/"
        nodes = [q.object for node in nodes for q in store.quads_for_pattern(node, ox.NamedNode(predicate), None, None)]
    blanks = sorted((n for n in nodes if isinstance(n, ox.BlankNode)), key=lambda n: n.value)
    return blanks[0] if blanks else None


def graph_blank_key(graph) -> Callable[[str], str]:
    """The same for an rdflib graph (the reference engine's blank nodes are ``_:label`` of its BNodes)."""
    from rdflib import BNode, URIRef

    cache: dict[str, str] = {}

    def key(text: str) -> str:
        if text in cache:
            return cache[text]
        node = BNode(text[2:])
        steps: list[str] = []
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            parents = sorted(
                graph.subject_predicates(node),
                key=lambda sp: (not isinstance(sp[0], URIRef), str(sp[0]), str(sp[1])),
            )
            if not parents:
                break
            node, predicate = parents[0]
            steps.append(str(predicate))
        owner = str(node) if isinstance(node, URIRef) else "?"
        cache[text] = f"_:{owner}|{'/'.join(reversed(steps))}"
        return cache[text]

    return key


def finding_key(finding: Finding, blank: Callable[[str], str] | None = None) -> Key:
    """(focus node, path, value, source shape, severity, check), blank nodes by position when ``blank`` is given."""

    def term(text: str | None) -> str | None:
        if text is not None and text.startswith("_:") and blank is not None:
            return blank(text)
        return text

    return (
        term(finding.focus_node),
        finding.path,
        term(finding.value),
        term(finding.source_shape),
        finding.severity.value,
        finding.check,
    )


def expected_keys(path: Path) -> Counter[Key]:
    """The injected results a synthetic corpus lists (``FILE.expected.json``), as finding keys."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    return Counter((e["focus"], e["path"], e["value"], e["shape"], e["severity"], "shacl") for e in entries)


def difference(found: Iterable[Key], wanted: Iterable[Key]) -> tuple[Counter[Key], Counter[Key]]:
    """(found but not wanted, wanted but not found), counting repeats."""
    found_count, wanted_count = Counter(found), Counter(wanted)
    return found_count - wanted_count, wanted_count - found_count
