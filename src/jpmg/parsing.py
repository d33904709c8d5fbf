"""Strict Turtle parsing with error messages that point at the line and column to fix.

Why not ``rdflib.Graph.parse``: rdflib's Turtle parser is lenient. It accepts N3 extras, bad escapes
and some malformed IRIs that the W3C Turtle test suite says must be rejected, so a typo in a data file
can silently become wrong triples. pyoxigraph's parser passes the whole W3C RDF 1.1 Turtle suite, so we
parse with it and convert its terms into an :class:`rdflib.Graph`, which the rest of the project uses.

Every failure (missing file, folder, unreadable, binary or non-UTF-8 content, syntax error, ...)
becomes one :class:`RdfInputError` whose ``str`` is a single ``path:line:column: problem (hint)`` line,
the format editors and CI annotations understand. No traceback is meant to reach a user.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["RdfInputError", "iter_turtle_files", "parse_turtle", "parse_turtle_text"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TURTLE_SPEC = "see https://www.w3.org/TR/turtle/ for the syntax"

# pyoxigraph prefixes its messages with the position, which we report separately. Three shapes exist:
# "at line L column C", "at line L between columns C1 and C2", "between line L1 column C1 and line L2 ...".
_POSITION_PREFIX = re.compile(
    r"^Parser error (?:at line (?P<l1>\d+) (?:column (?P<c1>\d+)|between columns (?P<c2>\d+) and \d+)"
    r"|between line (?P<l2>\d+) column (?P<c3>\d+) and line \d+ column \d+): "
)

# How to fix the commonest problems, keyed by pyoxigraph's wording; the first match wins.
_HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), hint)
    for pattern, hint in (
        (r"UTF-8", "the file must be UTF-8 Turtle"),
        (
            r"end of file",
            "a string, IRI or bracket is not closed: look for a missing closing quote, '>' or ']'",
        ),
        (r"dot is expected|^Unexpected end$", "check the statement before this point ends with ' .'"),
        (r"line jumps", 'close the string on its line, or use a """long string""" for several lines'),
        (r"no scheme found", "relative IRIs need a base: declare '@base <http://...> .' or pass base_iri"),
        (
            r"IRI code point",
            'IRIs cannot hold spaces or <>"{}|^`\\ characters: percent-encode them, e.g. %20',
        ),
        (
            r"escape[sd]? in IRIs",
            "in prefixed names write %XX with two hex digits, or \\ before one of _~.-!$&'()*+,;=/?#@%",
        ),
        (
            r"escape",
            "escapes are \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX or \\UXXXXXXXX",
        ),
        (
            r"has not been declared",
            "declare the prefix with '@prefix p: <http://...> .' before its first use",
        ),
        (r"PREFIX|prefix", "declare prefixes as '@prefix ex: <http://example.org/> .'"),
        (r"BASE", "declare the base as '@base <http://example.org/> .'"),
        (r"language", "language tags look like @en or @en-US"),
        (r"blank node", "blank node labels look like _:b1, and [ ... ] lists end with ']'"),
        (r"integer|double|decimal|exponent", "numbers look like 42, -1.5 or 1.0e3"),
        (
            r"not a valid predicate",
            "a predicate is an IRI, a prefixed name or 'a': check the ; , . punctuation",
        ),
        (
            r"not a valid subject",
            "a subject is an IRI, a prefixed name or a blank node: does the statement before end with ' .'?",
        ),
        (
            r"not a valid RDF object",
            "an object is an IRI, a prefixed name, a blank node, a collection or a literal",
        ),
    )
)

# A language tag right after a string's closing quote; used to restore the tag's spelling (see below).
_LANGUAGE_TAG = re.compile(r"""["'][ \t]*@([A-Za-z]+(?:-[A-Za-z0-9]+)*)""")
# An RDF 1.2 directional language tag ("text"@en--ltr), which an rdflib Literal cannot hold.
_DIRECTIONAL_TAG = re.compile(r"[ \t]*@[A-Za-z]+(?:-[A-Za-z0-9]+)*--")


class RdfInputError(Exception):
    """An RDF input that cannot be used, with where it went wrong and how to fix it.

    One class for every failure (I/O, encoding, syntax) so that callers catch one thing and print
    ``str(error)``, a single line in the ``path:line:column: problem (hint)`` form that editors and CI
    logs turn into a link. ``line`` and ``column`` are 1-based, as editors count, or None when unknown.
    """

    def __init__(self, path: str, problem: str, hint: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(path, problem, hint, line, column)
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        self.hint = hint

    def __reduce__(self) -> tuple[type[RdfInputError], tuple[str, str, str, int | None, int | None]]:
        # Keep the error picklable (multiprocessing, pytest-xdist) despite the custom constructor.
        return (type(self), (self.path, self.problem, self.hint, self.line, self.column))

    def __str__(self) -> str:
        location = self.path
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        return _one_line(f"{location}: {self.problem} ({self.hint})")


def parse_turtle(path: Path, base_iri: str | None = None, *, allow_empty: bool = True) -> Graph:
    """Parse one Turtle file strictly into an rdflib graph, or raise :class:`RdfInputError`.

    ``base_iri`` resolves relative IRIs; by default it is the file's ``file://`` URI, as rdflib does, so
    both parsers give the same IRIs. An empty file (or one with only comments) is valid Turtle with no
    triples; ``allow_empty=False`` turns that into an error for callers that expect data.
    """
    path = Path(path)
    name = str(path)
    data = _read_bytes(path)
    text = _decode(data, name)
    if base_iri is None:
        base_iri = path.absolute().as_uri()
    return _parse_text(text, name, base_iri, allow_empty=allow_empty)


def parse_turtle_text(text: str, name: str, base_iri: str | None = None, *, allow_empty: bool = True) -> Graph:
    """Parse Turtle held in memory, with the same strictness and errors as :func:`parse_turtle`.

    ``name`` only labels error messages (a file name, a URL, "<stdin>"). Without ``base_iri`` there is
    nothing to resolve relative IRIs against, so they are reported as errors rather than guessed.
    """
    return _parse_text(text.removeprefix("\ufeff"), name, base_iri, allow_empty=allow_empty)


def iter_turtle_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the Turtle files to read, failing early on a path that is not there.

    Folders are walked recursively for ``*.ttl`` files (any case), sorted so runs are reproducible;
    hidden folders and files (``.git``, ``.venv``, ...) are skipped because they hold other projects'
    Turtle. A file named explicitly is kept whatever its extension. The order of ``paths`` is kept and
    duplicates are dropped.
    """
    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in _walk_turtle(path):
                found.setdefault(file, None)
        elif path.exists():
            found.setdefault(path, None)
        else:
            raise RdfInputError(str(path), "no such file or folder", "check the path and its spelling")
    return list(found)


def _walk_turtle(folder: Path) -> list[Path]:
    """The ``*.ttl`` files under ``folder``, sorted, without following symlinked folders (no cycles)."""
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(Path(root, n) for n in names if n.lower().endswith(".ttl") and not n.startswith("."))
    return sorted(files)


def _read_bytes(path: Path) -> bytes:
    """Read the file, turning each way it can fail into an error that says what to do."""
    name = str(path)
    if path.is_dir():
        raise RdfInputError(name, "this is a folder, not a file", "name a .ttl file, or expand folders first")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RdfInputError(name, "no such file", "check the path and its spelling") from None
    except PermissionError:
        raise RdfInputError(name, "the file cannot be read: permission denied", "check its permissions") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise RdfInputError(name, f"the file cannot be read: {reason}", "check the file is a readable file") from None


def _decode(data: bytes, name: str) -> str:
    """Decode UTF-8, pointing at the first byte that is not text; a leading BOM is dropped.

    A NUL byte alone does not make a file invalid (Turtle strings may hold U+0000, and the W3C suite
    has such files), but a file that is not UTF-8 *and* holds NUL bytes is binary, and saying so is
    clearer than pointing at one odd byte.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RdfInputError(name, "the file is UTF-16 text", "the file must be UTF-8 Turtle: re-save it as UTF-8", 1, 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise _binary_error(name, *_byte_position(data, nul)) from None
        line, column = _byte_position(data, error.start)
        raise RdfInputError(
            name,
            f"byte 0x{data[error.start]:02x} is not UTF-8",
            "the file must be UTF-8 Turtle",
            line,
            column,
        ) from None
    return text.removeprefix("\ufeff")


def _binary_error(name: str, line: int | None, column: int | None) -> RdfInputError:
    return RdfInputError(
        name, "the file holds binary data (a NUL byte)", "the file must be UTF-8 Turtle text", line, column
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset, counting characters as an editor does."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _nul_position(text: str) -> tuple[int, int] | None:
    """1-based line and column of the first NUL character, if any."""
    nul = text.find("\x00")
    if nul < 0:
        return None
    return text.count("\n", 0, nul) + 1, nul - (text.rfind("\n", 0, nul) + 1) + 1


_RDFLIB_TERM_LOGGER = logging.getLogger("rdflib.term")


class _IllTypedLiteralFilter(logging.Filter):
    """Drops rdflib's warning, with a traceback, for each ill-typed literal such as "abc"^^xsd:integer.

    Such literals are valid Turtle, so printing a traceback would look like a crash to a user; rdflib
    still marks them (``Literal.ill_typed``), which is where data checks should look for them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form to value")


def _parse_text(
    text: str,
    name: str,
    base_iri: str | None,
    *,
    allow_empty: bool = True,
) -> Graph:
    """Parse with pyoxigraph and convert each triple to rdflib terms."""
    try:
        parser = pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base_iri)
    except ValueError as error:  # pyoxigraph checks the base IRI before reading anything
        raise RdfInputError(
            name, _one_line(str(error)), "give an absolute base IRI such as 'http://example.org/'"
        ) from None
    graph = Graph()
    convert = _TermConverter(text, name)
    quiet = _IllTypedLiteralFilter()
    _RDFLIB_TERM_LOGGER.addFilter(quiet)
    try:
        for quad in parser:
            graph.add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    except SyntaxError as error:
        syntax_error = _syntax_error(error, name)
        nul = _nul_position(text)
        if nul is not None and syntax_error.line is not None and nul <= (syntax_error.line, syntax_error.column or 1):
            # A NUL at or before the failure point: binary data, not a Turtle typo.
            raise _binary_error(name, *nul) from None
        raise syntax_error from None
    finally:
        _RDFLIB_TERM_LOGGER.removeFilter(quiet)
    if not allow_empty and len(graph) == 0:
        hint = (
            "the file is empty"
            if not text.strip()
            else "it holds only comments or declarations: add statements, or remove the file"
        )
        raise RdfInputError(name, "the file holds no triples", hint)
    for prefix, namespace in parser.prefixes.items():
        # replace=True: the file's own prefix wins over rdflib's built-in binding of the same name.
        graph.namespace_manager.bind(prefix, URIRef(namespace), override=True, replace=True)
    return graph


class _TermConverter:
    """Turns pyoxigraph terms into the rdflib terms that rdflib's own parsers would have produced.

    Blank nodes get fresh rdflib ids (one per label per parse), so two files that both say ``_:b1``
    do not merge into one node. Literals keep their exact lexical form (``normalize=False``: "01"
    stays "01"), and xsd:string literals carry no datatype, as rdflib's parsers make simple literals.
    """

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.blank_nodes: dict[str, BNode] = {}
        self.language_spelling: dict[str, str] | None = None  # built on the first language tag seen

    def __call__(self, term: object) -> Node:
        if isinstance(term, pyoxigraph.NamedNode):
            return URIRef(term.value)
        if isinstance(term, pyoxigraph.BlankNode):
            node = self.blank_nodes.get(term.value)
            if node is None:
                node = self.blank_nodes[term.value] = BNode()
            return node
        if isinstance(term, pyoxigraph.Literal):
            return self._literal(term)
        raise self._rdf12_error(
            "RDF 1.2 triple terms (<< >>, {| |}, ~) are not supported",
            "write RDF 1.1 Turtle, e.g. describe the statement with rdf:Statement reification",
        )

    def _literal(self, term: pyoxigraph.Literal) -> Literal:
        if getattr(term, "direction", None) is not None:
            raise self._rdf12_error(
                "RDF 1.2 directional language tags (@en--ltr) are not supported",
                "use a plain language tag such as @en",
            )
        if term.language:
            if self.language_spelling is None:
                self.language_spelling = _language_spellings(self.text)
            language = self.language_spelling.get(term.language, term.language)
            return Literal(term.value, lang=language, normalize=False)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)

    def _rdf12_error(self, problem: str, hint: str) -> RdfInputError:
        line, column = _locate_rdf12(self.text) or (None, None)
        return RdfInputError(self.name, problem, hint, line, column)


def _language_spellings(text: str) -> dict[str, str]:
    """Map each lower-cased language tag to its first spelling in the source.

    pyoxigraph lower-cases language tags ("en-US" becomes "en-us"). rdflib compares tags without case
    for ``==`` but ``rdflib.compare.isomorphic`` does not, and serializers would write the lower-cased
    form, so we give tags back the spelling the author used.
    """
    spellings: dict[str, str] = {}
    for match in _LANGUAGE_TAG.finditer(text):
        spellings.setdefault(match.group(1).lower(), match.group(1))
    return spellings


def _locate_rdf12(text: str) -> tuple[int, int] | None:
    """Find the first RDF 1.2-only syntax (``<<``, ``{|``, ``~``, ``@en--ltr``) outside strings and IRIs.

    pyoxigraph 0.5 accepts RDF 1.2 Turtle but rdflib cannot hold triple terms or base directions, and
    the parser gives no position for terms, so this small scanner finds one for the error message.
    """
    i, size, line, line_start = 0, len(text), 1, 0
    while i < size:
        char = text[i]
        if char == "\n":
            line, line_start = line + 1, i + 1
        elif char == "#":
            end = text.find("\n", i)
            i = size if end < 0 else end
            continue
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, i) else char
            i += len(quote)
            while i < size and not text.startswith(quote, i):
                if text[i] == "\n":
                    line, line_start = line + 1, i + 1
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            if _DIRECTIONAL_TAG.match(text, i):
                at = text.index("@", i)
                return line, at - line_start + 1
            continue
        elif text.startswith(("<<", "{|"), i) or char == "~":
            return line, i - line_start + 1
        elif char == "<":
            end = text.find(">", i)
            i = size if end < 0 else end + 1
            continue
        elif char == "\\":
            i += 1  # an escaped character in a prefixed name
        i += 1
    return None


def _syntax_error(error: SyntaxError, name: str) -> RdfInputError:
    """Turn pyoxigraph's SyntaxError into our error, taking its 1-based line and column.

    pyoxigraph 0.5 fills ``lineno`` and ``offset`` (both 1-based, the column counted in characters);
    the position is also in the message text, which we read if the attributes are ever missing, and
    then strip so the message does not say it twice.
    """
    message = error.msg or str(error)
    match = _POSITION_PREFIX.match(message)
    line, column = error.lineno, error.offset
    if match:
        if line is None:
            line = int(match.group("l1") or match.group("l2"))
        if column is None:
            column = int(match.group("c1") or match.group("c2") or match.group("c3"))
        message = message[match.end() :]
    message = message.replace("is not a valid subject or graph name", "is not a valid subject")
    hint = next((hint for pattern, hint in _HINTS if pattern.search(message)), _TURTLE_SPEC)
    return RdfInputError(name, f"invalid Turtle: {message}", hint, line, column)


def _one_line(text: str) -> str:
    """Escape line breaks and other invisible characters so an error is always one visible line."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
