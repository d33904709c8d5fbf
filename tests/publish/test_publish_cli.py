"""The `jpmg publish` and `jpmg serve` commands (registered by jpmg.publish.cli.register)."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import pytest

from jpmg.publish.cli import register
from jpmg.publish.site import MARKER


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="jpmg")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.handler(args)


def test_publish_builds_and_rebuilds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out"
    assert run("publish", "-o", str(output), "--base-url", "https://example.org/jpmg/") == 0
    out = capsys.readouterr().out
    assert "HTML pages" in out and (output / MARKER).is_file()
    assert "https://example.org/jpmg/" in (output / "server/w3id.org/jpmg/.htaccess").read_text()
    assert run("publish", "-o", str(output)) == 0
    assert "placeholder" in capsys.readouterr().out


def test_publish_refuses_a_foreign_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    assert run("publish", "-o", str(tmp_path)) == 2
    assert "did not write" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep"


def test_serve_reports_a_busy_port(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert run("serve", "--site", str(site), "--port", str(port), "--quiet") == 2
    assert "choose another --port" in capsys.readouterr().err


def test_serve_refuses_a_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("serve", "--port", "70000") == 2
    assert "not a port number" in capsys.readouterr().err
