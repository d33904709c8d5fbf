"""The competency queries: each one's exact answer on the real data, and the same answer on both engines.

Expected answers live in ``tests/expected/queries/NAME.csv`` (values in canonical form: instance IRIs relative to
the base, lists sorted, numbers by value). After a deliberate change to the data or a query, review the diff of
``UPDATE_EXPECTED=1 pytest tests/test_queries.py`` before committing it.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from jpmg.dataset import load_dataset
from jpmg.engine import make_engine
from jpmg.queries import QueryError, canonical_rows, get_query, list_queries, run_query

EXPECTED = Path(__file__).parent / "expected" / "queries"

# The parameters each parametrised query is tested with (every query also runs with none).
BINDINGS = {
    "agreement-signatories": {"agreement": "agreement/1981-mou-strategic-cooperation"},
    "fact-sources": {"resource": "session/jpmg-48"},
    "person-career": {"person": "person/amir-eshel"},
    "post-holders": {"post": "post/imod-director-general"},
    "session-delegations": {"session": "session/jpmg-48"},
    "session-topics": {"forum": "org/jpmg"},
}
QUERIES = [query.name for query in list_queries()]


@pytest.fixture(scope="module")
def engines():
    graph = load_dataset().data_with_ontology()
    return {"oxigraph": make_engine(graph, "oxigraph"), "rdflib": make_engine(graph, "rdflib")}


def answer(engines, name: str, engine: str = "oxigraph") -> list[tuple[str, ...]]:
    return canonical_rows(get_query(name), run_query(name, engines[engine], BINDINGS.get(name)))


def test_there_are_at_least_twenty_queries_each_with_a_question():
    assert len(QUERIES) >= 20
    assert all(query.question.endswith("?") for query in list_queries())


@pytest.mark.parametrize("name", QUERIES)
def test_query_gives_its_expected_answer(engines, name):
    query = get_query(name)
    result = run_query(name, engines["oxigraph"], BINDINGS.get(name))
    rows = [list(result.variables), *map(list, canonical_rows(query, result))]
    path = EXPECTED / f"{name}.csv"
    if os.environ.get("UPDATE_EXPECTED"):
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
    with path.open(encoding="utf-8", newline="") as handle:
        assert rows == list(csv.reader(handle))


@pytest.mark.parametrize("name", QUERIES)
def test_both_engines_agree(engines, name):
    """rdflib's engine is the reference: the fast engine must give the same rows (order aside where ties)."""
    assert sorted(answer(engines, name, "oxigraph")) == sorted(answer(engines, name, "rdflib"))


@pytest.mark.parametrize("name", sorted(BINDINGS))
def test_a_parameter_narrows_the_answer(engines, name):
    query = get_query(name)
    unbound = canonical_rows(query, run_query(name, engines["oxigraph"]))
    bound = answer(engines, name)
    assert 0 < len(bound) < len(unbound)
    assert set(bound) <= set(unbound)


# -- the questions the project was built to answer, spelled out -------------------------------------------------


def test_co_chairs_rule_and_record(engines):
    rows = answer(engines, "jpmg-co-chairs")
    assert [(r[0], r[1], r[4], r[5], r[6]) for r in rows] == [
        (
            "Israel",
            "Director General of the Israeli Ministry of Defense",
            "Jacob Toren",
            "Director General of the Israeli Ministry of Defense",
            "true",
        ),
        (
            "Israel",
            "Director General of the Israeli Ministry of Defense",
            "Amir Eshel",
            "Director General of the Israeli Ministry of Defense",
            "true",
        ),
        (
            "United States",
            "U.S. Assistant Secretary of State for Political-Military Affairs",
            "John Hillen",
            "U.S. Assistant Secretary of State for Political-Military Affairs",
            "true",
        ),
        (
            "United States",
            "U.S. Assistant Secretary of State for Political-Military Affairs",
            "Derek Chollet",
            "Counselor of the U.S. Department of State",
            "false",
        ),
    ]


def test_founding_keeps_both_sides_of_conflict_c1(engines):
    accounts = {row[0] for row in answer(engines, "jpmg-founding")}
    assert "adopted: founding event" in accounts
    assert "C1 claim: the 1981 Weinberger–Sharon memorandum led to the JPMG" in accounts
    assert "C1 claim: the 1983 Reagan–Shamir agreement set up the JPMG" in accounts
    adopted = {(row[1], row[2], row[4]) for row in answer(engines, "jpmg-founding") if row[0].startswith("adopted")}
    assert ("1983-11-29", "Reagan–Shamir agreement of 29 November 1983", "high") in adopted


def test_1981_memorandum_signatories(engines):
    assert [row[2:] for row in answer(engines, "agreement-signatories")] == [
        ("Ariel Sharon", "Minister of Defense of Israel", "Israel", "1981-11-30"),
        ("Caspar Weinberger", "U.S. Secretary of Defense", "United States", "1981-11-30"),
    ]


def test_jpmg_sessions_with_precision_and_heads(engines):
    assert answer(engines, "jpmg-sessions") == [
        ("session/jpmg-2006-tel-aviv", "", "2006", "Tel Aviv", "", "", "Jacob Toren", "John Hillen"),
        ("session/jpmg-01-planned", "1", "1984-01", "Washington, D.C.", "", "true", "", ""),
        ("session/jpmg-29", "29", "--05-03", "Washington, D.C.", "", "", "", ""),
        ("session/jpmg-47", "47", "2021-01-12", "", "Mixed", "", "", ""),
        ("session/jpmg-48", "48", "2022-10-25", "Washington, D.C.", "Offline", "", "Amir Eshel", "Derek Chollet"),
    ]


def test_jpmg_sessions_per_host_country(engines):
    jpmg = [
        row[1:] for row in answer(engines, "sessions-per-host-country") if row[0] == "Joint Political-Military Group"
    ]
    assert jpmg == [("Israel", "1"), ("United States", "2")]


def test_director_general_holders_in_order(engines):
    holders = [row[2] for row in answer(engines, "post-holders")]
    assert holders == [
        "Amos Yaron",
        "Jacob Toren",
        "Gabi Ashkenazi",
        "Yehiel Horev",
        "Udi Shani",
        "Dan Harel",
        "Udi Adam",
        "Amir Eshel",
        "Eyal Zamir",
        "Amir Baram",
    ]


def test_every_conflict_of_the_fact_sheet_has_two_or_more_claims(engines):
    per_conflict: dict[str, int] = {}
    for row in answer(engines, "source-conflicts"):
        per_conflict[row[0]] = per_conflict.get(row[0], 0) + 1
    assert sorted(per_conflict, key=lambda c: int(c[1:])) == [f"C{n}" for n in range(1, 15)]
    assert min(per_conflict.values()) >= 2


def test_unknown_query_and_bad_parameter_are_refused():
    with pytest.raises(QueryError, match="no query named 'nope'"):
        get_query("nope")
    with pytest.raises(QueryError, match="no query named"):
        get_query("../data/people")
