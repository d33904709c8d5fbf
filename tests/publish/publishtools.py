"""Helpers for the publishing tests: HTTP requests without redirects, and the link checker."""

from __future__ import annotations

import http.client
import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jpmg import config


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip()


def request(
    base_url: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> Response:
    """One HTTP request to the test server, redirects not followed."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        data = answer.read()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)
    finally:
        connection.close()


def get(base_url: str, path: str, accept: str | None = None, **headers: str) -> Response:
    all_headers = dict(headers)
    if accept is not None:
        all_headers["Accept"] = accept
    return request(base_url, "GET", path, all_headers)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name in ("id", "name") and value is not None:
                self.ids.add(value)


def page_links(html: str) -> tuple[list[str], set[str]]:
    """Every href and src of a page, and the ids (anchors) it defines."""
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.ids


def broken_links(site: Path) -> list[str]:
    """Every href or src of every page that leads to no built file or no anchor: ``page: link (why)``."""
    pages = {p.relative_to(site).as_posix(): p for p in site.rglob("*.html")}
    parsed = {path: page_links(p.read_text(encoding="utf-8")) for path, p in pages.items()}
    broken = []
    for path, (links, _ids) in sorted(parsed.items()):
        for link in links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and not link.startswith(config.BASE_IRI):
                continue  # another site's page: not ours to check offline
            if parts.scheme == "mailto":
                continue
            if link.startswith(config.BASE_IRI):
                target = link[len(config.BASE_IRI) :].split("#", 1)[0]
                if not ((site / target).is_file() or (site / f"{target}.html").is_file() or target == ""):
                    broken.append(f"{path}: {link} (no file for this IRI)")
                continue
            if parts.scheme or parts.netloc:
                broken.append(f"{path}: {link} (unexpected scheme)")
                continue
            if not parts.path:
                target_path = path
            else:
                target_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(parts.path)))
            if target_path.startswith(".."):
                broken.append(f"{path}: {link} (leaves the site)")
                continue
            if not (site / target_path).is_file():
                broken.append(f"{path}: {link} (no such file)")
                continue
            if parts.fragment and target_path.endswith(".html"):
                target_ids = parsed[target_path][1] if target_path in parsed else set()
                if unquote(parts.fragment) not in target_ids:
                    broken.append(f"{path}: {link} (no anchor #{parts.fragment})")
    return broken


def canonical(graph) -> list[str]:
    """A graph's triples with canonical blank-node labels, as sorted N-Triples lines (fast isomorphism test)."""
    from jpmg.publish.formats import canonical_triples

    return [str(t) for t in canonical_triples(graph)]


def same_graph(a, b) -> bool:
    """Whether two rdflib graphs are isomorphic (compared through RDF canonicalization)."""
    return len(a) == len(b) and canonical(a) == canonical(b)
