"""The machine-readable forms of every document: each resource, the ontology, the shapes and the dataset.

Each document (:attr:`SiteModel.documents`) is written as ``{path}.ttl``, ``{path}.jsonld``, ``{path}.nt`` and
``{path}.rdf`` from its description (:meth:`SiteModel.describe_document`), with canonical blank-node labels, so the
files parse back to exactly the triples the dataset holds for it. The JSON-LD context and the VoID description at
``/.well-known/void`` are written here too.
"""

from __future__ import annotations

import json

from jpmg.publish import formats
from jpmg.publish.model import DATASET_DOC, SiteModel

CONTEXT_PATH = "context.jsonld"
WELL_KNOWN_VOID = ".well-known/void"


def document_files(model: SiteModel, path: str) -> dict[str, bytes]:
    """The four RDF forms of one document, by file path."""
    triples = formats.canonical_triples(model.describe_document(path))
    return {f"{path}.{ext}": formats.WRITERS[ext](triples) for ext in formats.RDF_EXTENSIONS}


def resource_files(model: SiteModel) -> dict[str, bytes]:
    """The RDF forms of every document, the JSON-LD context, and the VoID description at its well-known place."""
    files: dict[str, bytes] = {}
    for path in model.documents:
        files.update(document_files(model, path))
    files[CONTEXT_PATH] = (json.dumps(formats.context_document(), indent=2) + "\n").encode("utf-8")
    files[WELL_KNOWN_VOID] = files[f"{DATASET_DOC}.ttl"]
    return files
