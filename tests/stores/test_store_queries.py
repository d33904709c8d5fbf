"""Every competency query answers the same at each real store as in the embedded engine.

The stores' default graphs differ (Virtuoso: the union of all graphs; Oxigraph: a graph of its own), so the
queries name their dataset through the protocol (``default-graph-uri``: the ontology and data graphs), as
``jpmg query --endpoint`` does. Answers are compared as multisets of rows, by value (see
:func:`jpmg.stores.remote_query.answer_key`), with GROUP_CONCAT's parts in any order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from storetools import SKIP_QUERIES, Store

from jpmg.dataset import load_dataset
from jpmg.engine import make_engine
from jpmg.queries import QueryError, format_result, list_queries, run_query
from jpmg.stores.remote_query import compare_query_results, run_remote_query

Cli = Callable[..., tuple[int, str, str]]
QUERIES = [query.name for query in list_queries()]
_EXAMPLE = re.compile(r"e\.g\.\s+(\S+)")


def _examples() -> list[tuple[str, dict[str, str]]]:
    """(query, bindings) for each parameter whose header gives an example value."""
    cases = []
    for query in list_queries():
        for name, help_text in query.parameters:
            match = _EXAMPLE.search(help_text)
            if match:
                cases.append((query.name, {name: match.group(1).rstrip(".,;)")}))
    return cases


@pytest.fixture(scope="module")
def embedded_graph():  # the embedded engine (pyoxigraph, in memory), named for what the tests compare with
    return make_engine(load_dataset().data_with_ontology())


def _compare(name: str, loaded: Store, graph, bindings: dict[str, str] | None = None) -> None:
    if name in SKIP_QUERIES:
        pytest.skip(f"{name} is in JPMG_STORE_TESTS_SKIP_QUERIES")
    expected = run_query(name, graph, bindings)
    actual = run_remote_query(name, loaded.sparql(), bindings)
    problems = compare_query_results(name, expected, actual)
    assert not problems, f"{loaded.kind} answers {name} {bindings or ''} differently: " + "; ".join(problems)


@pytest.mark.parametrize("name", QUERIES)
def test_every_competency_query_answers_as_embedded(name: str, loaded: Store, embedded_graph) -> None:
    _compare(name, loaded, embedded_graph)


@pytest.mark.parametrize(("name", "bindings"), _examples(), ids=lambda v: v if isinstance(v, str) else "bound")
def test_bound_parameters_answer_as_embedded(
    name: str, bindings: dict[str, str], loaded: Store, embedded_graph
) -> None:
    _compare(name, loaded, embedded_graph, bindings)


def test_query_endpoint_on_the_command_line(loaded: Store, jpmg: Cli, embedded_graph) -> None:
    name = "jpmg-sessions" if "jpmg-sessions" in QUERIES else QUERIES[0]
    endpoint = ["--endpoint", loaded.url, "--kind", loaded.kind, "--timeout", "30"]
    code, out, err = jpmg("query", name, *endpoint, "--format", "json")
    assert code == 0, err
    remote = json.loads(out)
    embedded = json.loads(format_result(run_query(name, embedded_graph), "json"))
    assert remote["head"] == embedded["head"]
    assert len(remote["results"]["bindings"]) == len(embedded["results"]["bindings"])
    code, out, err = jpmg("query", name, *endpoint)  # the table, as without --endpoint
    assert code == 0, err
    assert out.splitlines()[0].split() == embedded["head"]["vars"]


def test_query_endpoint_refuses_an_unsafe_literal(loaded: Store, jpmg: Cli) -> None:
    with_parameter = [q for q in list_queries() if q.parameters]
    if not with_parameter:
        pytest.skip("no competency query takes a parameter")
    query = with_parameter[0]
    code, _, err = jpmg(
        "query",
        query.name,
        "--endpoint",
        loaded.url,
        "--kind",
        loaded.kind,
        "--bind",
        f"{query.parameters[0][0]}=x\\u0022 }} ; DROP ALL #",
    )
    assert code == 2
    assert "backslash" in err


def test_unknown_query_is_a_query_error(loaded: Store) -> None:
    with pytest.raises(QueryError):
        run_remote_query("no-such-query", loaded.sparql())
