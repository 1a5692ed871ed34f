"""The query-form guard and rewriting of the SPARQL endpoint (registry.sparql_guard)."""

from __future__ import annotations

import pytest

from registry.errors import InputError, PermissionDenied
from registry.sparql_guard import inspect_query, with_dataset, with_row_cap


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("  prefix ex: <http://ex/#>\nBASE <http://b/>\nask { ?s ?p ?o }", "ASK"),
        ("# INSERT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://ex/a>", "DESCRIBE"),
        ('SELECT ("DELETE {" AS ?x) WHERE {}', "SELECT"),
    ],
)
def test_forms(query: str, form: str) -> None:
    assert inspect_query(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a:a> <a:b> <a:c> }",
        "PREFIX ex: <http://ex/#> DELETE WHERE { ?s ?p ?o }",
        "WITH <g:1> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "clear all",
        "LOAD <http://example.org/x>",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(PermissionDenied):
        inspect_query(update)


@pytest.mark.parametrize("bad", ["", "   # only a comment", "HELLO", "SELECT 'unterminated"])
def test_no_form_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError):
        inspect_query(bad)


def test_row_cap_rewrites_only_the_outer_limit() -> None:
    q = "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 99999 } } LIMIT 50000"
    capped = with_row_cap(q, inspect_query(q), 101)
    assert "LIMIT 99999" in capped and capped.endswith("LIMIT 101")
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 5"
    assert with_row_cap(q, inspect_query(q), 101) == q
    q = "SELECT * WHERE { ?s ?p ?o } VALUES ?s { <a:b> }"
    assert "LIMIT 101\nVALUES" in with_row_cap(q, inspect_query(q), 101)
    q = "ASK { ?s ?p ?o }"
    assert with_row_cap(q, inspect_query(q), 101) == q


def test_dataset_parameters_replace_from_clauses() -> None:
    q = "SELECT * FROM <g:old> FROM NAMED <g:oldn> WHERE { ?s ?p ?o }"
    out = with_dataset(q, inspect_query(q), ["g:new"], ["g:n"])
    assert "g:old" not in out and "FROM <g:new>" in out and "FROM NAMED <g:n>" in out
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    out = with_dataset(q, inspect_query(q), ["g:new"], [])
    assert out.index("FROM <g:new>") < out.index("WHERE")
    with pytest.raises(InputError):
        with_dataset(q, inspect_query(q), ["bad> iri"], [])
