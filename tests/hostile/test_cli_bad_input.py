"""Bad input for every command of the ``jpmg`` command line, run as a user runs it (a subprocess).

For each command (validate, query, load, unload, dump, publish, serve) and each kind of bad input (a missing file,
an empty file, a binary file, a file in another format, a 100 MB file, an IRI with spaces, an ill-typed literal, an
unknown query, an unreachable store, bad option values), the command ends with a clear one-line message that names
the file (and line) and the fix, a non-zero exit, no traceback, and no partial write: an output file or site that was
there is byte for byte what it was, and no temporary file is left beside it.

The commands that read the project's own files (query, load, dump, publish, serve) get their bad file through a copy
of the checkout with one file added to ``data/``, run with that copy first on ``PYTHONPATH``.

Decisions these tests hold (see ``jpmg.parsing``): a file given to ``jpmg validate`` by name that holds no triples is
an error (an empty export is a mistake); an empty file inside the project's ``data/`` folder adds nothing and is
accepted. Files are read whole, up to a documented size: 1024 MB for validation (which needs about 13 times the
file's size in memory: a 100 MB file validates here in about 6 s with 0.8 GB), 64 MB for the commands that build an
rdflib graph of the dataset; ``JPMG_MAX_FILE_MB`` changes both.
"""

from __future__ import annotations

import gzip
import os
import resource
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIG_MB = 100


@dataclass
class Run:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def last_line(self) -> str:
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else ""


def jpmg(*args: str, cwd: Path | None = None, pythonpath: Path | None = None, timeout: float = 300, **env) -> Run:
    """``python -m jpmg.cli ARGS`` in a subprocess, with no stdin; never a traceback, whatever the outcome."""
    environment = {**os.environ, **{k: str(v) for k, v in env.items()}}
    environment.pop("JPMG_DEBUG", None)
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)

    def bounded_memory() -> None:  # a command that would take the machine's memory fails here instead
        limit = 6 * 2**30
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    completed = subprocess.run(
        [sys.executable, "-m", "jpmg.cli", *args],
        cwd=cwd or ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        preexec_fn=bounded_memory,
    )
    run = Run(args, completed.returncode, completed.stdout, completed.stderr)
    assert "Traceback" not in run.err and "Traceback" not in run.out, f"{args}: {run.err[-3000:]}"
    return run


def run_all(*calls: tuple[tuple[str, ...], dict]) -> list[Run]:
    """Run several commands two at a time (the machine has two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda call: jpmg(*call[0], **call[1]), calls))


def assert_error(run: Run, *fragments: str, code: int = 2) -> None:
    """Exit ``code``, and one error line naming the command that holds every fragment."""
    assert run.code == code, f"{run.args}: exit {run.code}\n{run.err[-2000:]}"
    command = f"jpmg {run.args[0]}: error: "
    assert run.last_line.startswith(command), (run.args, run.err[-1000:])
    for fragment in fragments:
        assert fragment in run.last_line, (run.args, fragment, run.last_line)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the bad files ---------------------------------------------------------------------------------------------------

PREFIXES = (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix jpmg: <https://w3id.org/jpmg/ontology#> .\n"
    "@base <https://w3id.org/jpmg/id/> .\n"
)
FILES: dict[str, bytes] = {
    "empty": b"",
    "blank": b"  \n\n\t\n",
    "comments-only": b"# nothing here yet\n@prefix ex: <http://example.org/> .\n",
    "binary": bytes(range(256)) * 40,
    "latin-1": '<https://example.org/a> <https://example.org/b> "caf\xe9" .\n'.encode("latin-1"),
    "utf-16": '<https://example.org/a> <https://example.org/b> "x" .\n'.encode("utf-16"),
    "gzip": gzip.compress(b'<https://example.org/a> <https://example.org/b> "x" .\n', mtime=0),
    "json": b'{"@context": {"name": "http://xmlns.com/foaf/0.1/name"}, "@id": "http://example.org/a", "name": "A"}\n',
    "rdf-xml": (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        b'  <rdf:Description rdf:about="http://example.org/a"/>\n</rdf:RDF>\n'
    ),
    "html": b"<!DOCTYPE html>\n<html><head><title>Saved page</title></head><body>JPMG</body></html>\n",
    "n-quads": b"<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .\n",
    "iri-with-spaces": (PREFIXES + '<session/jpmg 48> jpmg:date "2022-10-25"^^xsd:date .\n').encode(),
    "ill-typed-date": (PREFIXES + '<session/jpmg-48> jpmg:date "1983-13-45"^^xsd:date .\n').encode(),
}

# (exit code, what the error line must hold) for `jpmg validate FILE`; 1 means findings on stdout
VALIDATE_EXPECTED: dict[str, tuple[int, tuple[str, ...]]] = {
    "empty": (2, ("the file is empty",)),
    "blank": (2, ("the file is empty",)),
    "comments-only": (2, ("holds no triples",)),
    "binary": (2, (":1:1: the file holds binary data", "UTF-8 Turtle")),
    "latin-1": (2, (":1:", "is not UTF-8", "UTF-8 Turtle")),
    "utf-16": (2, (":1:1:", "UTF-16", "re-save it as UTF-8")),
    "gzip": (2, (":1:1:", "gzip-compressed", "gunzip")),
    "json": (2, (":1:1: invalid Turtle", "looks like JSON")),
    "rdf-xml": (2, (":1:1: invalid Turtle", "looks like RDF/XML", "rdfpipe")),
    "html": (2, (":1:1: invalid Turtle", "looks like an HTML page")),
    "n-quads": (2, (":1:", "invalid Turtle")),
    "iri-with-spaces": (2, (":4:", "invalid Turtle", "percent-encode")),
    "ill-typed-date": (1, ()),
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad-files")
    paths = {}
    for name, data in FILES.items():
        paths[name] = folder / f"{name}.ttl"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 100 MB Turtle file of valid triples that no shape targets (about 590,000 lines)."""
    path = tmp_path_factory.mktemp("big") / "big.ttl"
    line = (
        "<https://example.org/note/{0}> <http://www.w3.org/2000/01/rdf-schema#comment> "
        '"note {0}: a remark about nothing in particular, padded to make the line longer"@en .\n'
    )
    block = 10_000
    with path.open("w", encoding="utf-8") as out:
        written, start = 0, 0
        while written < BIG_MB * 1_000_000:
            text = "".join(line.format(i) for i in range(start, start + block))
            out.write(text)
            written += len(text)
            start += block
    return path


# -- validate ----------------------------------------------------------------------------------------------------------


def test_validate_every_bad_file(bad_files: dict[str, Path]) -> None:
    runs = run_all(*((("validate", "--quiet", str(path)), {}) for path in bad_files.values()))
    for (name, path), run in zip(bad_files.items(), runs, strict=True):
        code, fragments = VALIDATE_EXPECTED[name]
        if code == 2:
            assert_error(run, str(path), *fragments)
            assert run.out == ""
            assert "(" in run.last_line  # the fix, in brackets
        else:
            assert run.code == 1 and run.err == "", (name, run.err)
            assert '"1983-13-45" is not a valid http://www.w3.org/2001/XMLSchema#date' in run.out
            assert f"{path.name}:4" in run.out


def test_validate_missing_paths_and_folders(tmp_path: Path) -> None:
    (tmp_path / "empty-folder").mkdir()
    (tmp_path / "no-turtle").mkdir()
    (tmp_path / "no-turtle" / "notes.txt").write_text("not turtle")
    missing, empty_folder, no_turtle = run_all(
        (("validate", str(tmp_path / "missing.ttl")), {}),
        (("validate", str(tmp_path / "empty-folder")), {}),
        (("validate", str(tmp_path / "no-turtle")), {}),
    )
    assert_error(missing, str(tmp_path / "missing.ttl"), "no such file or folder", "check the path")
    assert_error(empty_folder, "no Turtle files here")
    assert_error(no_turtle, "no Turtle files here")


def test_validate_a_100_mb_file(big_file: Path, tmp_path: Path) -> None:
    """Validation reads 100 MB in bounded memory (the subprocess may use 6 GB at most) and time."""
    import time

    started = time.monotonic()
    run = jpmg("validate", "--quiet", str(big_file), timeout=240)
    assert run.code == 0, run.err[-2000:]
    assert "CONFORMS" in run.out
    assert time.monotonic() - started < 240
    broken = tmp_path / "big-broken.ttl"
    shutil.copyfile(big_file, broken)
    with broken.open("a") as out:
        out.write('<https://example.org/x> <https://example.org/y> "never closed .\n')
    lines = sum(1 for _ in big_file.open("rb")) + 1
    run = jpmg("validate", "--quiet", str(broken), timeout=240)
    assert_error(run, f"{broken}:{lines}:", "invalid Turtle", "not closed")
    binary = tmp_path / "big-binary.ttl"
    with binary.open("wb") as out:
        out.write(b"\x00\xff" * (BIG_MB * 500_000))
    run = jpmg("validate", str(binary), timeout=120)
    assert_error(run, str(binary), "binary data")


def test_validate_refuses_files_over_the_size_limit(big_file: Path, tmp_path: Path) -> None:
    sparse = tmp_path / "huge.ttl"
    with sparse.open("wb") as out:
        out.truncate(1100 * 1_000_000)  # 1.1 GB, sparse: no disk used, and nothing is read
    huge, limited = run_all(
        (("validate", str(sparse)), {}),
        (("validate", str(big_file)), {"JPMG_MAX_FILE_MB": "50"}),
    )
    assert_error(huge, str(sparse), "the file is 1,100.0 MB, more than the 1,024 MB", "JPMG_MAX_FILE_MB")
    assert_error(limited, str(big_file), "more than the 50 MB", "split it")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("validate", "--format", "yaml"), "invalid choice: 'yaml'"),
        (("validate", "--strictest"), "unrecognized arguments"),
        (("query", "--format", "yaml", "jpmg-sessions"), "invalid choice: 'yaml'"),
        (("query", "--engine", "jena", "jpmg-sessions"), "invalid choice: 'jena'"),
        (("query", "jpmg-sessions", "--endpoint", "http://127.0.0.1:1", "--timeout", "soon"), "invalid float"),
        (("load", "http://127.0.0.1:1"), "the following arguments are required: --kind"),
        (("load", "http://127.0.0.1:1", "--kind", "mysql"), "invalid choice: 'mysql'"),
        (("load", "http://127.0.0.1:1", "--kind", "oxigraph", "--chunk-size", "many"), "invalid int"),
        (("unload",), "the following arguments are required"),
        (("dump", "--format", "xml"), "invalid choice: 'xml'"),
        (("serve", "--port", "http"), "invalid int"),
        (("serve", "--max-rows", "1.5"), "invalid int"),
        (("frobnicate",), "invalid choice: 'frobnicate'"),
    ],
)
def test_malformed_options_are_usage_errors(args: tuple[str, ...], fragment: str) -> None:
    run = jpmg(*args)
    assert run.code == 2
    assert fragment in run.last_line and run.last_line.startswith("jpmg"), run.err


# -- query, load, unload: names, bindings, endpoints, option values --------------------------------------------------


def test_query_and_store_commands_refuse_bad_values() -> None:
    port = closed_port()
    closed = f"http://127.0.0.1:{port}"
    cases = [
        (("query", "no-such-query"), ("no query named 'no-such-query'", "run 'jpmg query' to list them")),
        (("query", "../../etc/passwd"), ("no query named",)),
        (("query", "post-holders", "--bind", "post=<https://w3id.org/a b>"), ("is not a valid IRI", "without spaces")),
        (("query", "post-holders", "--bind", "post"), ("must be NAME=VALUE",)),
        (("query", "post-holders", "--bind", "nope=1"), ("has no parameter ?nope",)),
        (("query", "jpmg-sessions", "--endpoint", closed), (f"cannot connect to {closed}", "is the store running")),
        (("query", "jpmg-sessions", "--endpoint", "ftp://example.org/"), ("is not an http:// or https:// URL",)),
        (("query", "jpmg-sessions", "--endpoint", "http://[::1"), ("is not a valid URL",)),
        (("query", "jpmg-sessions", "--endpoint", closed, "--timeout", "nan"), ("--timeout must be",)),
        (("query", "jpmg-sessions", "--endpoint", closed, "--timeout", "-1"), ("--timeout must be",)),
        (("query", "jpmg-sessions", "--endpoint", closed, "--retries", "-1"), ("--retries must be",)),
        (("load", closed, "--kind", "oxigraph"), (f"cannot connect to {closed}", "is the store running")),
        (("load", "127.0.0.1:7878", "--kind", "oxigraph"), ("is not an http:// or https:// URL",)),
        (("load", "http://127.0.0.1:99999", "--kind", "oxigraph"), ("is not a valid URL",)),
        (("load", "http://user:secret@127.0.0.1:1", "--kind", "oxigraph"), ("holds credentials",)),
        (("load", closed, "--kind", "oxigraph", "--timeout", "inf"), ("--timeout must be",)),
        (("load", closed, "--kind", "oxigraph", "--timeout", "0"), ("--timeout must be",)),
        (("load", closed, "--kind", "oxigraph", "--chunk-size", "0", "--dry-run"), ("--chunk-size must be",)),
        (("load", closed, "--kind", "oxigraph", "--verify-queries", "-2"), ("--verify-queries must be",)),
        (("load", closed, "--kind", "generic", "--gsp-endpoint", "file:///etc/passwd"), ("not an http",)),
        (("unload", closed, "--kind", "virtuoso"), (f"cannot connect to {closed}",)),
        (("unload", "http://[::1", "--kind", "oxigraph"), ("is not a valid URL",)),
        (("unload", "http://127.0.0.1:-5", "--kind", "oxigraph"), ("is not a valid URL",)),
    ]
    runs = run_all(*((args, {}) for args, _ in cases))
    for (args, fragments), run in zip(cases, runs, strict=True):
        assert_error(run, *fragments)
        assert "secret" not in run.err
        assert run.out == "", args


def test_store_commands_with_a_netrc_that_does_not_parse(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login jpmg password\n")  # a password token without its value
    run = jpmg("unload", f"http://127.0.0.1:{closed_port()}", "--kind", "oxigraph", NETRC=str(netrc))
    assert run.code == 2 and "Traceback" not in run.err


# -- dump, publish, serve: where they write --------------------------------------------------------------------------


def test_dump_and_publish_refuse_bad_targets(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    foreign = tmp_path / "someone-elses"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("keep me")
    cases = [
        (("dump", "-o", str(tmp_path / "missing" / "jpmg.nq")), ("does not exist", "create it first")),
        (("dump", "-o", str(folder)), (str(folder), "is a folder")),
        (("publish", "-o", str(a_file)), ("exists and is not a folder",)),
        (("publish", "-o", str(foreign)), ("did not write", "left alone")),
        (("publish", "-o", str(tmp_path / "site"), "--base-url", "not a url"), ("--base-url 'not a url'",)),
        (("publish", "-o", str(tmp_path / "site"), "--base-url", "ftp://x/"), ("is not an http",)),
        (("serve", "--site", str(a_file)), ("exists and is not a folder",)),
        (("serve", "--site", str(foreign)), ("did not write",)),
        (("serve", "--port", "70000"), ("is not a port number",)),
        (("serve", "--port", "-1"), ("is not a port number",)),
        (("serve", "--timeout", "0"), ("--timeout must be",)),
        (("serve", "--timeout", "nan"), ("--timeout must be",)),
        (("serve", "--max-rows", "0"), ("--max-rows must be",)),
        (("serve", "--max-memory", "10"), ("--max-memory must be",)),
    ]
    runs = run_all(*((args, {}) for args, _ in cases))
    for (_args, fragments), run in zip(cases, runs, strict=True):
        assert_error(run, *fragments)
    assert a_file.read_text() == "keep me"
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file.txt", "a-folder", "someone-elses"]
    assert list(folder.iterdir()) == []


def test_dump_to_a_symlink_and_to_a_pipe(tmp_path: Path) -> None:
    """A symlink keeps pointing at the (replaced) file; a named pipe is written to, never replaced by a file."""
    import threading

    real = tmp_path / "real.nq"
    real.write_text("old\n")
    link = tmp_path / "link.nq"
    link.symlink_to(real)
    run = jpmg("dump", "-o", str(link))
    assert run.code == 0, run.err
    assert link.is_symlink() and real.read_bytes().startswith(b"<https://w3id.org/jpmg/")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    run = jpmg("dump", "--format", "nt", "-o", str(pipe))
    reader.join(60)
    assert run.code == 0, run.err
    import stat

    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert received and received[0].startswith(b"# The JPMG knowledge graph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.nq", "pipe", "real.nq"]


def test_serve_refuses_a_site_whose_dump_is_broken(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "dumps").mkdir(parents=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>x</title>")
    (site / "dumps" / "jpmg.nq").write_bytes(FILES["binary"])
    run = jpmg("serve", "--site", str(site), "--port", "0", timeout=180)
    assert_error(run, "cannot load the site's dataset", "jpmg.nq", "rebuild the site")


def test_serve_refuses_a_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        run = jpmg("serve", "--port", str(port))
    assert_error(run, f"127.0.0.1:{port}", "choose another --port")


# -- the commands that read the project's own files, given a bad one ----------------------------------------------


@pytest.fixture(scope="module")
def checkout_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Path | bytes], Path]:
    """A copy of the checkout (src and the knowledge graph's folders) with one file added to data/."""

    def make(name: str, content: Path | bytes) -> Path:
        copy = tmp_path_factory.mktemp(f"checkout-{name}")
        shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "_resources"))
        for folder in ("ontology", "shapes", "data", "queries"):
            shutil.copytree(ROOT / folder, copy / folder)
        target = copy / "data" / f"zz-{name}.ttl"
        if isinstance(content, Path):
            target.symlink_to(content)
        else:
            target.write_bytes(content)
        return copy

    return make


PROJECT_CASES = {
    # name: (the file, what the error line holds; None: the command works, since nothing it does needs that data
    # valid)
    "binary": (FILES["binary"], ("zz-binary.ttl:1:1: the file holds binary data",)),
    "json": (FILES["json"], ("zz-json.ttl:1:1: invalid Turtle", "looks like JSON")),
    "rdf-xml": (FILES["rdf-xml"], ("zz-rdf-xml.ttl:1:1: invalid Turtle", "looks like RDF/XML")),
    "iri-with-spaces": (FILES["iri-with-spaces"], ("zz-iri-with-spaces.ttl:4:", "percent-encode")),
    "big": (None, ("zz-big.ttl: the file is 100.", "MB, more than the 64 MB", "JPMG_MAX_FILE_MB")),
    "ill-typed-date": (FILES["ill-typed-date"], None),
    "empty": (FILES["empty"], None),
}


@pytest.mark.parametrize("case", list(PROJECT_CASES))
def test_project_commands_with_a_bad_data_file(case: str, checkout_factory, big_file: Path, tmp_path: Path) -> None:
    content, fragments = PROJECT_CASES[case]
    checkout = checkout_factory(case, big_file if content is None else content)
    src = checkout / "src"
    out = tmp_path / "out"
    out.mkdir()
    dump = out / "jpmg.nq"
    dump.write_text("the previous dump\n")
    site = out / "site"
    site.mkdir()
    (site / ".jpmg-site").write_text("Written by jpmg publish\n")
    (site / "index.html").write_text("the previous site\n")
    commands: list[tuple[str, ...]] = [
        ("query", "jpmg-founding", "--format", "csv"),
        ("load", f"http://127.0.0.1:{closed_port()}", "--kind", "oxigraph", "--dry-run"),
        ("dump", "-o", str(dump)),
    ]
    if fragments is not None:  # the slow builders only where they must fail fast
        commands += [("publish", "-o", str(site)), ("serve", "--port", "0")]
    runs = run_all(*((args, {"cwd": checkout, "pythonpath": src, "timeout": 300}) for args in commands))
    for run in runs:
        if fragments is not None:
            assert_error(run, *fragments)
        elif run.args[0] == "load" and case == "ill-typed-date":
            assert run.code == 1 and "does not validate" in run.last_line and "nothing was sent" in run.last_line
        else:
            assert run.code == 0, (run.args, run.err[-2000:])
    if fragments is not None:
        assert dump.read_text() == "the previous dump\n"
        assert (site / "index.html").read_text() == "the previous site\n"
    assert sorted(p.name for p in out.iterdir()) == ["jpmg.nq", "site"]  # no temporary file or folder left
    assert sorted(p.name for p in site.iterdir()) == [".jpmg-site", "index.html"]
