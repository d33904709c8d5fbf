"""The mutation corpus (``corpus.py``): every minimal edit of the real data is caught, with the exact finding.

The edits are validated in groups whose edits cannot interact (``corpus.batches``): one validation per group, and
each edit's expected findings (check, focus node, source shape, severity) must be in its group's report, while every
finding of the report must be one that some edit of the group explains (its own, or the cross-node rules it sets off
on the nodes next to it). The coverage tests hold the corpus to every shape, every constraint a real node can violate,
every SHACL-SPARQL rule and every check of ``validate.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import RDF
from rdflib.namespace import SH

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from jpmg.findings import Severity
from jpmg.parsing import RdfInputError
from jpmg.validation import validate

DATA = corpus.load_data()
DERIVED = list(corpus.derived(DATA))
HAND_WRITTEN = list(corpus.hand_written(DATA))
MUTATIONS = DERIVED + HAND_WRITTEN
GROUPS = corpus.batches(MUTATIONS)


def test_the_corpus_size() -> None:
    print(
        f"{len(MUTATIONS)} mutations ({len(DERIVED)} derived from the shapes, {len(HAND_WRITTEN)} by hand) in "
        f"{len(GROUPS)} validation runs"
    )
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS), "mutation names must be unique"
    assert len(DERIVED) >= 250


@pytest.mark.parametrize("index", range(len(GROUPS)), ids=[f"run{i:02d}-{len(g)}-edits" for i, g in enumerate(GROUPS)])
def test_every_edit_is_caught_with_its_exact_finding(index: int, tmp_path: Path) -> None:
    group = GROUPS[index]
    report = validate([corpus.write_mutated(DATA, group, tmp_path / "data")])
    problems = []
    for mutation in group:
        for expected in sorted(mutation.expected, key=str):
            matches = [f for f in report.findings if expected.matches(f)]
            if not matches:
                problems.append(f"{mutation.name}: missing {expected}")
            for finding in matches:
                if finding.check == "shacl" and (finding.file is None or finding.line is None):
                    problems.append(f"{mutation.name}: {expected} has no file and line")
    for finding in report.findings:
        if finding.severity is Severity.INFO:
            continue
        if not any(mutation.explains(finding) for mutation in group):
            problems.append(
                f"unexplained {finding.severity.value} ({finding.check}, {finding.focus_node}, {finding.source_shape}, "
                f"{finding.value}) among {[m.name for m in group]}"
            )
    assert not problems, "\n".join(problems)


def test_every_shape_and_constraint_has_an_edit() -> None:
    names = {m.name for m in DERIVED}
    missing = []
    for shape in corpus.node_shapes():
        local = shape.iri.rsplit("#", 1)[-1]
        if shape.pattern and f"{local}/pattern" not in names:
            missing.append(f"{local} sh:pattern")
        for prop in shape.properties:
            prop_name = prop.iri.rsplit("#", 1)[-1]
            for constraint, objects in prop.constraints.items():
                kind = constraint.rsplit("#", 1)[-1]
                if kind == "minCount" and int(objects[0]) == 0:
                    continue  # nothing can violate it
                if f"{local}/{prop_name}/{kind}" not in names:
                    missing.append(f"{local} {prop_name} sh:{kind}")
    assert not missing, missing
    shapes = corpus.shapes_graph()
    targeted = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if (s, SH.targetClass, None) in shapes}
    with_properties_or_pattern = {
        s for s in targeted if (s, SH.property, None) in shapes or (s, SH.pattern, None) in shapes
    }
    sparql = {s for s in targeted if (s, SH.sparql, None) in shapes} | set(shapes.subjects(SH.targetSubjectsOf, None))
    covered = {m.origin.split()[0] for m in DERIVED} | {m.origin for m in HAND_WRITTEN}
    assert {str(s) for s in with_properties_or_pattern} <= covered
    assert {str(s) for s in sparql} <= covered, {str(s) for s in sparql} - covered
    # the node shapes without a target are checked through the property shapes that use them (sh:node)
    for untargeted in ("DateAtPrecisionShape", "OrganizationValueShape"):
        assert any(f"/{kind}" in m.name for m in DERIVED for kind in ("node",)), untargeted


def test_every_check_of_validate_py_has_an_edit() -> None:
    names = {m.name for m in HAND_WRITTEN}
    for name in (
        "vocabulary/undeclared-term",
        "vocabulary/misspelt-reused-term",
        "vocabulary/undescribed-instance",
        "vocabulary/ill-typed-literal",
        "reasoning/disjoint-classes",
        "reasoning/functional-property-two-values",
    ):
        assert name in names


def test_the_rewritten_data_conforms(tmp_path: Path) -> None:
    """Every data file parsed and written back unchanged (as the edits are) validates with no finding."""
    report = validate(
        [
            corpus.write_mutated(
                DATA, [corpus.Mutation("identity", p.name) for p in DATA.files], tmp_path / "data", rewrite_all=True
            )
        ]
    )
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []


@pytest.mark.parametrize(
    ("file", "anchor", "broken"),
    [
        ("sessions.ttl", 'jpmg:date "', 'jpmg:date "unterminated ;\n    rdfs:comment "x'),
        ("tenures.ttl", "org:member <person/", "org:member <person/with space "),
        ("people.ttl", " .\n\n<person/", " \n\n<person/"),
    ],
)
def test_a_syntax_error_in_the_real_data_names_its_file_and_line(tmp_path: Path, file, anchor, broken) -> None:
    text = (DATA.folder / file).read_text(encoding="utf-8")
    line = text[: text.index(anchor)].count("\n") + 1
    mutation = corpus.Mutation(f"parse/{file}", file, text_edit=(anchor, broken))
    folder = corpus.write_mutated(DATA, [mutation], tmp_path / "data")
    with pytest.raises(RdfInputError) as failure:
        validate([folder])
    error = failure.value
    assert error.path.endswith(file)
    assert error.line is not None and line <= error.line <= line + 2, (line, str(error))
    assert "\n" not in str(error) and "(" in str(error)
