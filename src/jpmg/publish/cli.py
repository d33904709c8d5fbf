"""The ``publish`` and ``serve`` commands, registered on the ``jpmg`` command line by :func:`register`."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR = 0, 2


def _check_base_url(url: str | None) -> str | None:
    """Why ``--base-url`` cannot be used, or None when it is an absolute http(s) URL (or not given)."""
    if url is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        return f"--base-url {url!r} is not an http:// or https:// URL (e.g. https://example.org/jpmg/)"
    if parts.query or parts.fragment or parts.username is not None:
        return f"--base-url {url!r} must be a plain address, without user, query or fragment"
    return None


def _publish(args: argparse.Namespace) -> int:
    from jpmg.publish.site import PublishError, build_site

    problem = _check_base_url(args.base_url)
    if problem:
        print(f"jpmg publish: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    try:
        report = build_site(Path(args.output), base_url=args.base_url)
    except PublishError as error:
        print(f"jpmg publish: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as error:
        print(f"jpmg publish: error: could not write the site: {error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Published {report.summary()}.")
    print(f"Browse it with `jpmg serve --site {args.output}`; host it with the rules in {args.output}/.htaccess or")
    print(f"{args.output}/server/nginx.conf (see docs/publishing.md).")
    if not args.base_url:
        print("No --base-url given: the w3id.org rules in server/w3id.org point at a placeholder host.")
    return EXIT_OK


def _port_problem(port: int) -> str | None:
    """Why the server could not listen on 127.0.0.1:``port``, or None (0, any free port, always works)."""
    import socket

    if port == 0:
        return None
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            return (
                f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}; "
                "choose another --port (0 picks a free one)"
            )
    return None


def _serve(args: argparse.Namespace) -> int:
    from jpmg.publish.endpoint import Limits
    from jpmg.publish.site import PublishError
    from jpmg.serve import serve

    if not 0 <= args.port <= 65535:
        print(f"jpmg serve: error: --port {args.port} is not a port number (0-65535)", file=sys.stderr)
        return EXIT_ERROR
    if not math.isfinite(args.timeout):
        print(f"jpmg serve: error: --timeout must be between 0 and 86400 seconds, not {args.timeout}", file=sys.stderr)
        return EXIT_ERROR
    limits = Limits(timeout=args.timeout, max_rows=args.max_rows, max_memory_mb=args.max_memory)
    problems = limits.problems()
    if problems:
        print(f"jpmg serve: error: {problems[0]}", file=sys.stderr)
        return EXIT_ERROR
    busy = _port_problem(args.port)
    if busy:  # before the site is built, which takes a while
        print(f"jpmg serve: error: {busy}", file=sys.stderr)
        return EXIT_ERROR
    try:
        return serve(args.port, Path(args.site) if args.site else None, limits, quiet=args.quiet)
    except PublishError as error:
        print(f"jpmg serve: error: {error}", file=sys.stderr)
    except FileNotFoundError as error:
        print(f"jpmg serve: error: {error}; build it with `jpmg publish -o DIR`", file=sys.stderr)
    except OSError as error:
        print(
            f"jpmg serve: error: cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}; "
            "choose another --port (0 picks a free one)",
            file=sys.stderr,
        )
    return EXIT_ERROR


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``publish`` and ``serve`` to the ``jpmg`` command's subcommands."""
    publish = commands.add_parser(
        "publish",
        help="build the linked-data site: pages, dumps, dataset description, server rules",
        description="Build the static site of the knowledge graph into a folder (default: site/): an HTML page and "
        "Turtle, JSON-LD, N-Triples and RDF/XML files for every resource and the ontology, the whole dataset as "
        "dumps, its VoID/DCAT description, and Apache, nginx and w3id.org rules for content negotiation. The "
        "folder is replaced only at the end, so a failed build leaves the previous site intact.",
    )
    publish.add_argument("-o", "--output", default="site", metavar="DIR", help="where to build (default: site)")
    publish.add_argument(
        "--base-url",
        metavar="URL",
        help="the address where the site will be hosted, for the server and w3id.org rules "
        "(e.g. https://example.org/jpmg/); pages link relatively and work anywhere without it",
    )
    publish.set_defaults(handler=_publish)

    serve = commands.add_parser(
        "serve",
        help="serve the knowledge graph on 127.0.0.1 with content negotiation and a SPARQL endpoint",
        description="Start a local HTTP server (127.0.0.1 only) that answers every IRI of the dataset with content "
        "negotiation, serves the site's pages and files, and a read-only SPARQL endpoint at /sparql with a query "
        "page. Without --site it builds the site into a temporary folder first.",
    )
    serve.add_argument("--port", type=int, default=8000, help="the port (default: 8000; 0 picks a free one)")
    serve.add_argument("--site", metavar="DIR", help="serve a site built by `jpmg publish` (built there if missing)")
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds a SPARQL query may run (default: 10)")
    serve.add_argument("--max-rows", type=int, default=10_000, help="rows a SPARQL result may hold (default: 10000)")
    serve.add_argument(
        "--max-memory",
        type=int,
        default=2048,
        metavar="MIB",
        help="memory one SPARQL query worker may use, in MiB; a query that needs more is stopped with 503 "
        "(default: 2048; 0: no limit)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.set_defaults(handler=_serve)
