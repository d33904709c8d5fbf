"""The project's base IRI and folders, written in exactly one place.

Everything else (the Python namespace module, the dataset loader, the publisher, the tests) derives its IRIs
and paths from here, so moving the dataset to another persistent-IRI base is a one-line change plus a
regeneration of the Turtle prefixes (checked by ``tests/test_iris.py``).
"""

from __future__ import annotations

from pathlib import Path

#: The persistent base under which every IRI of the project lives.
BASE_IRI = "https://w3id.org/jpmg/"
#: The ontology's namespace: a hash namespace suits a small vocabulary that is fetched as one document.
ONTOLOGY_NS = BASE_IRI + "ontology#"
#: The ontology document's IRI (the namespace without its hash).
ONTOLOGY_IRI = BASE_IRI + "ontology"
#: Instances live under ``{BASE_IRI}id/{kind}/{slug}``: slash IRIs, one document per resource.
INSTANCE_BASE = BASE_IRI + "id/"
#: The shapes graph's IRI.
SHAPES_IRI = BASE_IRI + "shapes"
#: Named graphs under which the dataset is loaded into stores and dumped as TriG/N-Quads.
GRAPH_BASE = BASE_IRI + "graph/"

PREFIX = "jpmg"


def _resource_root() -> Path:
    """Where the ontology, shapes, data and queries are: the checkout, or the installed wheel.

    A checkout (or an editable install) has them at the repository root, two levels above this package;
    an installed wheel carries copies under ``jpmg/_resources``.
    """
    package_dir = Path(__file__).resolve().parent
    bundled = package_dir / "_resources"
    if bundled.is_dir():
        return bundled
    return package_dir.parent.parent


RESOURCE_ROOT = _resource_root()
ONTOLOGY_DIR = RESOURCE_ROOT / "ontology"
SHAPES_DIR = RESOURCE_ROOT / "shapes"
DATA_DIR = RESOURCE_ROOT / "data"
QUERIES_DIR = RESOURCE_ROOT / "queries"
