"""``jpmg dump``: the named-graph dataset for bulk loaders, byte-identical across runs, written atomically."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from jpmg.atomic import write_atomically
from jpmg.dataset import GRAPH_IRIS, load_dataset
from jpmg.dump import FORMATS

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def counts() -> dict[str, int]:
    dataset = load_dataset().as_rdf_dataset()
    return {str(iri): len(dataset.graph(iri)) for iri in GRAPH_IRIS.values()}


def _dump_in_a_new_process(fmt: str, target: Path) -> bytes:
    code = "import sys; from jpmg.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run(
        [sys.executable, "-c", code, "dump", "--format", fmt, "-o", str(target)], check=True, capture_output=True
    )
    return target.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_dump_is_byte_identical_across_runs(fmt: str, tmp_path: Path) -> None:
    first = _dump_in_a_new_process(fmt, tmp_path / f"one.{fmt}")
    second = _dump_in_a_new_process(fmt, tmp_path / f"two.{fmt}")
    assert first == second and len(first) > 1000
    assert not list(tmp_path.glob(".*.tmp"))


def test_quads_keep_the_named_graphs(jpmg: Cli, tmp_path: Path, counts: dict[str, int]) -> None:
    target = tmp_path / "dump.nq"
    code, _, err = jpmg("dump", "--format", "nq", "-o", str(target))
    assert code == 0, err
    dataset = ox.Dataset(ox.parse(path=str(target), format=ox.RdfFormat.N_QUADS))
    for iri, n in counts.items():
        assert sum(1 for quad in dataset if quad.graph_name == ox.NamedNode(iri)) == n
    lines = target.read_text().splitlines()
    assert lines == sorted(lines)


def test_trig_keeps_the_named_graphs(jpmg: Cli, tmp_path: Path, counts: dict[str, int]) -> None:
    target = tmp_path / "dump.trig"
    assert jpmg("dump", "--format", "trig", "-o", str(target))[0] == 0
    dataset = ox.Dataset(ox.parse(path=str(target), format=ox.RdfFormat.TRIG))
    assert len(dataset) == sum(counts.values())


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_triples_formats_hold_the_union_and_say_so(fmt: str, jpmg: Cli, tmp_path: Path) -> None:
    target = tmp_path / f"dump.{fmt}"
    assert jpmg("dump", "--format", fmt, "-o", str(target))[0] == 0
    text = target.read_text()
    assert text.startswith("# The JPMG knowledge graph: the union of the named graphs")
    assert "Graph names are lost" in text
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.TURTLE
    union = {quad.triple for quad in ox.parse(path=str(target), format=rdf_format)}
    assert len(union) > 0


def test_dump_to_standard_output() -> None:
    code = "import sys; from jpmg.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", code, "dump", "--format", "nt"], capture_output=True, check=True)
    assert result.stdout.startswith(b"# The JPMG knowledge graph")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "dump.nq"
    target.write_bytes(b"old content\n")

    def no_rename(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("jpmg.atomic.os.replace", no_rename)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(b"new content\n", target)
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["dump.nq"]
    monkeypatch.undo()
    write_atomically(b"new content\n", target)
    assert target.read_bytes() == b"new content\n"
