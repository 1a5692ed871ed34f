"""The running server (``ia-territoires serve`` with uvicorn on 127.0.0.1) driven by real
clients: SPARQLWrapper, rdflib's SPARQLStore, and plain HTTP content negotiation as a
linked-data crawler does it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from tests.harness.registry_server import (
    RunningServer,
    SampleSizes,
    running_server,
    write_sample_data,
)

pytestmark = pytest.mark.integration

BASE = "https://w3id.org/ia-territoires/"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("server")
    files = write_sample_data(tmp / "data", SampleSizes(25, 6, 4))
    yield from running_server(tmp, files)


def test_sparqlwrapper_select_and_construct(server: RunningServer) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(
        "PREFIX iat: <https://w3id.org/ia-territoires/def#>\n"
        "SELECT (COUNT(?d) AS ?n) WHERE { ?d a iat:Deployment }"
    )
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert int(result["results"]["bindings"][0]["n"]["value"]) == 25  # type: ignore[index]
    client.setMethod("POST")
    assert int(client.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == 25  # type: ignore[index]
    client.setQuery(f"CONSTRUCT WHERE {{ <{BASE}id/deploiement/dep-00003> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    data = client.queryAndConvert()
    g = Graph().parse(data=data, format="turtle")  # type: ignore[arg-type]
    assert len(g) > 8


def test_sparqlwrapper_sees_errors(server: RunningServer) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setReturnFormat(JSON)
    client.setQuery("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        client.queryAndConvert()


def test_rdflib_sparqlstore(server: RunningServer) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(f"{server.url}/sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = list(
        graph.query(
            "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/identifier> 'dep-00002' ; "
            "<http://purl.org/dc/terms/title> ?t }"
        )
    )
    assert [str(r[0]) for r in rows] == ["Déploiement 2 de démonstration"]  # type: ignore[index]
    triples = list(graph.triples((URIRef(f"{BASE}id/deploiement/dep-00002"), None, None)))
    assert len(triples) > 8
    store.close()


def test_crawler_content_negotiation(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        seen: dict[str, Graph] = {}
        for accept, fmt in (
            ("text/turtle", "turtle"),
            ("application/ld+json", "json-ld"),
            ("application/rdf+xml", "xml"),
            ("application/n-triples", "nt"),
        ):
            r = http.get("/id/deploiement/dep-00004", headers={"Accept": accept})
            assert r.status_code == 200 and r.headers["vary"] == "Accept"
            assert r.headers["content-type"].startswith(accept)
            seen[fmt] = Graph().parse(data=r.text, format=fmt)
        sizes = {len(g) for g in seen.values()}
        assert len(sizes) == 1  # the same triples whatever the syntax
        # follow the Link: rel=alternate
        link = r.headers["link"]
        assert "/id/deploiement/dep-00004.ttl" in link
        assert http.get("/id/deploiement/dep-00004.ttl").status_code == 200
        # follow links from the data to other dereferenceable resources
        g = seen["turtle"]
        deployer = next(
            g.objects(
                URIRef(f"{BASE}id/deploiement/dep-00004"),
                URIRef("https://w3id.org/dpv/tech#hasDeployer"),
            )
        )
        local = "/" + str(deployer)[len(BASE) :]
        r = http.get(local, headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        org = Graph().parse(data=r.text, format="turtle")
        assert org.value(deployer, URIRef("http://xmlns.com/foaf/0.1/name")) is not None
        assert (
            http.get("/id/deploiement/dep-00004", headers={"Accept": "image/png"}).status_code
            == 406
        )
        r = http.get("/id/deploiement/dep-00004", headers={"Accept": "text/html"})
        assert r.headers["content-type"].startswith("text/html")


def test_catalog_and_api_over_http(server: RunningServer) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        r = http.get("/catalog", headers={"Accept": "text/turtle"})
        assert r.status_code == 200
        assert f"{server.url}/sparql" in r.text  # absolute URLs from the public URL
        r = http.get("/api/v1/deployments", params={"limit": 10})
        body = r.json()
        assert body["total"] == 25 and body["next"].startswith(server.url)
        assert http.get(body["next"]).status_code == 200
        assert http.get("/openapi.json").status_code == 200
        # HEAD over a real server (ckanext-dcat sends it before each catalogue page).
        head = http.head("/catalog.ttl")
        get = http.get("/catalog.ttl")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"]


def test_server_answers_point_query_while_a_heavy_one_runs(server: RunningServer) -> None:
    import threading
    import time

    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    done = threading.Event()

    def run_heavy() -> None:
        with httpx.Client(timeout=30) as http:
            http.get(f"{server.url}/sparql", params={"query": heavy, "timeout": "3"})
        done.set()

    thread = threading.Thread(target=run_heavy)
    thread.start()
    time.sleep(0.3)
    with httpx.Client(base_url=server.url, timeout=60) as http:
        t0 = time.monotonic()
        r = http.get("/id/deploiement/dep-00001.ttl")
        elapsed = time.monotonic() - t0
    assert r.status_code == 200
    assert elapsed < 1.0, f"point request took {elapsed:.2f}s while a heavy query ran"
    thread.join(timeout=40)
    assert done.is_set()


def test_data_files_are_loaded_only_into_an_empty_store(tmp_path: Path) -> None:
    files = write_sample_data(tmp_path / "data", SampleSizes(2, 2, 1))
    for srv in running_server(tmp_path, files):
        with httpx.Client(base_url=srv.url, timeout=60) as http:
            r = http.get("/api/v1/deployments")
            assert r.json()["total"] == 2
