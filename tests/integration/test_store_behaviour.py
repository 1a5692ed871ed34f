"""One behavioural suite for both store backends: the embedded pyoxigraph store on disk and the
remote store speaking SPARQL 1.1 to a real ``oxigraph serve`` process. Each test gets an empty
store."""

from __future__ import annotations

import csv
import gzip
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from registry.errors import InputError, StoreError
from registry.store import NotAcceptable, QueryTimeout, Store
from registry.store.embedded import EmbeddedStore
from registry.store.remote import RemoteStore
from tests.harness.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.integration

EX = "https://example.org/"
G1 = "https://w3id.org/ia-territoires/graph/version/deploiement/a/1"
G2 = "https://w3id.org/ia-territoires/graph/version/deploiement/b/1"
OTHER = "https://example.org/graph/reference"


def _iri(local: str) -> URIRef:
    return URIRef(EX + local)


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        s: Store = EmbeddedStore(tmp_path / "store")
    else:
        server: OxigraphServer = request.getfixturevalue("clean_oxigraph_server")
        s = RemoteStore(server.query_url, server.update_url, server.graph_store_url, timeout_s=30.0)
    yield s
    s.close()


def _seed(store: Store) -> None:
    store.update(
        f"""
        PREFIX ex: <{EX}>
        INSERT DATA {{
          ex:a ex:label "Système A"@fr, "System A"@en ; ex:n 3 ; ex:ok true .
          ex:b ex:label "Système B"@fr .
          GRAPH <{G1}> {{ ex:a ex:label "Système A"@fr ; ex:version 1 . }}
          GRAPH <{G2}> {{ ex:b ex:label "Système B"@fr . }}
          GRAPH <{OTHER}> {{ ex:ref ex:label "référence" . }}
        }}"""
    )


# -- queries ------------------------------------------------------------------------------


def test_select_returns_rdflib_terms_and_omits_unbound(store: Store) -> None:
    _seed(store)
    rows = store.select(
        f"PREFIX ex: <{EX}> SELECT ?s ?l ?n WHERE {{ ?s ex:label ?l "
        f"FILTER(LANG(?l) = 'fr') OPTIONAL {{ ?s ex:n ?n }} }} ORDER BY ?s"
    )
    assert rows == [
        {"s": _iri("a"), "l": Literal("Système A", lang="fr"), "n": Literal(3)},
        {"s": _iri("b"), "l": Literal("Système B", lang="fr")},
    ]
    assert rows[0]["n"].datatype == XSD.integer


def test_ask_and_construct(store: Store) -> None:
    _seed(store)
    assert store.ask(f"ASK {{ <{EX}a> <{EX}ok> true }}") is True
    assert store.ask(f"ASK {{ <{EX}zzz> ?p ?o }}") is False
    g = store.construct(f"CONSTRUCT {{ ?s <{EX}label> ?l }} WHERE {{ ?s <{EX}label> ?l }}")
    assert set(g) == {
        (_iri("a"), _iri("label"), Literal("Système A", lang="fr")),
        (_iri("a"), _iri("label"), Literal("System A", lang="en")),
        (_iri("b"), _iri("label"), Literal("Système B", lang="fr")),
    }


def test_default_graph_is_separate_from_named_graphs(store: Store) -> None:
    _seed(store)
    # the reference triple lives only in a named graph: not in the default graph (no union)
    assert not store.ask(f"ASK {{ <{EX}ref> ?p ?o }}")
    assert store.ask(f"ASK {{ GRAPH <{OTHER}> {{ <{EX}ref> ?p ?o }} }}")
    versions = store.select(f"SELECT ?v WHERE {{ <{EX}a> <{EX}version> ?v }}")
    assert versions == []
    assert len(store.get_graph(None)) == 5
    assert len(store.get_graph(G1)) == 2


def test_query_raw_in_each_format(store: Store) -> None:
    _seed(store)
    select = f"SELECT ?l WHERE {{ <{EX}b> <{EX}label> ?l }}"
    body, ctype = store.query_raw(select, "application/sparql-results+json")
    assert ctype.startswith("application/sparql-results+json")
    data = json.loads(body)
    assert data["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "Système B", "xml:lang": "fr"}}
    ]
    body, ctype = store.query_raw(select, "application/sparql-results+xml")
    assert ctype.startswith("application/sparql-results+xml")
    assert "Système B".encode() in body and b"<sparql" in body
    body, ctype = store.query_raw(select, "text/csv")
    assert ctype.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["l"], ["Système B"]]
    body, ctype = store.query_raw(select, "text/tab-separated-values")
    assert ctype.startswith("text/tab-separated-values")
    assert body.decode().splitlines() == ["?l", '"Système B"@fr']
    body, ctype = store.query_raw(f"ASK {{ <{EX}a> ?p ?o }}", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True

    construct = f"CONSTRUCT WHERE {{ <{EX}b> <{EX}label> ?l }}"
    expected = {(_iri("b"), _iri("label"), Literal("Système B", lang="fr"))}
    for media_type, rdflib_format in [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        body, ctype = store.query_raw(construct, media_type)
        assert ctype.startswith(media_type), (media_type, ctype)
        assert set(Graph().parse(data=body, format=rdflib_format)) == expected, media_type


def test_query_raw_refuses_a_format_that_cannot_carry_the_result(store: Store) -> None:
    _seed(store)
    with pytest.raises(NotAcceptable):
        store.query_raw(f"CONSTRUCT WHERE {{ <{EX}b> ?p ?o }}", "application/sparql-results+json")


def test_syntax_error_is_an_input_error(store: Store) -> None:
    with pytest.raises(InputError):
        store.select("SELECT WHERE nonsense")
    with pytest.raises(InputError):
        store.update("INSERT DATA { nonsense")


# -- writes -------------------------------------------------------------------------------


def test_failing_multi_operation_update_leaves_nothing(store: Store) -> None:
    _seed(store)
    with pytest.raises((StoreError, InputError)):
        # The second operation fails (DROP of a graph that does not exist, not SILENT):
        # the first one must not have been applied either.
        store.update(
            f"INSERT DATA {{ <{EX}new> <{EX}p> 1 . GRAPH <{EX}g/new> {{ <{EX}new> <{EX}p> 1 }} }} ;"
            f" DROP GRAPH <{EX}graph/that-does-not-exist>"
        )
    assert not store.ask(f"ASK {{ <{EX}new> ?p ?o }}")
    assert f"{EX}g/new" not in store.graph_names()


def test_replace_drop_and_get_graph(store: Store) -> None:
    _seed(store)
    new = Graph()
    node = BNode()
    new.add((_iri("a"), _iri("label"), Literal('nouveau "libellé"\nligne 2', lang="fr")))
    new.add((_iri("a"), _iri("temporal"), node))
    new.add((node, _iri("start"), Literal("2022-09", datatype=XSD.gYearMonth)))
    store.replace_graph(G1, new)
    got = store.get_graph(G1)
    assert isomorphic(got, new)
    assert str(got.identifier) == G1
    # the other graphs and the default graph are untouched
    assert len(store.get_graph(G2)) == 1
    assert len(store.get_graph(None)) == 5

    store.drop_graph(G1)
    assert len(store.get_graph(G1)) == 0
    assert G1 not in store.graph_names()
    store.drop_graph(G1)  # dropping an absent graph is not an error

    public = Graph()
    public.add((_iri("only"), _iri("p"), Literal("x")))
    store.replace_graph(None, public)
    assert set(store.get_graph(None)) == set(public)
    assert len(store.get_graph(G2)) == 1  # named graphs survive a default-graph replace


def test_graph_names_with_prefix(store: Store) -> None:
    _seed(store)
    assert store.graph_names() == sorted([G1, G2, OTHER])
    assert store.graph_names("https://w3id.org/ia-territoires/graph/") == [G1, G2]
    assert store.graph_names("https://nowhere.example/") == []


def test_load_dataset_and_iter_quads(store: Store) -> None:
    ds = Dataset()
    ds.add((_iri("s"), _iri("p"), Literal("défaut")))
    ds.graph(URIRef(G1)).add((_iri("s"), _iri("p"), Literal(2)))
    store.load_dataset(ds)
    store.load_dataset([(_iri("t"), _iri("p"), _iri("o"), URIRef(G2))])
    quads = set(store.iter_quads())
    assert quads == {
        (_iri("s"), _iri("p"), Literal("défaut"), None),
        (_iri("s"), _iri("p"), Literal(2), URIRef(G1)),
        (_iri("t"), _iri("p"), _iri("o"), URIRef(G2)),
    }


def test_insert_atomically_adds_quads_in_named_and_default_graphs(store: Store) -> None:
    nquads = (
        f'<{EX}s> <{EX}p> "ligne 1\\nligne 2 \\"citée\\""@fr <{G1}> .\n'
        f'<{EX}s> <{EX}p> "ligne 1\\nligne 2 \\"citée\\""@fr .\n'
        f"<{EX}s> <{EX}q> _:x <{G1}> .\n"
        f'_:x <{EX}p> "7"^^<http://www.w3.org/2001/XMLSchema#integer> <{G1}> .\n'
    )
    store.insert_atomically(nquads.encode())
    quads = set(store.iter_quads())
    text = Literal('ligne 1\nligne 2 "citée"', lang="fr")
    assert (_iri("s"), _iri("p"), text, URIRef(G1)) in quads
    assert (_iri("s"), _iri("p"), text, None) in quads
    [(node,)] = {(q[2],) for q in quads if q[1] == _iri("q")}
    assert isinstance(node, BNode)
    assert (node, _iri("p"), Literal(7), URIRef(G1)) in quads
    assert len(quads) == 4


def test_insert_atomically_refuses_bad_input_and_writes_nothing(store: Store) -> None:
    bad = f'<{EX}s> <{EX}p> "ok" .\n<{EX}s> <{EX}p> "not closed .\n'
    with pytest.raises((InputError, StoreError)):
        store.insert_atomically(bad.encode())
    assert store.is_empty()


def test_is_empty(store: Store) -> None:
    assert store.is_empty()
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}s> <{EX}p> <{EX}o> }} }}")
    assert not store.is_empty()


# -- bulk load, dump, restore ---------------------------------------------------------------

TTL = f"""@prefix ex: <{EX}> .
ex:t1 ex:label "un"@fr ; ex:when [ ex:start "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> ] .
"""
NT = f'<{EX}n1> <{EX}label> "deux" .\n'
NQ = (
    f'<{EX}q1> <{EX}label> "trois" <{G1}> .\n'
    f'<{EX}q1> <{EX}label> "trois" .\n'
    f'_:b1 <{EX}label> "quatre" <{G2}> .\n'
    f"<{EX}q2> <{EX}ref> _:b1 <{G2}> .\n"
)


def test_bulk_load_each_format(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(TTL, encoding="utf-8")
    (tmp_path / "b.nt").write_text(NT, encoding="utf-8")
    (tmp_path / "c.nq").write_text(NQ, encoding="utf-8")
    with gzip.open(tmp_path / "d.nq.gz", "wt", encoding="utf-8") as fh:
        fh.write(f'<{EX}z1> <{EX}label> "gz" <{OTHER}> .\n')

    store.bulk_load(tmp_path / "a.ttl", graph=OTHER)
    store.bulk_load(tmp_path / "b.nt")
    store.bulk_load(tmp_path / "c.nq")
    store.bulk_load(tmp_path / "d.nq.gz")

    assert store.graph_names() == sorted([G1, G2, OTHER])
    other = store.get_graph(OTHER)
    assert len(other) == 4  # 3 triples from Turtle (one blank node) + 1 from the gz file
    assert other.value(_iri("t1"), _iri("label")) == Literal("un", lang="fr")
    assert store.ask(f'ASK {{ <{EX}n1> <{EX}label> "deux" }}')  # N-Triples: default graph
    assert store.ask(f'ASK {{ <{EX}q1> <{EX}label> "trois" }}')
    # a blank node shared by two quads of one file stays one node
    assert store.ask(
        f'ASK {{ GRAPH <{G2}> {{ <{EX}q2> <{EX}ref> ?b . ?b <{EX}label> "quatre" }} }}'
    )


def test_bulk_load_refuses_unknown_extension(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "data.xyz"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"data\.xyz"):
        store.bulk_load(bad)


def test_bulk_load_syntax_error_names_the_problem(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_text(f"<{EX}a> <{EX}b> .\n", encoding="utf-8")
    with pytest.raises(InputError):
        store.bulk_load(bad)


def _as_dataset(store: Store) -> Dataset:
    ds = Dataset()
    for s, p, o, g in store.iter_quads():
        target = ds.default_graph if g is None else ds.graph(g)
        target.add((s, p, o))
    return ds


def _datasets_isomorphic(a: Dataset, b: Dataset) -> bool:
    names_a = {str(c.identifier) for c in a.graphs() if len(c)}
    names_b = {str(c.identifier) for c in b.graphs() if len(c)}
    if names_a != names_b:
        return False
    # compare graph by graph (blank nodes shared across graphs are rare in our data) and the
    # whole dataset flattened with graph names reified, which catches cross-graph sharing
    flat_a, flat_b = Graph(), Graph()
    for flat, ds in ((flat_a, a), (flat_b, b)):
        for s, p, o, g in ds.quads((None, None, None, None)):
            gid = URIRef(str(getattr(g, "identifier", g)))
            stmt = BNode()
            flat.add((stmt, URIRef(EX + "s"), s))
            flat.add((stmt, URIRef(EX + "p"), p))
            flat.add((stmt, URIRef(EX + "o"), o))
            flat.add((stmt, URIRef(EX + "g"), gid))
    return isomorphic(flat_a, flat_b)


def test_dump_restore_round_trip_is_isomorphic(
    store: Store, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    _seed(store)
    (tmp_path / "c.nq").write_text(NQ, encoding="utf-8")
    store.bulk_load(tmp_path / "c.nq")
    (tmp_path / "a.ttl").write_text(TTL, encoding="utf-8")
    store.bulk_load(tmp_path / "a.ttl", graph=OTHER)
    before = _as_dataset(store)

    dump = tmp_path / "backup.nq"
    store.dump(dump)
    assert dump.stat().st_size > 0
    assert not (tmp_path / "backup.nq.part").exists()

    # restore into an empty store of the same backend
    if isinstance(store, EmbeddedStore):
        target: Store = EmbeddedStore(tmp_path / "restored")
    else:
        store.clear()  # type: ignore[attr-defined]
        assert store.is_empty()
        target = store
    assert target.is_empty()
    target.bulk_load(dump)
    after = _as_dataset(target)
    assert _datasets_isomorphic(before, after)
    # and a broken copy is detected by the comparison (the check can fail)
    after.remove((_iri("b"), None, None, None))
    assert not _datasets_isomorphic(before, after)
    if target is not store:
        target.close()


# -- timeouts and faults ---------------------------------------------------------------------


def test_query_timeout_stops_a_long_query(store: Store, tmp_path: Path) -> None:
    lines = "".join(f"<{EX}s{i}> <{EX}p> {i} .\n" for i in range(20_000))
    (tmp_path / "many.ttl").write_text(lines, encoding="utf-8")
    store.bulk_load(tmp_path / "many.ttl")
    # a cross product of 4e8 rows: streamed, so the budget stops it
    cross = "SELECT * WHERE { ?a ?p ?o . ?b ?q ?r }"
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.select(cross, timeout_s=0.5)
    with pytest.raises(QueryTimeout):
        store.query_raw(cross, "application/sparql-results+json", timeout_s=0.5)
    assert time.monotonic() - started < 10
    # a fast query within budget still works
    assert len(store.select(f"SELECT ?o WHERE {{ <{EX}s1> ?p ?o }}", timeout_s=5)) == 1


def test_remote_down_names_the_url() -> None:
    url = "http://127.0.0.1:9/query"  # discard port: nothing listens there
    remote = RemoteStore(url, timeout_s=1.0, retries=1, backoff_s=0.01)
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9/query") as info:
        remote.select("SELECT * WHERE { ?s ?p ?o }")
    assert info.value.details["url"] == url
    with pytest.raises(StoreError, match=r"127\.0\.0\.1:9/query"):
        remote.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
    remote.close()


def test_remote_retries_idempotent_requests_but_never_updates() -> None:
    calls: dict[str, int] = {"GET/POST query": 0, "update": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/update":
            calls["update"] += 1
            return httpx.Response(503, text="busy")
        calls["GET/POST query"] += 1
        if calls["GET/POST query"] < 3:
            return httpx.Response(503, text="busy")
        return httpx.Response(
            200,
            json={"head": {}, "boolean": True},
            headers={"Content-Type": "application/sparql-results+json"},
        )

    remote = RemoteStore("http://127.0.0.1:1/query", "http://127.0.0.1:1/update", backoff_s=0.0)
    remote._client = httpx.Client(transport=httpx.MockTransport(handler))
    assert remote.ask("ASK {}") is True
    assert calls["GET/POST query"] == 3  # two 503s retried, then success
    with pytest.raises(StoreError, match="503"):
        remote.update("INSERT DATA { <https://example.org/a> <https://example.org/b> 1 }")
    assert calls["update"] == 1  # an update is never retried
    remote.close()


def test_remote_slow_server_is_a_timeout_naming_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    remote = RemoteStore("http://127.0.0.1:1/query", timeout_s=0.5, backoff_s=0.0)
    remote._client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(QueryTimeout, match=r"127\.0\.0\.1:1/query"):
        remote.select("SELECT * WHERE { ?s ?p ?o }")
    remote.close()
