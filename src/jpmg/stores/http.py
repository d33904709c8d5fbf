"""One small HTTP client for the stores: timeouts, a User-Agent, authentication, retries and clear errors.

Built on :mod:`urllib.request` and its authentication handlers: Basic and Digest are answered when the store
asks for them (a challenge), so a password is never sent to an endpoint that does not want one. Every request
goes through :meth:`HttpClient.send`, which

- retries, with exponential back-off, what is transient: a connection reset or closed by the server,
  HTTP 502/503/504, and a refused connection once the server has answered before (it may be restarting);
- fails at once, with a :class:`StoreError` naming the cause and the fix, on what is permanent: a refused
  connection at the first request (the server is down or the URL is wrong), 401/403 (credentials),
  404 (wrong endpoint), 413 (chunk too big), other 4xx (the store rejected the request), a timeout.

SPARQLWrapper builds the SPARQL requests (see :mod:`jpmg.stores.sparql`) and sends them through here too, so both
protocols share the same behaviour.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.error
import urllib.request
import urllib.response
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

from jpmg import __version__
from jpmg.stores.credentials import PASSWORD_VARIABLE, USER_VARIABLE, Credentials
from jpmg.stores.errors import StoreError

__all__ = ["USER_AGENT", "HttpClient", "Response", "StoreError"]

USER_AGENT = f"jpmg/{__version__} (+https://w3id.org/jpmg/)"
#: Statuses that say "not now" rather than "no": a gateway or an overloaded server.
TRANSIENT_STATUSES = frozenset({502, 503, 504})
#: Errors on an open connection that a retry usually cures (the server closed or reset it).
_TRANSIENT_ERRORS = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.IncompleteRead,
    http.client.RemoteDisconnected,
)


@dataclass
class Response:
    """A response read whole: status, headers, body."""

    status: int
    headers: Message
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _excerpt(body: bytes, limit: int = 240) -> str:
    """The first meaningful words of an error body (HTML tags and blank lines stripped), on one line."""
    text = body.decode("utf-8", errors="replace")
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HttpClient:
    """Sends requests to one store with its credentials, timeout and retry policy.

    ``retries`` is the number of extra attempts after a transient failure; the n-th waits
    ``backoff * 2**(n-1)`` seconds (capped at 30 s). ``log`` receives one line per retry.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        log: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.log = log or (lambda _line: None)
        self.sleep = sleep
        self.user_agent = USER_AGENT
        self.requests_sent = 0
        self._contacted: set[str] = set()
        self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[urllib.request.BaseHandler] = []
        if credentials is not None:
            handlers = [
                urllib.request.HTTPDigestAuthHandler(self._passwords),
                urllib.request.HTTPBasicAuthHandler(self._passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"HttpClient(credentials={self.credentials!r}, timeout={self.timeout}, retries={self.retries})"

    # -- sending --------------------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        purpose: str = "request",
    ) -> Response:
        """Send one request; return the response, or raise StoreError (after retries, when transient)."""
        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
        return self.send(request, purpose)

    def send(self, request: urllib.request.Request, purpose: str = "request") -> Response:
        """Send a prepared request with this client's User-Agent, credentials, timeout and retry policy."""
        request.add_header("User-Agent", self.user_agent)
        parts = urlsplit(request.full_url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if self.credentials is not None:
            self._passwords.add_password(None, origin + "/", self.credentials.user, self.credentials.password)
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                self.requests_sent += 1
                with self._opener.open(request, timeout=self.timeout) as answer:
                    body = answer.read()
                    self._contacted.add(origin)
                    return Response(answer.status, answer.headers, body, request.full_url)
            except urllib.error.HTTPError as error:
                self._contacted.add(origin)
                status, error_body = error.code, _read_error_body(error)
                if status in TRANSIENT_STATUSES and attempt < attempts:
                    self._wait(attempt, f"HTTP {status}", purpose)
                    continue
                raise self._status_error(status, error_body, request, purpose, attempts) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                reason = error.reason if isinstance(error, urllib.error.URLError) else error
                if isinstance(reason, (TimeoutError, socket.timeout)):
                    raise StoreError(
                        f"no answer from {request.full_url} within {self.timeout:g} s ({purpose})",
                        "raise --timeout, or lower --chunk-size",
                    ) from None
                refused = isinstance(reason, ConnectionRefusedError)
                if refused and origin not in self._contacted:
                    raise StoreError(
                        f"cannot connect to {origin}: connection refused",
                        "is the store running, and listening at this host and port?",
                    ) from None
                if (refused or isinstance(reason, _TRANSIENT_ERRORS)) and attempt < attempts:
                    self._wait(attempt, _describe(reason), purpose)
                    continue
                if refused or isinstance(reason, _TRANSIENT_ERRORS):
                    raise StoreError(
                        f"lost the connection to {origin} ({_describe(reason)}) during the "
                        f"{purpose}, after {attempts} attempts",
                        "is the store still running? run the command again once it is",
                    ) from None
                raise StoreError(
                    f"cannot reach {origin}: {_describe(reason)}", "check the host name and the network"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def open_for_sparqlwrapper(self, request: urllib.request.Request, purpose: str) -> urllib.response.addinfourl:
        """Send a request that SPARQLWrapper built; return a response object of the kind it expects."""
        import io

        response = self.send(request, purpose)
        return urllib.response.addinfourl(io.BytesIO(response.body), response.headers, response.url, response.status)

    def _wait(self, attempt: int, cause: str, purpose: str) -> None:
        delay = min(self.backoff * 2 ** (attempt - 1), 30.0)
        self.log(f"{cause} during the {purpose}; retrying in {delay:g} s (attempt {attempt + 1} of {self.retries + 1})")
        self.sleep(delay)

    def _status_error(
        self, status: int, body: bytes, request: urllib.request.Request, purpose: str, attempts: int
    ) -> StoreError:
        url = request.full_url.split("?", 1)[0]
        detail = _excerpt(body)
        who = f"user {self.credentials.user!r}" if self.credentials else "anonymous requests"
        if status == 401:
            if self.credentials is None:
                return StoreError(
                    f"{url} needs credentials (HTTP 401) for the {purpose}",
                    f"give --user (or {USER_VARIABLE}) and set {PASSWORD_VARIABLE} or a netrc entry",
                )
            return StoreError(
                f"the store refused the credentials of {who} (HTTP 401) for the {purpose} at {url}",
                f"check the user and the password from {self.credentials.source}",
            )
        if status == 403:
            return StoreError(
                f"the store forbids the {purpose} to {who} (HTTP 403) at {url}",
                "check the credentials, and that the user may write (e.g. Virtuoso: GRANT SPARQL_UPDATE)",
            )
        if status == 404:
            return StoreError(
                f"no such endpoint: {url} (HTTP 404)",
                "check --kind and the --query-endpoint/--update-endpoint/--gsp-endpoint options",
            )
        if status == 413:
            size = len(request.data) if isinstance(request.data, bytes) else 0
            return StoreError(
                f"the store refused the {purpose} as too big ({size:,} bytes, HTTP 413)", "lower --chunk-size"
            )
        if status in TRANSIENT_STATUSES:
            return StoreError(
                f"the store was unavailable (HTTP {status}) for the {purpose}, {attempts} attempts",
                "try again later; the store may be overloaded or restarting",
            )
        too_big = "if the store limits the size of one request, lower --chunk-size; else see the store's log"
        if 400 <= status < 500:
            return StoreError(
                f"the store rejected the {purpose} (HTTP {status}) at {url}: {detail}",
                too_big if purpose.startswith("upload") else "see the store's log",
            )
        return StoreError(
            f"the store failed on the {purpose} (HTTP {status}) at {url}: {detail}",
            too_big if purpose.startswith("upload") else "see the store's log",
        )


def _read_error_body(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read() or b""
    except (OSError, AttributeError, http.client.HTTPException):
        return b""


def _describe(reason: object) -> str:
    names = {
        ConnectionRefusedError: "connection refused",
        ConnectionResetError: "connection reset",
        http.client.RemoteDisconnected: "connection closed by the server",
        BrokenPipeError: "connection closed by the server",
        ConnectionAbortedError: "connection aborted",
        http.client.IncompleteRead: "incomplete response",
    }
    for kind, name in names.items():
        if type(reason) is kind:
            return name
    return str(reason) or type(reason).__name__
