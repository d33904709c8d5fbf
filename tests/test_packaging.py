"""The built wheel carries the ontology, shapes, data and queries, so `jpmg validate` works outside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("jpmg-*.whl")
    return path


def test_wheel_carries_the_knowledge_graph(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (
        ("ontology", "jpmg.ttl"),
        ("shapes", "jpmg-shapes.ttl"),
        ("data", "sessions.ttl"),
        ("queries", "jpmg-sessions.rq"),
    ):
        assert f"jpmg/_resources/{folder}/{pattern}" in names
    data_files = {p.name for p in (ROOT / "data").glob("*.ttl")}
    assert {Path(n).name for n in names if n.startswith("jpmg/_resources/data/")} == data_files
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_validates_and_queries_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from jpmg import config; assert str(config.RESOURCE_ROOT).startswith(sys.argv[1]), config.RESOURCE_ROOT; "
        "from jpmg.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    validated = subprocess.run(
        [sys.executable, "-c", code, str(site), "validate", "--quiet"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "CONFORMS" in validated.stdout
    queried = subprocess.run(
        [sys.executable, "-c", code, str(site), "query", "jpmg-sessions", "--format", "csv"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=False,
    )
    assert queried.returncode == 0, queried.stderr
    assert queried.stdout.splitlines()[0] == "session,ordinal,date,place,mode,planned,israeliHead,usHead"
