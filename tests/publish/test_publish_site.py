"""The static site of `jpmg publish`: its links, its dumps, its description, its determinism, its safe replacement."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from publishtools import broken_links, same_graph
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from jpmg import config
from jpmg.dump import dump_bytes
from jpmg.publish import formats
from jpmg.publish.description import DATASET, DCAT, SPDX, VOID
from jpmg.publish.model import SiteModel
from jpmg.publish.site import MARKER, PublishError, build_site


def test_the_site_has_every_page_and_form(site: Path, model: SiteModel) -> None:
    for name in (
        "index.html",
        "ontology.html",
        "shapes.html",
        "dataset.html",
        "queries.html",
        "browse.html",
        "404.html",
        "style.css",
        "context.jsonld",
        ".well-known/void",
        ".htaccess",
        "server/nginx.conf",
        "server/w3id.org/jpmg/.htaccess",
        MARKER,
    ):
        assert (site / name).is_file(), name
    for document in model.documents:
        for ext in ("html", *formats.RDF_EXTENSIONS):
            assert (site / f"{document}.{ext}").is_file(), f"{document}.{ext}"
    pages = list(site.rglob("*.html"))
    assert len(pages) == len(model.resources) + 7


def test_no_broken_link(site: Path) -> None:
    assert broken_links(site) == []


def test_the_link_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(
        '<a href="b.html">x</a> <a href="#top">y</a> <img src="c.svg"> '
        f'<a href="{config.BASE_IRI}id/session/none">z</a> <a href="https://example.org/">ok</a>'
    )
    (tmp_path / "b.html").write_text('<p id="here"></p><a href="a.html#nowhere">back</a>')
    found = broken_links(tmp_path)
    assert len(found) == 4, found


def test_pages_use_nothing_from_outside(site: Path) -> None:
    for page in [site / "index.html", site / "id/session/jpmg-48.html", site / "ontology.html"]:
        text = page.read_text()
        assert "<script src" not in text and "@import" not in text
        assert '<link rel="stylesheet" href="http' not in text


def test_dumps_are_the_canonical_dumps(site: Path, model: SiteModel) -> None:
    for fmt in ("nq", "trig", "nt", "ttl"):
        assert (site / "dumps" / f"jpmg.{fmt}").read_bytes() == dump_bytes(model.kg, fmt), fmt
    assert gzip.decompress((site / "dumps/jpmg.nt.gz").read_bytes()) == (site / "dumps/jpmg.nt").read_bytes()


def test_every_dump_holds_the_dataset(site: Path, model: SiteModel) -> None:
    union = Graph()
    for part in (model.ontology, model.shapes, model.data):
        union += part
    for name, fmt in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml")):
        parsed = Graph().parse(site / "dumps" / f"jpmg.{name}", format=fmt)
        assert same_graph(parsed, union), name
    dataset = Dataset()
    dataset.parse(site / "dumps/jpmg.trig", format="trig")
    for name in ("ontology", "shapes", "data"):
        assert same_graph(dataset.graph(URIRef(config.GRAPH_BASE + name)), getattr(model, name)), name


def test_json_ld_round_trip(site: Path, model: SiteModel) -> None:
    """The compacted JSON-LD dump, read with the published context, is the same graph."""
    union = Graph()
    for part in (model.ontology, model.shapes, model.data):
        union += part
    document = json.loads((site / "dumps/jpmg.jsonld").read_bytes())
    assert document["@context"][0] == formats.CONTEXT_IRI
    assert json.loads((site / "context.jsonld").read_bytes()) == formats.context_document()
    assert same_graph(formats.parse_jsonld((site / "dumps/jpmg.jsonld").read_bytes()), union)
    # compacted: compact IRIs for properties and classes, relative ids for the dataset's own resources
    nodes = {node.get("@id"): node for node in document["@graph"]}
    session = nodes["session/jpmg-48"]
    assert session["@type"] == "jpmg:Session"
    assert session["jpmg:sessionOf"] == {"@id": "org/jpmg"}
    assert session["jpmg:date"] == {"@value": "2022-10-25", "@type": "xsd:date"}
    # pyoxigraph's JSON-LD reader agrees
    inline = dict(document)
    inline["@context"] = [formats.context_document()["@context"], document["@context"][1]]
    parsed = ox.Dataset(ox.parse(json.dumps(inline).encode(), format=ox.RdfFormat.JSON_LD))
    assert len(parsed) == len(union)


def test_description_counts_are_the_real_counts(site: Path, model: SiteModel) -> None:
    """Counted here from the N-Quads dump, read with pyoxigraph's parser (a store would normalise "2.0" to "2")."""
    quads = list(ox.parse(path=str(site / "dumps/jpmg.nq"), format=ox.RdfFormat.N_QUADS))
    triples = {q.triple for q in quads}
    rdf_type = ox.NamedNode(str(RDF.type))
    store = ox.Store()
    store.extend(quads)

    def one(query: str) -> int:
        return int(next(iter(store.query(query, use_default_graph_as_union=True)))[0].value)

    d = model.description

    def stated(prop: URIRef, subject: URIRef = DATASET) -> int:
        return int(d.value(subject, prop))

    assert stated(VOID.triples) == len(triples)
    assert stated(VOID.classes) == len({t.object for t in triples if t.predicate == rdf_type})
    assert stated(VOID.properties) == len({t.predicate for t in triples})
    assert stated(VOID.distinctSubjects) == len({t.subject for t in triples})
    assert stated(VOID.distinctObjects) == len({t.object for t in triples})
    entities = one(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH <{config.GRAPH_BASE}data> {{ ?s ?p ?o }} "
        f'FILTER(STRSTARTS(STR(?s), "{config.INSTANCE_BASE}")) }}'
    )
    assert stated(VOID.entities) == entities == len(model.resources) == 506
    for name in ("ontology", "shapes", "data"):
        graph = URIRef(config.GRAPH_BASE + name)
        assert stated(VOID.triples, graph) == one(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    links = list(model.data.subject_objects(OWL.sameAs))
    for key, space in (("wikidata", "http://www.wikidata.org/entity/"), ("dbpedia", "http://dbpedia.org/resource/")):
        linkset = URIRef(f"{DATASET}#links-{key}")
        assert (DATASET, VOID.subset, linkset) in d and (linkset, RDF.type, VOID.Linkset) in d
        assert stated(VOID.triples, linkset) == sum(1 for _, o in links if str(o).startswith(space)) > 0
    partitions = {
        d.value(p, VOID["class"]): int(d.value(p, VOID.entities)) for p in d.objects(DATASET, VOID.classPartition)
    }
    assert partitions[URIRef(config.ONTOLOGY_NS + "Session")] == 22


def test_every_distribution_has_type_size_and_checksum(site: Path, model: SiteModel) -> None:
    d = model.description
    distributions = list(d.objects(DATASET, DCAT.distribution))
    assert len(distributions) == 7
    for distribution in distributions:
        url = str(d.value(distribution, DCAT.downloadURL))
        data = (site / url[len(config.BASE_IRI) :]).read_bytes()
        assert int(d.value(distribution, DCAT.byteSize)) == len(data), url
        checksum = d.value(distribution, SPDX.checksum)
        assert d.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(d.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(), url
        assert str(d.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")
    assert (DATASET, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:8000/sparql")) in d
    for prop in ("title", "description", "license", "publisher", "issued", "modified"):
        assert d.value(DATASET, URIRef("http://purl.org/dc/terms/" + prop)) is not None, prop
    assert d.value(DATASET, DCAT.version) == Literal("0.1.0")
    assert (site / ".well-known/void").read_bytes() == (site / "dataset.ttl").read_bytes()
    assert same_graph(Graph().parse(site / ".well-known/void", format="turtle"), d)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Two builds in separate processes, with different hash seeds, give the same bytes in every file."""
    trees = []
    for seed in ("1", "2"):
        output = tmp_path / f"build-{seed}"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from jpmg.publish.site import build_site; "
                "build_site(Path(sys.argv[1]))",
                str(output),
            ],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        trees.append({p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()})
    assert trees[0].keys() == trees[1].keys()
    assert [path for path in trees[0] if trees[0][path] != trees[1][path]] == []


def test_a_failed_build_leaves_the_previous_site(tmp_path: Path, model: SiteModel, monkeypatch) -> None:
    output = tmp_path / "site"
    build_site(output, model=model)
    before = (output / "index.html").read_bytes()
    (output / "index.html").write_bytes(before + b"<!-- previous -->")

    def fail(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr("jpmg.publish.site.write_tree", fail)
    with pytest.raises(OSError):
        build_site(output, model=model)
    assert (output / "index.html").read_bytes().endswith(b"<!-- previous -->")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left behind
    monkeypatch.undo()
    build_site(output, model=model)
    assert (output / "index.html").read_bytes() == before


def test_a_folder_it_did_not_write_is_left_alone(tmp_path: Path, model: SiteModel) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    with pytest.raises(PublishError, match="did not write"):
        build_site(precious, model=model)
    assert (precious / "thesis.txt").read_text() == "do not delete"
