"""The W3C RDF 1.1 Turtle test suite, run against :mod:`jpmg.parsing`.

Why: our data files must be rejected when they are not Turtle, and rdflib's own parser accepts
some invalid input. This suite is the standard's own definition of "valid", so passing all of it is
the evidence that ``parse_turtle`` is strict and correct. The suite lives outside the repository
(``../shared/conformance/w3c-turtle``, or ``$JPMG_SHARED/conformance/w3c-turtle``); without it the
module is skipped. Its ``rdf12/`` subfolder (draft RDF 1.2 tests) is not part of the manifest used here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic

from jpmg.parsing import RdfInputError, parse_turtle

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
RDFT = Namespace("http://www.w3.org/ns/rdftest#")

# The counts in ../shared/conformance/README.md; pinned so the suite cannot silently shrink.
EXPECTED_COUNTS = {"negative": 94, "positive": 74, "eval": 145}


def _suite_folder() -> Path:
    shared = os.environ.get("JPMG_SHARED")
    root = Path(shared) if shared else Path(__file__).resolve().parents[1].parent / "shared"
    return root / "conformance" / "w3c-turtle"


SUITE = _suite_folder()
if not (SUITE / "manifest.ttl").is_file():
    pytest.skip(
        "the W3C Turtle suite is in ../shared/conformance/w3c-turtle, which this checkout does not have"
        f" (looked in {SUITE}; set JPMG_SHARED to the 'shared' folder)",
        allow_module_level=True,
    )


@dataclass(frozen=True)
class W3cTest:
    """One manifest entry; keyed by its IRI because the manifest reuses one mf:name for two tests."""

    iri: str
    action: Path
    base_iri: str
    result: Path | None

    @property
    def id(self) -> str:
        return self.iri.rpartition("#")[2]


def _load_manifest() -> dict[str, list[W3cTest]]:
    """Read the manifest with rdflib (not the parser under test), in the manifest's entry order."""
    manifest = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    test_base = str(manifest.value(root, MF.assumedTestBase))
    kinds = {
        RDFT.TestTurtleNegativeSyntax: "negative",
        RDFT.TestTurtlePositiveSyntax: "positive",
        RDFT.TestTurtleEval: "eval",
    }
    tests: dict[str, list[W3cTest]] = {kind: [] for kind in kinds.values()}
    for entry in Collection(manifest, manifest.value(root, MF.entries)):
        kind = kinds.get(manifest.value(entry, RDF.type))
        if kind is None:
            continue
        file_name = str(manifest.value(entry, MF.action)).rpartition("/")[2]
        result = manifest.value(entry, MF.result)
        tests[kind].append(
            W3cTest(
                iri=str(entry),
                action=SUITE / file_name,
                base_iri=test_base + file_name,
                result=SUITE / str(result).rpartition("/")[2] if result is not None else None,
            )
        )
    return tests


TESTS = _load_manifest()


def _params(kind: str) -> list[pytest.param]:
    return [pytest.param(test, id=test.id) for test in TESTS[kind]]


def test_the_suite_has_all_its_tests() -> None:
    counts = {kind: len(tests) for kind, tests in TESTS.items()}
    assert counts == EXPECTED_COUNTS
    # The test ids are the IRIs' fragments: they must be unique for every test to run.
    ids = [test.id for tests in TESTS.values() for test in tests]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("test", _params("negative"))
def test_negative_syntax_is_rejected(test: W3cTest) -> None:
    with pytest.raises(RdfInputError) as caught:
        parse_turtle(test.action, base_iri=test.base_iri)
    error = caught.value
    message = str(error)
    assert "\n" not in message
    assert test.action.name in message
    if error.line is not None:
        assert f"{test.action.name}:{error.line}:" in message


@pytest.mark.parametrize("test", _params("positive"))
def test_positive_syntax_is_accepted(test: W3cTest) -> None:
    parse_turtle(test.action, base_iri=test.base_iri)


@pytest.mark.parametrize("test", _params("eval"))
def test_evaluation_gives_the_expected_graph(test: W3cTest, monkeypatch: pytest.MonkeyPatch) -> None:
    assert test.result is not None
    actual = parse_turtle(test.action, base_iri=test.base_iri)
    # The expected side is read by rdflib's own N-Triples parser, independent of the code under test.
    # parse_turtle keeps lexical forms exactly ("01"^^xsd:integer stays "01"); rdflib would normalize
    # the expected "01" to "1" unless told not to, and the two would then differ on 8 tests.
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    expected = Graph().parse(test.result, format="nt")
    if not isomorphic(actual, expected):
        only_actual = sorted(set(to_isomorphic(actual)) - set(to_isomorphic(expected)))
        only_expected = sorted(set(to_isomorphic(expected)) - set(to_isomorphic(actual)))
        pytest.fail(f"not isomorphic; only ours: {only_actual[:5]}; only expected: {only_expected[:5]}")
