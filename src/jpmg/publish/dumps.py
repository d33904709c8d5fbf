"""The whole dataset as downloadable dumps, byte-identical for the same input.

TriG and N-Quads keep the named graphs (ontology, shapes, data); Turtle, N-Triples (also gzipped), JSON-LD and
RDF/XML hold their union. The first four come from :mod:`jpmg.dump` (the loader's canonical dump writer); JSON-LD and
RDF/XML are written here from the same canonical quads, so every dump has the same blank-node labels.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from jpmg import config
from jpmg.dataset import KnowledgeGraph
from jpmg.dump import canonical_dataset, dump_bytes
from jpmg.publish.formats import CONTEXT_IRI, to_jsonld, to_rdfxml

DUMP_FOLDER = "dumps"
DUMP_NAME = "jpmg"


@dataclass(frozen=True)
class DumpFormat:
    """One distribution: its file name's extension, media type, name, specification, and compression."""

    extension: str
    media_type: str
    title: str
    conforms_to: str
    named_graphs: bool = False
    compression: str | None = None

    @property
    def filename(self) -> str:
        return f"{DUMP_NAME}.{self.extension}"

    @property
    def path(self) -> str:
        """The file's path under the site's root."""
        return f"{DUMP_FOLDER}/{self.filename}"

    @property
    def download_iri(self) -> str:
        """The file's persistent IRI (the base IRI redirects to the host)."""
        return config.BASE_IRI + self.path


FORMATS = (
    DumpFormat("trig", "application/trig", "TriG", "http://www.w3.org/ns/formats/TriG", named_graphs=True),
    DumpFormat("nq", "application/n-quads", "N-Quads", "http://www.w3.org/ns/formats/N-Quads", named_graphs=True),
    DumpFormat("ttl", "text/turtle", "Turtle", "http://www.w3.org/ns/formats/Turtle"),
    DumpFormat("nt", "application/n-triples", "N-Triples", "http://www.w3.org/ns/formats/N-Triples"),
    DumpFormat(
        "nt.gz",
        "application/n-triples",
        "N-Triples, gzipped",
        "http://www.w3.org/ns/formats/N-Triples",
        compression="application/gzip",
    ),
    DumpFormat("jsonld", "application/ld+json", "JSON-LD", "http://www.w3.org/ns/formats/JSON-LD"),
    DumpFormat("rdf", "application/rdf+xml", "RDF/XML", "http://www.w3.org/ns/formats/RDF_XML"),
)


@dataclass(frozen=True)
class Dump:
    """A dump's bytes with what the dataset description says of it."""

    format: DumpFormat
    data: bytes

    @property
    def byte_size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def union_triples(kg: KnowledgeGraph) -> list[ox.Triple]:
    """The union of the named graphs, with the canonical blank-node labels of :func:`jpmg.dump.canonical_dataset`."""
    return sorted({quad.triple for quad in canonical_dataset(kg)}, key=str)


def build_dumps(kg: KnowledgeGraph) -> list[Dump]:
    """Every dump, in the order of :data:`FORMATS`."""
    native = {fmt: dump_bytes(kg, fmt) for fmt in ("trig", "nq", "ttl", "nt")}
    union = union_triples(kg)
    data = {
        **native,
        "nt.gz": gzip.compress(native["nt"], compresslevel=9, mtime=0),
        "jsonld": to_jsonld(union),
        "rdf": to_rdfxml(union),
    }
    return [Dump(fmt, data[fmt.extension]) for fmt in FORMATS]


__all__ = ["CONTEXT_IRI", "DUMP_FOLDER", "FORMATS", "Dump", "DumpFormat", "build_dumps", "union_triples"]
