"""Starting and stopping a `jpmg serve` server in a thread, for the fixtures and the tests that need a server of
their own (other limits, a server to break). A module of its own, since ``conftest`` is not importable by name when
several test folders have one."""

from __future__ import annotations

import threading
from pathlib import Path

from jpmg.publish.endpoint import Limits


def start_server(site: Path, limits: Limits):
    from jpmg.serve import make_server

    server = make_server(site, 0, limits, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop_server(server, thread) -> None:
    server.shutdown()
    server.server_close()
    if server.service is not None:
        server.service.close()
    thread.join(5)
