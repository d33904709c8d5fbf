"""Exact error messages and faithful conversion for :mod:`jpmg.parsing`.

Why exact strings: the one-line ``path:line:column: problem (hint)`` message is the user interface
of every command that reads Turtle, and editors/CI parse it, so a change to it should be deliberate.
The positions asserted here are the ones pyoxigraph 0.5.13 reports (1-based, columns in characters).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from jpmg.parsing import RdfInputError, iter_turtle_files, parse_turtle, parse_turtle_text

EX = Namespace("http://example.org/")
# An open Namespace, not rdflib.XSD: pytest probing that closed namespace at collection warns.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_of(path: Path, **kwargs: object) -> RdfInputError:
    with pytest.raises(RdfInputError) as caught:
        parse_turtle(path, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- the message format -----------------------------------------------------------------------------


def test_message_has_path_line_column_problem_and_hint() -> None:
    error = RdfInputError("data/x.ttl", "invalid Turtle: oops", "fix it", line=3, column=7)
    assert str(error) == "data/x.ttl:3:7: invalid Turtle: oops (fix it)"
    assert (error.path, error.line, error.column, error.problem, error.hint) == (
        "data/x.ttl",
        3,
        7,
        "invalid Turtle: oops",
        "fix it",
    )


def test_message_leaves_out_an_unknown_position() -> None:
    assert str(RdfInputError("x.ttl", "no such file", "check the path")) == "x.ttl: no such file (check the path)"
    assert str(RdfInputError("x.ttl", "bad", "fix", line=2)) == "x.ttl:2: bad (fix)"


def test_message_is_always_one_line() -> None:
    error = RdfInputError("x.ttl", "bad\nthing\r", "fix\tit", line=1, column=1)
    assert str(error) == "x.ttl:1:1: bad\\nthing\\r (fix\\tit)"


def test_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(RdfInputError("x.ttl", "bad", "fix", 2, 5)))
    assert (str(error), error.line, error.column) == ("x.ttl:2:5: bad (fix)", 2, 5)


# --- files that cannot be read ----------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.ttl"
    error = error_of(path)
    assert str(error) == f"{path}: no such file (check the path and its spelling)"
    assert error.line is None and error.column is None


def test_directory(tmp_path: Path) -> None:
    error = error_of(tmp_path)
    assert str(error) == f"{tmp_path}: this is a folder, not a file (name a .ttl file, or expand folders first)"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod cannot make a file unreadable for root (these tests may run as root), so fake the refusal.
    path = write(tmp_path, "secret.ttl", "")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert str(error_of(path)) == f"{path}: the file cannot be read: permission denied (check its permissions)"


def test_binary_file(tmp_path: Path) -> None:
    # A PNG header: not UTF-8, and NUL bytes, the first one on line 3 (counting b"\n" as editors do).
    path = write(tmp_path, "picture.ttl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    error = error_of(path)
    assert str(error) == f"{path}:3:1: the file holds binary data (a NUL byte) (the file must be UTF-8 Turtle text)"


def test_nul_bytes_where_the_parser_stops_are_reported_as_binary(tmp_path: Path) -> None:
    path = write(tmp_path, "tail.ttl", b"<http://example.org/a> <http://example.org/b> 1 .\n\x00\x00\x07")
    assert (error_of(path).problem, error_of(path).line, error_of(path).column) == (
        "the file holds binary data (a NUL byte)",
        2,
        1,
    )


def test_a_nul_inside_a_string_is_valid_turtle(tmp_path: Path) -> None:
    # Turtle strings may hold U+0000 (the W3C suite tests it), so NUL alone must not be rejected.
    path = write(tmp_path, "nul.ttl", b'<http://example.org/a> <http://example.org/b> "x\x00y" .\n')
    assert set(parse_turtle(path)) == {(EX.a, EX.b, Literal("x\x00y"))}


def test_non_utf8_file(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.ttl", '<http://example.org/a> <http://example.org/b> "café" .\n'.encode("latin-1"))
    error = error_of(path)
    assert str(error) == f"{path}:1:51: byte 0xe9 is not UTF-8 (the file must be UTF-8 Turtle)"


def test_non_utf8_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    # Line 2 holds two-byte UTF-8 "é" before the bad Latin-1 byte: the column is in characters.
    content = '# résumé\n<http://example.org/a> <http://example.org/b> "éé'.encode() + b'\xe9" .\n'
    error = error_of(write(tmp_path, "mixed.ttl", content))
    assert (error.line, error.column, error.problem) == (2, 50, "byte 0xe9 is not UTF-8")


def test_utf16_file(tmp_path: Path) -> None:
    path = write(tmp_path, "utf16.ttl", "<http://example.org/a> <http://example.org/b> 1 .\n".encode("utf-16"))
    assert (
        str(error_of(path))
        == f"{path}:1:1: the file is UTF-16 text (the file must be UTF-8 Turtle: re-save it as UTF-8)"
    )


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.ttl", b"\xef\xbb\xbf<http://example.org/a> <http://example.org/b> 1 .\n")
    assert len(parse_turtle(path)) == 1


# --- empty files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "  \n\n", "# only a comment\n"])
def test_empty_file_is_valid_turtle(tmp_path: Path, content: str) -> None:
    assert len(parse_turtle(write(tmp_path, "empty.ttl", content))) == 0


def test_empty_file_rejected_on_request(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.ttl", "")
    assert str(error_of(path, allow_empty=False)) == f"{path}: the file holds no triples (the file is empty)"


def test_declarations_only_rejected_on_request(tmp_path: Path) -> None:
    path = write(tmp_path, "prefixes.ttl", "@prefix ex: <http://example.org/> .\n# nothing else\n")
    assert str(error_of(path, allow_empty=False)) == (
        f"{path}: the file holds no triples"
        " (it holds only comments or declarations: add statements, or remove the file)"
    )


# --- syntax errors ----------------------------------------------------------------------------------


def test_missing_final_dot(tmp_path: Path) -> None:
    # Line 3 lacks its dot; the parser notices at the next token, line 4 column 1.
    path = write(
        tmp_path,
        "nodot.ttl",
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ex:d\nex:x ex:y ex:z .\n",
    )
    error = error_of(path)
    assert (error.line, error.column) == (4, 1)
    assert str(error) == (
        f"{path}:4:1: invalid Turtle: A dot is expected at the end of statements"
        " (check the statement before this point ends with ' .')"
    )


def test_missing_dot_at_end_of_file(tmp_path: Path) -> None:
    path = write(tmp_path, "end.ttl", "<http://example.org/a> <http://example.org/b> 1\n")
    error = error_of(path)
    assert str(error) == (
        f"{path}:2:1: invalid Turtle: Unexpected end (check the statement before this point ends with ' .')"
    )


def test_iri_with_a_space(tmp_path: Path) -> None:
    path = write(tmp_path, "space.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b <http://example.org/a b> .\n")
    assert str(error_of(path)) == (
        f"{path}:2:11: invalid Turtle: Invalid IRI code point ' '"
        ' (IRIs cannot hold spaces or <>"{}|^`\\ characters: percent-encode them, e.g. %20)'
    )


def test_bad_string_escape(tmp_path: Path) -> None:
    path = write(tmp_path, "escape.ttl", '@prefix ex: <http://example.org/> .\nex:a ex:b "tab\\qhere" .\n')
    assert str(error_of(path)) == (
        f"{path}:2:15: invalid Turtle: Unexpected escape character '\\q'"
        " (escapes are \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX or \\UXXXXXXXX)"
    )


def test_undeclared_prefix(tmp_path: Path) -> None:
    path = write(tmp_path, "prefix.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b exx:c .\n")
    assert str(error_of(path)) == (
        f"{path}:2:11: invalid Turtle: The prefix exx: has not been declared"
        " (declare the prefix with '@prefix p: <http://...> .' before its first use)"
    )


def test_unclosed_string(tmp_path: Path) -> None:
    path = write(tmp_path, "open.ttl", '<http://example.org/a> <http://example.org/b> "open .\n')
    assert str(error_of(path)) == (
        f"{path}:1:47: invalid Turtle: Unexpected end of file"
        " (a string, IRI or bracket is not closed: look for a missing closing quote, '>' or ']')"
    )


def test_invalid_turtle_that_rdflib_accepts_is_rejected(tmp_path: Path) -> None:
    # A literal as subject is not Turtle, yet rdflib's parser takes it: the reason this module exists.
    path = write(tmp_path, "literal.ttl", '@prefix ex: <http://example.org/> .\n"hello" ex:b ex:c .\n')
    assert len(Graph().parse(path, format="turtle")) == 1
    assert str(error_of(path)) == (
        f'{path}:2:1: invalid Turtle: "hello" is not a valid subject'
        " (a subject is an IRI, a prefixed name or a blank node: does the statement before end with ' .'?)"
    )


def test_rdf12_triple_terms_are_rejected_with_a_position(tmp_path: Path) -> None:
    content = (
        '@prefix ex: <http://example.org/> .\n# a "<<" in a comment\n'
        'ex:a ex:b "<< not this" ;\n  ex:c <<( ex:a ex:b ex:c )>> .\n'
    )
    path = write(tmp_path, "rdf12.ttl", content)
    assert str(error_of(path)) == (
        f"{path}:4:8: RDF 1.2 triple terms (<< >>, {{| |}}, ~) are not supported"
        " (write RDF 1.1 Turtle, e.g. describe the statement with rdf:Statement reification)"
    )


def test_rdf12_directional_language_tag_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "dir.ttl", '<http://example.org/a> <http://example.org/b> "text"@en--ltr .\n')
    error = error_of(path)
    assert (error.line, error.column) == (1, 53)
    assert error.problem == "RDF 1.2 directional language tags (@en--ltr) are not supported"


# --- in-memory text ---------------------------------------------------------------------------------


def test_text_reports_the_given_name() -> None:
    with pytest.raises(RdfInputError) as caught:
        parse_turtle_text("<http://example.org/a> <http://example.org/b> <http://example.org/c>\n", "<stdin>")
    assert str(caught.value) == (
        "<stdin>:2:1: invalid Turtle: Unexpected end (check the statement before this point ends with ' .')"
    )


def test_text_without_base_rejects_relative_iris() -> None:
    with pytest.raises(RdfInputError) as caught:
        parse_turtle_text("<a> <b> <c> .", "inline")
    assert str(caught.value) == (
        "inline:1:1: invalid Turtle: No scheme found in an absolute IRI"
        " (relative IRIs need a base: declare '@base <http://...> .' or pass base_iri)"
    )


def test_text_with_base_resolves_relative_iris() -> None:
    graph = parse_turtle_text("<a> <b> <#c> .", "inline", base_iri="http://example.org/doc")
    assert set(graph) == {(EX.a, EX.b, URIRef("http://example.org/doc#c"))}


def test_text_with_an_invalid_base() -> None:
    with pytest.raises(RdfInputError) as caught:
        parse_turtle_text("<a> <b> <c> .", "inline", base_iri="not an iri")
    assert str(caught.value) == (
        "inline: Invalid base IRI 'not an iri', Invalid IRI code point ' '"
        " (give an absolute base IRI such as 'http://example.org/')"
    )


def test_text_empty_rejected_on_request() -> None:
    assert len(parse_turtle_text("", "inline")) == 0
    with pytest.raises(RdfInputError, match=r"^inline: the file holds no triples \(the file is empty\)$"):
        parse_turtle_text("", "inline", allow_empty=False)


# --- faithful conversion ----------------------------------------------------------------------------

VALID = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://example.org/not-schema-org#> .

ex:meeting a ex:Meeting ;
    ex:title "Joint meeting"@en-US , "פגישה משותפת"@he , "Réunion"@fr ;
    ex:date "1983-11-29"^^xsd:date ;
    ex:count 3 ;
    ex:ratio 0.5 ;
    ex:flag true ;
    ex:note "plain" , \"\"\"two
lines\"\"\" ;
    ex:attendee [ ex:name "A" ] , _:b1 ;
    ex:agenda ( ex:one ex:two ) ;
    ex:page <relative/page> ;
    schema:thing ex:x .
_:b1 ex:name "B" .
"""


def test_valid_file_matches_rdflib(tmp_path: Path) -> None:
    path = write(tmp_path, "valid.ttl", VALID)
    ours = parse_turtle(path)
    theirs = Graph().parse(path, format="turtle")
    assert len(ours) == len(theirs) == 21
    assert isomorphic(ours, theirs)
    # Relative IRIs resolve against the file's URI by default, as with rdflib.
    assert (EX.meeting, EX.page, URIRef(path.parent.absolute().as_uri() + "/relative/page")) in ours


def test_language_tags_and_datatypes_are_kept_exactly(tmp_path: Path) -> None:
    ours = parse_turtle(write(tmp_path, "valid.ttl", VALID))
    titles = {(title.language, str(title)) for title in ours.objects(EX.meeting, EX["title"])}
    assert titles == {("en-US", "Joint meeting"), ("he", "פגישה משותפת"), ("fr", "Réunion")}
    assert ours.value(EX.meeting, EX.date) == Literal("1983-11-29", datatype=XSD.date)
    assert ours.value(EX.meeting, EX["count"]).datatype == XSD.integer
    assert ours.value(EX.meeting, EX.ratio).datatype == XSD.decimal
    assert {(o.datatype, o.language) for o in ours.objects(EX.meeting, EX.note)} == {(None, None)}


def test_language_tag_spelling_follows_the_source() -> None:
    # pyoxigraph lower-cases tags; rdflib.compare.isomorphic would then see "en-us" != "en-US".
    graph = parse_turtle_text('<http://example.org/a> <http://example.org/b> "x"@EN-gb , "y"@de-CH .', "t")
    assert sorted(o.language for o in graph.objects()) == ["EN-gb", "de-CH"]


def test_lexical_forms_are_kept_not_normalized() -> None:
    # rdflib would normalize "01" to "1"; RDF says they are different terms, and we keep the source's.
    graph = parse_turtle_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/a> <http://example.org/b> "01"^^xsd:integer , 1.0e0 .',
        "t",
    )
    assert sorted(str(o) for o in graph.objects()) == ["01", "1.0e0"]


def test_explicit_xsd_string_becomes_a_plain_literal() -> None:
    graph = parse_turtle_text(
        '<http://example.org/a> <http://example.org/b> "s"^^<http://www.w3.org/2001/XMLSchema#string> .', "t"
    )
    assert set(graph.objects()) == {Literal("s")}
    assert next(iter(graph.objects())).datatype is None


def test_blank_nodes_stay_distinct_across_files(tmp_path: Path) -> None:
    content = "_:b1 <http://example.org/p> 1 .\n"
    merged = parse_turtle(write(tmp_path, "one.ttl", content)) + parse_turtle(write(tmp_path, "two.ttl", content))
    subjects = set(merged.subjects())
    assert len(subjects) == 2 and all(isinstance(s, BNode) for s in subjects)


def test_declared_prefixes_are_bound(tmp_path: Path) -> None:
    namespaces = dict(parse_turtle(write(tmp_path, "valid.ttl", VALID)).namespaces())
    assert namespaces["ex"] == URIRef("http://example.org/")
    # The file's own "schema" wins over rdflib's default binding of that name to schema.org.
    assert namespaces["schema"] == URIRef("http://example.org/not-schema-org#")


# --- expanding paths --------------------------------------------------------------------------------


def test_iter_turtle_files(tmp_path: Path) -> None:
    b = write(tmp_path, "data/b.ttl", "")
    a = write(tmp_path, "data/a.ttl", "")
    nested = write(tmp_path, "data/sub/c.TTL", "")
    write(tmp_path, "data/notes.txt", "")
    write(tmp_path, "data/.hidden/d.ttl", "")
    explicit = write(tmp_path, "other/extra.turtle", "")
    found = iter_turtle_files([explicit, tmp_path / "data", a])
    assert found == [explicit, a, b, nested]


def test_iter_turtle_files_missing_path(tmp_path: Path) -> None:
    with pytest.raises(RdfInputError) as caught:
        iter_turtle_files([tmp_path / "nowhere"])
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: no such file or folder (check the path and its spelling)"


def test_ill_typed_literal_is_kept_without_a_logged_traceback(caplog: pytest.LogCaptureFixture) -> None:
    # "abc"^^xsd:integer is valid Turtle (ill-typed, not ill-formed); rdflib would log a traceback.
    graph = parse_turtle_text(
        '<http://example.org/a> <http://example.org/b> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        "t",
    )
    literal = next(iter(graph.objects()))
    assert (str(literal), literal.ill_typed) == ("abc", True)
    assert caplog.records == []
