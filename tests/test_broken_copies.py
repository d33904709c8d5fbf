"""Broken copies of the real data are rejected with the exact finding that names the defect.

Each case copies ``data/``, makes one small edit to one file (the kind of slip a curator makes), validates the copy
and asserts what the report says: the check, the focus node, the shape and where in the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jpmg import config
from jpmg.findings import Severity
from jpmg.validation import validate

ID = config.INSTANCE_BASE
SH = "https://w3id.org/jpmg/shapes#"

# The delegations Eshel led as Director General: they rest on his tenure, so breaking it breaks them too.
_ESHEL_DELEGATIONS = {
    ("shacl", ID + f"delegation/{session}-israel", SH + "DelegationHeadTenureShape")
    for session in ("jpmg-48", "dpag-2021-08-24", "dpag-2022-11")
}

# name: (file, text to replace, replacement, expected {(check, focus node, source shape or None)})
MUTATIONS = {
    "date-made-invalid": (
        "sessions.ttl",
        'jpmg:date "2022-10-25"^^xsd:date',
        'jpmg:date "2022-13-45"^^xsd:date',
        {("vocabulary", ID + "session/jpmg-48", None), ("shacl", ID + "session/jpmg-48", SH + "date")},
    ),
    "label-removed": (
        "people.ttl",
        'rdfs:label "Amir Eshel"@en ;',
        "",
        {("shacl", ID + "person/amir-eshel", SH + "label")},
    ),
    "undeclared-property": (
        "sessions.ttl",
        "jpmg:headPost <post/us-counselor-of-the-department-of-state> ;",
        "jpmg:headPost <post/us-counselor-of-the-department-of-state> ; jpmg:chairedBy <person/derek-chollet> ;",
        {("vocabulary", config.ONTOLOGY_NS + "chairedBy", None)},
    ),
    "misspelt-org-term": (
        "tenures.ttl",
        "org:member <person/amir-eshel> ;",
        "org:Member <person/amir-eshel> ;",
        {
            ("vocabulary", "http://www.w3.org/ns/org#Member", None),
            ("shacl", ID + "tenure/amir-eshel-imod-director-general", SH + "Tenure-member"),
            # without its member the tenure no longer backs the delegations Eshel led
            *_ESHEL_DELEGATIONS,
        },
    ),
    "tenure-ends-before-it-starts": (
        "tenures.ttl",
        'time:hasBeginning [ a time:Instant ; time:inXSDDate "2020-05-31"^^xsd:date ]',
        'time:hasBeginning [ a time:Instant ; time:inXSDDate "2020-05-31"^^xsd:date ] ;\n'
        '        time:hasEnd [ a time:Instant ; time:inXSDDate "2019-01-01"^^xsd:date ]',
        {("shacl", ID + "tenure/amir-eshel-imod-director-general", SH + "TenureOrderShape"), *_ESHEL_DELEGATIONS},
    ),
    "head-did-not-hold-the-post": (
        "sessions.ttl",
        "jpmg:headPost <post/us-counselor-of-the-department-of-state> ;",
        "jpmg:headPost <post/us-assistant-secretary-of-state-political-military-affairs> ;",
        {("shacl", ID + "delegation/jpmg-48-us", SH + "DelegationHeadTenureShape")},
    ),
    "source-removed": (
        "organizations.ttl",
        None,  # every derivation of the bureau is removed (see _remove_sources)
        None,
        {
            ("shacl", ID + "org/us-bureau-of-near-eastern-affairs", SH + "wasDerivedFrom"),
            ("shacl", ID + "org/us-bureau-of-near-eastern-affairs", SH + "derivationSource"),
        },
    ),
    "session-also-an-agreement": (
        "sessions.ttl",
        "<session/jpmg-48>\n    a jpmg:Session ;",
        "<session/jpmg-48>\n    a jpmg:Session , jpmg:MemorandumOfAgreement ;",
        None,  # several checks react; asserted separately below
    ),
}


def _remove_sources(text: str) -> str:
    """Drop the sources of the NEA bureau: everything from its first prov: line to the block's end."""
    start = text.index("<org/us-bureau-of-near-eastern-affairs>")
    end = text.index("\n\n", start)
    block = text[start:end]
    cut = block.index("    prov:wasDerivedFrom")
    return text[:start] + block[:cut].rstrip().rstrip(";") + " ." + text[end:]


def broken_copy(tmp_path: Path, name: str) -> Path:
    file, old, new, _ = MUTATIONS[name]
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    target = copy / file
    text = target.read_text(encoding="utf-8")
    if old is None:
        mutated = _remove_sources(text)
    else:
        assert text.count(old) >= 1, f"the mutation's anchor is gone from {file}: {old!r}"
        mutated = text.replace(old, new, 1)
    assert mutated != text
    target.write_text(mutated, encoding="utf-8")
    return copy


def violations(report) -> set[tuple[str, str | None, str | None]]:
    return {(f.check, f.focus_node, f.source_shape) for f in report.findings if f.severity is Severity.VIOLATION}


@pytest.mark.parametrize("name", [n for n, m in MUTATIONS.items() if m[3] is not None])
def test_broken_copy_is_rejected_with_the_exact_violation(tmp_path, name):
    report = validate([broken_copy(tmp_path, name)])
    assert report.exit_code() == 1
    assert violations(report) == MUTATIONS[name][3]
    mutated_file = MUTATIONS[name][0]
    for finding in report.findings:
        if finding.severity is Severity.VIOLATION:
            assert finding.file is not None and finding.line is not None and finding.message
    # the finding about the edited resource points into the edited file
    assert any(f.file.endswith(mutated_file) for f in report.findings if f.severity is Severity.VIOLATION)


def test_a_resource_typed_with_disjoint_classes_is_inconsistent(tmp_path):
    report = validate([broken_copy(tmp_path, "session-also-an-agreement")])
    reasoning = [f for f in report.findings if f.check == "reasoning"]
    assert [f.focus_node for f in reasoning] == [ID + "session/jpmg-48"]
    assert "Disjoint classes" in reasoning[0].message
    assert reasoning[0].file.endswith("sessions.ttl")


def test_the_unbroken_copy_conforms(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    assert violations(validate([copy])) == set()
