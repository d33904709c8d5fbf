"""The command line's contract: exit codes, one-line errors without tracebacks, the three report formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parent.parent

# A resource no shape targets: vocabulary, reasoning and SHACL all pass.
NEUTRAL = '<https://example.org/note> <http://www.w3.org/2000/01/rdf-schema#comment> "a note"@en .\n'


def test_project_validates_with_exit_0(run_cli):
    code, out, err = run_cli("validate", "--quiet")
    assert (code, err) == (0, "")
    assert out.strip().splitlines()[-1].startswith("CONFORMS: 0 violations")


def test_validate_py_is_the_same_command():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "validate.py"), "--quiet"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "CONFORMS" in completed.stdout


def test_progress_lines_name_every_step_in_order(run_cli, turtle_file):
    code, out, _ = run_cli("validate", str(turtle_file(NEUTRAL)))
    steps = [line.split("]")[0][1:] for line in out.splitlines() if line.startswith("[")]
    assert (code, steps) == (0, ["parse", "vocabulary", "reasoning", "shacl"])
    assert "reasoner: owlrl" in out


def test_syntax_error_exits_2_with_one_line_and_no_traceback(run_cli, turtle_file):
    path = turtle_file(
        "<session/x> a <https://w3id.org/jpmg/ontology#Session>\n"
        "<session/y> a <https://w3id.org/jpmg/ontology#Session> .\n"
    )
    code, out, err = run_cli("validate", str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"jpmg validate: error: {path}:13:1: ")


def test_missing_file_exits_2(run_cli, tmp_path):
    code, _, err = run_cli("validate", str(tmp_path / "nope.ttl"))
    assert code == 2
    assert (
        err
        == f"jpmg validate: error: {tmp_path / 'nope.ttl'}: no such file or folder (check the path and its spelling)\n"
    )


def test_empty_folder_exits_2(run_cli, tmp_path):
    code, _, err = run_cli("validate", str(tmp_path))
    assert code == 2
    assert "no Turtle files here" in err


def test_binary_file_exits_2(run_cli, tmp_path):
    path = tmp_path / "image.ttl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    code, _, err = run_cli("validate", str(path))
    assert code == 2 and "Traceback" not in err and str(path) in err


def test_violation_exits_1_and_is_reported_in_json(run_cli, turtle_file):
    path = turtle_file('<https://example.org/x> <http://www.w3.org/ns/org#heldby> "x" .\n')
    code, out, _ = run_cli("validate", "--format", "json", str(path))
    document = json.loads(out)
    assert code == 1
    assert (document["conforms"], document["violations"]) == (False, 1)
    assert document["findings"][0]["focus_node"] == "http://www.w3.org/ns/org#heldby"
    assert document["findings"][0]["line"] == 12
    assert [s["name"] for s in document["steps"]] == ["parse", "vocabulary", "reasoning", "shacl"]


def test_turtle_report_is_a_shacl_validation_report(run_cli, turtle_file):
    path = turtle_file('<https://example.org/x> <http://www.w3.org/ns/org#heldby> "x" .\n')
    code, out, _ = run_cli("validate", "--format", "turtle", str(path))
    report = Graph().parse(data=out, format="turtle")
    assert code == 1
    assert len(list(report.subjects(SH.resultMessage, None))) == 1
    assert str(next(report.objects(None, SH.conforms))) == "false"


def test_unknown_query_exits_2(run_cli):
    code, out, err = run_cli("query", "no-such-query")
    assert (code, out) == (2, "")
    assert err.startswith("jpmg query: error: no query named 'no-such-query'")


def test_query_rejects_an_undeclared_parameter(run_cli):
    code, _, err = run_cli("query", "post-holders", "--bind", "nope=1")
    assert code == 2 and "has no parameter ?nope" in err


def test_query_rejects_a_malformed_iri(run_cli):
    code, _, err = run_cli("query", "post-holders", "--bind", "post=<https://w3id.org/a b>")
    assert code == 2 and "is not a valid IRI" in err


def test_bad_usage_exits_2(run_cli, capsys):
    try:
        run_cli("validate", "--format", "yaml")
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("argparse accepted an unknown format")


def test_synth_then_validate_with_either_engine(run_cli, tmp_path):
    """`jpmg synth` writes a corpus with known defects; `jpmg validate --engine fast|reference` both find exactly
    them (the same JSON findings but for the timings and blank-node labels)."""
    corpus = tmp_path / "synth.ttl"
    code, out, err = run_cli("synth", "--triples", "1500", "--seed", "2", "--violations", "0.05", "-o", str(corpus))
    assert (code, err) == (0, "")
    injected = json.loads(corpus.with_name("synth.ttl.expected.json").read_text(encoding="utf-8"))
    assert (
        out
        == f"wrote {_count(corpus)} triples to {corpus}; {len(injected)} injected results listed in "
        + str(corpus.with_name("synth.ttl.expected.json"))
        + "\n"
    )
    found = {}
    for engine in ("fast", "reference"):
        code, out, _ = run_cli("validate", "--engine", engine, "--format", "json", str(corpus))
        assert code == 1
        document = json.loads(out)
        found[engine] = sorted(
            (f["check"], f["severity"], f["focus_node"], f["source_shape"])
            for f in document["findings"]
            if not str(f["focus_node"]).startswith("_:")
        )
        assert len(document["findings"]) == len(injected)
    assert found["fast"] == found["reference"] and found["fast"]


def _count(path) -> int:
    import pyoxigraph as ox

    return len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
