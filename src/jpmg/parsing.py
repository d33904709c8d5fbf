"""Strict Turtle parsing with error messages that point at the line and column to fix.

Why not ``rdflib.Graph.parse``: rdflib's Turtle parser is lenient. It accepts N3 extras, bad escapes
and some malformed IRIs that the W3C Turtle test suite says must be rejected, so a typo in a data file
can silently become wrong triples. pyoxigraph's parser passes the whole W3C RDF 1.1 Turtle suite, so we
parse with it and convert its terms into an :class:`rdflib.Graph`, which the rest of the project uses.

Every failure (missing file, folder, unreadable, binary or non-UTF-8 content, syntax error, a file in another
format, a file too large to read, ...) becomes one :class:`RdfInputError` whose ``str`` is a single
``path:line:column: problem (hint)`` line, the format editors and CI annotations understand. No traceback is meant to
reach a user.

**Size limit.** A file is read whole into memory, so a file larger than a limit is refused before it is read, with
a message that says how to raise the limit (``JPMG_MAX_FILE_MB``; 0 turns it off). Validation (one pyoxigraph store)
needs about 13 bytes of memory per byte of Turtle and 0.2 s per MB (measured: a 100 MB file of 1.9 million triples
validates in 20 s with 1.3 GB); its limit is :data:`MAX_FILE_MB` (1024 MB). The commands that hold the dataset as an
rdflib graph (``query``, ``load``, ``dump``, ``publish``, ``serve``, and :func:`parse_turtle`) need about 26 bytes per
byte and 0.3 s per MB before they even start their work; their limit is :data:`MAX_GRAPH_FILE_MB` (64 MB).
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

__all__ = [
    "MAX_FILE_MB",
    "MAX_GRAPH_FILE_MB",
    "RdfInputError",
    "check_file_sizes",
    "check_holds_triples",
    "iter_turtle_files",
    "parse_turtle",
    "parse_turtle_text",
]

#: The largest file validation reads, in MB (``JPMG_MAX_FILE_MB`` overrides it; 0: no limit).
MAX_FILE_MB = 1024
#: The largest file read into an rdflib graph (query, load, dump, publish, serve), in MB (same override).
MAX_GRAPH_FILE_MB = 64
LIMIT_VARIABLE = "JPMG_MAX_FILE_MB"

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
    data = read_bytes(path, MAX_GRAPH_FILE_MB)
    text = decode(data, name)
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


def size_limit(default_mb: int) -> int | None:
    """The size limit in bytes: ``JPMG_MAX_FILE_MB`` when set (0: none), else ``default_mb``."""
    given = os.environ.get(LIMIT_VARIABLE, "").strip()
    try:
        megabytes = float(given) if given else float(default_mb)
    except ValueError:
        megabytes = float(default_mb)
    return None if megabytes <= 0 else int(megabytes * 1_000_000)


def _size_error(name: str, size: int, limit: int, default_mb: int) -> RdfInputError:
    what = "validation reads" if default_mb == MAX_FILE_MB else "query, load, dump, publish and serve read"
    return RdfInputError(
        name,
        f"the file is {size / 1e6:,.1f} MB, more than the {limit / 1e6:,.0f} MB that {what} into memory",
        f"split it into smaller files, or raise the limit with {LIMIT_VARIABLE}=MB (0: no limit; memory needed is "
        f"about {13 if default_mb == MAX_FILE_MB else 26} times the file's size)",
    )


def check_file_sizes(paths: Iterable[Path], default_mb: int = MAX_GRAPH_FILE_MB) -> None:
    """Raise :class:`RdfInputError` for the first Turtle file under ``paths`` larger than the limit, before any
    slow work starts (the commands that read the project's files call this first)."""
    limit = size_limit(default_mb)
    if limit is None:
        return
    for file in iter_turtle_files(paths):
        try:
            size = file.stat().st_size
        except OSError:
            continue  # reading it says what is wrong
        if size > limit:
            raise _size_error(str(file), size, limit, default_mb)


def check_holds_triples(paths: Iterable[Path]) -> None:
    """Raise :class:`RdfInputError` for the first file under ``paths`` that holds no triple at all: empty, blank,
    or only comments and declarations. Valid Turtle, but given to ``jpmg validate`` it is a mistake (an export that
    wrote nothing, the wrong file), and "conforms" would hide it. Files over 1 MB are left to the parser."""
    for file in iter_turtle_files(paths):
        try:
            if file.stat().st_size > 1_000_000:
                continue
        except OSError:
            continue  # reading it says what is wrong
        data = read_bytes(file, MAX_FILE_MB)
        text = decode(data, str(file))
        if not text.strip():
            raise RdfInputError(
                str(file), "the file is empty", "a file to validate must hold triples: was it saved or exported whole?"
            )
        try:
            for _ in pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE, base_iri=file.absolute().as_uri()):
                break
            else:
                raise RdfInputError(
                    str(file),
                    "the file holds no triples (only comments or declarations)",
                    "a file to validate must hold triples: add statements, or leave the file out",
                )
        except SyntaxError:
            continue  # the parser says where, in its own words


def read_bytes(path: Path, limit_mb: int = MAX_FILE_MB) -> bytes:
    """Read the file, turning each way it can fail into an error that says what to do."""
    name = str(path)
    if path.is_dir():
        raise RdfInputError(name, "this is a folder, not a file", "name a .ttl file, or expand folders first")
    limit = size_limit(limit_mb)
    try:
        if limit is not None:
            size = path.stat().st_size
            if size > limit:
                raise _size_error(name, size, limit, limit_mb)
        return path.read_bytes()
    except FileNotFoundError:
        raise RdfInputError(name, "no such file", "check the path and its spelling") from None
    except PermissionError:
        raise RdfInputError(name, "the file cannot be read: permission denied", "check its permissions") from None
    except MemoryError:
        raise RdfInputError(
            name, "the file is too large to read into memory", f"split it, or lower {LIMIT_VARIABLE}"
        ) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise RdfInputError(name, f"the file cannot be read: {reason}", "check the file is a readable file") from None


def decode(data: bytes, name: str) -> str:
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
        packed = next((kind for magic, kind in _PACKED if data.startswith(magic)), None)
        if packed is not None:
            raise RdfInputError(name, f"the file is {packed}, not Turtle text", _PACKED_HINT[packed], 1, 1) from None
        nul = data.find(b"\x00")
        if nul >= 0:
            raise binary_error(name, *_byte_position(data, nul)) from None
        line, column = _byte_position(data, error.start)
        raise RdfInputError(
            name,
            f"byte 0x{data[error.start]:02x} is not UTF-8",
            "the file must be UTF-8 Turtle",
            line,
            column,
        ) from None
    return text.removeprefix("\ufeff")


# Compressed files, recognized by their first bytes: the fix is to unpack them (any other binary file gets the
# generic message about binary data).
_PACKED = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ", "xz-compressed"),
)
_PACKED_HINT = {
    "gzip-compressed": "uncompress it first (gunzip)",
    "a ZIP archive": "extract the Turtle file from it first (unzip)",
    "bzip2-compressed": "uncompress it first (bunzip2)",
    "xz-compressed": "uncompress it first (unxz)",
}

# Text in another RDF (or non-RDF) format, recognized by how it starts; named in the hint of a syntax error.
_FOREIGN = (
    (re.compile(r"<\?xml\b|<rdf:RDF\b", re.IGNORECASE), "RDF/XML", "rdfpipe -i xml -o turtle FILE > FILE.ttl"),
    (re.compile(r"<!DOCTYPE\s+html|<html\b", re.IGNORECASE), "an HTML page", None),
    (re.compile(r"\{|\[\s*[{\"\d]"), "JSON or JSON-LD", "rdfpipe -i json-ld -o turtle FILE > FILE.ttl"),
)


def _foreign_format(name: str, text: str | None) -> str | None:
    """A hint naming the format the file is in, when it starts like RDF/XML, HTML or JSON rather than Turtle."""
    if text is None:
        try:
            with open(name, "rb") as handle:
                text = handle.read(2048).decode("utf-8", errors="replace")
        except OSError:
            return None
    head = text.lstrip("\ufeff \t\r\n")
    head = re.sub(r"\A(?:#[^\n]*\n\s*)+", "", head)  # comments first, then the content
    for pattern, kind, command in _FOREIGN:
        if pattern.match(head):
            fix = f"convert it, e.g. `{command}`" if command else "save the data as Turtle"
            return f"this looks like {kind}, not Turtle: {fix}, or name the Turtle file"
    return None


def binary_error(name: str, line: int | None, column: int | None) -> RdfInputError:
    return RdfInputError(
        name, "the file holds binary data (a NUL byte)", "the file must be UTF-8 Turtle text", line, column
    )


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset, counting characters as an editor does."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def nul_position(text: str) -> tuple[int, int] | None:
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
        problem = from_syntax_error(error, name, text)
        nul = nul_position(text)
        if nul is not None and problem.line is not None and nul <= (problem.line, problem.column or 1):
            # A NUL at or before the failure point: binary data, not a Turtle typo.
            raise binary_error(name, *nul) from None
        raise problem from None
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


def from_syntax_error(error: SyntaxError, name: str, text: str | None = None) -> RdfInputError:
    """Turn pyoxigraph's SyntaxError into our error, taking its 1-based line and column.

    pyoxigraph 0.5 fills ``lineno`` and ``offset`` (both 1-based, the column counted in characters);
    the position is also in the message text, which we read if the attributes are ever missing, and
    then strip so the message does not say it twice. When the input starts like another format (RDF/XML, HTML,
    JSON-LD), the hint says so: the error is then the file, not a typo in it. Without ``text`` the start of the file
    ``name`` is read for that.
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
    hint = (line is not None and line <= 3 and _foreign_format(name, text)) or next(
        (hint for pattern, hint in _HINTS if pattern.search(message)), _TURTLE_SPEC
    )
    return RdfInputError(name, f"invalid Turtle: {message}", hint, line, column)


def _one_line(text: str) -> str:
    """Escape line breaks and other invisible characters so an error is always one visible line."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
