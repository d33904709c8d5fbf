"""Where a store's SPARQL 1.1 endpoints are: the usual paths of each kind of store, with overrides.

``--kind`` picks the paths under the base URL that a default installation uses; ``--query-endpoint``,
``--update-endpoint`` and ``--gsp-endpoint`` replace any of them (``--gsp-endpoint none`` uploads through
SPARQL Update instead of the Graph Store Protocol).

=========  ============  ===================  ============================
kind       query         update               Graph Store Protocol
=========  ============  ===================  ============================
oxigraph   /query        /update              /store
virtuoso   /sparql       /sparql-auth         /sparql-graph-crud-auth
fuseki     /query        /update              /data   (URL = the dataset)
generic    URL itself    URL itself           none: SPARQL Update uploads
=========  ============  ===================  ============================
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from jpmg.stores.errors import StoreError

#: (query, update, Graph Store Protocol) paths under the base URL; "" is the base URL itself, None: no GSP.
_PATHS: dict[str, tuple[str, str, str | None]] = {
    "oxigraph": ("query", "update", "store"),
    "virtuoso": ("sparql", "sparql-auth", "sparql-graph-crud-auth"),
    "fuseki": ("query", "update", "data"),
    "generic": ("", "", None),
}
KINDS = tuple(_PATHS)
#: The value of ``--gsp-endpoint`` that turns the Graph Store Protocol off.
NO_GSP = "none"


@dataclass(frozen=True)
class Endpoints:
    """A store's endpoints: SPARQL query, SPARQL Update and (optionally) the Graph Store HTTP Protocol."""

    kind: str
    query: str
    update: str
    gsp: str | None

    def graph_url(self, graph: str) -> str:
        """The Graph Store Protocol URL of one named graph (indirect identification, ``?graph=IRI``)."""
        if self.gsp is None:
            raise StoreError(
                f"the {self.kind} store has no Graph Store Protocol endpoint",
                "give --gsp-endpoint, or upload through SPARQL Update",
            )
        separator = "&" if "?" in self.gsp else "?"
        return f"{self.gsp}{separator}graph={quote(graph, safe='')}"

    def describe(self) -> list[str]:
        """One line per endpoint, for --dry-run and error reports."""
        return [
            f"query endpoint:  {self.query}",
            f"update endpoint: {self.update}",
            f"graph store:     {self.gsp or 'none (uploads through SPARQL Update INSERT DATA)'}",
        ]


def redact(text: str) -> str:
    """``text`` (a URL, or a message about one), safe to print: whatever stands before an ``@`` may be a password,
    so such text is not repeated at all."""
    return text if "@" not in text else "(not repeated: it holds an '@', so perhaps a password)"


def check_url(url: str, what: str = "URL") -> str:
    """``url`` if it is an absolute http(s) URL without credentials in it; else a StoreError (which never repeats
    the credentials a URL held)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as error:
        raise StoreError(
            f"{what} {redact(url)!r} is not a valid URL ({redact(str(error))})",
            "give the store's base URL, e.g. http://127.0.0.1:7878",
        ) from None
    if "@" in parts.netloc:
        # Never echo the URL back: it holds a password.
        raise StoreError(
            f"the {what} holds credentials (user:password@host)",
            "remove them from the URL; use --user and JPMG_STORE_PASSWORD or a netrc file",
        )
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise StoreError(
            f"{what} {redact(url)!r} is not an http:// or https:// URL",
            "give the store's base URL, e.g. http://127.0.0.1:7878",
        )
    if parts.username is not None or parts.password is not None:
        # Never echo the URL back: it holds a password.
        raise StoreError(
            f"the {what} holds credentials (user:password@host)",
            "remove them from the URL; use --user and JPMG_STORE_PASSWORD or a netrc file",
        )
    return url


def resolve_endpoints(
    base_url: str,
    kind: str = "generic",
    *,
    query: str | None = None,
    update: str | None = None,
    gsp: str | None = None,
) -> Endpoints:
    """The endpoints of a store of ``kind`` at ``base_url``, with any of them overridden."""
    if kind not in _PATHS:
        raise StoreError(f"unknown store kind {kind!r}", f"use one of: {', '.join(KINDS)}")
    check_url(base_url, "store URL")
    query_path, update_path, gsp_path = _PATHS[kind]

    def under(path: str) -> str:
        return base_url.rstrip("/") + "/" + path if path else base_url

    resolved_gsp: str | None
    if gsp is not None:
        resolved_gsp = None if gsp.lower() == NO_GSP else check_url(gsp, "--gsp-endpoint")
    else:
        resolved_gsp = under(gsp_path) if gsp_path is not None else None
    return Endpoints(
        kind=kind,
        query=check_url(query, "--query-endpoint") if query else under(query_path),
        update=check_url(update, "--update-endpoint") if update else under(update_path),
        gsp=resolved_gsp,
    )
