"""The ``jpmg`` command line: a thin layer over the library API.

Exit codes follow pySHACL's: 0 the data conforms (warnings allowed), 1 it does not (or has warnings, with
``--strict``), 2 the input could not be read or the command was used wrongly. Errors are one line on stderr, never
a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from jpmg import __version__

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _validate(args: argparse.Namespace) -> int:
    from jpmg.parsing import check_holds_triples
    from jpmg.report import render, step_line
    from jpmg.validation import validate

    if args.paths:
        check_holds_triples([Path(p) for p in args.paths])  # an empty file given to validate is a mistake

    def progress(outcome) -> None:
        if args.format == "text" and not args.quiet:
            print(step_line(outcome.name, outcome.note, outcome.seconds, outcome.findings), flush=True)

    report = validate(
        [Path(p) for p in args.paths] or None,
        with_project_data=args.with_project_data,
        listener=progress,
        engine=args.engine,
    )
    text = render(report, args.format, strict=args.strict, verbose=args.verbose)
    if args.format == "text" and not args.quiet:
        print()
    print(text)
    return report.exit_code(args.strict)


def _query(args: argparse.Namespace) -> int:
    from jpmg.dataset import load_dataset
    from jpmg.engine import make_engine
    from jpmg.queries import QueryError, describe, format_result, list_queries, run_query

    if getattr(args, "endpoint", None):
        from jpmg.stores.cli import run_remote_query

        return run_remote_query(args)
    if not args.name:
        print(describe(list_queries()))
        return EXIT_OK
    bindings: dict[str, str] = {}
    for item in args.bind or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise QueryError(f"--bind {item!r} must be NAME=VALUE, e.g. --bind post=post/imod-director-general")
        bindings[name.lstrip("?")] = value
    engine = make_engine(load_dataset().data_with_ontology(), args.engine)
    print(format_result(run_query(args.name, engine, bindings), args.format))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jpmg", description="The JPMG knowledge graph's tools.")
    parser.add_argument("--version", action="version", version=f"jpmg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check Turtle files against the ontology and shapes",
        description="Check the project's own files, or the given Turtle files and folders, in order: strict "
        "parsing, vocabulary, OWL 2 RL consistency, SHACL. Exit 0 conforms, 1 violations, 2 bad input.",
    )
    validate.add_argument("paths", nargs="*", help="Turtle files or folders (default: the project's data)")
    validate.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    validate.add_argument("--quiet", action="store_true", help="no progress lines")
    validate.add_argument("--verbose", action="store_true", help="list every note (sh:Info), not only their count")
    validate.add_argument(
        "--with-project-data",
        action="store_true",
        help="validate the given files together with the project's data",
    )
    validate.add_argument(
        "--engine",
        choices=("fast", "reference"),
        default="fast",
        help="fast (default: pyoxigraph and SHACL compiled to SPARQL) or reference (rdflib, pySHACL, owlrl); "
        "both report the same findings",
    )
    validate.set_defaults(handler=_validate)

    query = commands.add_parser("query", help="run a competency query (without NAME: list them)")
    query.add_argument("name", nargs="?", help="the query's name (its file name without .rq)")
    query.add_argument(
        "--bind",
        action="append",
        metavar="NAME=VALUE",
        help="bind a parameter: an IRI <...>, an instance kind/slug, or a literal",
    )
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--engine",
        choices=("oxigraph", "rdflib"),
        default="oxigraph",
        help="the embedded SPARQL engine (default: oxigraph; rdflib is the slower reference)",
    )
    query.set_defaults(handler=_query)

    from jpmg.stores.cli import add_endpoint_option, register

    add_endpoint_option(query)
    register(commands)

    from jpmg.publish.cli import register as register_publish

    register_publish(commands)

    from jpmg.synth import register as register_synth

    register_synth(commands)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code.

    Every failure is one line on stderr and exit code 2: the input and store errors say what to fix; a file that
    cannot be written or read says which and why; running out of memory says so; anything else is reported as an
    internal error in one line (``JPMG_DEBUG=1`` shows the traceback).
    """
    import os

    from jpmg.parsing import RdfInputError
    from jpmg.queries import QueryError
    from jpmg.stores import StoreError

    parser = build_parser()
    args = parser.parse_args(argv)
    command = f"jpmg {args.command}"
    try:
        return args.handler(args)
    except (RdfInputError, QueryError, StoreError) as error:
        print(f"{command}: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        print(
            f"{command}: error: out of memory (the input is too large for this machine: split it, or see "
            "JPMG_MAX_FILE_MB in the README)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(
            _one_line(f"{command}: error:{where}: {error.strerror or error} (check the path and its permissions)"),
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as error:
        if os.environ.get("JPMG_DEBUG"):
            raise
        print(
            _one_line(
                f"{command}: internal error: {type(error).__name__}: {error} (please report it; JPMG_DEBUG=1 shows "
                "where it happened)"
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
