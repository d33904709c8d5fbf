"""The README's section "Loading into your triple store" works: its Oxigraph commands run as written.

The block marked ```` ```bash title="oxigraph" ```` is run line by line, with a free port and a temporary folder
instead of 7878 and ``oxigraph-data``: ``pip install`` is skipped (the package is installed), a line ending in
``&`` starts the server in the background (stopped by its pid, which ``kill %1`` stands for), and ``.venv/bin/X``
is the X beside the running interpreter. ``jpmg`` is the installed command once ``jpmg.cli`` registers the store
commands, and the same parser (``python -m jpmg.stores.cli``) until then.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from servers import LOOPBACK, _http_ok, _wait_until, free_port, oxigraph_binary

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r'```bash title="oxigraph"\n(.*?)```', re.DOTALL)


def _documents() -> list[Path]:
    return [path for path in (ROOT / "README.md",) if _BLOCK.search(path.read_text(encoding="utf-8"))]


def _jpmg_command() -> list[str]:
    return [str(Path(sys.executable).parent / "jpmg")]


@pytest.mark.parametrize("document", _documents(), ids=lambda p: p.name)
def test_oxigraph_commands_run_as_written(document: Path, tmp_path: Path) -> None:
    block = _BLOCK.search(document.read_text(encoding="utf-8"))
    assert block is not None
    port = free_port()
    server: subprocess.Popen | None = None
    ran = []
    try:
        for raw in block.group(1).splitlines():
            line = raw.split(" #", 1)[0].strip()
            if not line or " install " in line or line.startswith("kill "):
                continue
            line = line.replace("127.0.0.1:7878", f"{LOOPBACK}:{port}").replace("oxigraph-data", str(tmp_path / "db"))
            words = shlex.split(line.rstrip("&").strip())
            program = words[0].removeprefix(".venv/bin/")
            if program == "jpmg":
                command = [*_jpmg_command(), *words[1:]]
            elif program == "oxigraph":
                command = [oxigraph_binary() or "oxigraph", *words[1:]]
            else:
                command = [str(Path(sys.executable).parent / program), *words[1:]]
            if line.endswith("&"):
                server = subprocess.Popen(
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
                _wait_until(
                    lambda: _http_ok(f"http://{LOOPBACK}:{port}/query?query=ASK%7B%7D"), 20, "oxigraph", server, None
                )
                continue
            result = subprocess.run(command, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
            assert result.returncode == 0, f"{line}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
            ran.append((words, result.stdout))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
    outputs = {" ".join(words[1:3]): out for words, out in ran}
    assert any("loaded 4 graphs" in out for out in outputs.values())
    assert any("removed <https://w3id.org/jpmg/graph/data>" in out for out in outputs.values())
    assert any(out.startswith("session") for out in outputs.values())  # the query's table
