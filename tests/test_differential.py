"""The fast validation engine reports exactly what the reference engine (rdflib, pySHACL, owlrl) reports.

On every fixture, the project's data, every broken copy of ``tests/test_broken_copies.py`` and synthetic corpora
with injected defects (``jpmg synth``), both engines validate the same files, and their findings must be the same
multiset: check, severity, focus node, path, value, source shape and message. Blank nodes are compared by where
they hang (``_:OWNER|PATH``), since each parse gives them new labels, and the labels inside the reasoner's messages
are masked for the same reason. On the synthetic corpora the findings must also be exactly the injected list.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_broken_copies import MUTATIONS, broken_copy

from jpmg.checks.compare import expected_keys, finding_key, mask_blank_labels
from jpmg.synth import KINDS, generate
from jpmg.validation import ValidationReport, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ALL_FIXTURES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))


def keys(report: ValidationReport) -> Counter:
    """Every finding as (check, severity, focus node, path, value, source shape, message), blank nodes by place."""

    def place(text: str | None) -> str | None:
        if text is None:
            return None
        if text.startswith("_:") and report.blank_key is not None:
            return report.blank_key(text)
        return mask_blank_labels(text)

    return Counter(
        (
            f.check,
            f.severity.value,
            place(f.focus_node),
            f.path,
            place(f.value),
            place(f.source_shape),
            mask_blank_labels(f.message),
        )
        for f in report.findings
    )


def assert_same(paths: list[Path] | None, **options) -> tuple[ValidationReport, ValidationReport]:
    fast, reference = validate(paths, **options), validate(paths, engine="reference", **options)
    only_fast, only_reference = keys(fast) - keys(reference), keys(reference) - keys(fast)
    assert not only_fast and not only_reference, (
        f"\nonly fast: {dict(only_fast)}\nonly reference: {dict(only_reference)}"
    )
    assert fast.statistics == reference.statistics
    assert fast.exit_code() == reference.exit_code()
    return fast, reference


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(path):
    assert_same([path])


def test_project_data():
    fast, _ = assert_same(None)
    assert fast.findings and all(f.file and f.line for f in fast.findings)


@pytest.mark.parametrize(
    "name", ["delegation-head-held-post", "session-before-forum-founding", "delegation-head-without-tenure"]
)
def test_user_data_with_the_project_data(name):
    folder = "valid" if name == "delegation-head-held-post" else "invalid"
    assert_same([FIXTURES / folder / f"{name}.ttl"], with_project_data=True)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_broken_copy(tmp_path, name):
    assert_same([broken_copy(tmp_path, name)])


#: The synthetic corpora both engines validate: (triples, violation rate, seed).
CORPORA = {"1e3": (1000, 0.05, 1), "1e4": (10000, 0.005, 5)}


@pytest.fixture(scope="module", params=list(CORPORA.values()), ids=list(CORPORA))
def corpus(request, tmp_path_factory):
    triples, rate, seed = request.param
    path = tmp_path_factory.mktemp("synth") / f"synth-{triples}.ttl"
    return generate(path, triples, seed=seed, rate=rate)


def test_synthetic_corpus_findings_are_the_injected_ones(corpus):
    fast, reference = assert_same([corpus.path])
    injected = expected_keys(corpus.expected_path)
    for report in (fast, reference):
        found = Counter(finding_key(f, report.blank_key) for f in report.findings)
        assert found == injected, f"\nnot injected: {dict(found - injected)}\nnot found: {dict(injected - found)}"


def test_the_1e4_corpus_injects_every_kind_of_defect(tmp_path):
    """The corpus the differential test uses at 1e4 breaks every kind of defect (1e3 is too small for all)."""
    triples, rate, seed = CORPORA["1e4"]
    corpus = generate(tmp_path / "synth-1e4.ttl", triples, seed=seed, rate=rate)
    assert {e["kind"] for e in corpus.expected} == set(KINDS)
