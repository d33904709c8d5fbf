"""Every output is written to a temporary file or folder and renamed into place: an error half-way through leaves the
previous output byte for byte, and nothing temporary behind.

The writers: ``jpmg publish`` (the site, swapped in whole), ``jpmg dump`` and ``jpmg synth`` (both
through :func:`jpmg.atomic.atomic_output`). ``jpmg validate`` writes its report to standard
output only; ``jpmg serve`` builds into a temporary folder of its own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jpmg.cli import main
from jpmg.publish import site as site_module
from jpmg.publish.html import Renderer
from jpmg.publish.model import SiteModel
from jpmg.publish.site import build_site


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with the SHA-256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def site_files(model: SiteModel) -> dict[str, bytes]:
    """The site's files, computed once: the tests below fail the writing, not the computing."""
    return site_module.build_files(model)


@pytest.fixture
def built_once(site_files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_module, "build_files", lambda model=None, base_url=None: site_files)


@pytest.fixture
def previous_site(site: Path, tmp_path: Path) -> Path:
    """A copy of the built site, marked so that a rebuild would differ from it."""
    output = tmp_path / "out" / "site"
    shutil.copytree(site, output)
    (output / "index.html").write_bytes((output / "index.html").read_bytes() + b"<!-- the previous build -->\n")
    return output


def test_publish_failing_half_way_through_the_pages_keeps_the_previous_site(
    previous_site: Path, model: SiteModel, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    before = tree(previous_site)
    real = Renderer.pages

    def pages_then_fail(self):
        rendered = real(self)
        half = dict(list(rendered.items())[: len(rendered) // 2])
        raise RuntimeError(f"a page writer failed after {len(half)} pages (simulated)")

    monkeypatch.setattr(Renderer, "pages", pages_then_fail)
    monkeypatch.setattr(site_module.SiteModel, "load", classmethod(lambda cls: model))
    code = main(["publish", "-o", str(previous_site)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.startswith("jpmg publish: ") and "a page writer failed" in err and err.count("\n") == 1
    assert tree(previous_site) == before
    assert sorted(p.name for p in previous_site.parent.iterdir()) == ["site"]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_publish_failing_half_way_through_writing_keeps_the_previous_site(
    previous_site: Path, model: SiteModel, monkeypatch: pytest.MonkeyPatch, failure: BaseException, built_once
) -> None:
    before = tree(previous_site)
    written = []
    real = Path.write_bytes

    def write_then_fail(self: Path, data: bytes) -> int:
        if ".building-" in str(self):
            written.append(self)
            if len(written) == 200:
                raise failure
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_then_fail)
    with pytest.raises(type(failure)):
        build_site(previous_site, model=model)
    assert len(written) == 200
    assert tree(previous_site) == before
    assert sorted(p.name for p in previous_site.parent.iterdir()) == ["site"]


@pytest.mark.parametrize("exchange", [True, False])
def test_publish_failing_at_the_swap_keeps_the_previous_site(
    previous_site: Path, model: SiteModel, monkeypatch: pytest.MonkeyPatch, exchange: bool, built_once
) -> None:
    """The last step: with the atomic exchange (Linux) the swap cannot half-happen; without it (two renames) a
    failure of the second puts the previous site back."""
    before = tree(previous_site)
    if not exchange:
        monkeypatch.setattr(site_module, "exchange", lambda a, b: False)
    real_rename = os.rename

    def failing_rename(source, target):
        if ".building-" in str(source):
            raise OSError(5, "Input/output error (simulated)")
        return real_rename(source, target)

    monkeypatch.setattr(site_module.os, "rename", failing_rename)
    if exchange:
        real_exchange = site_module.exchange
        monkeypatch.setattr(site_module, "exchange", lambda a, b: (_ for _ in ()).throw(OSError(5, "simulated")))
        with pytest.raises(OSError):
            build_site(previous_site, model=model)
        monkeypatch.setattr(site_module, "exchange", real_exchange)
    else:
        with pytest.raises(OSError):
            build_site(previous_site, model=model)
    assert tree(previous_site) == before
    assert sorted(p.name for p in previous_site.parent.iterdir()) == ["site"]


def test_publish_swaps_the_site_in_whole(previous_site: Path, model: SiteModel, built_once) -> None:
    build_site(previous_site, model=model)
    assert not (previous_site / "index.html").read_bytes().endswith(b"<!-- the previous build -->\n")
    assert sorted(p.name for p in previous_site.parent.iterdir()) == ["site"]


# -- dump -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_dump_failing_mid_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, where: str
) -> None:
    from jpmg import atomic as atomic_module

    target = tmp_path / "jpmg.nq"
    target.write_bytes(b"the previous dump\n")
    if where == "write":
        real_open = atomic_module._open

        class HalfWriter:
            def __init__(self, handle) -> None:
                self.handle = handle

            def __enter__(self):
                return self

            def fileno(self) -> int:
                return self.handle.fileno()

            def flush(self) -> None:
                self.handle.flush()

            def __exit__(self, *exc) -> None:
                self.handle.close()

            def write(self, data: bytes) -> int:
                self.handle.write(data[: len(data) // 2])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(atomic_module, "_open", lambda file, text: HalfWriter(real_open(file, text)))
    elif where == "fsync":
        monkeypatch.setattr(atomic_module.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    else:
        monkeypatch.setattr(
            atomic_module.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(18, "cross-device"))
        )
    code = main(["dump", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert target.read_bytes() == b"the previous dump\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jpmg.nq"]


# -- any writer, through its command: a file size limit makes the write fail half-way ----------------------------


def _limited_run(args: list[str], limit: int) -> subprocess.CompletedProcess:
    """Run ``python -m MODULE ARGS`` with writes beyond ``limit`` bytes failing (EFBIG) instead of killing it."""
    import resource
    import signal

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit_writes,
    )


def test_dump_command_cut_off_by_a_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "jpmg.nq"
    target.write_bytes(b"the previous dump\n")
    completed = _limited_run(["jpmg.cli", "dump", "-o", str(target)], 100_000)
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr and "File too large" in completed.stderr
    assert target.read_bytes() == b"the previous dump\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jpmg.nq"]


def test_synth_cut_off_by_a_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "synthetic.ttl"
    target.write_text("the previous synthetic data\n")
    completed = _limited_run(["jpmg.synth", "--triples", "20000", "--seed", "1", "-o", str(target)], 100_000)
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr, completed.stderr[-2000:]
    assert target.read_text() == "the previous synthetic data\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synthetic.ttl"]


def test_synth_writes_into_a_named_pipe_instead_of_replacing_it(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.ttl"
    os.mkfifo(pipe)
    received: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
        try:
            while not done.is_set():
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    chunk = b""
                if chunk:
                    received.append(chunk)
                else:
                    done.wait(0.01)
        finally:
            os.close(fd)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "jpmg.synth", "--triples", "2000", "--seed", "1", "-o", str(pipe)],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    finally:
        done.set()
        reader.join(10)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the named pipe was replaced by a regular file"
