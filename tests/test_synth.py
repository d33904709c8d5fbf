"""``jpmg synth``: synthetic data shaped like the real graph, conforming, or with known defects of every shape.

That the injected list is exactly what the engines find is proved in ``tests/test_differential.py`` (against
pySHACL as well); here: the generator's contract (size, determinism, formats, atomic writes, the command line),
that a corpus without defects has no finding at all, and that it is shaped like the project's data.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from jpmg import config, synth
from jpmg.checks.compare import expected_keys, finding_key
from jpmg.parsing import parse_turtle
from jpmg.validation import validate

ROOT = Path(__file__).resolve().parent.parent
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _count(path: Path) -> int:
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.TURTLE)
    return len(store)


@pytest.mark.parametrize("triples", [10000, 30000])
def test_it_writes_about_the_number_of_triples_asked_for(tmp_path, triples):
    result = synth.generate(tmp_path / "s.ttl", triples, seed=2)
    assert _count(result.path) == result.triples
    assert triples <= result.triples <= triples * 1.03


def test_a_small_corpus_is_the_smallest_world_with_everything(tmp_path):
    result = synth.generate(tmp_path / "s.nt", 1000, seed=2)
    assert 1000 <= result.triples <= 2000


@pytest.mark.parametrize("name", ["s.ttl", "s.nt"])
def test_the_same_seed_writes_the_same_bytes(tmp_path, name):
    first = synth.generate(tmp_path / "a" / name, 5000, seed=7, rate=0.01)
    second = synth.generate(tmp_path / "b" / name, 5000, seed=7, rate=0.01)
    third = synth.generate(tmp_path / "c" / name, 5000, seed=8, rate=0.01)
    assert first.path.read_bytes() == second.path.read_bytes() != third.path.read_bytes()
    assert first.expected_path.read_bytes() == second.expected_path.read_bytes()


def test_both_formats_parse_strictly_to_the_same_graph(tmp_path):
    turtle = synth.generate(tmp_path / "s.ttl", 3000, seed=3)
    ntriples = synth.generate(tmp_path / "s.nt", 3000, seed=3)
    assert parse_turtle(turtle.path).isomorphic(parse_turtle(ntriples.path))
    store = ox.Store()
    store.load(path=ntriples.path, format=ox.RdfFormat.N_TRIPLES)  # really N-Triples, not only Turtle
    assert len(store) == ntriples.triples


def test_it_writes_atomically(tmp_path, monkeypatch):
    target = tmp_path / "s.ttl"
    target.write_text("old", encoding="utf-8")

    def broken(self, writer):
        writer.out.write("half a file")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(synth._Synth, "write", broken)
    with pytest.raises(RuntimeError):
        synth.generate(target, 1000)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.ttl"]


def test_files_get_the_usual_permissions(tmp_path):
    result = synth.generate(tmp_path / "s.ttl", 1000, rate=0.01)
    umask = os.umask(0)
    os.umask(umask)
    for path in (result.path, result.expected_path):
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("triples, seed", [(1000, 1), (10000, 4), (20000, 9)])
def test_without_defects_nothing_is_found(tmp_path, triples, seed):
    result = synth.generate(tmp_path / "s.ttl", triples, seed=seed)
    report = validate([result.path])
    assert report.findings == [] and result.expected == [] and result.expected_path is None


def test_the_fast_engine_finds_exactly_the_injected_defects(tmp_path):
    result = synth.generate(tmp_path / "s.nt", 30000, seed=6, rate=0.004)
    report = validate([result.path])
    found = Counter(finding_key(f, report.blank_key) for f in report.findings)
    assert found == expected_keys(result.expected_path)
    assert {f.check for f in report.findings} == {"shacl"}
    assert all(f.file == str(result.path) and f.line for f in report.findings)


def test_every_shape_is_broken_by_some_kind_of_defect(tmp_path):
    """Each node shape (through itself or its property shapes), each property shape and each SPARQL constraint is
    the source of some injected result."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    shapes = Graph().parse(config.SHAPES_DIR / "jpmg-shapes.ttl")
    result = synth.generate(tmp_path / "s.nt", 10000, seed=5, rate=0.005)
    assert {e["kind"] for e in result.expected} == set(synth.KINDS)
    covered = {e["shape"] for e in result.expected}
    node_shapes = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    for shape in sorted(node_shapes):
        own = {str(shape)} | {str(p) for p in shapes.objects(URIRef(shape), SH.property)}
        assert own & covered, f"no defect breaks {shape}"
    property_shapes = {str(s) for s in shapes.subjects(SH.path, None) if isinstance(s, URIRef)}
    assert property_shapes <= covered, sorted(property_shapes - covered)


def test_it_is_shaped_like_the_project_data(tmp_path):
    """Every class of the real data is in a corpus, and the most frequent ones in similar proportions."""
    result = synth.generate(tmp_path / "s.nt", 40000, seed=1)
    real, made = ox.Store(), ox.Store()
    for path in sorted(config.DATA_DIR.glob("*.ttl")):
        real.load(path=path, format=ox.RdfFormat.TURTLE, base_iri=path.absolute().as_uri())
    made.load(path=result.path, format=ox.RdfFormat.N_TRIPLES)

    def classes(store: ox.Store) -> Counter:
        query = f"SELECT ?c (COUNT(?s) AS ?n) WHERE {{ ?s <{RDF_TYPE}> ?c }} GROUP BY ?c"
        return Counter({row["c"].value: int(row["n"].value) for row in store.query(query)})

    real_counts, made_counts = classes(real), classes(made)
    assert set(real_counts) - set(made_counts) <= {"https://schema.org/Country"} | set()  # all others are there
    share = lambda counts, c: counts[c] / sum(counts.values())  # noqa: E731
    derivation = "http://www.w3.org/ns/prov#Derivation"
    assert 0.3 < share(made_counts, derivation) / share(real_counts, derivation) < 3


def test_the_command_line(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="jpmg")
    synth.register(parser.add_subparsers(dest="command", required=True))
    output = tmp_path / "c.ttl"
    args = parser.parse_args(["synth", "--triples", "2000", "--seed", "3", "--violations", "0.05", "-o", str(output)])
    assert args.handler(args) == 0
    printed = capsys.readouterr().out
    assert f"to {output}" in printed and "injected results listed in" in printed
    assert json.loads(output.with_name("c.ttl.expected.json").read_text(encoding="utf-8"))


def test_python_dash_m(tmp_path):
    output = tmp_path / "m.nt"
    completed = subprocess.run(
        [sys.executable, "-m", "jpmg.synth", "--triples", "1000", "-o", str(output)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert output.exists() and not output.with_name("m.nt.expected.json").exists()


def test_bad_arguments_are_refused(tmp_path, capsys):
    with pytest.raises(ValueError):
        synth.generate(tmp_path / "x.ttl", 0)
    with pytest.raises(ValueError):
        synth.generate(tmp_path / "x.ttl", 100, rate=2)
    assert synth.main(["--triples", "0", "-o", str(tmp_path / "x.ttl")]) == 2
    assert capsys.readouterr().err == "jpmg synth: error: the number of triples must be positive\n"
