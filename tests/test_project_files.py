"""The project's own files keep their conventions: one base IRI, a generated namespace module, a versioned ontology."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, URIRef
from rdflib.namespace import DCTERMS

from jpmg import codegen, config
from jpmg.dataset import load_dataset
from jpmg.parsing import iter_turtle_files

DATA_FILES = iter_turtle_files([config.DATA_DIR])
ALL_TURTLE = iter_turtle_files([config.ONTOLOGY_DIR, config.SHAPES_DIR, config.DATA_DIR])


def test_namespace_module_is_generated_from_the_ontology():
    assert codegen.NAMESPACE_MODULE.read_text(encoding="utf-8") == codegen.render(codegen.load_ontology()), (
        "src/jpmg/namespace.py is out of date: run `python -m jpmg.codegen`"
    )


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_data_files_use_the_one_instance_base(path):
    text = path.read_text(encoding="utf-8")
    assert re.findall(r"^@base <([^>]*)> \.$", text, re.MULTILINE) == [config.INSTANCE_BASE]


@pytest.mark.parametrize("path", ALL_TURTLE, ids=lambda p: p.name)
def test_prefixes_are_sorted_and_jpmg_is_the_ontology_namespace(path):
    text = path.read_text(encoding="utf-8")
    prefixes = re.findall(r"^@prefix (\w*): <([^>]*)> \.$", text, re.MULTILINE)
    names = [name for name, _ in prefixes]
    assert names == sorted(names), f"{path.name}: sort the @prefix lines"
    assert dict(prefixes).get("jpmg", config.ONTOLOGY_NS) == config.ONTOLOGY_NS


def test_ontology_header_has_version_iri_and_vann_prefix():
    ontology = load_dataset().ontology.graph
    node = URIRef(config.ONTOLOGY_IRI)
    assert (node, RDF.type, OWL.Ontology) in ontology
    version_iri = ontology.value(node, OWL.versionIRI)
    assert str(version_iri) == f"{config.ONTOLOGY_IRI}/{ontology.value(node, OWL.versionInfo)}"
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.creator,
        DCTERMS.license,
        DCTERMS.created,
        DCTERMS.modified,
    ):
        assert ontology.value(node, predicate) is not None, predicate
    vann = "http://purl.org/vocab/vann/"
    assert str(ontology.value(node, URIRef(vann + "preferredNamespacePrefix"))) == config.PREFIX
    assert str(ontology.value(node, URIRef(vann + "preferredNamespaceUri"))) == config.ONTOLOGY_NS


def test_instance_iris_are_readable_slash_iris():
    data = load_dataset().data.graph
    pattern = re.compile(re.escape(config.INSTANCE_BASE) + r"[a-z]+/[a-z0-9]+(-[a-z0-9]+)*")
    bad = sorted(
        {
            str(s)
            for s in data.subjects()
            if isinstance(s, URIRef) and str(s).startswith(config.BASE_IRI) and not pattern.fullmatch(str(s))
        }
    )
    assert bad == []
