"""The HTML pages for people, rendered from the Jinja2 templates in ``templates/``.

Pages link to each other by relative paths (the site works from any folder, from ``file://`` and offline: no
external script, style sheet or font), name every resource by its label, and link every property to its
definition. A resource's page shows exactly its description (:meth:`SiteModel.describe`): its types, every
property with its values (blank nodes nested), the sources, fact-sheet rows and confidence of its derivations,
the claims made about it, the links to it from other resources, its machine-readable forms, and the same triples
as embedded JSON-LD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

import jinja2
from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from jpmg import __version__, config
from jpmg.publish import formats
from jpmg.publish.description import DATASET, DCAT, SPDX, VOID
from jpmg.publish.diagrams import model_svg, timeline_marks, timeline_svg
from jpmg.publish.dumps import Dump
from jpmg.publish.model import (
    CLAIMED_PROPERTY,
    CLAIMED_RESOURCE,
    CLAIMED_VALUE,
    DATASET_DOC,
    HAS_CLAIM,
    JPMG,
    ONTOLOGY_DOC,
    PREFERRED_CLAIM,
    SHAPES_DOC,
    SiteModel,
    document_path,
    local_name,
    sorted_terms,
)
from jpmg.queries import CompetencyQuery, list_queries

SH = "http://www.w3.org/ns/shacl#"
#: Properties shown as prose at the top of a page rather than in the table of facts.
PROSE = (DCTERMS.description, SKOS.definition, RDFS.comment, SKOS.scopeNote)
#: Properties shown in sections of their own.
SECTIONED = (RDF.type, PROV.qualifiedDerivation, PROV.wasDerivedFrom)
#: Competency queries the home page offers as examples.
EXAMPLE_QUERIES = ("jpmg-sessions", "jpmg-co-chairs", "post-holders", "source-conflicts", "timeline")


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the templates (autoescaping on, undefined names an error)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jpmg.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["local"] = lambda iri: local_name(str(iri))
    return env


@dataclass
class Value:
    """One value of a property, ready to show: a link, a literal with its datatype, or a nested node."""

    html: Markup
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Fact:
    """A property of a node with all its values."""

    prop: Markup
    values: list[Value]


class Linker:
    """Turns IRIs into links relative to one page, and terms into HTML."""

    def __init__(self, model: SiteModel, root: str) -> None:
        self.model = model
        self.root = root

    def href(self, iri: str) -> str:
        """Where to link an IRI from this page: a page of the site, or the IRI itself when it is not ours."""
        path = self.model.document_for(iri)
        if path is None:
            return iri
        fragment = iri.split("#", 1)[1] if "#" in iri else ""
        if path == DATASET_DOC and iri.startswith(config.GRAPH_BASE):
            fragment = "graph-" + iri[len(config.GRAPH_BASE) :]
        return f"{self.root}{path}.html" + (f"#{fragment}" if fragment else "")

    def iri(self, iri: URIRef | str, text: str | None = None) -> Markup:
        iri = str(iri)
        ours = document_path(iri) is not None
        label = text if text is not None else self.model.label(URIRef(iri))
        css = "" if ours else ' class="external"'
        title = iri if label != iri else ""
        title_attr = f' title="{escape(title)}"' if title else ""
        return Markup(f'<a href="{escape(self.href(iri))}"{css}{title_attr}>{escape(label)}</a>')

    def prop(self, iri: URIRef) -> Markup:
        """A property's name, linked to its definition (ours) or its IRI (another vocabulary's)."""
        text = str(iri)
        curie = formats.compact_iri(text) or text
        if text.startswith(JPMG):
            return Markup(
                f'<a href="{escape(self.href(text))}" title="{escape(curie)}">{escape(self.model.label(iri))}</a>'
            )
        return Markup(f'<a href="{escape(text)}" class="external" title="{escape(text)}">{escape(curie)}</a>')

    def literal(self, value: Literal) -> Markup:
        text = escape(str(value))
        if value.language:
            return Markup(f'<span lang="{escape(value.language)}">{text}</span>')
        if value.datatype is None or value.datatype == XSD.string:
            if re.fullmatch(r"https?://\S+", str(value)):
                return Markup(f'<a href="{text}" class="external">{text}</a>')
            return Markup(text)
        datatype = formats.compact_iri(str(value.datatype)) or str(value.datatype)
        return Markup(f'{text} <span class="datatype">{escape(datatype)}</span>')

    def term(self, term: URIRef | BNode | Literal) -> Markup:
        if isinstance(term, Literal):
            return self.literal(term)
        if isinstance(term, URIRef):
            return self.iri(term)
        return Markup('<span class="bnode">(a node)</span>')


def facts_of(model: SiteModel, graph: Graph, node: URIRef | BNode, linker: Linker, skip=SECTIONED) -> list[Fact]:
    """The node's properties and values in ``graph``, nested blank nodes expanded, in a stable order."""
    grouped: dict[URIRef, list] = {}
    for predicate, obj in graph.predicate_objects(node):
        if predicate in skip or (predicate in PROSE and isinstance(node, URIRef)):
            continue
        grouped.setdefault(predicate, []).append(obj)
    facts = []
    for predicate in sorted(grouped, key=lambda p: (p != RDFS.label, model.label(p).lower(), str(p))):
        values = []
        for obj in sorted_terms(grouped[predicate]):
            if isinstance(obj, BNode):
                types = sorted(graph.objects(obj, RDF.type))
                head = Markup(", ").join(linker.iri(t) for t in types) if types else Markup("")
                values.append(Value(head, facts_of(model, graph, obj, linker, skip=(RDF.type,))))
            else:
                values.append(Value(linker.term(obj)))
        facts.append(Fact(linker.prop(predicate), values))
    return facts


def depth_root(path: str) -> str:
    """The relative path from a page at ``path`` back to the site's root."""
    return "../" * path.count("/")


class Renderer:
    """Renders every page of the site."""

    def __init__(self, model: SiteModel, dumps: list[Dump]) -> None:
        self.model = model
        self.dumps = dumps
        self.env = environment()
        self.queries = list_queries()

    def _render(self, template: str, path: str, **context) -> bytes:
        root = depth_root(path)
        linker = Linker(self.model, root)
        page = self.env.get_template(template).render(
            root=root,
            path=path,
            link=linker,
            version=__version__,
            base_iri=config.BASE_IRI,
            **context,
        )
        return page.encode("utf-8")

    # ---- the pages ----------------------------------------------------------------------------------------------

    def pages(self) -> dict[str, bytes]:
        """Every HTML page, by its path under the site's root."""
        pages = {
            "index.html": self.home(),
            "ontology.html": self.ontology(),
            "shapes.html": self.shapes(),
            "dataset.html": self.dataset(),
            "queries.html": self.queries_page(),
            "browse.html": self.browse(),
            "404.html": self._render("404.html", "404.html", title="Not found"),
        }
        for resource in self.model.resources:
            path = str(resource)[len(config.BASE_IRI) :]
            pages[path + ".html"] = self.resource(resource)
        return pages

    def counts(self) -> list[tuple[str, int, str]]:
        """The headline counts: what, how many, where to see them."""
        m = self.model

        def n(local: str) -> int:
            return len(m.instances.get(URIRef(JPMG + local), []))

        stats = self._stats()
        return [
            ("data triples (with the ontology and shapes)", stats["triples"], "dataset.html"),
            ("resources with a page", len(m.resources), "browse.html"),
            ("bilateral forums", n("BilateralForum"), "browse.html#kind-org"),
            ("sessions", n("Session"), "browse.html#kind-session"),
            ("agreements", n("Agreement"), "browse.html#kind-agreement"),
            (
                "persons",
                len(m.instances.get(URIRef("http://xmlns.com/foaf/0.1/Person"), [])),
                "browse.html#kind-person",
            ),
            ("tenures of an office", n("Tenure"), "browse.html#kind-tenure"),
            ("sources", n("Source"), "browse.html#kind-source"),
            ("source conflicts", n("SourceConflict"), "browse.html#kind-conflict"),
        ]

    def _stats(self) -> dict[str, int]:
        d = self.model.description
        return {
            str(p)[len(str(VOID)) :]: int(o)
            for p, o in d.predicate_objects(DATASET)
            if str(p).startswith(str(VOID)) and isinstance(o, Literal) and o.datatype == XSD.integer
        }

    def home(self) -> bytes:
        examples = [q for name in EXAMPLE_QUERIES for q in self.queries if q.name == name]
        _, undated = timeline_marks(self.model)
        return self._render(
            "home.html",
            "index.html",
            title="The JPMG knowledge graph",
            counts=self.counts(),
            model_svg=Markup(model_svg(self.model)),
            timeline_svg=Markup(timeline_svg(self.model)),
            undated=undated,
            examples=examples,
            dumps=self.dumps,
            example_resources=sorted(self.model.description.objects(DATASET, VOID.exampleResource)),
            description=str(self.model.description.value(DATASET, DCTERMS.description)),
        )

    def resource(self, resource: URIRef) -> bytes:
        path = str(resource)[len(config.BASE_IRI) :]
        root = depth_root(path)
        linker = Linker(self.model, root)
        graph = self.model.describe(str(resource))
        m = self.model
        prose = [
            (linker.prop(p), str(o))
            for p in PROSE
            for o in sorted(graph.objects(resource, p))
            if isinstance(o, Literal)
        ]
        derivations = m.derivations(resource)
        claims = []
        for claim in m.claims_about(resource):
            conflicts = sorted(m.data.subjects(HAS_CLAIM, claim))
            adopted = any((c, PREFERRED_CLAIM, claim) in m.data for c in conflicts)
            value = m.data.value(claim, CLAIMED_VALUE) or m.data.value(claim, CLAIMED_RESOURCE)
            prop = m.data.value(claim, CLAIMED_PROPERTY)
            claims.append(
                {
                    "claim": claim,
                    "conflicts": conflicts,
                    "adopted": adopted,
                    "property": linker.prop(prop) if prop is not None else Markup(""),
                    "value": linker.term(value) if value is not None else Markup(""),
                    "derivations": m.derivations(claim),
                }
            )
        incoming: dict[str, list[URIRef]] = {}
        for link in m.incoming.get(resource, []):
            label = Markup(" / ").join(linker.prop(p) for p in link.path)
            incoming.setdefault(label, []).append(link.subject)
        name = local_name(str(resource))
        return self._render(
            "resource.html",
            path + ".html",
            title=m.label(resource),
            resource=resource,
            iri=str(resource),
            types=m.types(resource),
            prose=prose,
            facts=facts_of(m, graph, resource, linker),
            derivations=derivations,
            derived_from=sorted(graph.objects(resource, PROV.wasDerivedFrom)),
            claims=claims,
            incoming=sorted(incoming.items(), key=lambda item: str(item[0])),
            citations=m.citations.get(resource, []),
            forms=[(ext, formats.FORMAT_NAMES[ext], f"{name}.{ext}") for ext in formats.RDF_EXTENSIONS],
            jsonld=Markup(formats.embedded_jsonld(formats.canonical_triples(graph))),
            same_as=sorted(graph.objects(resource, OWL.sameAs)),
        )

    # ---- the ontology -------------------------------------------------------------------------------------------

    def ontology(self) -> bytes:
        m = self.model
        o = m.ontology
        ontology = URIRef(config.ONTOLOGY_IRI)
        terms = sorted(
            s for s in o.subjects(RDFS.isDefinedBy, ontology) if isinstance(s, URIRef) and str(s).startswith(JPMG)
        )
        usage: dict[URIRef, int] = {}
        for _, p, _ in m.data:
            usage[p] = usage.get(p, 0) + 1
        example_of_property: dict[URIRef, tuple] = {}
        for s, p, v in m.data:
            if str(p).startswith(JPMG):
                root, _ = m.owner(s)
                if root is None or isinstance(v, BNode):
                    continue
                current = example_of_property.get(p)
                if current is None or (str(root), str(v)) < (str(current[0]), str(current[1])):
                    example_of_property[p] = (root, v)

        def entry(term: URIRef) -> dict:
            kinds = sorted(o.objects(term, RDF.type))
            is_class = OWL.Class in kinds or RDFS.Class in kinds
            is_datatype = RDFS.Datatype in kinds
            text = lambda p: [str(v) for v in sorted(o.objects(term, p)) if isinstance(v, Literal)]  # noqa: E731
            iris = lambda p, t=term: [v for v in sorted(o.objects(t, p)) if isinstance(v, URIRef)]  # noqa: E731
            subjects = lambda p: sorted(s for s in o.subjects(p, term) if isinstance(s, URIRef))  # noqa: E731
            data = {
                "iri": term,
                "name": local_name(str(term)),
                "label": m.label(term),
                "kinds": [formats.compact_iri(str(k)) or str(k) for k in kinds],
                "definition": text(SKOS.definition),
                "comment": text(RDFS.comment),
                "is_class": is_class,
                "is_datatype": is_datatype,
            }
            if is_class:
                direct = m.direct_instances.get(term, [])
                everything = m.instances.get(term, [])
                data.update(
                    supers=iris(RDFS.subClassOf),
                    subs=subjects(RDFS.subClassOf),
                    domain_of=subjects(RDFS.domain),
                    range_of=subjects(RDFS.range),
                    direct=len(direct),
                    total=len(everything),
                    example=(direct or everything or [None])[0],
                )
            elif not is_datatype:
                example = example_of_property.get(term)
                data.update(
                    supers=iris(RDFS.subPropertyOf),
                    subs=subjects(RDFS.subPropertyOf),
                    domain=iris(RDFS.domain),
                    range=iris(RDFS.range),
                    uses=usage.get(term, 0),
                    example=example,
                )
            return data

        entries = [entry(t) for t in terms]
        reused = sorted(
            (p, n) for p, n in usage.items() if not str(p).startswith(JPMG) and not str(p).startswith(config.BASE_IRI)
        )
        reused_classes = sorted(
            (c, len(members)) for c, members in m.direct_instances.items() if not str(c).startswith(JPMG)
        )
        meta = {
            "title": str(o.value(ontology, DCTERMS.title) or "JPMG ontology"),
            "description": str(o.value(ontology, DCTERMS.description) or ""),
            "version": str(o.value(ontology, OWL.versionInfo) or ""),
            "version_iri": o.value(ontology, OWL.versionIRI),
            "license": o.value(ontology, DCTERMS.license),
            "created": str(o.value(ontology, DCTERMS.created) or ""),
            "modified": str(o.value(ontology, DCTERMS.modified) or ""),
            "creator": str(o.value(ontology, DCTERMS.creator) or ""),
        }
        return self._render(
            "ontology.html",
            "ontology.html",
            title=meta["title"],
            meta=meta,
            classes=[e for e in entries if e["is_class"]],
            properties=[e for e in entries if not e["is_class"] and not e["is_datatype"]],
            datatypes=[e for e in entries if e["is_datatype"]],
            reused=reused,
            reused_classes=reused_classes,
            model_svg=Markup(model_svg(m)),
            forms=[(ext, formats.FORMAT_NAMES[ext], f"{ONTOLOGY_DOC}.{ext}") for ext in formats.RDF_EXTENSIONS],
        )

    def shapes(self) -> bytes:
        m = self.model
        s = m.shapes
        shapes = []
        for shape in sorted(x for x in s.subjects(RDF.type, URIRef(SH + "NodeShape")) if isinstance(x, URIRef)):
            properties = []
            for prop in sorted(s.objects(shape, URIRef(SH + "property")), key=str):
                properties.append(
                    {
                        "iri": prop if isinstance(prop, URIRef) else None,
                        "path": s.value(prop, URIRef(SH + "path")),
                        "message": str(s.value(prop, URIRef(SH + "message")) or ""),
                        "severity": local_name(str(s.value(prop, URIRef(SH + "severity")) or "")),
                    }
                )
            shapes.append(
                {
                    "iri": shape,
                    "name": local_name(str(shape)),
                    "targets": sorted(s.objects(shape, URIRef(SH + "targetClass"))),
                    "message": str(s.value(shape, URIRef(SH + "message")) or ""),
                    "severity": local_name(str(s.value(shape, URIRef(SH + "severity")) or "")),
                    "properties": properties,
                }
            )
        property_shapes = sorted(x for x in s.subjects(RDF.type, URIRef(SH + "PropertyShape")) if isinstance(x, URIRef))
        sparql = sorted(x for x in s.subjects(RDF.type, URIRef(SH + "SPARQLConstraint")) if isinstance(x, URIRef))
        return self._render(
            "shapes.html",
            "shapes.html",
            title="JPMG shapes",
            description=str(s.value(URIRef(config.SHAPES_IRI), DCTERMS.description) or ""),
            shapes=shapes,
            anchored={str(x) for x in [*(sh["iri"] for sh in shapes), *property_shapes, *sparql]},
            property_shapes=[
                {
                    "iri": x,
                    "name": local_name(str(x)),
                    "path": s.value(x, URIRef(SH + "path")),
                    "message": str(s.value(x, URIRef(SH + "message")) or ""),
                }
                for x in property_shapes
            ],
            sparql=[
                {"iri": x, "name": local_name(str(x)), "message": str(s.value(x, URIRef(SH + "message")) or "")}
                for x in sparql
            ],
            forms=[(ext, formats.FORMAT_NAMES[ext], f"{SHAPES_DOC}.{ext}") for ext in formats.RDF_EXTENSIONS],
        )

    # ---- the dataset, the queries, the index ----------------------------------------------------------------------

    def dataset(self) -> bytes:
        d = self.model.description
        value = lambda s, p: d.value(s, p)  # noqa: E731
        distributions = []
        for dist in sorted(d.objects(DATASET, DCAT.distribution)):
            checksum = d.value(dist, SPDX.checksum)
            download = str(d.value(dist, DCAT.downloadURL))
            distributions.append(
                {
                    "iri": dist,
                    "anchor": str(dist).split("#", 1)[1],
                    "title": str(value(dist, DCTERMS.title)),
                    "path": download[len(config.BASE_IRI) :],
                    "download": download,
                    "media_type": str(value(dist, DCAT.mediaType)).rsplit("media-types/", 1)[-1],
                    "compress": str(value(dist, DCAT.compressFormat) or "").rsplit("media-types/", 1)[-1],
                    "size": int(value(dist, DCAT.byteSize)),
                    "sha256": str(d.value(checksum, SPDX.checksumValue)),
                }
            )
        linksets = []
        for subset in sorted(d.objects(DATASET, VOID.subset)):
            if (subset, RDF.type, VOID.Linkset) in d:
                target = d.value(subset, VOID.objectsTarget)
                linksets.append(
                    {
                        "iri": subset,
                        "anchor": str(subset).split("#", 1)[1],
                        "title": str(value(subset, DCTERMS.title)),
                        "target": str(value(target, DCTERMS.title)),
                        "homepage": str(value(target, URIRef("http://xmlns.com/foaf/0.1/homepage"))),
                        "triples": int(value(subset, VOID.triples)),
                    }
                )
        graphs = [
            {
                "iri": g,
                "anchor": "graph-" + str(g)[len(config.GRAPH_BASE) :],
                "title": str(value(g, DCTERMS.title)),
                "triples": int(value(g, VOID.triples)),
            }
            for g in sorted(d.objects(DATASET, VOID.subset))
            if str(g).startswith(config.GRAPH_BASE)
        ]
        partitions = sorted(
            (
                (d.value(p, VOID["class"]), int(d.value(p, VOID.entities)))
                for p in d.objects(DATASET, VOID.classPartition)
            ),
            key=lambda item: (-item[1], str(item[0])),
        )
        period = value(DATASET, DCTERMS.temporal)
        service = URIRef(f"{DATASET}#sparql")
        return self._render(
            "dataset.html",
            "dataset.html",
            title=str(value(DATASET, DCTERMS.title)),
            iri=str(DATASET),
            d={
                "description": str(value(DATASET, DCTERMS.description)),
                "license": value(DATASET, DCTERMS.license),
                "publisher": str(
                    d.value(value(DATASET, DCTERMS.publisher), URIRef(str(formats.PREFIXES["foaf"]) + "name"))
                ),
                "version": str(value(DATASET, DCAT.version) or ""),
                "issued": str(value(DATASET, DCTERMS.issued) or ""),
                "modified": str(value(DATASET, DCTERMS.modified) or ""),
                "start": str(d.value(period, DCAT.startDate) or "") if period is not None else "",
                "end": str(d.value(period, DCAT.endDate) or "") if period is not None else "",
                "uri_space": str(value(DATASET, VOID.uriSpace)),
                "sparql": str(value(DATASET, VOID.sparqlEndpoint)),
                "service_description": str(value(service, DCTERMS.description) or ""),
                "keywords": sorted(str(k) for k in d.objects(DATASET, DCAT.keyword)),
            },
            stats=self._stats(),
            distributions=distributions,
            linksets=linksets,
            graphs=graphs,
            partitions=partitions,
            vocabularies=sorted(d.objects(DATASET, VOID.vocabulary)),
            examples=sorted(d.objects(DATASET, VOID.exampleResource)),
            forms=[(ext, formats.FORMAT_NAMES[ext], f"{DATASET_DOC}.{ext}") for ext in formats.RDF_EXTENSIONS],
        )

    def queries_page(self) -> bytes:
        return self._render("queries.html", "queries.html", title="Competency queries", queries=self.queries)

    def browse(self) -> bytes:
        groups: dict[str, list[URIRef]] = {}
        for resource in self.model.resources:
            groups.setdefault(self.model.kind(resource), []).append(resource)
        ordered = [
            (kind, sorted(members, key=lambda r: (self.model.label(r).lower(), str(r))))
            for kind, members in sorted(groups.items())
        ]
        return self._render("browse.html", "browse.html", title="All resources", groups=ordered)


def render_sparql_page(
    queries: list[CompetencyQuery],
    query: str,
    result: dict | None,
    error: str | None,
    selected: str | None,
    limits: dict[str, object],
) -> bytes:
    """The query page of ``jpmg serve`` (at ``/sparql``), with a result table when a query was run."""
    env = environment()
    return (
        env.get_template("sparql.html")
        .render(
            root="",
            path="sparql",
            title="SPARQL query",
            version=__version__,
            base_iri=config.BASE_IRI,
            queries=queries,
            query=query,
            result=result,
            error=error,
            selected=selected,
            limits=limits,
        )
        .encode("utf-8")
    )
