"""The store password never appears anywhere: not on stdout or stderr, not in log records, not in the servers' logs,
not in the built site or the dumps, not in exception messages or reprs.

Two ways a store asks for credentials: Virtuoso (Digest, its own user) and Oxigraph behind the test proxy (Basic).
The password comes from ``JPMG_STORE_PASSWORD`` or from a netrc file, and the commands run successfully, with
``--dry-run``, with ``--progress``, with the wrong password, and with a failure in the middle of the load.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from servers import Rule, proxy
from storetools import Store, cached_project_parts

from jpmg.stores import StoreError
from jpmg.stores.credentials import Credentials, resolve_credentials
from jpmg.stores.endpoints import check_url
from jpmg.stores.http import HttpClient

Cli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _parts_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from jpmg.stores import loader as store_loader

    monkeypatch.setattr(store_loader, "project_parts", cached_project_parts)


class Guarded:
    """A store that asks for credentials, the password it wants, and everything the commands said."""

    def __init__(self, url: str, kind: str, user: str, password: str, logs: list[Path]) -> None:
        self.url, self.kind, self.user, self.password, self.logs = url, kind, user, password, logs
        self.said: list[str] = []

    def check(self, *texts: str) -> None:
        self.said.extend(texts)
        for text in texts:
            assert self.password not in text, text[-2000:]


@pytest.fixture(params=["virtuoso-digest", "oxigraph-basic"])
def guarded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Guarded]:
    if request.param == "virtuoso-digest":
        server = request.getfixturevalue("virtuoso")
        yield Guarded(
            server.url, "virtuoso", server.user, server.password, [server.log, server.folder / "virtuoso.log"]
        )
        return
    server = request.getfixturevalue("oxigraph")
    password = "Sup3r-Secret-" + secrets.token_hex(8)
    with proxy(server.url, "jpmg", password) as (url, _state):
        yield Guarded(url, "oxigraph", "jpmg", password, [server.log])


def test_the_password_appears_nowhere(
    guarded: Guarded, jpmg: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    args = [guarded.url, "--kind", guarded.kind, "--retries", "1", "--timeout", "30"]
    monkeypatch.setenv("JPMG_STORE_USER", guarded.user)
    monkeypatch.setenv("JPMG_STORE_PASSWORD", guarded.password)

    # the password from the environment: a dry run, a load with a progress bar, a remote query, an unload
    code, out, err = jpmg("load", *args, "--dry-run")
    guarded.check(out, err)
    assert code == 0 and "password from the environment variable JPMG_STORE_PASSWORD" in out
    code, out, err = jpmg("load", *args, "--verify-queries", "0", "--progress")
    guarded.check(out, err)
    assert code == 0, err
    code, out, err = jpmg("query", "jpmg-founding", "--endpoint", guarded.url, "--kind", guarded.kind)
    guarded.check(out, err)
    assert code == 0, err

    # a failure in the middle of the load, through a proxy that passes the credentials on
    with proxy(guarded.url) as (url, state):
        state.rules.append(Rule(lambda r, s: r.method == "POST" and "graph=" in r.path, 500))
        code, out, err = jpmg("load", url, *args[1:], "--verify-queries", "0")
    guarded.check(out, err)
    assert code == 2 and "HTTP 500" in err

    # the wrong password, from the environment
    monkeypatch.setenv("JPMG_STORE_PASSWORD", guarded.password + "-wrong")
    code, out, err = jpmg("unload", *args)
    guarded.check(out, err)
    assert code == 2 and "refused the credentials of user" in err and "JPMG_STORE_PASSWORD" in err

    # the password from a netrc file
    monkeypatch.delenv("JPMG_STORE_PASSWORD")
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {guarded.user} password {guarded.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    code, out, err = jpmg("load", *args, "--dry-run")
    guarded.check(out, err)
    assert code == 0 and f"password from the netrc file {netrc}" in out
    code, out, err = jpmg("unload", *args)
    guarded.check(out, err)
    assert code == 0, err
    netrc.write_text(f"machine 127.0.0.1 login {guarded.user} password {guarded.password}-wrong\n")
    code, out, err = jpmg("load", *args, "--verify-queries", "0")
    guarded.check(out, err)
    assert code == 2 and "netrc file" in err
    netrc.write_text(f"machine 127.0.0.1 login {guarded.user} password\n")  # a password token without its value
    code, out, err = jpmg("load", *args, "--dry-run")
    guarded.check(out, err)
    assert code == 2

    # a whole run in a subprocess, as a user runs it: everything it prints, whatever prints it
    environment = {**os.environ, "JPMG_STORE_USER": guarded.user, "JPMG_STORE_PASSWORD": guarded.password}
    environment.pop("NETRC", None)
    completed = subprocess.run(
        [sys.executable, "-m", "jpmg.cli", "load", *args, "--verify-queries", "0", "--progress"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    guarded.check(completed.stdout, completed.stderr)
    assert completed.returncode == 0, completed.stderr[-2000:]

    # what logging saw, and what the servers logged
    guarded.check(*(record.getMessage() for record in caplog.records))
    for log in guarded.logs:
        if log.exists():
            guarded.check(log.read_text(errors="replace"))


def test_the_outputs_hold_no_password(tmp_path: Path) -> None:
    """The dumps and the built site, made with a password in the environment and in a netrc file."""
    password = "Sup3r-Secret-" + secrets.token_hex(8)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login jpmg password {password}\n")
    environment = {**os.environ, "JPMG_STORE_USER": "jpmg", "JPMG_STORE_PASSWORD": password, "NETRC": str(netrc)}
    outputs = tmp_path / "out"
    outputs.mkdir()
    for args in (
        ["dump", "--format", "nq", "-o", str(outputs / "jpmg.nq")],
        ["dump", "--format", "trig", "-o", str(outputs / "jpmg.trig")],
        ["publish", "-o", str(outputs / "site")],
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "jpmg.cli", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=300,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert password not in completed.stdout + completed.stderr
    files = [path for path in outputs.rglob("*") if path.is_file()]
    assert len(files) > 100
    leaks = [str(path) for path in files if password.encode() in path.read_bytes()]
    assert leaks == []


def test_credentials_never_show_the_password() -> None:
    password = "Sup3r-Secret-" + secrets.token_hex(8)
    credentials = Credentials("jpmg", password, "the environment variable JPMG_STORE_PASSWORD")
    client = HttpClient(credentials)
    for text in (repr(credentials), str(credentials), f"{credentials}", f"{credentials!r}", repr(client), str(client)):
        assert password not in text and "jpmg" in text
    assert password not in repr([credentials, {"c": credentials}])
    with pytest.raises(StoreError) as failure:
        resolve_credentials("http://127.0.0.1:1", None, {"JPMG_STORE_PASSWORD": password})
    assert password not in str(failure.value) and password not in repr(failure.value)
    for url in (
        f"http://jpmg:{password}@127.0.0.1:7878",
        f"jpmg:{password}@127.0.0.1:7878",
        f"http://jpmg:{password}@[::1",
        f"ftp://jpmg:{password}@example.org/",
        f"http://jpmg:{password}@127.0.0.1:99999",
    ):
        with pytest.raises(StoreError) as failure:
            check_url(url, "store URL")
        assert password not in str(failure.value) and password not in repr(failure.value), str(failure.value)


def test_a_netrc_that_does_not_parse_is_not_quoted(tmp_path: Path) -> None:
    password = "Sup3r-Secret-" + secrets.token_hex(8)
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login jpmg password {password} extra-token-{password}\n")
    with pytest.raises(StoreError) as failure:
        resolve_credentials("http://127.0.0.1:1", None, {"NETRC": str(netrc)})
    assert password not in str(failure.value)


def test_the_client_sends_the_password_only_when_asked(store: Store) -> None:
    """An endpoint that does not ask for credentials (Oxigraph here) never receives them."""
    if store.kind != "oxigraph":
        pytest.skip("Virtuoso's query endpoint does not ask; the check is the same on Oxigraph")
    password = "Sup3r-Secret-" + secrets.token_hex(8)
    with proxy(store.url) as (url, state):
        client = HttpClient(Credentials("jpmg", password), timeout=10, retries=0)
        client.request("GET", url + "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
        seen = list(state.seen)
    assert seen and all(password.encode() not in request.body for request in seen)
