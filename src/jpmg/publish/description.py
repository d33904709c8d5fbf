"""The dataset's description in VoID and DCAT 3: what it is, how big, in which forms, linked to what.

:func:`dataset_description` returns it as an rdflib graph, so that the same triples are published by the site (the
``dataset`` page and its ``.ttl``/``.jsonld``/``.nt``/``.rdf`` files, and ``/.well-known/void``), answered by
``jpmg serve``, and loaded into a triple store as a named graph (:data:`DESCRIPTION_GRAPH_IRI`).

Every number in it is counted from the dataset itself (the union of the ontology, shapes and data graphs, as the
dumps hold it); every distribution carries its media type, byte size and SHA-256 checksum, computed from the very
bytes the site publishes. The only dates are the dataset's own: issued and modified are the ontology's
``dcterms:created`` and ``dcterms:modified``, the version its ``owl:versionInfo``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, XSD

from jpmg import config
from jpmg.dataset import KnowledgeGraph
from jpmg.publish.dumps import Dump, build_dumps, union_triples

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
JPMG = Namespace(config.ONTOLOGY_NS)

DATASET = URIRef(config.BASE_IRI + "dataset")
#: The named graph under which a store may keep this description beside the ontology, shapes and data.
DESCRIPTION_GRAPH_IRI = URIRef(config.GRAPH_BASE + "description")
#: ``jpmg serve``'s default port, and so the SPARQL endpoint the description names.
DEFAULT_PORT = 8000
SPARQL_ENDPOINT = URIRef(f"http://127.0.0.1:{DEFAULT_PORT}/sparql")

TITLE = "JPMG knowledge graph"
DESCRIPTION = (
    "A sourced, validated knowledge graph of the U.S.-Israel Joint Political-Military Group (JPMG) and the "
    "cooperation framework around it: the two states and their ministries, bureaus and armed forces, ten bilateral "
    "forums, the offices and who held each when, the agreements with their signatories, and every recorded session "
    "with its delegations and topics. Every fact names its source, the fact-sheet row it comes from and a confidence "
    "level; where sources disagree, each claim is kept."
)
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
PUBLISHER_NAME = "JPMG Knowledge Graph contributors"
KEYWORDS = (
    "U.S.-Israel relations",
    "Joint Political-Military Group",
    "bilateral forums",
    "security cooperation",
    "linked data",
)
#: Preferred example resources (those that exist are listed).
EXAMPLES = (
    "id/session/jpmg-48",
    "id/org/jpmg",
    "id/agreement/1981-mou-strategic-cooperation",
    "id/person/amir-eshel",
    "id/tenure/amir-eshel-imod-director-general",
    "id/conflict/c6",
)
#: The datasets the owl:sameAs links point into: key, title, homepage, URI space.
LINK_TARGETS = (
    ("wikidata", "Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"),
    ("dbpedia", "DBpedia", "https://www.dbpedia.org/", "http://dbpedia.org/resource/"),
)
#: The parts of the dataset, each a named graph of the dumps.
PARTS = (
    ("ontology", "The JPMG ontology"),
    ("shapes", "The JPMG SHACL shapes"),
    ("data", "The JPMG instance data"),
)


def _count(graph: Graph, node: URIRef | BNode, predicate: URIRef, value: int) -> None:
    graph.add((node, predicate, Literal(value, datatype=XSD.integer)))


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def statistics(kg: KnowledgeGraph) -> dict[str, int]:
    """The counts the description states, taken from the union of the dataset's graphs as the dumps hold it."""
    union = union_triples(kg)
    resources = {
        s for s in kg.data.graph.subjects() if isinstance(s, URIRef) and str(s).startswith(config.INSTANCE_BASE)
    }
    rdf_type = ox.NamedNode(str(RDF.type))
    return {
        "triples": len(union),
        "entities": len(resources),
        "classes": len({t.object for t in union if t.predicate == rdf_type}),
        "properties": len({t.predicate for t in union}),
        "distinctSubjects": len({t.subject for t in union}),
        "distinctObjects": len({t.object for t in union}),
    }


def dataset_description(kg: KnowledgeGraph, dumps: Sequence[Dump] | None = None) -> Graph:
    """The VoID and DCAT 3 description of the dataset (with the dumps' sizes and checksums) as an rdflib graph.

    ``dumps`` are the published dumps; when not given they are built (deterministically, so they are the same
    bytes the site publishes).
    """
    dumps = list(dumps) if dumps is not None else build_dumps(kg)
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX), ("sd", SD), ("dcterms", DCTERMS)):
        g.bind(prefix, ns)
    ontology = URIRef(config.ONTOLOGY_IRI)
    data = kg.data.graph

    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((DATASET, RDFS.label, Literal(TITLE, lang="en")))
    g.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((DATASET, DCTERMS.license, LICENSE))
    publisher = BNode("publisher")
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(PUBLISHER_NAME)))
    g.add((DATASET, DCTERMS.publisher, publisher))
    g.add((DATASET, DCTERMS.creator, publisher))
    version = kg.ontology.graph.value(ontology, OWL.versionInfo)
    if version is not None:
        g.add((DATASET, DCAT.version, Literal(str(version))))
        g.add((DATASET, OWL.versionInfo, Literal(str(version))))
    for source, target in ((DCTERMS.created, DCTERMS.issued), (DCTERMS.modified, DCTERMS.modified)):
        value = kg.ontology.graph.value(ontology, source)
        if value is not None:
            g.add((DATASET, target, value))
    g.add((DATASET, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/en")))
    for keyword in KEYWORDS:
        g.add((DATASET, DCAT.keyword, Literal(keyword, lang="en")))
    g.add((DATASET, FOAF.homepage, URIRef(config.BASE_IRI)))
    g.add((DATASET, DCAT.landingPage, URIRef(config.BASE_IRI)))
    g.add((DATASET, DCTERMS.conformsTo, URIRef(config.SHAPES_IRI)))
    g.add((DATASET, VOID.uriSpace, Literal(config.INSTANCE_BASE)))
    g.add((DATASET, VOID.rootResource, URIRef(config.INSTANCE_BASE + "org/jpmg")))
    for path in EXAMPLES:
        iri = URIRef(config.BASE_IRI + path)
        if (iri, None, None) in data:
            g.add((DATASET, VOID.exampleResource, iri))

    # period covered: the years of the dated facts
    years = sorted(str(o)[:4] for o in data.objects(None, JPMG.date) if isinstance(o, Literal) and str(o)[:4].isdigit())
    if years:
        period = BNode("period")
        g.add((DATASET, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, DCAT.startDate, Literal(years[0], datatype=XSD.gYear)))
        g.add((period, DCAT.endDate, Literal(years[-1], datatype=XSD.gYear)))

    # counts
    stats = statistics(kg)
    for name, value in stats.items():
        _count(g, DATASET, VOID[name], value)
    union = Graph()
    for part in (kg.ontology, kg.shapes, kg.data):
        union += part.graph
    vocabularies = {_namespace(str(p)) for p in union.predicates()}
    vocabularies |= {_namespace(str(c)) for c in union.objects(None, RDF.type) if isinstance(c, URIRef)}
    for namespace in sorted(vocabularies):
        g.add((DATASET, VOID.vocabulary, URIRef(namespace)))
    class_counts = Counter(
        o for s, o in data.subject_objects(RDF.type) if isinstance(s, URIRef) and str(s).startswith(config.BASE_IRI)
    )
    for cls, count in sorted(class_counts.items()):
        partition = BNode(f"class-{cls}")
        g.add((DATASET, VOID.classPartition, partition))
        g.add((partition, VOID["class"], cls))
        _count(g, partition, VOID.entities, count)
    property_counts = Counter(p for _, p, _ in union)
    for prop, count in sorted(property_counts.items()):
        partition = BNode(f"property-{prop}")
        g.add((DATASET, VOID.propertyPartition, partition))
        g.add((partition, VOID.property, prop))
        _count(g, partition, VOID.triples, count)

    # the named graphs
    for name, title in PARTS:
        part = URIRef(config.GRAPH_BASE + name)
        graph = getattr(kg, name).graph
        g.add((DATASET, VOID.subset, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, DCTERMS.title, Literal(title, lang="en")))
        g.add((part, RDFS.label, Literal(title, lang="en")))
        _count(g, part, VOID.triples, len(graph))

    # linksets to Wikidata and DBpedia
    same_as = [(s, o) for s, o in data.subject_objects(OWL.sameAs)]
    for key, title, homepage, space in LINK_TARGETS:
        target = URIRef(f"{DATASET}#{key}")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(title, lang="en")))
        g.add((target, RDFS.label, Literal(title, lang="en")))
        g.add((target, FOAF.homepage, URIRef(homepage)))
        g.add((target, VOID.uriSpace, Literal(space)))
        linkset = URIRef(f"{DATASET}#links-{key}")
        links = sum(1 for _, o in same_as if str(o).startswith(space))
        g.add((DATASET, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        label = f"owl:sameAs links to {title}"
        g.add((linkset, DCTERMS.title, Literal(label, lang="en")))
        g.add((linkset, RDFS.label, Literal(label, lang="en")))
        g.add((linkset, VOID.linkPredicate, OWL.sameAs))
        g.add((linkset, VOID.subjectsTarget, DATASET))
        g.add((linkset, VOID.objectsTarget, target))
        _count(g, linkset, VOID.triples, links)

    # the distributions
    for dump in dumps:
        fmt = dump.format
        distribution = URIRef(f"{DATASET}#dump-{fmt.extension.replace('.', '-')}")
        download = URIRef(fmt.download_iri)
        g.add((DATASET, DCAT.distribution, distribution))
        g.add((DATASET, VOID.dataDump, download))
        g.add((distribution, RDF.type, DCAT.Distribution))
        title = f"The whole dataset in {fmt.title}" + (" (with the named graphs)" if fmt.named_graphs else "")
        g.add((distribution, DCTERMS.title, Literal(title, lang="en")))
        g.add((distribution, RDFS.label, Literal(title, lang="en")))
        g.add((distribution, DCAT.downloadURL, download))
        g.add((distribution, DCAT.accessURL, download))
        g.add((distribution, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + fmt.media_type)))
        if fmt.compression:
            g.add(
                (
                    distribution,
                    DCAT.compressFormat,
                    URIRef("https://www.iana.org/assignments/media-types/" + fmt.compression),
                )
            )
        g.add((distribution, DCTERMS.conformsTo, URIRef(fmt.conforms_to)))
        g.add((distribution, DCTERMS.license, LICENSE))
        g.add((distribution, DCAT.byteSize, Literal(dump.byte_size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode(f"checksum-{fmt.extension}")
        g.add((distribution, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))

    # the SPARQL endpoint of `jpmg serve`
    service = URIRef(f"{DATASET}#sparql")
    g.add((DATASET, VOID.sparqlEndpoint, SPARQL_ENDPOINT))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal("SPARQL endpoint of jpmg serve", lang="en")))
    g.add((service, RDFS.label, Literal("SPARQL endpoint of jpmg serve", lang="en")))
    g.add(
        (
            service,
            DCTERMS.description,
            Literal(
                f"A read-only SPARQL 1.1 Protocol endpoint that `jpmg serve` starts on this machine (127.0.0.1, "
                f"port {DEFAULT_PORT} unless --port says otherwise). Its default graph is the union of the data and "
                "the ontology; the named graphs are those of the TriG dump, with this description.",
                lang="en",
            ),
        )
    )
    g.add((service, DCAT.endpointURL, SPARQL_ENDPOINT))
    g.add((service, SD.endpoint, SPARQL_ENDPOINT))
    g.add((service, DCAT.servesDataset, DATASET))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle"):
        g.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/" + fmt)))
    return g
