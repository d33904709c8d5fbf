"""Content negotiation of `jpmg serve`: every kind of resource by every Accept header, and every IRI resolves."""

from __future__ import annotations

import pytest
from publishtools import canonical, get, request, same_graph

from jpmg import config
from jpmg.publish import formats
from jpmg.publish.model import SiteModel

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
#: Accept header → the form it must get (None: 406 Not Acceptable).
MATRIX = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "text/html": "html",
    BROWSER: "html",
    None: "html",
    "*/*": "html",
    "text/*": "html",
    "application/*": "jsonld",
    "text/turtle;q=0.5, application/rdf+xml": "rdf",
    "text/html;q=0.1, text/turtle": "ttl",
    "application/n-triples;q=0.9, text/turtle;q=0.8, */*;q=0.1": "nt",
    "application/json": "jsonld",
    "application/x-turtle": "ttl",
    "TEXT/TURTLE": "ttl",
    "text/turtle;charset=utf-8;q=1.0": "ttl",
    "nonsense": "html",
    "text/turtle;q=oops, application/rdf+xml": "rdf",
    "image/png": None,
    "text/turtle;q=0": None,
    "application/pdf, image/*": None,
    "*/*;q=0": None,
}


def _samples(model: SiteModel) -> dict[str, str]:
    """One resource of each class (by its most specific class), plus the ontology, shapes and dataset IRIs."""
    chosen: dict[str, str] = {}
    for resource in model.resources:
        cls = model.primary_class(resource)
        key = formats.compact_iri(str(cls)) or str(cls)
        chosen.setdefault(key, str(resource))
    chosen["ontology"] = config.ONTOLOGY_IRI
    chosen["ontology term"] = config.ONTOLOGY_NS + "Session"
    chosen["ontology version"] = config.BASE_IRI + "ontology/0.1.0"
    chosen["shapes"] = config.SHAPES_IRI
    chosen["shape"] = config.SHAPES_IRI + "#SessionShape"
    chosen["dataset"] = config.BASE_IRI + "dataset"
    chosen["named graph"] = config.GRAPH_BASE + "data"
    return chosen


SAMPLES = _samples(SiteModel.load())


def test_the_matrix_covers_every_class(model: SiteModel) -> None:
    classes = {model.primary_class(r) for r in model.resources}
    assert len([k for k in SAMPLES if ":" in k or k.startswith("http")]) == len(classes) >= 20


@pytest.mark.parametrize("iri", list(SAMPLES.values()), ids=list(SAMPLES))
def test_each_accept_gets_the_right_form(iri: str, model: SiteModel, server_url: str) -> None:
    path = "/" + iri[len(config.BASE_IRI) :].split("#", 1)[0]
    expected_graph = model.describe(iri)
    document = model.document_for(iri)
    expected = canonical(expected_graph)
    checked: set[str] = set()
    for accept, form in MATRIX.items():
        first = get(server_url, path, accept)
        assert "Accept" in first.headers.get("vary", ""), (iri, accept)
        if form is None:
            assert first.status == 406, (iri, accept, first.status)
            continue
        assert first.status == 303, (iri, accept, first.status)
        assert first.headers["location"] == f"/{document}.{form}", (iri, accept)
        second = get(server_url, first.headers["location"], accept)
        assert second.status == 200
        assert second.media_type == formats.MEDIA_TYPES[form], (iri, accept, second.media_type)
        if form == "html":
            assert model.label(iri.split("#", 1)[0] if document != "ontology" else config.ONTOLOGY_IRI).encode() in (
                second.body.replace(b"&#39;", b"'").replace(b"&amp;", b"&")
            ) or document in ("shapes",)
            continue
        if form not in checked:
            checked.add(form)
            parsed = formats.parse(second.body, form)
            assert canonical(parsed) == expected, (iri, accept, form)


def test_head_answers_like_get(server_url: str) -> None:
    head = request(server_url, "HEAD", "/id/session/jpmg-48", {"Accept": "text/turtle"})
    assert head.status == 303 and head.body == b""
    assert head.headers["location"] == "/id/session/jpmg-48.ttl"


def test_unknown_resources_are_404(server_url: str) -> None:
    for path in ("/id/session/no-such-session", "/id/nothing", "/nothing.html", "/ontology/0.1.0/x"):
        assert get(server_url, path, "text/turtle").status == 404, path
    page = get(server_url, "/id/session/no-such-session", BROWSER)
    assert page.status == 404 and page.media_type == "text/html" and b"Not found" in page.body


def test_every_iri_of_the_dataset_resolves(model: SiteModel, server_url: str) -> None:
    iris = model.iris()
    assert len(iris) > 600
    paths = sorted({"/" + iri[len(config.BASE_IRI) :].split("#", 1)[0] for iri in iris})
    failures = []
    for path in paths:
        for accept in ("text/turtle", BROWSER):
            first = get(server_url, path, accept)
            if first.status == 200:  # a file of the site (a dump, the home page): no negotiation
                continue
            if first.status != 303:
                failures.append(f"{path} [{accept[:12]}]: {first.status}")
                continue
            second = get(server_url, first.headers["location"], accept)
            if second.status != 200:
                failures.append(f"{path} -> {first.headers['location']}: {second.status}")
    assert not failures, failures[:20]


def test_the_embedded_json_ld_is_the_description(model: SiteModel, server_url: str) -> None:
    import re

    for iri in (SAMPLES["jpmg:Session"], SAMPLES["jpmg:Tenure"], SAMPLES["jpmg:SourceConflict"]):
        page = get(server_url, "/" + iri[len(config.BASE_IRI) :] + ".html").body.decode()
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
        assert script, iri
        embedded = formats.parse_jsonld(script.group(1).replace("<\\/", "</"))
        assert same_graph(embedded, model.describe(iri)), iri
