"""The store commands of the ``jpmg`` command line: ``load``, ``unload``, ``dump`` and ``query --endpoint``.

:func:`register` adds ``load``, ``unload`` and ``dump`` to the main parser's subcommands;
:func:`add_endpoint_option` adds ``--endpoint`` (with ``--kind``, ``--user``, ``--timeout``) to ``query``, whose
handler calls :func:`run_remote_query` when it is given. Failures raise :class:`jpmg.stores.StoreError`, which the
main program (:mod:`jpmg.cli`) prints as one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from jpmg.stores.errors import StoreError

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 4
_KINDS = (
    "oxigraph",
    "virtuoso",
    "fuseki",
    "generic",
)  # jpmg.stores.endpoints.KINDS, without importing it here
EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _connection_options(parser: argparse.ArgumentParser, *, kind_required: bool) -> None:
    parser.add_argument(
        "--kind",
        choices=_KINDS,
        required=kind_required,
        default=None if kind_required else "generic",
        help="the kind of store, which picks the usual endpoint paths under the URL"
        + ("" if kind_required else " (default: generic, the URL is the query endpoint)"),
    )
    parser.add_argument(
        "--user",
        help="the user name (default: $JPMG_STORE_USER, or the netrc entry's login); "
        "the password comes from $JPMG_STORE_PASSWORD or a netrc file, never from "
        "the command line",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a request after this long (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=DEFAULT_RETRIES,
        metavar="N",
        help="retries after a transient error (connection reset, HTTP 502/503/504), with "
        f"exponential back-off (default: {DEFAULT_RETRIES})",
    )


def _endpoint_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--query-endpoint", metavar="URL", help="the SPARQL query endpoint (overrides --kind)")
    parser.add_argument("--update-endpoint", metavar="URL", help="the SPARQL Update endpoint (overrides --kind)")
    parser.add_argument(
        "--gsp-endpoint",
        metavar="URL",
        help="the Graph Store Protocol endpoint (overrides --kind; 'none' uploads through SPARQL Update)",
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``load``, ``unload`` and ``dump`` subcommands."""
    from jpmg.stores.loader import DEFAULT_CHUNK_SIZE

    load = commands.add_parser(
        "load",
        help="load the dataset into a SPARQL 1.1 triple store, atomically",
        description="Validate the dataset, upload its named graphs into staging graphs, verify them, swap them in "
        "with one SPARQL Update request, verify the result (triple counts and competency queries) "
        "and keep it, or restore the previous version. Exit 0 loaded, 1 the dataset does not "
        "validate (nothing sent), 2 the load failed (the store keeps its previous version).",
    )
    load.add_argument("url", help="the store's base URL, e.g. http://127.0.0.1:7878")
    _connection_options(load, kind_required=True)
    _endpoint_overrides(load)
    load.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="TRIPLES",
        help=f"triples per upload request (default: {DEFAULT_CHUNK_SIZE:,})",
    )
    load.add_argument(
        "--verify-queries",
        type=int,
        default=None,
        metavar="N",
        help="compare the first N competency queries with the embedded engine after loading "
        "(default: all; 0: counts only)",
    )
    load.add_argument("--force", action="store_true", help="load even when the dataset does not validate")
    load.add_argument("--dry-run", action="store_true", help="say what would be sent, and send nothing")
    load.add_argument(
        "--rollback",
        action="store_true",
        help="put back the previous versions an interrupted load left in <graph>/previous (after a failure whose "
        "restore could not run, e.g. the store went down), and remove its staging graphs; loads nothing",
    )
    load.add_argument(
        "--progress", action="store_true", help="draw a progress bar on stderr even when it is not a terminal"
    )
    load.set_defaults(handler=run_load)

    unload = commands.add_parser(
        "unload",
        help="remove the project's graphs from a store",
        description="Drop the project's named graphs (and their staging and previous graphs) from the store; "
        "no other graph is touched.",
    )
    unload.add_argument("url", help="the store's base URL")
    _connection_options(unload, kind_required=True)
    _endpoint_overrides(unload)
    unload.set_defaults(handler=run_unload)

    dump = commands.add_parser(
        "dump",
        help="write the dataset for bulk loaders (N-Quads, TriG, N-Triples, Turtle)",
        description="Write the named-graph dataset: nq and trig keep the graph names, nt and ttl hold the union. "
        "The output is byte-identical across runs.",
    )
    dump.add_argument("--format", choices=("nq", "trig", "nt", "ttl"), default="nq")
    dump.add_argument("-o", "--output", metavar="FILE", help="the file to write (default: standard output)")
    dump.set_defaults(handler=run_dump)


def add_endpoint_option(query_parser: argparse.ArgumentParser) -> None:
    """Add ``--endpoint URL`` (and ``--kind``, ``--user``, ``--timeout``, the dataset options) to ``query``."""
    query_parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="run the query at this remote SPARQL endpoint (with --kind: the store's base "
        "URL) instead of the embedded engine",
    )
    _connection_options(query_parser, kind_required=False)
    graphs = query_parser.add_mutually_exclusive_group()
    graphs.add_argument(
        "--default-graph",
        action="append",
        metavar="IRI",
        help="with --endpoint: query over this graph (repeatable; default: the project's ontology and data graphs)",
    )
    graphs.add_argument(
        "--store-default-graph",
        action="store_true",
        help="with --endpoint: query over the store's own default graph",
    )


# -- handlers ----------------------------------------------------------------------------------------------------


def _client(args: argparse.Namespace, url: str):
    from jpmg.stores.credentials import resolve_credentials
    from jpmg.stores.http import HttpClient

    _check_options(args)
    return HttpClient(
        resolve_credentials(url, args.user),
        timeout=args.timeout,
        retries=args.retries,
        log=lambda line: print(f"jpmg {args.command}: {line}", file=sys.stderr, flush=True),
    )


def _check_options(args: argparse.Namespace) -> None:
    """Refuse option values that cannot work, before anything slow starts."""
    if not math.isfinite(args.timeout) or not 0 < args.timeout <= 86_400:
        raise StoreError(f"--timeout must be a number of seconds between 0 and 86400, not {args.timeout:g}")
    if not 0 <= args.retries <= 100:
        raise StoreError(f"--retries must be between 0 and 100, not {args.retries}")
    if getattr(args, "chunk_size", None) is not None and args.chunk_size < 1:
        raise StoreError(f"--chunk-size must be at least 1, not {args.chunk_size}")
    if getattr(args, "verify_queries", None) is not None and args.verify_queries < 0:
        raise StoreError(f"--verify-queries must be 0 or more, not {args.verify_queries}")


def _endpoints(args: argparse.Namespace):
    from jpmg.stores.endpoints import resolve_endpoints

    return resolve_endpoints(
        args.url, args.kind, query=args.query_endpoint, update=args.update_endpoint, gsp=args.gsp_endpoint
    )


def run_load(args: argparse.Namespace) -> int:
    """``jpmg load``: validate, then load atomically (or, with --dry-run, say what would be sent)."""
    from jpmg import config
    from jpmg.dataset import load_dataset
    from jpmg.parsing import check_file_sizes
    from jpmg.stores import loader as store_loader
    from jpmg.stores.progress import wanted
    from jpmg.stores.remote_query import query_graphs

    endpoints = _endpoints(args)
    client = _client(args, args.url)
    loader = store_loader.Loader(endpoints, client, chunk_size=args.chunk_size, progress=wanted(args.progress))
    if args.rollback:
        if args.dry_run:
            raise StoreError("--rollback and --dry-run do not go together", "give one of them")
        moved = loader.rollback()
        for iri, count in moved.items():
            print(f"rolled back <{iri}> to its previous version: {count:,} triples")
        if not moved:
            print(f"the store at {args.url} holds no previous version left by a load; nothing to roll back")
        return EXIT_OK
    # A file too large to load fails now, not after the store was checked and the dataset validated.
    check_file_sizes([config.ONTOLOGY_DIR, config.SHAPES_DIR, config.DATA_DIR])
    if not args.dry_run:
        loader.preflight()  # a wrong URL, a server down or bad credentials fail now, not after validating
    print("jpmg load: validating the dataset ...", file=sys.stderr, flush=True)
    try:
        store_loader.check_dataset(args.force, warn=loader.say)
    except store_loader.NotValid as refusal:
        print(f"jpmg load: error: {refusal}", file=sys.stderr)
        return EXIT_INVALID
    kg = load_dataset()
    parts = store_loader.project_parts(kg)
    checks = store_loader.embedded_checks(kg, args.verify_queries, warn=loader.say)
    if args.dry_run:
        print(f"dry run: nothing is sent to {args.url}")
        for line in loader.plan(parts, len(checks)):
            print(line)
        return EXIT_OK
    result = loader.load(parts, checks, query_graphs())
    counts = ", ".join(f"{name} {count:,}" for name, count in result.counts.items())
    print(
        f"loaded {len(result.counts)} graphs into {args.url} ({endpoints.kind}): {counts} triples; "
        f"{result.triples:,} in {result.chunks} chunk{'s' if result.chunks != 1 else ''}, "
        f"{result.seconds:.1f} s, {result.rate:,.0f} triples/s"
    )
    print(
        f"verified: triple counts, and {len(result.queries_checked)} competency queries answer as in the "
        "embedded engine"
    )
    return EXIT_OK


def run_unload(args: argparse.Namespace) -> int:
    """``jpmg unload``: drop the project's graphs, nothing else."""
    from jpmg.stores.loader import unload

    counts = unload(_endpoints(args), _client(args, args.url))
    removed = {iri: n for iri, n in counts.items() if n}
    for iri, n in removed.items():
        print(f"removed <{iri}>: {n:,} triples")
    if not removed:
        print(f"the store at {args.url} holds none of the project's graphs; nothing to remove")
    return EXIT_OK


def run_dump(args: argparse.Namespace) -> int:
    """``jpmg dump``: the dataset as N-Quads, TriG, N-Triples or Turtle."""
    from jpmg.dataset import load_dataset
    from jpmg.dump import dump

    kg = load_dataset()
    output = Path(args.output) if args.output and args.output != "-" else None
    size = dump(kg, args.format, output)
    if output is not None:
        print(f"wrote {output} ({args.format}, {size:,} bytes)", file=sys.stderr)
    return EXIT_OK


def _bindings(items: Sequence[str] | None) -> dict[str, str]:
    from jpmg.queries import QueryError

    bindings: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise QueryError(f"--bind {item!r} must be NAME=VALUE, e.g. --bind post=post/imod-director-general")
        bindings[name.lstrip("?")] = value
    return bindings


def run_remote_query(args: argparse.Namespace) -> int:
    """``jpmg query NAME --endpoint URL``: the competency query at a remote store, printed as usual."""
    from jpmg.queries import describe, format_result, list_queries
    from jpmg.stores.endpoints import resolve_endpoints
    from jpmg.stores.remote_query import query_graphs
    from jpmg.stores.remote_query import run_remote_query as run
    from jpmg.stores.sparql import SparqlClient

    if not args.name:
        print(describe(list_queries()))
        return EXIT_OK
    bindings = _bindings(getattr(args, "bind", None))
    endpoints = resolve_endpoints(args.endpoint, args.kind)
    client = _client(args, args.endpoint)
    if getattr(args, "store_default_graph", False):
        graphs: list[str] = []
    else:
        graphs = list(getattr(args, "default_graph", None) or query_graphs())
    result = run(args.name, SparqlClient(client, endpoints.query), bindings, graphs)
    print(format_result(result, args.format))
    return EXIT_OK
