"""The ``publish`` and ``serve`` commands, registered on the ``jpmg`` command line by :func:`register`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_ERROR = 0, 2


def _publish(args: argparse.Namespace) -> int:
    from jpmg.publish.site import PublishError, build_site

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


def _serve(args: argparse.Namespace) -> int:
    from jpmg.publish.endpoint import Limits
    from jpmg.publish.site import PublishError
    from jpmg.serve import serve

    if not 0 <= args.port <= 65535:
        print(f"jpmg serve: error: --port {args.port} is not a port number (0-65535)", file=sys.stderr)
        return EXIT_ERROR
    limits = Limits(timeout=args.timeout, max_rows=args.max_rows)
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
    serve.add_argument("--quiet", action="store_true", help="do not log requests")
    serve.set_defaults(handler=_serve)
