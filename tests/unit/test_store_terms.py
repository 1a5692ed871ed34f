"""Term conversion between rdflib and pyoxigraph, file formats, query-form detection."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from registry.cli.store_cmd import _variables, query_form
from registry.errors import InputError
from registry.store.embedded import EmbeddedStore, replace_graph_update
from registry.store.files import rdf_file
from registry.store.terms import to_ox, to_rdflib

TERMS = [
    URIRef("https://example.org/é?x=1#f"),
    BNode("b0"),
    Literal("texte"),
    Literal("texte", lang="fr"),
    Literal('guillemets " et \\ et\nligne', lang="fr-FR"),
    Literal("3", datatype=XSD.integer),
    Literal("2022-09", datatype=XSD.gYearMonth),
    Literal("true", datatype=XSD.boolean),
]


@pytest.mark.parametrize("term", TERMS, ids=repr)
def test_terms_round_trip(term: URIRef | BNode | Literal) -> None:
    back = to_rdflib(to_ox(term))
    assert back == term
    assert type(back) is type(term)


def test_xsd_string_literal_is_a_plain_literal() -> None:
    # RDF 1.1: "a" and "a"^^xsd:string are the same term; rdflib keeps them apart
    assert to_rdflib(to_ox(Literal("a", datatype=XSD.string))) == Literal("a")


def test_replace_graph_update_escapes_literals() -> None:
    from rdflib import Graph

    g = Graph()
    g.add(
        (
            URIRef("https://example.org/s"),
            URIRef("https://example.org/p"),
            Literal('a" } ; DROP ALL ; #'),
        )
    )
    store = EmbeddedStore(None)
    store.update("INSERT DATA { <https://example.org/keep> <https://example.org/p> 1 }")
    store.update(replace_graph_update("https://example.org/g", g))
    assert set(store.get_graph("https://example.org/g")) == set(g)
    assert store.ask("ASK { <https://example.org/keep> ?p ?o }")


@pytest.mark.parametrize(
    ("name", "media_type", "gz"),
    [
        ("a.ttl", "text/turtle", False),
        ("a.nq.gz", "application/n-quads", True),
        ("a.NT", "application/n-triples", False),
        ("a.jsonld", "application/ld+json", False),
    ],
)
def test_rdf_file_formats(tmp_path: Path, name: str, media_type: str, gz: bool) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    described = rdf_file(path)
    assert described.media_type == media_type
    assert described.gzipped is gz


def test_rdf_file_unknown_or_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="inconnu"):
        rdf_file(tmp_path / "a.docx")
    with pytest.raises(InputError, match="introuvable"):
        rdf_file(tmp_path / "absent.ttl")


@pytest.mark.parametrize(
    ("sparql", "form"),
    [
        ("PREFIX ex: <http://ex/select#> ASK { ?s ?p ?o }", "ASK"),
        ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("select ?s where { ?s ?p ?o }", "SELECT"),
        ("DESCRIBE <http://ex/a>", "DESCRIBE"),
    ],
)
def test_query_form(sparql: str, form: str) -> None:
    assert query_form(sparql) == form


def test_columns_follow_the_projection() -> None:
    rows = [{"n": Literal(1), "s": URIRef("http://ex/a")}]
    assert _variables("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", rows) == [
        "s",
        "n",
    ]
    assert _variables("SELECT * WHERE { ?s ?p ?o }", rows) == ["n", "s"]
