"""The graph layout (names of graphs, what an entry's version holds) and the update request the
write path sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from registry.entries import normalise_etag, version_update_parts
from registry.layout import HAS_CURRENT_VERSION, Layout, closure, entry_roots, split_entries
from registry.store.embedded import EmbeddedStore
from registry.vocab import PROJECT_ROOT

BASE = "https://example.org/reg/"
LAYOUT = Layout(BASE)


def test_graph_names() -> None:
    assert LAYOUT.version_graph("deploiement", "a-b", 3) == f"{BASE}graph/version/deploiement/a-b/3"
    assert LAYOUT.parse_version_graph(f"{BASE}graph/version/systeme/x/12") == ("systeme", "x", 12)
    assert LAYOUT.parse_version_graph(f"{BASE}graph/version/autre/x/1") is None
    assert LAYOUT.parse_version_graph(f"{BASE}graph/version/systeme/x/0") is None
    assert LAYOUT.metadata_subject("deploiement", "k") == f"{BASE}id/fiche/k"
    assert LAYOUT.metadata_subject("systeme", "k") == f"{BASE}id/systeme/k"
    assert LAYOUT.parse_entry_iri(f"{BASE}id/fiche/k") == ("deploiement", "k")
    assert LAYOUT.parse_entry_iri("https://other.org/id/systeme/k") is None
    with pytest.raises(ValueError):
        LAYOUT.entry_iri("deploiement", "Pas Une Clé")
    with pytest.raises(ValueError):
        LAYOUT.version_graph("deploiement", "k", 0)


def test_etags() -> None:
    assert normalise_etag('W/"3"') == "3"
    assert normalise_etag('"3"') == "3"
    assert normalise_etag(3) == "3"
    assert normalise_etag(None) is None


def test_split_entries_of_the_example() -> None:
    layout = Layout("https://w3id.org/ia-territoires/")
    graph = Graph().parse(PROJECT_ROOT / "ontology/examples/entry-example.ttl")
    entries, leftover = split_entries(graph, layout)
    assert sorted(entries) == [
        ("deploiement", "fr-plaisir-optimus"),
        ("organisation", "yelda"),
        ("systeme", "yelda-callbot"),
    ]
    assert len(leftover) == 0
    deployment = entries[("deploiement", "fr-plaisir-optimus")]
    # the record, the blank nodes and the source document travel with the deployment...
    assert (URIRef(layout.record_iri("fr-plaisir-optimus")), None, None) in deployment
    assert any(isinstance(s, BNode) for s in deployment.subjects())
    assert any(o == FOAF.Document for o in deployment.objects(None, RDF.type))
    # ...the AI system it links to does not
    system = URIRef(layout.entry_iri("systeme", "yelda-callbot"))
    assert (system, None, None) not in deployment
    assert sum(len(g) for g in entries.values()) == len(graph)


def test_closure_stops_at_other_registry_resources() -> None:
    a = URIRef(LAYOUT.entry_iri("systeme", "a"))
    b = URIRef(LAYOUT.entry_iri("systeme", "b"))
    doc = URIRef("https://news.example/x")
    g = Graph()
    g.add((a, DCTERMS.relation, b))
    g.add((b, DCTERMS.title, Literal("B")))
    g.add((a, DCTERMS.source, doc))
    g.add((doc, DCTERMS.title, Literal("doc")))
    out = closure(g, entry_roots(LAYOUT, "systeme", "a"), LAYOUT)
    assert set(out) == {
        (a, DCTERMS.relation, b),
        (a, DCTERMS.source, doc),
        (doc, DCTERMS.title, Literal("doc")),
    }


def _content(title: str) -> Graph:
    node = URIRef(LAYOUT.entry_iri("systeme", "s"))
    g = Graph()
    g.add((node, DCTERMS.title, Literal(title, lang="fr")))
    period = BNode()
    g.add((node, DCTERMS.temporal, period))
    g.add((period, DCTERMS.description, Literal(title)))
    return g


def _request(n: int, title: str) -> str:
    return version_update_parts(
        LAYOUT,
        "systeme",
        "s",
        n,
        _content(title),
        agent=f"{BASE}id/organisation/x",
        token_id="t",
        generated_at=datetime.now(UTC),
        summary=("r", "s"),
        status=None,
    ).operations()


def test_version_update_swaps_the_public_copy_and_is_guarded() -> None:
    store = EmbeddedStore(None)
    store.update(_request(1, "un"))
    store.update(_request(1, "bis"))  # a second "version 1": its guard fails, nothing written
    assert {
        str(r["t"])
        for r in store.select(
            f"SELECT ?t WHERE {{ <{LAYOUT.entry_iri('systeme', 's')}> <{DCTERMS.title}> ?t }}"
        )
    } == {"un"}
    store.update(_request(2, "deux"))
    public = store.get_graph(None)
    node = URIRef(LAYOUT.entry_iri("systeme", "s"))
    assert set(public.objects(node, DCTERMS.title)) == {Literal("deux", lang="fr")}
    # the old blank node left the public view with its triples
    assert set(public.objects(None, DCTERMS.description)) >= {Literal("deux")}
    assert Literal("un") not in set(public.objects(None, DCTERMS.description))
    assert set(public.objects(URIRef(LAYOUT.entry_iri("systeme", "s")), HAS_CURRENT_VERSION)) == {
        URIRef(LAYOUT.version_graph("systeme", "s", 2))
    }
    # version 1 is intact
    v1 = store.get_graph(LAYOUT.version_graph("systeme", "s", 1))
    assert set(v1.objects(node, DCTERMS.title)) == {Literal("un", lang="fr")}
    store.close()
