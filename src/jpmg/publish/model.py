"""The dataset as the publisher sees it: which IRIs it answers for, what it says about each, and the indexes pages need.

**The IRI space.** Every IRI under :data:`jpmg.config.BASE_IRI` that the dataset uses is answered by one
*document*, named by a path under the site's root, in each form of :data:`jpmg.publish.formats.MEDIA_TYPES`:

=====================================================  ========================  ================================
IRI                                                    document                  what the document holds
=====================================================  ========================  ================================
``id/{kind}/{slug}`` (a resource of the data)           ``id/{kind}/{slug}``      the resource's description
``ontology``, ``ontology#Term``, ``ontology/{version}`` ``ontology``              the whole ontology graph
``shapes``, ``shapes#Shape``                            ``shapes``                the whole shapes graph
``dataset``, ``dataset#part``, ``graph/{name}``         ``dataset``               the VoID/DCAT description
=====================================================  ========================  ================================

**A resource's description** (:meth:`SiteModel.describe`) is its Concise Bounded Description in the data graph: every
triple with the resource as subject and, recursively, every triple of a blank node reached as an object. It is the
single definition used by the HTML page, the embedded JSON-LD, the ``.ttl``/``.jsonld``/``.nt``/``.rdf`` files,
``jpmg serve`` and the tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from jpmg import config
from jpmg.dataset import KnowledgeGraph, load_dataset
from jpmg.publish.formats import compact_iri

JPMG = config.ONTOLOGY_NS
FACT_ID = URIRef(JPMG + "factId")
CONFIDENCE = URIRef(JPMG + "confidence")
ABOUT = URIRef(JPMG + "about")
HAS_CLAIM = URIRef(JPMG + "hasClaim")
CLAIMED_PROPERTY = URIRef(JPMG + "claimedProperty")
CLAIMED_VALUE = URIRef(JPMG + "claimedValue")
CLAIMED_RESOURCE = URIRef(JPMG + "claimedResource")
PREFERRED_CLAIM = URIRef(JPMG + "preferredClaim")

#: The documents that are not resources of the data, with the IRIs they answer for.
ONTOLOGY_DOC, SHAPES_DOC, DATASET_DOC = "ontology", "shapes", "dataset"
DATASET_IRI = config.BASE_IRI + DATASET_DOC
_RESOURCE_PATH = re.compile(r"id/[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*")
_LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, FOAF.name)


def concise_bounded_description(graph: Graph, subject: URIRef | BNode) -> Graph:
    """The subject's triples and, recursively, those of every blank node reached as an object (its CBD)."""
    description = Graph()
    pending, seen = [subject], {subject}
    while pending:
        node = pending.pop()
        for _, predicate, obj in graph.triples((node, None, None)):
            description.add((node, predicate, obj))
            if isinstance(obj, BNode) and obj not in seen:
                seen.add(obj)
                pending.append(obj)
    return description


def document_path(iri: str) -> str | None:
    """The path (no extension) of the document that answers for ``iri``, or None when it is not an IRI of ours.

    The answer does not say whether a resource exists: :meth:`SiteModel.document_for` checks that too.
    """
    if not iri.startswith(config.BASE_IRI):
        return None
    path = iri[len(config.BASE_IRI) :].split("#", 1)[0]
    if path == ONTOLOGY_DOC or re.fullmatch(ONTOLOGY_DOC + r"/\d+(?:\.\d+)*", path):
        return ONTOLOGY_DOC
    if path == SHAPES_DOC:
        return SHAPES_DOC
    if path == DATASET_DOC or re.fullmatch(r"graph/[a-z]+", path):
        return DATASET_DOC
    if _RESOURCE_PATH.fullmatch(path):
        return path
    return None


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


@dataclass
class Derivation:
    """One qualified derivation of a node: the source, the fact-sheet row and the confidence."""

    source: URIRef | None
    fact_id: str
    confidence: URIRef | None


@dataclass
class Incoming:
    """A link to a resource: from ``subject`` along ``path`` (several properties when it passes blank nodes)."""

    subject: URIRef
    path: tuple[URIRef, ...]


@dataclass
class SiteModel:
    """The knowledge graph with the indexes the publisher needs, built once."""

    kg: KnowledgeGraph
    description_graph: Graph | None = None
    _labels: dict[URIRef, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls) -> SiteModel:
        return cls(load_dataset())

    @property
    def data(self) -> Graph:
        return self.kg.data.graph

    @property
    def ontology(self) -> Graph:
        return self.kg.ontology.graph

    @property
    def shapes(self) -> Graph:
        return self.kg.shapes.graph

    @property
    def description(self) -> Graph:
        """The VoID/DCAT description (computed from the dumps when the site build did not set it)."""
        if self.description_graph is None:
            from jpmg.publish.description import dataset_description

            self.description_graph = dataset_description(self.kg)
        return self.description_graph

    # ---- the IRI space ------------------------------------------------------------------------------------------

    @cached_property
    def resources(self) -> list[URIRef]:
        """Every resource of the data (an IRI under the instance base that is a subject), sorted."""
        return sorted(
            {s for s in self.data.subjects() if isinstance(s, URIRef) and str(s).startswith(config.INSTANCE_BASE)}
        )

    @cached_property
    def _resource_set(self) -> set[URIRef]:
        return set(self.resources)

    def document_for(self, iri: str) -> str | None:
        """The document that answers for ``iri``, or None (not ours, or no such resource)."""
        path = document_path(iri)
        if path is None or path in (ONTOLOGY_DOC, SHAPES_DOC, DATASET_DOC):
            return path
        return path if URIRef(config.BASE_IRI + path) in self._resource_set else None

    @cached_property
    def documents(self) -> list[str]:
        """Every document of the site, by path: the ontology, the shapes, the dataset, then every resource."""
        return [ONTOLOGY_DOC, SHAPES_DOC, DATASET_DOC] + [str(r)[len(config.BASE_IRI) :] for r in self.resources]

    def iris(self) -> set[str]:
        """Every IRI under the base that the dataset (data, ontology, shapes, description) uses."""
        found: set[str] = set()
        for graph in (self.data, self.ontology, self.shapes, self.description):
            for triple in graph:
                for term in triple:
                    if isinstance(term, URIRef) and str(term).startswith(config.BASE_IRI):
                        found.add(str(term))
                    elif (
                        isinstance(term, Literal)
                        and term.datatype is not None
                        and str(term.datatype).startswith(config.BASE_IRI)
                    ):
                        found.add(str(term.datatype))
        return found

    def describe_document(self, path: str) -> Graph:
        """The triples of a document: a whole graph for the ontology, shapes and dataset, else a resource's CBD."""
        if path == ONTOLOGY_DOC:
            return self.ontology
        if path == SHAPES_DOC:
            return self.shapes
        if path == DATASET_DOC:
            return self.description
        return concise_bounded_description(self.data, URIRef(config.BASE_IRI + path))

    def describe(self, iri: str) -> Graph:
        """What the dataset says about ``iri``: the triples of the document that answers for it."""
        path = self.document_for(iri)
        if path is None:
            raise KeyError(f"{iri} is not an IRI this dataset answers for")
        return self.describe_document(path)

    # ---- labels and types ---------------------------------------------------------------------------------------

    def label(self, term: URIRef | BNode | Literal | str) -> str:
        """A name for people: the resource's English label, else a compact IRI, else the IRI's last part."""
        term = URIRef(term) if isinstance(term, str) and not isinstance(term, URIRef | BNode | Literal) else term
        if isinstance(term, Literal):
            return str(term)
        if term in self._labels:
            return self._labels[term]
        found = None
        for graph in (self.data, self.ontology, self.shapes):
            for prop in _LABEL_PROPERTIES:
                values = sorted(graph.objects(term, prop), key=lambda v: (getattr(v, "language", None) != "en", v))
                if values:
                    found = str(values[0])
                    break
            if found:
                break
        if found is None:
            found = (compact_iri(str(term)) or local_name(str(term))) if isinstance(term, URIRef) else "(anonymous)"
        self._labels[term] = found
        return found

    def types(self, resource: URIRef | BNode) -> list[URIRef]:
        return sorted(t for t in self.data.objects(resource, RDF.type) if isinstance(t, URIRef))

    @cached_property
    def superclasses(self) -> dict[URIRef, set[URIRef]]:
        """Every class's superclasses by rdfs:subClassOf in the ontology, transitively (the class itself excluded)."""
        direct: dict[URIRef, set[URIRef]] = defaultdict(set)
        for sub, sup in self.ontology.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                direct[sub].add(sup)
        closure: dict[URIRef, set[URIRef]] = {}
        for cls in list(direct):
            seen: set[URIRef] = set()
            pending = list(direct[cls])
            while pending:
                sup = pending.pop()
                if sup not in seen and sup != cls:
                    seen.add(sup)
                    pending.extend(direct.get(sup, ()))
            closure[cls] = seen
        return closure

    @cached_property
    def instances(self) -> dict[URIRef, list[URIRef]]:
        """Every class's instances among the resources, directly typed or through a subclass."""
        found: dict[URIRef, set[URIRef]] = defaultdict(set)
        for resource in self.resources:
            for cls in self.types(resource):
                found[cls].add(resource)
                for sup in self.superclasses.get(cls, ()):
                    found[sup].add(resource)
        return {cls: sorted(members) for cls, members in found.items()}

    @cached_property
    def direct_instances(self) -> dict[URIRef, list[URIRef]]:
        found: dict[URIRef, list[URIRef]] = defaultdict(list)
        for resource in self.resources:
            for cls in self.types(resource):
                found[cls].append(resource)
        return dict(found)

    def primary_class(self, resource: URIRef) -> URIRef | None:
        """The most specific class of the project's ontology the resource has, else its first type."""
        types = self.types(resource)
        own = [t for t in types if str(t).startswith(JPMG)]
        candidates = own or types
        for cls in candidates:
            if not any(cls in self.superclasses.get(other, ()) for other in candidates if other != cls):
                return cls
        return candidates[0] if candidates else None

    def kind(self, resource: URIRef) -> str:
        """The ``{kind}`` segment of a resource's IRI (``session``, ``person``, ...)."""
        return str(resource)[len(config.INSTANCE_BASE) :].split("/", 1)[0]

    # ---- evidence and links -------------------------------------------------------------------------------------

    def derivations(self, node: URIRef | BNode) -> list[Derivation]:
        """The node's qualified derivations, by fact id and source."""
        found = []
        for derivation in self.data.objects(node, PROV.qualifiedDerivation):
            source = self.data.value(derivation, PROV.entity)
            fact = self.data.value(derivation, FACT_ID)
            confidence = self.data.value(derivation, CONFIDENCE)
            found.append(Derivation(source, str(fact) if fact is not None else "", confidence))
        return sorted(found, key=lambda d: (d.fact_id or "~", str(d.source)))

    def claims_about(self, resource: URIRef) -> list[URIRef]:
        return sorted(s for s in self.data.subjects(ABOUT, resource) if isinstance(s, URIRef))

    @cached_property
    def _parents(self) -> dict[BNode, tuple[URIRef | BNode, URIRef]]:
        return {o: (s, p) for s, p, o in self.data if isinstance(o, BNode)}

    def owner(self, node: URIRef | BNode) -> tuple[URIRef | None, tuple[URIRef, ...]]:
        """The resource whose description holds ``node``, with the path of properties from it."""
        path: list[URIRef] = []
        seen = set()
        while isinstance(node, BNode):
            if node in seen or node not in self._parents:
                return None, tuple(path)
            seen.add(node)
            node, predicate = self._parents[node]
            path.insert(0, predicate)
        return node, tuple(path)

    @cached_property
    def incoming(self) -> dict[URIRef, list[Incoming]]:
        """Links to each resource from the others, through blank nodes where needed (provenance excluded)."""
        found: dict[URIRef, set[tuple[URIRef, tuple[URIRef, ...]]]] = defaultdict(set)
        for s, p, o in self.data:
            if not isinstance(o, URIRef) or o not in self._resource_set or p == RDF.type:
                continue
            root, path = self.owner(s)
            if root is None or root == o:
                continue
            full = (*path, p)
            if full[0] in (PROV.qualifiedDerivation, PROV.wasDerivedFrom):
                continue  # the evidence is listed on its own ("cited by")
            found[o].add((root, full))
        return {
            o: [Incoming(s, path) for s, path in sorted(links, key=lambda x: ([str(p) for p in x[1]], str(x[0])))]
            for o, links in found.items()
        }

    @cached_property
    def citations(self) -> dict[URIRef, list[tuple[URIRef, Derivation]]]:
        """For each source, the resources whose derivations cite it, with the derivation."""
        found: dict[URIRef, list[tuple[URIRef, Derivation]]] = defaultdict(list)
        for resource in self.resources:
            for derivation in self.derivations(resource):
                if derivation.source is not None:
                    found[derivation.source].append((resource, derivation))
        return {s: sorted(v, key=lambda x: (x[1].fact_id or "~", str(x[0]))) for s, v in found.items()}

    def same_as(self) -> dict[str, list[tuple[URIRef, URIRef]]]:
        """The owl:sameAs links of the data by target (``wikidata``, ``dbpedia``, ``other``)."""
        found: dict[str, list[tuple[URIRef, URIRef]]] = defaultdict(list)
        for s, o in sorted(self.data.subject_objects(OWL.sameAs)):
            target = str(o)
            key = (
                "wikidata"
                if target.startswith("http://www.wikidata.org/entity/")
                else "dbpedia"
                if target.startswith("http://dbpedia.org/resource/")
                else "other"
            )
            found[key].append((s, o))
        return dict(found)


def sorted_terms(terms: Iterable[URIRef | BNode | Literal]) -> list[URIRef | BNode | Literal]:
    """Terms in a stable order: IRIs, then blank nodes, then literals, each by their text."""
    return sorted(terms, key=lambda t: (0 if isinstance(t, URIRef) else 1 if isinstance(t, BNode) else 2, str(t)))
