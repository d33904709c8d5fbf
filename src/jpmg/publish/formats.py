"""Byte-stable serializations of a graph: Turtle, compacted JSON-LD, N-Triples and RDF/XML.

Every writer takes the triples in canonical form (:func:`canonical_triples`: blank nodes relabelled by RDF Dataset
Canonicalization, ``c14n0, c14n1, ...``, triples sorted), so the same graph always gives the same bytes, whatever
order rdflib happens to hold it in. Turtle and JSON-LD nest a blank node that is the object of exactly one triple
inside its parent (``[ ... ]`` and an embedded node object), as the project's own files are written; N-Triples is
one sorted line a triple; RDF/XML is pyoxigraph's, written from the sorted triples.

The JSON-LD is *compacted* against the project's context (:func:`context_document`, served as ``context.jsonld``):
properties and classes as compact IRIs (``jpmg:sessionOf``), the dataset's own IRIs relative to
:data:`jpmg.config.INSTANCE_BASE` (``session/jpmg-48``), literals with their exact lexical form and datatype.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph

from jpmg import config
from jpmg.terms import to_oxigraph

#: Media types of the forms a resource is published in, by file extension (HTML first: the default).
MEDIA_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
#: The machine-readable forms, in the order pages list them.
RDF_EXTENSIONS = ("ttl", "jsonld", "nt", "rdf")
#: Names of the forms for people.
FORMAT_NAMES = {"html": "HTML", "ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}

#: The prefixes of the project's files and of the dataset description, used by Turtle, JSON-LD and RDF/XML.
PREFIXES: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "jpmg": config.ONTOLOGY_NS,
    "jpmgsh": config.SHAPES_IRI + "#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: Where the JSON-LD context is published (a persistent IRI; the site serves it as ``context.jsonld``).
CONTEXT_IRI = config.BASE_IRI + "context.jsonld"

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_XSD_STRING = PREFIXES["xsd"] + "string"
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RELATIVE_ID = re.compile(r"[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def canonical_triples(graph: Graph | Iterable[tuple]) -> list[ox.Triple]:
    """The triples with canonical blank node labels, sorted (by their N-Triples form)."""
    dataset = ox.Dataset()
    labels: dict[BNode, ox.BlankNode] = {}
    for s, p, o in graph:
        dataset.add(ox.Quad(to_oxigraph(s, labels), to_oxigraph(p), to_oxigraph(o, labels), ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted((quad.triple for quad in dataset), key=str)


@dataclass
class Tree:
    """Triples grouped by subject, with the blank nodes that can be nested inside their one parent."""

    by_subject: dict[Term, list[tuple[ox.NamedNode, Term]]]
    roots: list[Term]
    nested: set[ox.BlankNode]


def _sort_key(term: Term) -> tuple[int, str]:
    return (0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2, str(term))


def build_tree(triples: Iterable[ox.Triple]) -> Tree:
    """Group sorted triples by subject and find the blank nodes to nest (objects of exactly one triple, no cycle)."""
    by_subject: dict[Term, list[tuple[ox.NamedNode, Term]]] = {}
    references: dict[ox.BlankNode, int] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, []).append((triple.predicate, triple.object))
        if isinstance(triple.object, ox.BlankNode):
            references[triple.object] = references.get(triple.object, 0) + 1
    nested = {node for node, count in references.items() if count == 1}
    # a cycle of blank nodes each referenced once would never be written: keep such nodes as roots
    parent = {obj: subj for subj, pairs in by_subject.items() for _, obj in pairs if obj in nested}
    for node in sorted(nested, key=str):
        seen, current = set(), node
        while current in parent and current not in seen:
            seen.add(current)
            current = parent[current]
        if current in seen:
            nested.discard(node)
    for pairs in by_subject.values():
        pairs.sort(key=lambda pair: (_predicate_rank(pair[0]), pair[0].value, _sort_key(pair[1])))
    roots = sorted((s for s in by_subject if s not in nested), key=_sort_key)
    return Tree(by_subject, roots, nested)


def _predicate_rank(predicate: ox.NamedNode) -> int:
    return 0 if predicate == _RDF_TYPE else 1 if predicate == _RDFS_LABEL else 2


def compact_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """``prefix:local`` for an IRI in one of the namespaces, where the local part is a plain name; else None."""
    best = None
    for prefix, namespace in prefixes.items():
        fits = iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :])
        if fits and (best is None or len(namespace) > len(prefixes[best])):
            best = prefix
    return None if best is None else f"{best}:{iri[len(prefixes[best]) :]}"


# ----------------------------------------------------------------------------------------------------------------
# Turtle
# ----------------------------------------------------------------------------------------------------------------

_TURTLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _turtle_string(text: str) -> str:
    out = []
    for char in text:
        if char in _TURTLE_ESCAPES:
            out.append(_TURTLE_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _turtle_iri(iri: str, used: set[str], relative: bool = True) -> str:
    if relative and iri.startswith(config.INSTANCE_BASE) and _RELATIVE_ID.fullmatch(iri[len(config.INSTANCE_BASE) :]):
        used.add("@base")
        return f"<{iri[len(config.INSTANCE_BASE) :]}>"
    compact = compact_iri(iri)
    if compact is not None:
        used.add(compact.split(":", 1)[0])
        return compact
    return "<" + _IRI_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def _turtle_term(term: Term, used: set[str]) -> str:
    if isinstance(term, ox.NamedNode):
        return _turtle_iri(term.value, used)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = _turtle_string(term.value)
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype.value == _XSD_STRING:
        return text
    return f"{text}^^{_turtle_iri(term.datatype.value, used, relative=False)}"


def to_turtle(triples: list[ox.Triple], header: str = "") -> bytes:
    """Turtle with the project's prefixes, instance IRIs relative to the ``@base``, nested blank nodes."""
    tree = build_tree(triples)
    used: set[str] = set()

    def block(subject: Term, indent: str) -> list[str]:
        pairs = tree.by_subject.get(subject, [])
        lines: list[str] = []
        groups: list[tuple[ox.NamedNode, list[Term]]] = []
        for predicate, obj in pairs:
            if groups and groups[-1][0] == predicate:
                groups[-1][1].append(obj)
            else:
                groups.append((predicate, [obj]))
        for index, (predicate, objects) in enumerate(groups):
            name = "a" if predicate == _RDF_TYPE else _turtle_iri(predicate.value, used, relative=False)
            rendered = []
            for obj in objects:
                if isinstance(obj, ox.BlankNode) and obj in tree.nested:
                    inner = block(obj, indent + "    ")
                    rendered.append("[\n" + "\n".join(inner) + f"\n{indent}]" if inner else "[]")
                else:
                    rendered.append(_turtle_term(obj, used))
            end = " ;" if index < len(groups) - 1 else ""
            lines.append(f"{indent}{name} " + " , ".join(rendered) + end)
        return lines

    body: list[str] = []
    for root in tree.roots:
        subject = _turtle_term(root, used)
        inner = block(root, "    ")
        body.append(subject + "\n" + "\n".join(inner) + " .\n")
    head = []
    if "@base" in used:
        head.append(f"@base <{config.INSTANCE_BASE}> .")
    head += [f"@prefix {p}: <{ns}> ." for p, ns in sorted(PREFIXES.items()) if p in used]
    text = header + "\n".join(head) + ("\n\n" if head else "") + "\n".join(body)
    return text.encode("utf-8")


# ----------------------------------------------------------------------------------------------------------------
# JSON-LD
# ----------------------------------------------------------------------------------------------------------------


def context_document() -> dict[str, object]:
    """The JSON-LD context the site serves at :data:`CONTEXT_IRI`: the project's prefixes."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def _jsonld_id(iri: str) -> str:
    if iri.startswith(config.INSTANCE_BASE) and _RELATIVE_ID.fullmatch(iri[len(config.INSTANCE_BASE) :]):
        return iri[len(config.INSTANCE_BASE) :]
    return compact_iri(iri) or iri


def _jsonld_vocab(iri: str) -> str:
    return compact_iri(iri) or iri


def to_jsonld_object(triples: list[ox.Triple], context: object | None = None) -> dict[str, object]:
    """The compacted JSON-LD document as a Python object.

    ``context`` is what goes into ``@context`` besides the ``@base``: by default the context's IRI (a remote
    context, as the published files use); pass :func:`context_document`'s ``@context`` to embed it.
    """
    tree = build_tree(triples)

    def node(subject: Term, with_id: bool) -> dict[str, object]:
        result: dict[str, object] = {}
        if with_id:
            result["@id"] = _jsonld_id(subject.value) if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"
        types: list[str] = []
        properties: dict[str, list[object]] = {}
        for predicate, obj in tree.by_subject.get(subject, []):
            if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode):
                types.append(_jsonld_vocab(obj.value))
                continue
            properties.setdefault(_jsonld_vocab(predicate.value), []).append(value(obj))
        if types:
            result["@type"] = types[0] if len(types) == 1 else types
        for key in sorted(properties):
            values = properties[key]
            result[key] = values[0] if len(values) == 1 else values
        return result

    def value(obj: Term) -> object:
        if isinstance(obj, ox.NamedNode):
            return {"@id": _jsonld_id(obj.value)}
        if isinstance(obj, ox.BlankNode):
            return node(obj, False) if obj in tree.nested else {"@id": f"_:{obj.value}"}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        if obj.datatype.value == _XSD_STRING:
            return obj.value
        return {"@value": obj.value, "@type": _jsonld_vocab(obj.datatype.value)}

    local = {"@base": config.INSTANCE_BASE}
    document: dict[str, object] = {"@context": [CONTEXT_IRI if context is None else context, local]}
    nodes = [
        node(root, isinstance(root, ox.NamedNode) or (isinstance(root, ox.BlankNode) and _referenced(tree, root)))
        for root in tree.roots
    ]
    if len(nodes) == 1:
        document.update(nodes[0])
    else:
        document["@graph"] = nodes
    return document


def _referenced(tree: Tree, node: ox.BlankNode) -> bool:
    return any(obj == node for pairs in tree.by_subject.values() for _, obj in pairs)


def to_jsonld(triples: list[ox.Triple]) -> bytes:
    """Compacted JSON-LD against the published context, two-space indented, keys in a fixed order."""
    return (json.dumps(to_jsonld_object(triples), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def embedded_jsonld(triples: list[ox.Triple]) -> str:
    """JSON-LD with its context inline, safe to put in an HTML ``<script type="application/ld+json">``."""
    document = to_jsonld_object(triples, context_document()["@context"])
    text = json.dumps(document, indent=1, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def parse_jsonld(data: bytes | str, base: str | None = None) -> Graph:
    """Parse a JSON-LD document of this project, resolving the project's remote context locally (no network)."""
    document = json.loads(data)
    local = context_document()["@context"]

    def resolve(context: object) -> object:
        if context == CONTEXT_IRI:
            return local
        if isinstance(context, list):
            return [resolve(item) for item in context]
        return context

    if isinstance(document, dict) and "@context" in document:
        document["@context"] = resolve(document["@context"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD parser uses its own old API
        return Graph().parse(data=json.dumps(document), format="json-ld", base=base)


# ----------------------------------------------------------------------------------------------------------------
# N-Triples and RDF/XML
# ----------------------------------------------------------------------------------------------------------------


def to_ntriples(triples: list[ox.Triple]) -> bytes:
    """Canonical N-Triples, one sorted line a triple."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return "".join(line + "\n" for line in sorted(set(data.decode("utf-8").splitlines())) if line).encode("utf-8")


def to_rdfxml(triples: list[ox.Triple]) -> bytes:
    """RDF/XML (pyoxigraph's writer), one ``rdf:Description`` a subject, in sorted order."""
    tree = build_tree(triples)
    ordered = [
        ox.Triple(subject, predicate, obj)
        for subject in sorted(tree.by_subject, key=_sort_key)
        for predicate, obj in tree.by_subject[subject]
    ]
    namespaces = {t.value for triple in ordered for t in (triple.predicate,)}
    prefixes = {p: ns for p, ns in sorted(PREFIXES.items()) if any(iri.startswith(ns) for iri in namespaces)}
    return ox.serialize(ordered, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b""


WRITERS = {"ttl": to_turtle, "jsonld": to_jsonld, "nt": to_ntriples, "rdf": to_rdfxml}


def serialize(graph: Graph | Iterable[tuple], extension: str) -> bytes:
    """The graph in the form named by its file extension (``ttl``, ``jsonld``, ``nt``, ``rdf``)."""
    return WRITERS[extension](canonical_triples(graph))


def parse(data: bytes, extension: str, base: str | None = None) -> Graph:
    """Parse one of the forms back into an rdflib graph (JSON-LD with the context resolved locally)."""
    if extension == "jsonld":
        return parse_jsonld(data, base)
    fmt = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "trig": "trig", "nq": "nquads"}[extension]
    return Graph().parse(data=data, format=fmt, publicID=base)
